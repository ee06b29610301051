"""Private files (issue 14, item 1): the all-cards PDF holds every
suggestion with the joint-review opinions. It lives outside MEDIA_ROOT under
an unguessable name, and leaves only through the permission-checked
download (scheduling/private_files.py)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from visits.cards import pdf as card_pdf
from visits.models import CardBatch

PDF = b"%PDF-1.7 every suggestion and every opinion"
TOKEN = r"[A-Za-z0-9_-]{32}"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def batch(card_org):
    done = CardBatch.objects.create(status=CardBatch.Status.DONE, total=6, done=6, finished_at=timezone.now())
    done.pdf.save("all-cards-20261203-0940-1.pdf", ContentFile(PDF))
    return done


def _download(client, batch):
    return client.get(reverse("staff_cards:batch_download", kwargs={"pk": batch.pk}))


def test_the_pdf_is_in_the_private_root_under_an_unguessable_name(batch, settings):
    assert re.fullmatch(rf"cards/all-cards-20261203-0940-1-{TOKEN}\.pdf", batch.pdf.name)
    on_disk = Path(batch.pdf.path)
    assert on_disk.read_bytes() == PDF
    assert on_disk.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not on_disk.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not Path(settings.MEDIA_ROOT, "cards").exists()
    with pytest.raises(ValueError, match="no public URL"):
        batch.pdf.url  # noqa: B018


def test_two_builds_of_the_same_minute_get_different_names(card_org):
    names = set()
    for _ in range(2):
        row = CardBatch.objects.create(status=CardBatch.Status.DONE)
        row.pdf.save("all-cards-20261203-0940-1.pdf", ContentFile(PDF))
        names.add(row.pdf.name)
    assert len(names) == 2


def test_a_real_build_stores_its_pdf_privately(card_org, settings):
    batch = card_pdf.card_batch_start(actor=card_org["users"]["secretariat"])
    batch.refresh_from_db()
    assert batch.status == CardBatch.Status.DONE
    assert re.fullmatch(rf"cards/all-cards-\d{{8}}-\d{{4}}-{batch.pk}-{TOKEN}\.pdf", batch.pdf.name)
    assert Path(settings.PRIVATE_MEDIA_ROOT, batch.pdf.name).is_file()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),  # to the staff login, like every back-office page: no byte of the file
        ("stranger", 403),
        ("roads_staff", 403),  # a department sees only its own suggestions; the file holds all
        ("parks_staff", 403),
        ("secretariat", 200),
        ("budget_staff", 200),
    ],
)
def test_only_those_who_see_every_suggestion_download_it(client, batch, card_org, stranger, settings, who, status):
    user = {"stranger": stranger, **card_org["users"]}.get(who)
    if user is not None:
        client.force_login(user)

    response = _download(client, batch)

    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Cache-Control"] == "private, no-store"
        assert "attachment" in response["Content-Disposition"]
    else:
        assert PDF not in response.content
        if status == 302:
            assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("debug", [False, True])
def test_no_public_media_url_answers_with_the_file(client, batch, card_org, settings, debug):
    """Neither the old public name nor the new private one is served under
    /media/, whoever asks (with DEBUG on, Django itself serves MEDIA_ROOT)."""
    settings.DEBUG = debug
    client.force_login(card_org["users"]["secretariat"])
    old_name = f"cards/all-cards-20261203-0940-{batch.pk}.pdf"
    for name in (old_name, batch.pdf.name):
        response = client.get(f"/media/{name}")
        assert response.status_code == 404, name


def test_with_an_accel_prefix_nginx_sends_the_file(client, batch, card_org, settings):
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/private-media/"
    client.force_login(card_org["users"]["secretariat"])

    response = _download(client, batch)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/private-media/{batch.pdf.name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_with_an_accel_prefix_a_department_still_gets_no_redirect(client, batch, card_org, settings):
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/private-media/"
    client.force_login(card_org["users"]["roads_staff"])

    response = _download(client, batch)

    assert response.status_code == 403
    assert "X-Accel-Redirect" not in response


def test_a_missing_file_is_404(client, batch, card_org):
    Path(batch.pdf.path).unlink()
    client.force_login(card_org["users"]["secretariat"])
    assert _download(client, batch).status_code == 404


def test_the_migration_moves_old_public_files_and_renames_them(card_org, settings):
    migration = importlib.import_module("visits.migrations.0005_private_card_pdfs")
    old_name = "cards/all-cards-20261101-1200-7.pdf"
    public_file = Path(settings.MEDIA_ROOT, old_name)
    public_file.parent.mkdir(parents=True)
    public_file.write_bytes(PDF)
    moved = CardBatch.objects.create(status=CardBatch.Status.DONE)
    gone = CardBatch.objects.create(status=CardBatch.Status.DONE)
    CardBatch.objects.filter(pk=moved.pk).update(pdf=old_name)
    CardBatch.objects.filter(pk=gone.pk).update(pdf="cards/all-cards-20261101-1200-8.pdf")

    migration.to_private(apps, None)
    migration.to_private(apps, None)  # a second run moves nothing twice

    moved.refresh_from_db()
    assert re.fullmatch(rf"cards/all-cards-20261101-1200-7-{TOKEN}\.pdf", moved.pdf.name)
    assert Path(settings.PRIVATE_MEDIA_ROOT, moved.pdf.name).read_bytes() == PDF
    assert not public_file.exists()
    gone.refresh_from_db()
    assert gone.pdf.name == "cards/all-cards-20261101-1200-8.pdf"

    migration.to_public(apps, None)
    moved.refresh_from_db()
    assert Path(settings.MEDIA_ROOT, moved.pdf.name).read_bytes() == PDF
