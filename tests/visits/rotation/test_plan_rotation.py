"""``manage.py plan_rotation`` on the small city of ``conftest``."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from schedule.models import Event

from scheduling.models import Official
from scheduling.services import official_create
from visits.models import FieldVisit, RotationCycle

WINDOW_ARGS = ["--start", "2027-03-02", "--end", "2027-06-30"]

# The plans here are of fixed windows in 2027–2028, planned from before
# them: planning reads "now" (the part of today that is over is busy).
pytestmark = pytest.mark.usefixtures("pinned_today")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("plan_rotation", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_lists_every_neighborhood_with_its_date_and_reason(city):
    out, _err = run(*WINDOW_ARGS, "--format", "json", "--dry-run")

    plan = json.loads(out)
    assert sorted(item["neighborhood"] for item in plan) == sorted(city["neighborhoods"])
    for item in plan:
        assert item["name"] == city["neighborhoods"][item["neighborhood"]].name
        day = dt.date.fromisoformat(item["date"])
        assert dt.date(2027, 3, 2) <= day <= dt.date(2027, 6, 30)
        start = dt.datetime.fromisoformat(item["start"])
        assert item["start"].endswith("+09:00") and start.date() == day
        assert item["priority"] is city["neighborhoods"][item["neighborhood"]].is_priority
        assert item["reason"]
    assert [item["date"] for item in plan] == sorted(item["date"] for item in plan)


def test_dry_run_saves_nothing(city):
    run(*WINDOW_ARGS, "--dry-run")

    assert not RotationCycle.objects.exists()
    assert not FieldVisit.objects.exists()
    assert not Event.objects.exists()


def test_without_dry_run_the_plan_is_saved_once(city):
    out, err = run(*WINDOW_ARGS, "--format", "json")

    cycle = RotationCycle.objects.get()
    assert cycle.official == city["mayor"]
    saved = {v.neighborhood.code: v.start for v in cycle.visits.select_related("neighborhood")}
    assert saved == {item["neighborhood"]: dt.datetime.fromisoformat(item["start"]) for item in json.loads(out)}
    assert Event.objects.count() == 12
    assert "6" in err

    run(*WINDOW_ARGS, "--format", "json")  # again: nothing new
    assert RotationCycle.objects.count() == 1
    assert FieldVisit.objects.count() == 6
    assert Event.objects.count() == 12


def test_table_speaks_korean(city):
    out, _err = run(*WINDOW_ARGS, "--dry-run")

    header, *rows = out.splitlines()
    assert "동" in header and "일시" in header
    assert len(rows) == 6
    assert all(re.search(r"2027\. \d+\. \d+\.\([월화수목금]\) 10:00", row) for row in rows)
    assert any("산성동" in row for row in rows)


def test_another_official_by_id(city):
    deputy = official_create(name="이부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR)

    run(*WINDOW_ARGS, "--official-id", str(deputy.pk))

    assert RotationCycle.objects.get().official == deputy


def test_a_two_year_rotation_by_default(city):
    out, _err = run("--start", "2027-03-02", "--format", "json", "--dry-run")

    dates = [dt.date.fromisoformat(item["date"]) for item in json.loads(out)]
    assert len(dates) == 6
    assert sum(day < dt.date(2028, 3, 2) for day in dates) == 3  # half in each year
    assert max(dates) <= dt.date(2029, 3, 1)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--start", "2027-03-02", "--end", "2027-03-19"], "2027-03-02"),  # too short for 6
        (["--start", "2027-02-06", "--end", "2027-02-09"], "2027-02-06"),  # Seollal: no working day
        (["--start", "2027-13-01"], "2027-13-01"),
        ([*WINDOW_ARGS, "--official-id", "999"], "999"),
    ],
)
def test_errors_name_the_cause_and_save_nothing(city, args, named):
    with pytest.raises(CommandError, match=re.escape(named)):
        run(*args)

    assert not RotationCycle.objects.exists()
    assert not Event.objects.exists()


def test_without_a_mayor(db):
    with pytest.raises(CommandError):
        run(*WINDOW_ARGS)
