"""The backup and the restore drill (docs/deployment.md), run for real on
PostgreSQL: back up a database holding a demo city with meeting requests,
suggestions and their history, restore it into a new database with the
drill script, and find every row again. Skips on SQLite (the embedded
default has no pg_dump), and CI runs it on PostgreSQL."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

from scheduling.demo.seed import demo_city_seed

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[1]


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


@pytest.fixture
def restored_name():
    if connection.vendor != "postgresql":
        pytest.skip("the backup is pg_dump: needs PostgreSQL (set DATABASE_URL)")
    name = f"tongtong_drill_{uuid.uuid4().hex[:8]}"
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_backup_restores_into_a_new_database_with_every_row(tmp_path, restored_name, suggestion_maker):
    demo_city_seed(password="drill-password")  # the demo's cards, requests and their history
    suggestion_maker()
    media = tmp_path / "media"
    (media / "visits").mkdir(parents=True)
    (media / "visits" / "photo.jpg").write_bytes(b"not really a photo")
    counts = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    assert counts["visits.Suggestion"] > 0 and counts["visits.HistoricalSuggestion"] > 0

    backup = (
        subprocess.run(
            [str(ROOT / "scripts" / "backup.sh"), _url(connection.settings_dict["NAME"]), str(media), str(tmp_path)],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert (Path(backup) / "database.dump").stat().st_size > 0
    assert (Path(backup) / "media.tar.gz").exists()

    drill = subprocess.run(
        [str(ROOT / "scripts" / "restore-drill.sh"), backup, _url(restored_name)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "drill", "HOME": str(tmp_path)},
    )
    assert drill.returncode == 0, drill.stderr[-2000:]
    restored = dict(line.split("\t") for line in drill.stdout.splitlines() if "\t" in line)
    assert {label: int(count) for label, count in restored.items()} == counts
    assert "restored in" in drill.stdout


@pytest.fixture
def suggestion_maker(db):
    """A suggestion with a resident's contact, so the backup holds personal
    data the way production's does (and the drill must find it again)."""
    from scheduling.categories import Category
    from scheduling.models import Neighborhood
    from visits.cards import services as card_services
    from visits.models import Suggestion

    def make():
        return card_services.suggestion_record(
            neighborhood=Neighborhood.objects.order_by("sort_order").first(),
            source=Suggestion.Source.OTHER,
            title="복구 훈련용 건의",
            category=Category.ROADS,
            contact_phone="010-2222-3333",
            contact_consent=True,
            actor=None,
        )

    return make
