"""scheduling/ical.py, the one writer of iCalendar: whatever a citizen types
cannot break the file, and an appointment keeps its UID while its SEQUENCE
rises with every change."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from meetings.services import booking
from meetings.services.series import meeting_day_move
from scheduling.ical import CANCELLED, SEOUL, IcalEvent, build_calendar, clean_text
from tests.meetings.conftest import another_working_day

START = dt.datetime(2026, 12, 10, 14, 0, tzinfo=SEOUL)
EVENT_PROPERTIES = {
    "UID",
    "SEQUENCE",
    "DTSTAMP",
    "LAST-MODIFIED",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "STATUS",
    "TRANSP",
}
NASTY = (
    '쉼표, 세미콜론; 콜론: 역슬래시\\ 따옴표" CRLF\r\nLF\n외톨이 CR\r끝\r\n'
    "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:injected\n"
    "ATTENDEE;CN=x:mailto:x@example.com\r\n" + "아주 긴 줄 " * 80 + "\x00\x07\x1b제어문자"
)


def _event(**overrides) -> IcalEvent:
    fields = {
        "uid": "7d2c5f0e-1111-4c1a-9d7e-000000000001",
        "start": START,
        "end": START + dt.timedelta(minutes=15),
        "summary": "통통데이 면담",
        "location": "시청 본관 3층 시장실",
        "description": "접수번호: 2026-0001",
        "sequence": 0,
    }
    fields.update(overrides)
    return IcalEvent(**fields)


def _strict_parse(data: bytes) -> Calendar:
    """Parse and insist on a well-formed file: CRLF line ends, folded lines
    of at most 75 octets, no parse errors in any component."""
    assert data.endswith(b"\r\n")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75, line
        assert b"\r" not in line and b"\n" not in line
        assert not any(byte < 32 and byte != 9 for byte in line), line
    calendar = Calendar.from_ical(data)
    for component in calendar.walk():
        assert not component.errors, component.errors
    return calendar


def test_user_text_cannot_add_an_event_or_a_property():
    data = build_calendar("통통데이 2026-0001", [_event(summary=NASTY, location=NASTY, description=NASTY)])
    calendar = _strict_parse(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert set(event.keys()) == EVENT_PROPERTIES
    assert str(event["UID"]) == "7d2c5f0e-1111-4c1a-9d7e-000000000001"
    assert "ATTENDEE" not in event
    for name in ("SUMMARY", "LOCATION", "DESCRIPTION"):
        text = str(event[name])
        assert text == clean_text(NASTY)
        assert "\r" not in text and "\x00" not in text
        assert "외톨이 CR\n끝" in text, "a lone CR becomes a line break"
        assert "END:VEVENT\nBEGIN:VEVENT" in text, "stays text, one event"


def test_the_calendar_has_the_seoul_timezone_and_its_name():
    calendar = _strict_parse(build_calendar("통통데이 2026-0001", [_event()]))
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Asia/Seoul"]
    assert str(calendar["X-WR-CALNAME"]) == "통통데이 2026-0001"
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
    assert event.decoded("LAST-MODIFIED").utcoffset() == dt.timedelta(0)


def test_an_empty_calendar_is_valid():
    calendar = _strict_parse(build_calendar("빈 일정", []))
    assert calendar.walk("VEVENT") == []
    assert calendar.walk("VTIMEZONE")


def test_a_cancelled_event_says_so():
    event = _strict_parse(build_calendar("x", [_event(status=CANCELLED, sequence=3)])).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 3


def test_times_from_other_zones_are_written_in_seoul():
    utc_start = START.astimezone(dt.UTC)
    event = _strict_parse(build_calendar("x", [_event(start=utc_start)])).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert event.decoded("DTSTART") == START


def test_naive_times_and_unknown_statuses_are_refused():
    with pytest.raises(ValueError):
        _event(start=dt.datetime(2026, 12, 10, 14, 0))
    with pytest.raises(ValueError):
        _event(status="MAYBE")
    with pytest.raises(ValueError):
        _event(uid="")


@settings(max_examples=150, deadline=None)
@given(summary=st.text(max_size=300), location=st.text(max_size=120), description=st.text(max_size=600))
def test_any_text_round_trips_in_one_event(summary, location, description):
    data = build_calendar("x", [_event(summary=summary, location=location, description=description)])
    events = _strict_parse(data).walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert set(event.keys()) <= EVENT_PROPERTIES
    assert str(event["SUMMARY"]) == clean_text(summary)
    if clean_text(location):
        assert str(event["LOCATION"]) == clean_text(location)
    if clean_text(description):
        assert str(event["DESCRIPTION"]) == clean_text(description)


# --- The citizen's appointment, through the status page ------------------------------


def _ics(client, token) -> Calendar:
    response = client.get(f"/meetings/status/{token}/appointment.ics")
    assert response.status_code == 200
    return _strict_parse(response.content)


@pytest.mark.django_db
def test_the_uid_is_stable_and_the_sequence_rises_after_a_move(client, submitted, future_days):
    day = future_days[0]
    appointment = booking.slot_book(request=submitted.request, slot=day.slots.first())
    first = _ics(client, submitted.token).walk("VEVENT")[0]
    second = _ics(client, submitted.token).walk("VEVENT")[0]
    assert str(first["UID"]) == str(second["UID"]) == str(appointment.uid)
    assert first["SEQUENCE"] == second["SEQUENCE"] == 0

    new_start = another_working_day(day)
    meeting_day_move(day=day, new_start=new_start, reason="시의회 일정")
    moved = _ics(client, submitted.token).walk("VEVENT")[0]
    assert str(moved["UID"]) == str(appointment.uid)
    assert moved["SEQUENCE"] > first["SEQUENCE"]
    assert moved.decoded("DTSTART") == new_start
    assert moved.decoded("LAST-MODIFIED") >= first.decoded("LAST-MODIFIED")


@pytest.mark.django_db
def test_a_subject_full_of_ical_syntax_stays_one_event(client, future_days):
    from tests.meetings.conftest import submit

    sub = submit(future_days[:1], subject="회의; 안건, 둘\r\nEND:VEVENT")
    booking.slot_book(request=sub.request, slot=future_days[0].slots.first())
    calendar = _ics(client, sub.token)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert set(events[0].keys()) == EVENT_PROPERTIES
    assert "회의; 안건, 둘" in str(events[0]["DESCRIPTION"])
    assert re.search(r"END:VEVENT", str(events[0]["DESCRIPTION"]))


@pytest.mark.django_db
def test_a_rebooking_keeps_the_uid_and_raises_the_sequence(client, submitted, future_days):
    """Book, download, move the meeting day, download, rebook on another day,
    download: one meeting in the citizen's calendar, updated each time."""
    first_day, second_day = future_days[0], future_days[1]
    booking.slot_book(request=submitted.request, slot=first_day.slots.first())
    booked = _ics(client, submitted.token).walk("VEVENT")[0]

    new_start = another_working_day(first_day)
    meeting_day_move(day=first_day, new_start=new_start, reason="시의회 일정")
    moved = _ics(client, submitted.token).walk("VEVENT")[0]

    submitted.request.refresh_from_db()  # the secretariat sees it booked, and moves it
    booking.slot_book(request=submitted.request, slot=second_day.slots.all()[1])
    rebooked_calendar = _ics(client, submitted.token)
    (rebooked,) = rebooked_calendar.walk("VEVENT")

    assert str(booked["UID"]) == str(moved["UID"]) == str(rebooked["UID"])
    assert booked["SEQUENCE"] < moved["SEQUENCE"] < rebooked["SEQUENCE"]
    assert moved.decoded("DTSTART") == new_start
    assert rebooked.decoded("DTSTART") == second_day.slots.all()[1].start
    assert str(rebooked["STATUS"]) == "CONFIRMED"
    assert rebooked.decoded("DTSTAMP") == rebooked.decoded("LAST-MODIFIED") >= moved.decoded("LAST-MODIFIED")
    # An independent reader sees one meeting, at the new time, over every day it was ever on.
    starts = [first_day.start, new_start, second_day.start]
    occurrences = recurring_ical_events.of(rebooked_calendar).between(
        min(starts).date() - dt.timedelta(days=1), max(starts).date() + dt.timedelta(days=2)
    )
    assert [o.start for o in occurrences] == [second_day.slots.all()[1].start]


