"""Feeds assembled from cached VEVENT blocks: the same bytes as icalendar
rendering the whole calendar, never a stale event, the ETag without
rendering, and a cache outage that only costs time."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from django.core.cache.backends.redis import RedisCache
from django.test import RequestFactory
from icalendar import Calendar

from scheduling.http import calendar_response
from scheduling.ical import CANCELLED, Feed, IcalEvent, block_cache, build_calendar, clean_text

#: The cache is Redis in one CI pass and local memory in the other: run in both.
pytestmark = pytest.mark.configuration_dependent
SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)
NASTY = '쉼표, 세미콜론; 역슬래시\\ \\N 따옴표" CRLF\r\nEND:VEVENT\r\nBEGIN:VEVENT\x00\x07' + "긴 줄 " * 40


def _events(count=120) -> list[IcalEvent]:
    first = dt.datetime(2026, 1, 5, 9, tzinfo=SEOUL)
    events = []
    for i in range(count):
        start = first + dt.timedelta(days=(i * 730) // count, minutes=15 * (i % 24))
        events.append(
            IcalEvent(
                uid=f"cache-test-{i}@tongtong",
                start=start,
                end=start + dt.timedelta(minutes=15),
                summary=f"면담 #{i} {NASTY if i % 7 == 0 else ''}",
                sequence=i % 4,
                location="시청 본관 3층 시장실",
                description=f"접수번호: 2026-{i:05d}\n주제: 골목길, 가로등; 주차",
                status=CANCELLED if i % 11 == 0 else "CONFIRMED",
                last_modified=NOW - dt.timedelta(days=i % 30, minutes=i) if i % 5 else None,
                url="https://tongtong.example/x" if i % 9 == 0 else "",
            )
        )
    return events


def _strict(body: bytes) -> Calendar:
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    calendar = Calendar.from_ical(body)
    for component in calendar.walk():
        assert not component.errors, component.errors
    return calendar


def _forget(feed: Feed) -> None:
    block_cache().delete_many(feed.keys)


def test_cold_and_warm_bytes_equal_icalendars_own_rendering():
    events = _events()
    uncached = Feed("통통시 통통데이", events, now=NOW, cache=None).body
    cold_feed = Feed("통통시 통통데이", events, now=NOW)
    _forget(cold_feed)
    cold = cold_feed.body
    assert set(block_cache().get_many(cold_feed.keys)) == set(cold_feed.keys), "every block was stored"
    warm = Feed("통통시 통통데이", events, now=NOW).body
    assert cold == warm == uncached
    assert build_calendar("통통시 통통데이", events, now=NOW) == uncached

    calendar = _strict(warm)
    vevents = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in vevents] == [e.uid for e in events]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Seoul"]
    assert str(vevents[7]["SUMMARY"]) == clean_text(events[7].summary)
    occurrences = recurring_ical_events.of(calendar).between(dt.date(2025, 1, 1), dt.date(2029, 1, 1))
    assert sorted(o.start for o in occurrences) == sorted(e.start for e in events)


def test_an_empty_feed_is_the_same_cached_or_not():
    assert Feed("빈 일정", [], now=NOW).body == Feed("빈 일정", [], now=NOW, cache=None).body
    assert _strict(Feed("빈 일정", [], now=NOW).body).walk("VTIMEZONE")


@pytest.mark.parametrize(
    "change",
    [
        {"summary": "면담 장소가 바뀌었습니다"},
        {"location": "시청 별관 1층"},
        {"description": "새 안내"},
        {"sequence": 9},
        {"status": CANCELLED},
        {"start": dt.datetime(2026, 1, 5, 10, tzinfo=SEOUL), "end": dt.datetime(2026, 1, 5, 10, 30, tzinfo=SEOUL)},
        {"last_modified": NOW},
        {"url": "https://tongtong.example/new"},
    ],
    ids=lambda change: "+".join(change),
)
def test_a_changed_event_is_never_served_stale(change):
    """Even with the same UID, SEQUENCE and LAST-MODIFIED, any change to an
    event gives new bytes once the old ones are in the cache."""
    events = _events(12)
    before = Feed("x", events, now=NOW).body  # warms the cache
    assert Feed("x", events, now=NOW).body == before
    changed = [dataclasses.replace(events[1], **change), *events[2:]]
    after = Feed("x", [events[0], *changed], now=NOW)
    assert after.body == Feed("x", [events[0], *changed], now=NOW, cache=None).body
    assert after.body != before
    assert after.etag != Feed("x", events, now=NOW).etag
    event = _strict(after.body).walk("VEVENT")[1]
    if "summary" in change:
        assert str(event["SUMMARY"]) == change["summary"]
    if "sequence" in change:
        assert event["SEQUENCE"] == 9
    if "start" in change:
        assert event.decoded("DTSTART") == change["start"]


def test_dtstamp_is_the_items_own_last_change():
    """DTSTAMP = LAST-MODIFIED = when the item last changed, whatever the
    feed's moment, so a cached block carries no other feed's stamp; an item
    that does not say when it changed gets the moment of the render."""
    changed_at = NOW - dt.timedelta(days=3)
    dated = _events(1)[0]
    dated = dataclasses.replace(dated, last_modified=changed_at)
    undated = dataclasses.replace(dated, uid="undated@tongtong", last_modified=None)
    for now in (NOW, NOW + dt.timedelta(days=10)):
        first, second = _strict(Feed("x", [dated, undated], now=now).body).walk("VEVENT")
        assert first.decoded("DTSTAMP") == first.decoded("LAST-MODIFIED") == changed_at
        assert second.decoded("DTSTAMP") == second.decoded("LAST-MODIFIED") == now
    one = Feed("a", [dated], now=NOW).body
    other = Feed("b", [dated], now=NOW + dt.timedelta(days=10)).body
    assert one.split(b"BEGIN:VEVENT")[1] == other.split(b"BEGIN:VEVENT")[1]


def test_the_etag_needs_no_rendering_and_a_304_renders_nothing():
    events = _events(30)
    feed = Feed("x", events, now=NOW, last_modified=NOW)
    assert feed.etag == Feed("x", list(events), now=NOW).etag
    assert feed.etag != Feed("y", events, now=NOW).etag, "the name is in the file"
    assert "body" not in feed.__dict__
    factory = RequestFactory()
    first = calendar_response(factory.get("/f.ics"), feed, filename="f.ics")
    assert first.status_code == 200 and first.content == feed.body
    assert first["ETag"] == f'"{feed.etag}"'

    again = Feed("x", events, now=NOW, last_modified=NOW)
    response = calendar_response(
        factory.get("/f.ics", headers={"If-None-Match": first["ETag"]}), again, filename="f.ics"
    )
    assert response.status_code == 304 and response.content == b""
    assert "body" not in again.__dict__, "a 304 does not render the calendar"
    since = calendar_response(
        factory.get("/f.ics", headers={"If-Modified-Since": first["Last-Modified"]}), again, filename="f.ics"
    )
    assert since.status_code == 304
    moved = [dataclasses.replace(events[0], sequence=5), *events[1:]]
    changed = calendar_response(
        factory.get("/f.ics", headers={"If-None-Match": first["ETag"]}), Feed("x", moved, now=NOW), filename="f.ics"
    )
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_a_thousand_events_stay_warm_in_the_default_cache():
    """Django's local-memory default holds 300 entries; the blocks have room
    for a whole two-year feed, so the second render is served from cache."""
    events = [dataclasses.replace(e, uid=f"big-{i}@tongtong") for i, e in enumerate(_events(1000))]
    feed = Feed("x", events, now=NOW)
    assert feed.body.count(b"\r\nBEGIN:VEVENT\r\n") == 1000
    assert len(block_cache().get_many(feed.keys)) == 1000


def test_a_cache_outage_only_costs_time():
    """Redis down (nothing listens on the port): the feed is rendered, the
    same bytes, and nothing fails."""
    dead = RedisCache("redis://127.0.0.1:9/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    events = _events(20)
    assert Feed("x", events, now=NOW, cache=dead).body == Feed("x", events, now=NOW, cache=None).body
