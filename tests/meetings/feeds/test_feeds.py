"""The public meeting-day feed, read back by a second, independent parser
(recurring-ical-events), must show exactly the days the app shows."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from django.utils import timezone
from icalendar import Calendar

from meetings.feeds.public import feed_range
from meetings.models import MeetingDay
from meetings.services import booking
from meetings.services.series import meeting_day_move, meeting_days_sync
from tests.meetings.conftest import another_working_day, submit

SEOUL = ZoneInfo("Asia/Seoul")
URL = "/calendar/meeting-days.ics"
WINDOW = (dt.date(2025, 1, 1), dt.date(2027, 12, 31))

pytestmark = pytest.mark.django_db


def _calendar(response) -> Calendar:
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def _occurrences(calendar: Calendar):
    first, last = WINDOW
    return recurring_ical_events.of(calendar).between(first, last + dt.timedelta(days=1))


def _app_days():
    """The days the sync builds for the feed's window. The feed is read from
    the rule and the saved days (a GET writes nothing), so a test calls this
    after fetching the feed: the feed must show exactly what the sync builds."""
    first, last = WINDOW
    return meeting_days_sync(start=first, end=last)


def test_an_independent_parser_sees_exactly_the_apps_meeting_days(client, city):
    calendar = _calendar(client.get(URL))
    occurrences = _occurrences(calendar)
    shown = {o.start for o in occurrences if str(o.get("status")) != "CANCELLED"}
    expected = {d.start for d in _app_days() if d.status != MeetingDay.Status.CANCELLED}
    assert len(expected) > 60  # three years of two days a month
    assert shown == expected
    assert len(shown) == len([o for o in occurrences if str(o.get("status")) != "CANCELLED"])
    # The moved holiday: 한글날 (Thu 9 October 2025) → Fri 10 October 14:00.
    moved = dt.datetime(2025, 10, 10, 14, tzinfo=SEOUL)
    assert moved in shown
    assert not any(s.astimezone(SEOUL).date() == dt.date(2025, 10, 9) for s in shown)
    day = MeetingDay.objects.get(original_date=dt.date(2025, 10, 9))
    assert (day.status, day.start) == (MeetingDay.Status.MOVED, moved)
    (event,) = [o for o in occurrences if o.start == moved]
    assert day.reason.split(".")[0] in str(event["description"]).replace("\n", " ")
    assert str(event["location"]) == city["series"].location


def test_the_feed_is_well_formed_and_in_seoul_time(client, city):
    response = client.get(URL)
    calendar = _calendar(response)
    assert str(calendar["x-wr-calname"]) == "통통시 통통데이"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    for event in calendar.walk("VEVENT"):
        assert event["dtstart"].params["TZID"] == "Asia/Seoul"
        for name in ("uid", "sequence", "dtstamp", "last-modified", "summary", "status", "location"):
            assert name in event, name
    assert "RRULE" not in response.content.decode()


def test_cancelled_days_stay_as_cancelled(client, city, pinned_today):
    # January 2027, seen from November 2026: well inside the feed's keep period.
    day = meeting_days_sync(start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 31))[0]
    from meetings.services.series import meeting_day_cancel

    meeting_day_cancel(day=day, reason="시장 출장")
    calendar = _calendar(client.get(URL))
    (event,) = [e for e in calendar.walk("VEVENT") if e["dtstart"].dt == day.start]
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 1
    assert "시장 출장" in str(event["description"])
    cancelled = {d.start for d in _app_days() if d.status == MeetingDay.Status.CANCELLED}
    listed = {o.start for o in _occurrences(calendar) if str(o.get("status")) == "CANCELLED"}
    assert day.start in cancelled
    assert cancelled == listed


def test_uids_are_stable_and_the_sequence_rises_after_a_move(client, city):
    first = {str(e["uid"]): e for e in _calendar(client.get(URL)).walk("VEVENT")}
    second = {str(e["uid"]): e for e in _calendar(client.get(URL)).walk("VEVENT")}
    assert first.keys() == second.keys()
    assert len(first) == len(meeting_days_sync(start=feed_range()[0], end=feed_range()[1]))
    today = timezone.localdate()
    day = next(
        d
        for d in meeting_days_sync(start=today + dt.timedelta(days=10), end=today + dt.timedelta(days=60))
        if d.status == MeetingDay.Status.REGULAR
    )
    new_start = another_working_day(day)
    meeting_day_move(day=day, new_start=new_start, reason="시장 일정 변경")
    third = {str(e["uid"]): e for e in _calendar(client.get(URL)).walk("VEVENT")}
    assert third.keys() == first.keys()
    uid = f"meeting-day-{day.series_id}-{day.original_date.isoformat()}@tongtong"
    assert int(third[uid]["sequence"]) == int(first[uid]["sequence"]) + 1
    assert third[uid]["dtstart"].dt == new_start
    assert "시장 일정 변경" in str(third[uid]["description"])


def test_http_headers_and_revalidation(client, city):
    response = client.get(URL)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline;")
    assert "meeting-days.ics" in response["Content-Disposition"]
    assert "max-age=300" in response["Cache-Control"]
    etag, modified = response["ETag"], response["Last-Modified"]
    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    since = client.get(URL, headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    assert since.content == b""
    stale = client.get(URL, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    assert stale.content == response.content
    # A change gives a new ETag, so the old one no longer matches.
    # A coming day, whatever today is (the fixed WINDOW ends in 2027).
    today = timezone.localdate()
    coming = meeting_days_sync(start=today + dt.timedelta(days=1), end=today + dt.timedelta(days=70))
    day = next(d for d in coming if d.status == "regular")
    from meetings.services.series import meeting_day_cancel

    meeting_day_cancel(day=day, reason="취소")
    changed = client.get(URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_no_citizen_data_in_the_feed(client, city):
    today = timezone.localdate()
    days = [
        d
        for d in meeting_days_sync(start=today + dt.timedelta(days=3), end=today + dt.timedelta(days=80))
        if d.status != MeetingDay.Status.CANCELLED
    ]
    submission = submit(days[:2], name="오지랖", phone="010-9876-5432", subject="비밀 민원 제목")
    booking.slot_book(request=submission.request, slot=days[0].slots.first())
    body = client.get(URL).content.decode()
    for secret in ("오지랖", "010-9876-5432", "01098765432", "비밀 민원 제목", submission.request.reference):
        assert secret not in body
    assert "김시장" not in body


def test_only_get_and_head(client, city):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_cancelled_days_are_dropped_after_the_kept_days(client, city, settings):
    from meetings.services.series import meeting_day_cancel

    today = timezone.localdate()
    recent = next(
        d
        for d in meeting_days_sync(start=today - dt.timedelta(days=80), end=today - dt.timedelta(days=1))
        if d.status == MeetingDay.Status.REGULAR
    )
    old = next(
        d
        for d in meeting_days_sync(start=today - dt.timedelta(days=300), end=today - dt.timedelta(days=100))
        if d.status == MeetingDay.Status.REGULAR
    )
    for day in (recent, old):
        meeting_day_cancel(day=day, reason="시장 출장")
    recent_uid = f"meeting-day-{recent.series_id}-{recent.original_date.isoformat()}@tongtong"
    old_uid = f"meeting-day-{old.series_id}-{old.original_date.isoformat()}@tongtong"

    events = {str(e["uid"]): e for e in _calendar(client.get(URL)).walk("VEVENT")}
    assert settings.FEED_CANCELLED_KEEP_DAYS == 90
    assert str(events[recent_uid]["status"]) == "CANCELLED"
    assert old_uid not in events
    regular_past = next(d for d in _app_days() if d.start < old.start and d.status == MeetingDay.Status.REGULAR)
    assert f"meeting-day-{regular_past.series_id}-{regular_past.original_date.isoformat()}@tongtong" in events

    settings.FEED_CANCELLED_KEEP_DAYS = 400
    events = {str(e["uid"]): e for e in _calendar(client.get(URL)).walk("VEVENT")}
    assert str(events[old_uid]["status"]) == "CANCELLED"
