"""FEED_CANCELLED_KEEP_DAYS comes from the environment, strictly, and sets
the moment before which cancelled items leave every feed."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from scheduling.feeds import cancelled_cutoff, cancelled_dropped_at

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import django; django.setup(); from django.conf import settings; print(settings.FEED_CANCELLED_KEEP_DAYS)"


def _probe(value: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"FEED_CANCELLED_KEEP_DAYS", "DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if value is not None:
        env["FEED_CANCELLED_KEEP_DAYS"] = value
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("value", "expected"), [(None, "90"), ("30", "30"), ("0", "0")])
def test_the_setting_is_read_from_the_environment(value, expected):
    result = _probe(value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize("value", ["ninety", "-1", "9.5"])
def test_a_bad_value_stops_the_start_up(value):
    result = _probe(value)
    assert result.returncode != 0
    assert "FEED_CANCELLED_KEEP_DAYS" in result.stderr and "ImproperlyConfigured" in result.stderr


def test_an_item_is_shown_through_day_d_plus_n_and_gone_the_day_after(settings):
    settings.FEED_CANCELLED_KEEP_DAYS = 90
    today = dt.date(2026, 11, 23)
    cutoff = cancelled_cutoff(today)
    seoul = timezone.get_current_timezone()
    assert cutoff == dt.datetime(2026, 8, 25, tzinfo=seoul)  # 23 Nov − 90 days, local midnight
    last_kept = dt.datetime(2026, 8, 25, 23, 59, tzinfo=seoul)
    first_gone = dt.datetime(2026, 8, 24, 23, 59, tzinfo=seoul)
    assert last_kept >= cutoff > first_gone
    assert cancelled_dropped_at(first_gone) == dt.datetime(2026, 11, 23, tzinfo=seoul)
    assert cancelled_dropped_at(None) is None
