"""``manage.py meeting_days``: the year's meeting days as the secretariat
reads them, in a Korean table or as JSON."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from meetings.models import MeetingDay
from meetings.services import booking
from meetings.services.series import meeting_day_cancel
from scheduling.models import CityClosure
from tests.meetings.conftest import submit

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("meeting_days", *args, stdout=out)
    return out.getvalue()


def as_json(year: int) -> dict[str, dict]:
    days = json.loads(run("--year", str(year), "--format", "json"))
    assert isinstance(days, list)
    return {day["original_date"]: day for day in days}


def test_2025_moves_hangul_day_and_christmas(city):
    days = as_json(2025)
    assert len(days) == 24
    assert days["2025-10-09"] == {
        "original_date": "2025-10-09",
        "date": "2025-10-10",
        "start": "2025-10-10T14:00:00+09:00",
        "status": "moved",
        "reason": days["2025-10-09"]["reason"],
        "bookings": 0,
        "slots": 4,
    }
    assert "한글날" in days["2025-10-09"]["reason"]
    christmas = days["2025-12-25"]
    assert christmas["status"] == "moved" and christmas["date"] == "2025-12-26"
    assert christmas["start"] == "2025-12-26T14:00:00+09:00"
    assert "기독탄신일" in christmas["reason"]
    regular = [day for day in days.values() if day["status"] == "regular"]
    assert len(regular) == 22
    assert all(day["date"] == day["original_date"] and day["reason"] == "" for day in regular)
    assert all(dt.date.fromisoformat(day["original_date"]).weekday() == 3 for day in days.values())


def test_2026_moves_chuseok_eve_to_the_next_monday(city):
    days = as_json(2026)
    assert len(days) == 24
    eve = days["2026-09-24"]
    assert (eve["status"], eve["date"], eve["start"]) == ("moved", "2026-09-28", "2026-09-28T14:00:00+09:00")
    assert "추석 전날" in eve["reason"]
    assert [d for d in days.values() if d["status"] != "regular"] == [eve]


def test_the_table_speaks_korean(city):
    output = run("--year", "2025")
    lines = output.splitlines()
    header = lines[0]
    for title in ("정기 일자", "상태", "사유"):
        assert title in header
    assert len(lines) == 1 + 24 + 1  # header, the days, the summary
    hangul_day = next(line for line in lines if line.startswith("2025. 10. 9.(목)"))
    assert "2025. 10. 10.(금) 14:00" in hangul_day
    assert "변경됨" in hangul_day and "한글날" in hangul_day
    ordinary = next(line for line in lines if line.startswith("2025. 10. 23.(목)"))
    assert "2025. 10. 23.(목) 14:00" in ordinary and "정기" in ordinary and "0/4" in ordinary


def test_the_default_format_is_the_table_and_the_default_year_this_year(pinned_today, city):
    output = run()
    assert output.splitlines()[1].startswith(f"{pinned_today.year}. 1. ")


def test_bookings_and_a_cancelled_day_are_shown(future_days):
    booked_day, cancelled_day = future_days[0], future_days[1]
    request = submit([booked_day]).request
    booking.slot_book(request=request, slot=booked_day.slots.first())
    meeting_day_cancel(day=cancelled_day, reason="시장 긴급 재난 대응")

    booked_year = timezone.localtime(booked_day.start).year
    days = as_json(booked_year)
    booked = days[booked_day.original_date.isoformat()]
    assert (booked["bookings"], booked["slots"]) == (1, 4)

    cancelled_year = cancelled_day.original_date.year
    cancelled = as_json(cancelled_year)[cancelled_day.original_date.isoformat()]
    assert (cancelled["status"], cancelled["reason"], cancelled["bookings"]) == ("cancelled", "시장 긴급 재난 대응", 0)
    table = run("--year", str(cancelled_year))
    line = next(line for line in table.splitlines() if "시장 긴급 재난 대응" in line)
    assert "취소됨" in line


def test_a_city_closure_moves_the_day_with_its_name(city):
    CityClosure.objects.create(date=dt.date(2027, 11, 11), name="시 개청 기념일")  # the 2nd Thursday
    day = as_json(2027)["2027-11-11"]
    assert (day["status"], day["date"]) == ("moved", "2027-11-12")
    assert "시 개청 기념일" in day["reason"]


def test_running_it_twice_changes_nothing(city):
    assert run("--year", "2026", "--format", "json") == run("--year", "2026", "--format", "json")
    assert MeetingDay.objects.filter(original_date__year=2026).count() == 24


def test_without_a_mayor_it_says_so(db):
    with pytest.raises(CommandError):
        run("--year", "2026")


def test_a_nonsense_year_is_refused(city):
    with pytest.raises(CommandError):
        run("--year", "10000")