@pytest.mark.django_db
def test_the_citizens_ics_carries_only_their_meeting(client, submitted, future_days):
    from tests.meetings.conftest import submit

    other = submit(future_days[:1], name="김이웃", subject="이웃의 민원")
    theirs = booking.slot_book(request=other.request, slot=future_days[0].slots.all()[1])
    mine = booking.slot_book(request=submitted.request, slot=future_days[0].slots.first())
    response = client.get(f"/meetings/status/{submitted.token}/appointment.ics")
    (event,) = _strict_parse(response.content).walk("VEVENT")
    assert str(event["UID"]) == str(mine.uid)
    body = response.content.decode()
    assert str(theirs.uid) not in body and "김이웃" not in body and "이웃의 민원" not in body
    assert other.request.reference not in body


@pytest.mark.django_db
def test_the_citizens_ics_answers_304_until_the_meeting_changes(client, submitted, future_days):
    day = future_days[0]
    booking.slot_book(request=submitted.request, slot=day.slots.first())
    url = f"/meetings/status/{submitted.token}/appointment.ics"
    response = client.get(url)
    assert response.status_code == 200
    assert response["ETag"] and response["Last-Modified"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store, private"
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == response["ETag"]
    assert again["Cache-Control"] == "no-store, private"
    assert client.get(url, headers={"If-Modified-Since": response["Last-Modified"]}).status_code == 304

    meeting_day_move(day=day, new_start=another_working_day(day), reason="시의회 일정")
    changed = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != response["ETag"]
    assert _strict_parse(changed.content).walk("VEVENT")[0]["SEQUENCE"] == 1
    # Someone else's link never answers 304 to this file's ETag: it is a 404.
    assert client.get(f"{url}x", headers={"If-None-Match": response["ETag"]}).status_code == 404
