"""Time scheduling.ical.build_calendar on a two-year feed of 1,000
appointments beside the floor: icalendar's bare serialisation of the same
events, measured in the same run.

Run by hand, not a test:

    .venv/bin/python bench/ical_feed.py [--runs 15] [--events 1000]

The floor builds the ``icalendar`` Calendar/Event objects directly with the
minimal properties (UID, DTSTAMP, DTSTART, DTEND, SUMMARY, LOCATION,
DESCRIPTION; no VTIMEZONE, no text cleaning) and calls ``to_ical()``.
build_calendar adds the Asia/Seoul VTIMEZONE, SEQUENCE, LAST-MODIFIED,
STATUS, TRANSP and cleans every text. The runs are interleaved so that the
machine's load weighs on both alike. Exits non-zero when the median is over
100 ms; the ratio target (at most 2) is reported, not enforced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from icalendar import Calendar, Event

from scheduling.ical import IcalEvent, build_calendar

SEOUL = ZoneInfo("Asia/Seoul")
LIMIT = 0.100
RATIO_TARGET = 2.0
NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def appointments(count: int) -> list[IcalEvent]:
    """``count`` 15-minute appointments spread over two years of working days."""
    first = dt.datetime(2026, 1, 1, 9, tzinfo=SEOUL)
    events = []
    for i in range(count):
        start = first + dt.timedelta(days=(i * 730) // count, minutes=15 * (i % 24))
        events.append(
            IcalEvent(
                uid=f"appointment-{i:05d}@tongtong",
                start=start,
                end=start + dt.timedelta(minutes=15),
                summary=f"통통시 통통데이 면담: 제1부시장 홍길동 #{i}",
                sequence=i % 3,
                location="시청 본관 3층 시장실",
                description=(
                    f"접수번호: 2026-{i:05d}\n주제: 골목길 보수, 가로등; 주차\n"
                    "면담을 취소하거나 옮기려면 개인 링크를 쓰거나 031-000-0000으로 전화하세요."
                ),
                status="CANCELLED" if i % 17 == 0 else "CONFIRMED",
                last_modified=NOW - dt.timedelta(days=i % 30),
            )
        )
    return events


def floor(name: str, items: list[IcalEvent]) -> bytes:
    """icalendar's bare serialisation of the same events."""
    calendar = Calendar()
    calendar.add("prodid", "-//bench//floor//KO")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for item in items:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", NOW)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("summary", item.summary)
        event.add("location", item.location)
        event.add("description", item.description)
        calendar.add_component(event)
    return calendar.to_ical()


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    items = appointments(args.events)
    name = "통통시 통통데이"
    # Warm up both (imports, the VTIMEZONE's first computation, caches).
    size = len(build_calendar(name, items, now=NOW))
    floor_size = len(floor(name, items))
    ours, bare = [], []
    for _ in range(args.runs):
        ours.append(timed(lambda: build_calendar(name, items, now=NOW)))
        bare.append(timed(lambda: floor(name, items)))
    ours_median, bare_median = statistics.median(ours), statistics.median(bare)
    ratio = ours_median / bare_median
    print(f"events: {args.events}, runs: {args.runs}")
    print(f"build_calendar median: {ours_median * 1000:.1f} ms  ({size:,} bytes)")
    print(f"icalendar floor median: {bare_median * 1000:.1f} ms  ({floor_size:,} bytes)")
    print(f"ratio: {ratio:.2f} (target <= {RATIO_TARGET})")
    ok = ours_median < LIMIT
    print("OK" if ok else f"OVER the {LIMIT * 1000:.0f} ms limit")
    if ratio > RATIO_TARGET:
        print("ratio over target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
