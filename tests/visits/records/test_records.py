"""A field visit's record page: who may see and change it, the record itself,
photos (real images only, metadata stripped) and the suggestions heard."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from PIL import ExifTags, Image

from scheduling.categories import Category
from scheduling.errors import TongtongError
from scheduling.models import Department, Neighborhood, Official
from scheduling.services import official_create
from visits.cards import services as card_services
from visits.models import FieldVisit, MonitorGroup, Suggestion, VisitPhoto
from visits.records import services as record_services

pytestmark = pytest.mark.django_db

NOT_A_PHOTO = "This file is not a photo. Upload a JPEG, PNG or WebP image."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mayor(db):
    return official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)


@pytest.fixture
def neighborhoods(db):
    return [
        Neighborhood.objects.create(code="N01", name="중앙동", sort_order=1),
        Neighborhood.objects.create(code="N02", name="신흥동", sort_order=2, is_outlying_area=True),
    ]


@pytest.fixture
def visit(mayor, neighborhoods):
    start = timezone.make_aware(dt.datetime(2026, 12, 8, 10, 0))
    return FieldVisit.objects.create(
        neighborhood=neighborhoods[0], official=mayor, start=start, end=start + dt.timedelta(hours=2)
    )


def url(visit, name="visit"):
    return reverse(f"staff_visit_records:{name}", kwargs={"visit_pk": visit.pk})


def login(client, user):
    client.force_login(user)
    return client


def jpeg_bytes(*, gps=False, size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "TestCam"
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = (37.0, 33.0, 59.0)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = (126.0, 58.0, 41.0)
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def record_data(**overrides):
    data = {
        "record-status": "held",
        "record-status_reason": "",
        "record-agenda_dialogue": "on",
        "record-agenda_site_tour": "on",
        "record-attendance": "35",
        "record-notes": "경로당 방문",
        "record-public_summary": "중앙동 주민 35명과 대화했습니다.",
        "record-is_published": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- Permissions ---------------------------------------------------------------------


def test_anonymous_visitor_goes_to_the_staff_login(client, visit):
    response = client.get(url(visit))
    assert response.status_code == 302
    assert reverse("staff:login") in response["Location"]


def test_people_without_the_right_get_403(client, visit, stranger, reviewer_user):
    assert login(client, stranger).get(url(visit)).status_code == 403
    # The budget reviewer sees suggestions, not visits.
    assert login(client, reviewer_user).get(url(visit)).status_code == 403


def test_officials_and_departments_read_but_do_not_change(client, visit, official_user, department_user):
    for user in (official_user, department_user):
        login(client, user)
        page = client.get(url(visit))
        assert page.status_code == 200
        assert "중앙동" in page.content.decode()
        assert 'name="record-status"' not in page.content.decode()
        assert client.post(url(visit), record_data()).status_code == 403
        photo = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
        assert client.post(url(visit, "visit_photo_add"), {"photo-image": photo}).status_code == 403
        assert client.post(url(visit, "visit_suggestion_add"), {"suggestion-title": "x"}).status_code == 403
    visit.refresh_from_db()
    assert visit.status == FieldVisit.Status.PLANNED
    assert not VisitPhoto.objects.exists() and not Suggestion.objects.exists()


def test_secretariat_sees_the_forms(client, visit, secretariat_user):
    page = login(client, secretariat_user).get(url(visit)).content.decode()
    assert 'name="record-status"' in page
    assert 'name="photo-image"' in page
    assert 'name="suggestion-title"' in page


# --- The record --------------------------------------------------------------------


def test_secretariat_records_a_held_visit(client, visit, secretariat_user, mayor, neighborhoods):
    group = MonitorGroup.objects.create(name="주부시정모니터")
    department = Department.objects.create(code="roads", name="도로과")
    deputy = official_create(name="이부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR)
    response = login(client, secretariat_user).post(
        url(visit),
        record_data(
            **{
                "record-officials": [str(deputy.pk)],
                "record-departments": [str(department.pk)],
                "record-monitor_groups": [str(group.pk)],
            }
        ),
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == FieldVisit.Status.HELD
    assert visit.attendance == 35
    assert visit.agenda_dialogue and visit.agenda_site_tour
    assert not visit.agenda_current_issues and not visit.agenda_encourage_staff
    assert visit.is_published and visit.public_summary.startswith("중앙동")
    assert list(visit.officials.all()) == [deputy]
    assert list(visit.departments.all()) == [department]
    assert list(visit.monitor_groups.all()) == [group]
    # A held visit becomes the neighborhood's last visit.
    neighborhoods[0].refresh_from_db()
    assert neighborhoods[0].last_visited_on == dt.date(2026, 12, 8)
    page = client.get(url(visit)).content.decode()
    assert "주부시정모니터" in page and "제1부시장" in page


def test_postponed_without_a_reason_is_refused(client, visit, secretariat_user):
    response = login(client, secretariat_user).post(
        url(visit), record_data(**{"record-status": "postponed", "record-is_published": None})
    )
    assert response.status_code == 200
    assert gettext("Give the reason why it was postponed or cancelled.") in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == FieldVisit.Status.PLANNED


def test_postponed_with_a_reason_is_saved(client, visit, secretariat_user):
    response = login(client, secretariat_user).post(
        url(visit),
        record_data(**{"record-status": "postponed", "record-status_reason": "태풍 예보", "record-is_published": None}),
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.status_reason) == (FieldVisit.Status.POSTPONED, "태풍 예보")


# --- Photos ------------------------------------------------------------------------


def upload(client, visit, content, name="photo.jpg", caption=""):
    file = SimpleUploadedFile(name, content, content_type="image/jpeg")
    return client.post(url(visit, "visit_photo_add"), {"photo-image": file, "photo-caption": caption})


def test_a_file_that_is_not_an_image_is_refused(client, visit, secretariat_user):
    response = upload(login(client, secretariat_user), visit, b"%PDF-1.4 not a photo at all", name="fake.jpg")
    assert response.status_code == 200
    assert gettext(NOT_A_PHOTO) in response.content.decode()
    assert not VisitPhoto.objects.exists()


def test_a_gif_is_refused(visit, secretariat_user):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(TongtongError) as error:
        record_services.visit_photo_add(upload=io.BytesIO(out.getvalue()), visit=visit, actor=secretariat_user)
    assert str(error.value) == gettext(NOT_A_PHOTO)


def test_a_truncated_jpeg_is_refused(visit, secretariat_user):
    broken = jpeg_bytes(size=(400, 300))[:300]
    with pytest.raises(TongtongError) as error:
        record_services.visit_photo_add(upload=io.BytesIO(broken), visit=visit, actor=secretariat_user)
    assert str(error.value) == gettext(NOT_A_PHOTO)


def test_a_photo_over_5_mb_is_refused(client, visit, secretariat_user):
    too_big = jpeg_bytes() + b"\0" * (5 * 1024 * 1024)
    response = upload(login(client, secretariat_user), visit, too_big)
    assert response.status_code == 200
    assert "5 MB" in response.content.decode()
    assert not VisitPhoto.objects.exists()


def test_a_jpeg_with_gps_exif_is_stored_without_it(client, visit, secretariat_user):
    original = jpeg_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test file has GPS

    response = upload(login(client, secretariat_user), visit, original, caption="경로당")
    assert response.status_code == 302
    photo = VisitPhoto.objects.get()
    assert photo.visit == visit and photo.caption == "경로당" and photo.uploaded_by == secretariat_user
    with photo.image.open("rb") as stored_file:
        stored = stored_file.read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert "exif" not in image.info
    assert not image.getexif()
    assert b"Exif" not in stored and b"TestCam" not in stored
    assert "경로당" in client.get(url(visit)).content.decode()


def test_a_png_keeps_its_format_and_loses_its_text_chunks(visit, secretariat_user):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "37.55,126.97")
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 255, 128)).save(out, "PNG", pnginfo=info)
    photo = record_services.visit_photo_add(upload=io.BytesIO(out.getvalue()), visit=visit, actor=secretariat_user)
    with photo.image.open("rb") as stored_file:
        stored = stored_file.read()
    assert photo.image.name.endswith(".png")
    assert b"126.97" not in stored
    assert Image.open(io.BytesIO(stored)).mode == "RGBA"


def test_at_most_20_photos_a_visit(visit, secretariat_user, monkeypatch):
    monkeypatch.setattr(record_services, "MAX_PHOTOS", 2)
    for _ in range(2):
        record_services.visit_photo_add(upload=io.BytesIO(jpeg_bytes()), visit=visit, actor=secretariat_user)
    with pytest.raises(TongtongError):
        record_services.visit_photo_add(upload=io.BytesIO(jpeg_bytes()), visit=visit, actor=secretariat_user)
    assert VisitPhoto.objects.count() == 2


def test_secretariat_deletes_a_photo_and_its_file(client, visit, secretariat_user):
    photo = record_services.visit_photo_add(upload=io.BytesIO(jpeg_bytes()), visit=visit, actor=secretariat_user)
    storage, name = photo.image.storage, photo.image.name
    assert storage.exists(name)
    response = login(client, secretariat_user).post(reverse("staff_visit_records:photo_delete", args=[photo.pk]))
    assert response.status_code == 302
    assert not VisitPhoto.objects.exists()
    assert not storage.exists(name)


# --- Suggestions -------------------------------------------------------------------


def test_a_suggestion_is_recorded_with_neighborhood_and_category(client, visit, secretariat_user, neighborhoods):
    department = Department.objects.create(code="parks", name="공원과")
    response = login(client, secretariat_user).post(
        url(visit, "visit_suggestion_add"),
        {
            "suggestion-title": "어린이공원 그늘막 설치",
            "suggestion-description": "여름에 놀이터가 너무 덥습니다.",
            "suggestion-category": Category.PARKS,
            "suggestion-raised_by": "주민자치위원회",
            "suggestion-neighborhood": str(neighborhoods[0].pk),
            "suggestion-lead_department": str(department.pk),
        },
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.neighborhood == neighborhoods[0]
    assert suggestion.category == Category.PARKS
    assert suggestion.source == Suggestion.Source.FIELD_VISIT
    assert suggestion.visit == visit
    assert suggestion.lead_department == department
    assert suggestion.status == Suggestion.Status.ASSIGNED  # a lead department given at once assigns it
    assert suggestion.created_by == secretariat_user
    page = client.get(url(visit)).content.decode()
    assert "어린이공원 그늘막 설치" in page


def test_the_suggestion_form_defaults_to_the_visits_neighborhood(client, visit, secretariat_user, neighborhoods):
    page = login(client, secretariat_user).get(url(visit)).content.decode()
    assert f'<option value="{neighborhoods[0].pk}" selected>' in page


def test_a_suggestion_needs_a_title(visit, secretariat_user, neighborhoods):
    with pytest.raises(TongtongError):
        card_services.suggestion_record(
            neighborhood=neighborhoods[0],
            source=Suggestion.Source.FIELD_VISIT,
            visit=visit,
            title="  ",
            description="",
            category=Category.ROADS,
            raised_by="",
            actor=secretariat_user,
        )
    assert not Suggestion.objects.exists()


def test_roles_hold_the_visit_permissions(secretariat_user, official_user, department_user, reviewer_user):
    assert secretariat_user.has_perm("visits.change_fieldvisit")
    assert secretariat_user.has_perm("visits.delete_visitphoto")
    assert official_user.has_perm("visits.view_themedtour") and not official_user.has_perm("visits.change_fieldvisit")
    assert department_user.has_perm("visits.view_suggestion")
    assert reviewer_user.has_perm("visits.view_suggestion") and not reviewer_user.has_perm("visits.view_fieldvisit")


def test_demo_seed_adds_the_monitor_groups_once():
    from scheduling.signals import demo_city_seeded

    for _ in range(2):
        demo_city_seeded.send(sender=None, departments={}, officials={})
    assert sorted(MonitorGroup.objects.values_list("name", flat=True)) == sorted(["주부시정모니터", "소셜기자단"])


@pytest.mark.parametrize(
    "model", ["rotationcycle", "blackoutperiod", "monitorgroup", "fieldvisit", "visitphoto", "themedtour", "suggestion"]
)
def test_admin_lists_every_visits_model(admin_client, visit, secretariat_user, model):
    record_services.visit_photo_add(upload=io.BytesIO(jpeg_bytes()), visit=visit, actor=secretariat_user)
    response = admin_client.get(reverse(f"admin:visits_{model}_changelist") + "?q=중앙")
    assert response.status_code == 200


def test_every_field_of_the_record_page_has_a_label(client, visit, secretariat_user):
    from tests.test_pages import _html, _Page

    MonitorGroup.objects.create(name="소셜기자단")
    response = login(client, secretariat_user).get(url(visit))
    assert _Page(_html(response)).unlabelled_fields() == []


def test_a_50_megapixel_bomb_is_refused_from_its_header(client, visit, secretariat_user, monkeypatch):
    """7071×7071 pixels in 64 KB of PNG (issue 14): refused with a Korean
    message from the size in the header, before Pillow decodes a pixel."""
    bomb = io.BytesIO()
    Image.new("1", (7071, 7071)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 300_000

    def no_decoding(self, *args, **kwargs):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    response = upload(login(client, secretariat_user), visit, bomb.getvalue(), name="bomb.png")
    assert response.status_code == 200
    assert "7071 × 7071" in response.content.decode()
    assert "24메가픽셀" in response.content.decode()
    assert not VisitPhoto.objects.exists()
    assert record_services.MAX_PHOTO_PIXELS == 24_000_000
    # Pillow's process-wide guard stays above the photo limit, so that the
    # photo check (with its message) answers first.
    assert Image.MAX_IMAGE_PIXELS == 40_000_000


def test_a_large_photo_is_stored_scaled_down_and_upright(visit, secretariat_user):
    """The kept photo is at most MAX_PHOTO_EDGE on its longer side (what a
    page needs, and what keeps the cleaning small), turned upright by its
    EXIF orientation, which then goes."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # turn 90° to show upright
    out = io.BytesIO()
    Image.new("RGB", (3600, 120), (10, 120, 200)).save(out, "JPEG", exif=exif)
    photo = record_services.visit_photo_add(upload=io.BytesIO(out.getvalue()), visit=visit, actor=secretariat_user)
    with photo.image.open("rb") as stored_file:
        stored = Image.open(io.BytesIO(stored_file.read()))
    assert stored.size == (100, record_services.MAX_PHOTO_EDGE)
    assert not stored.getexif()
