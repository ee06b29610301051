"""Photos are private files (issue 14): stored outside MEDIA_ROOT under an
unguessable name, and served only by the photo views — to anyone once
published (a visit's or tour's record published, a suggestion's photo of
the finished works), else to the staff who may read the record
(visits/photo_views.py)."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from visits.cards import services as card_services
from visits.models import FieldVisit, SuggestionPhoto, VisitPhoto
from visits.records import services as record_services

TOKEN = r"[A-Za-z0-9_-]{32}"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    out.seek(0)
    return out


@pytest.fixture
def visit(card_org):
    start = timezone.make_aware(dt.datetime(2026, 12, 8, 10, 0))
    return FieldVisit.objects.create(
        neighborhood=card_org["neighborhoods"]["N01"],
        official=card_org["mayor"],
        start=start,
        end=start + dt.timedelta(hours=2),
    )


@pytest.fixture
def visit_photo(visit, card_org):
    return record_services.visit_photo_add(upload=jpeg(), visit=visit, actor=card_org["users"]["secretariat"])


@pytest.fixture
def suggestion_photos(suggestion_at, card_org):
    """A photo of the place and one of the finished works, of a suggestion
    led by 도로과."""
    suggestion = suggestion_at("assigned")
    secretariat = card_org["users"]["secretariat"]
    place = card_services.suggestion_photo_add(suggestion=suggestion, upload=jpeg(), caption="현장", actor=secretariat)
    result = card_services._photo_save(suggestion, jpeg(), caption="완료", is_result=True, actor=secretariat)
    return {"place": place, "result": result}


def publish(visit, actor, *, complete=True):
    """The visit was held and its record completed, which publishes its results."""
    record_services.visit_record_update(
        visit=visit,
        actor=actor,
        status=FieldVisit.Status.HELD,
        agenda_dialogue=True,
        agenda_current_issues=False,
        agenda_encourage_staff=False,
        agenda_site_tour=False,
        public_summary="주민과의 대화",
        is_published=True,
        record_complete=complete,
    )


def get(client, photo, user=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(photo.get_absolute_url())


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_photos_are_stored_privately_under_an_unguessable_name(visit_photo, suggestion_photos, settings):
    assert re.fullmatch(rf"photos/visits/visit-\d+-{TOKEN}\.jpg", visit_photo.image.name)
    assert re.fullmatch(rf"photos/suggestions/suggestion-\d+-{TOKEN}\.jpg", suggestion_photos["place"].image.name)
    for photo in (visit_photo, *suggestion_photos.values()):
        assert Path(photo.image.path).is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
        with pytest.raises(ValueError, match="no public URL"):
            photo.image.url  # noqa: B018
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.jpg"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 404),
        ("stranger", 404),
        ("roads_staff", 200),  # departments read the visits' records
        ("secretariat", 200),
    ],
)
def test_an_unpublished_visits_photo_is_for_those_who_read_the_record(
    client, visit_photo, card_org, stranger, who, status
):
    user = {"stranger": stranger, **card_org["users"]}.get(who)
    response = get(client, visit_photo, user)
    assert response.status_code == status
    if status == 200:
        assert body(response).startswith(b"\xff\xd8")
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        assert "inline" in response["Content-Disposition"]


def test_publishing_the_visit_publishes_its_photos_and_unpublishing_hides_them(client, visit, visit_photo, card_org):
    secretariat = card_org["users"]["secretariat"]
    assert get(client, visit_photo).status_code == 404

    publish(visit, secretariat)
    response = get(client, visit_photo)
    assert response.status_code == 200
    assert body(response).startswith(b"\xff\xd8")
    assert response["Cache-Control"] == "public, max-age=300"

    publish(visit, secretariat, complete=False)  # the record reopened: the results come down
    assert get(client, visit_photo).status_code == 404

    publish(visit, secretariat)
    FieldVisit.objects.filter(pk=visit.pk).update(is_published=False)  # the visit kept off the public pages
    assert get(client, visit_photo).status_code == 404


def test_a_tours_photo_follows_its_tour(client, card_org):
    from visits.models import ThemedTour

    start = timezone.make_aware(dt.datetime(2026, 12, 9, 10, 0))
    tour = ThemedTour.objects.create(
        title="전통시장 탐방", official=card_org["mayor"], start=start, end=start + dt.timedelta(hours=2)
    )
    photo = record_services.visit_photo_add(upload=jpeg(), tour=tour, actor=card_org["users"]["secretariat"])
    assert get(client, photo).status_code == 404
    assert get(client, photo, card_org["users"]["roads_staff"]).status_code == 200
    ThemedTour.objects.filter(pk=tour.pk).update(is_published=True)
    assert get(client, photo).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 404),
        ("stranger", 404),
        ("parks_staff", 404),  # not their department's suggestion
        ("roads_staff", 200),  # the lead department
        ("budget_staff", 200),
        ("secretariat", 200),
    ],
)
def test_a_photo_of_the_place_is_for_those_who_see_the_suggestion(
    client, suggestion_photos, card_org, stranger, who, status
):
    user = {"stranger": stranger, **card_org["users"]}.get(who)
    assert get(client, suggestion_photos["place"], user).status_code == status


def test_a_photo_of_the_finished_works_is_public_and_on_the_public_card(client, suggestion_photos):
    result = suggestion_photos["result"]
    page = client.get(reverse("cards:card", kwargs={"code": "N01"})).content.decode()
    assert f'src="{result.get_absolute_url()}"' in page
    assert suggestion_photos["place"].get_absolute_url() not in page
    response = get(client, result)
    assert response.status_code == 200
    assert body(response).startswith(b"\xff\xd8")


def test_the_staff_pages_show_the_photos_through_the_views(client, visit, visit_photo, suggestion_photos, card_org):
    client.force_login(card_org["users"]["secretariat"])
    page = client.get(reverse("staff_visit_records:visit", kwargs={"visit_pk": visit.pk})).content.decode()
    assert f'src="{visit_photo.get_absolute_url()}"' in page
    suggestion = suggestion_photos["place"].suggestion
    page = client.get(reverse("staff_cards:suggestion", kwargs={"pk": suggestion.pk})).content.decode()
    assert f'src="{suggestion_photos["place"].get_absolute_url()}"' in page


def test_with_an_accel_prefix_nginx_sends_a_photo_after_the_check(client, visit_photo, card_org, settings):
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/private-media/"
    assert "X-Accel-Redirect" not in get(client, visit_photo)
    response = get(client, visit_photo, card_org["users"]["secretariat"])
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/private-media/{visit_photo.image.name}"
    assert response.content == b""


def test_no_media_url_answers_with_a_photo(client, visit, visit_photo, card_org, settings):
    settings.DEBUG = True  # Django itself then serves MEDIA_ROOT
    publish(visit, card_org["users"]["secretariat"])
    assert client.get(f"/media/{visit_photo.image.name}").status_code == 404


def test_the_admin_links_a_photo_through_its_view(client, django_user_model, visit_photo, suggestion_photos):
    client.force_login(django_user_model.objects.create_superuser("root", "root@city.example.kr", "pw"))
    page = client.get(reverse("admin:visits_visitphoto_change", args=[visit_photo.pk])).content.decode()
    assert visit_photo.get_absolute_url() in page
    suggestion = suggestion_photos["place"].suggestion
    page = client.get(reverse("admin:visits_suggestion_change", args=[suggestion.pk])).content.decode()
    assert suggestion_photos["place"].get_absolute_url() in page


def test_the_migration_moves_old_public_photos_and_renames_them(visit, suggestion_at, settings):
    migration = importlib.import_module("visits.migrations.0006_private_photos")
    photos = {}
    for model, old_name, owner in (
        (VisitPhoto, "visits/1/0a1b2c.jpg", {"visit": visit}),
        (SuggestionPhoto, "suggestions/1/3d4e5f.jpg", {"suggestion": suggestion_at("received")}),
    ):
        public_file = Path(settings.MEDIA_ROOT, old_name)
        public_file.parent.mkdir(parents=True, exist_ok=True)
        public_file.write_bytes(b"\xff\xd8 an old photo")
        row = model.objects.create(**owner, image="placeholder.jpg")
        model.objects.filter(pk=row.pk).update(image=old_name)
        photos[model] = (row, public_file)
    gone = VisitPhoto.objects.create(visit=visit, image="visits/1/gone.jpg")

    migration.to_private(apps, None)
    migration.to_private(apps, None)  # a second run moves nothing twice

    for model, folder in ((VisitPhoto, "photos/visits"), (SuggestionPhoto, "photos/suggestions")):
        row, public_file = photos[model]
        row.refresh_from_db()
        assert re.fullmatch(rf"{folder}/[0-9a-f]+-{TOKEN}\.jpg", row.image.name)
        assert Path(settings.PRIVATE_MEDIA_ROOT, row.image.name).read_bytes() == b"\xff\xd8 an old photo"
        assert not public_file.exists()
    gone.refresh_from_db()
    assert gone.image.name == "visits/1/gone.jpg"

    migration.to_public(apps, None)
    row, _public_file = photos[VisitPhoto]
    row.refresh_from_db()
    assert Path(settings.MEDIA_ROOT, row.image.name).read_bytes() == b"\xff\xd8 an old photo"
