"""Bounded work (issue 14, point 3): a hostile calendar or photo is refused
before it is expanded or decoded, in under a second, and the process that
receives it stays well under 300 MB. The figures come from
``bench/hostile_files.py``, which hands each file to its service in a fresh
process and reads the peak resident memory (``ru_maxrss``)."""

import datetime as dt
import importlib.util
import time
from pathlib import Path

import pytest
from django.utils.translation import gettext

from scheduling.busy_import import MAX_EXPANSION, parse_busy_times
from scheduling.errors import TongtongError
from visits.records.services import MAX_PHOTO_EDGE

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
BENCH = Path(__file__).resolve().parents[2] / "bench" / "hostile_files.py"


def _bench():
    spec = importlib.util.spec_from_file_location("hostile_files", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ics(*lines: str) -> bytes:
    body = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//t//t//EN",
        "BEGIN:VEVENT",
        "UID:u@t",
        "DTSTAMP:20260101T000000Z",
        *lines,
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    return "\r\n".join(body).encode()


def refused_quickly(data: bytes) -> str:
    started = time.perf_counter()
    with pytest.raises(TongtongError) as caught:
        parse_busy_times(data, now=NOW)
    assert time.perf_counter() - started < 1.0
    return str(caught.value)


def test_the_182_byte_minutely_calendar_is_refused_in_korean_in_under_a_second():
    message = refused_quickly(_bench().MINUTELY_ICS)
    assert message == gettext(
        "The file has an event that repeats every hour or more often (%(frequency)s). "
        "Busy times can repeat at most daily: change the event in the calendar and export it again."
    ) % {"frequency": "MINUTELY"}
    assert "매" in message  # Korean (locale/ko)


@pytest.mark.parametrize("freq", ["SECONDLY", "MINUTELY", "HOURLY"])
def test_sub_daily_frequencies_are_refused(freq):
    assert freq in refused_quickly(ics("DTSTART:20260105T090000", f"RRULE:FREQ={freq};COUNT=3"))


@pytest.mark.parametrize(
    "rule",
    [
        # Sub-daily through BY parts of a daily rule: 1,440 a day.
        "RRULE:FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24))) + ";BYMINUTE=" + ",".join(map(str, range(60))),
        # Every day of every month, yearly: 372 × 3 years.
        "RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY="
        + ",".join(map(str, range(1, 32)))
        + ";BYHOUR=9,10,11,12,13,14,15,16",
        # A count far beyond the cap, daily with eight times a day.
        "RRULE:FREQ=DAILY;COUNT=1000000;BYHOUR=9,10,11,12,13,14,15,16",
    ],
)
def test_rules_that_would_pass_the_cap_are_refused_before_expanding(rule, monkeypatch):
    import recurring_ical_events

    def never(*args, **kwargs):
        raise AssertionError("expanded")

    monkeypatch.setattr(recurring_ical_events, "of", never)
    message = refused_quickly(ics("DTSTART:20260105T090000", "DTEND:20260105T091000", rule))
    assert "5,000" in message


def test_a_rule_from_the_year_1_is_refused_for_the_walk_before_the_window():
    """Its few hundred days in the window are fine, but reaching them walks
    740,000 days from its start."""
    assert MAX_EXPANSION < 740_000
    refused_quickly(ics("DTSTART:00010101T090000", "DTEND:00010101T100000", "RRULE:FREQ=DAILY"))


def test_many_daily_events_add_up_to_the_cap():
    events = "\r\n".join(
        f"BEGIN:VEVENT\r\nUID:{n}@t\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T0{n}0000\r\n"
        f"DTEND:20260101T0{n}3000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT"
        for n in range(8)
    )
    data = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{events}\r\nEND:VCALENDAR\r\n".encode()
    assert "5,000" in refused_quickly(data)


@pytest.mark.parametrize("rule", ["RRULE:FREQ=WEEKLY;INTERVAL=0", "RRULE:FREQ=FORTNIGHTLY", "RRULE:FREQ=DAILY;COUNT=0"])
def test_a_broken_rule_is_refused(rule):
    assert refused_quickly(ics("DTSTART:20260105T090000", rule)) == gettext(
        "The events in the file could not be read (e.g. a broken repeat rule)."
    )


@pytest.mark.parametrize(
    "rule, expected",
    [
        ("RRULE:FREQ=DAILY", 730),  # every day of the two-year window
        ("RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR", 313 + 1),
        ("RRULE:FREQ=MONTHLY;BYDAY=TH;BYSETPOS=2,4", 48 + 1),  # the meeting days' own rule
        ("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1FR", 2 + 1),
        ("RRULE:FREQ=DAILY;BYHOUR=9,14", 1460),
    ],
)
def test_ordinary_rules_are_still_imported(rule, expected):
    """``+ 1``: DTSTART (a Thursday, 2026-01-01) is always the first time."""
    spans = parse_busy_times(ics("DTSTART:20260101T090000Z", "DTEND:20260101T093000Z", rule), now=NOW)
    assert len(spans) == expected


def test_a_long_running_weekly_meeting_from_1990_is_imported():
    spans = parse_busy_times(ics("DTSTART:19900101T000000Z", "DTEND:19900101T010000Z", "RRULE:FREQ=WEEKLY"), now=NOW)
    assert 100 <= len(spans) <= 106


def test_hostile_files_finish_in_under_a_second_and_stay_under_300_mb(capsys):
    """Each file in a fresh process: the calendars, the 7071×7071 PNG and
    JPEG and the 39 MP photo are refused in under a second without growing
    the process; the legitimate photos up to 24 MP (the worst JPEG and the
    worst transparent PNG among them) are accepted, scaled down, under
    300 MB (a 39 MP photo peaked at 489 MB before issue 14)."""
    bench = _bench()
    results = bench.run()
    with capsys.disabled():
        for name, r in results.items():
            print(
                f"\n{name}: {r['bytes']:,} B, {r['seconds'] * 1000:.1f} ms, "
                f"peak {r['rss_peak_mb']:.0f} MB (Django loaded {r['rss_before_mb']:.0f} MB)"
            )
    assert set(results) == {
        "minutely.ics",
        "daily-since-year-1.ics",
        "bomb-7071.png",
        "bomb-7071.jpg",
        "photo-24mp.jpg",
        "photo-24mp-5990.jpg",
        "photo-24mp.png",
        "photo-39mp.jpg",
    }
    for name, r in results.items():
        assert bench.within_bounds(name, r), (name, r)
        assert r["rss_peak_mb"] < bench.MAX_RSS_MB, (name, r)
        if name in bench.LEGITIMATE:
            assert r["answer"] == "accepted", (name, r)
            assert max(r["stored"]["width"], r["stored"]["height"]) == MAX_PHOTO_EDGE, (name, r)
        else:
            assert r["answer"] != "accepted", name
            assert r["seconds"] < bench.MAX_SECONDS, (name, r)
            # The file itself costs next to nothing beyond Django.
            assert r["rss_peak_mb"] - r["rss_before_mb"] < 50, (name, r)
    assert results["bomb-7071.png"]["bytes"] < 300_000 and results["bomb-7071.jpg"]["bytes"] < 300_000
