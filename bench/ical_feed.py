"""Time a two-year feed of 1,000 appointments through scheduling.ical —
cold (empty block cache), warm (every VEVENT cached, what a subscribed
calendar's re-poll costs) and the ETag alone (what a 304 costs) — beside
the floor: icalendar's bare serialisation of the same events, measured in
the same run.

Run by hand, not a test:

    .venv/bin/python bench/ical_feed.py [--runs 15] [--events 1000] [--redis-url redis://127.0.0.1:6379/7]

The floor builds the ``icalendar`` Calendar/Event objects directly with the
minimal properties (UID, DTSTAMP, DTSTART, DTEND, SUMMARY, LOCATION,
DESCRIPTION; no VTIMEZONE, no text cleaning) and calls ``to_ical()``. Ours
adds the Asia/Seoul VTIMEZONE, SEQUENCE, LAST-MODIFIED, STATUS, TRANSP and
cleans every text. Measured:

- ``uncached``: icalendar renders the whole calendar in one go (``cache=None``);
- ``cold``: the block cache is cleared first, so every VEVENT is rendered by
  icalendar and stored;
- ``warm``: every VEVENT comes from the cache; the keys are hashed, the blocks
  fetched and joined behind the icalendar-written VCALENDAR and VTIMEZONE;
- ``etag``: the block keys and the feed's ETag, without rendering (a 304).

The cache is the project's (Django settings: local memory, or Redis with
``--redis-url``). The runs are interleaved so that the machine's load weighs
on all alike. Every warm body is checked byte for byte against the uncached
one. Exits non-zero when the warm median is over 100 ms; the ratio target
(warm at most 2× the floor) is reported, not enforced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SEOUL = ZoneInfo("Asia/Seoul")
LIMIT = 0.100
RATIO_TARGET = 2.0
NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)


def appointments(count: int):
    """``count`` 15-minute appointments spread over two years of working days."""
    from scheduling.ical import IcalEvent

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


def floor(name: str, items) -> bytes:
    """icalendar's bare serialisation of the same events."""
    from icalendar import Calendar, Event

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
    parser.add_argument("--redis-url", default="", help="use Redis as the cache (default: local memory)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["REDIS_URL"] = args.redis_url
    import django

    django.setup()
    from scheduling.ical import Feed, block_cache

    cache = block_cache()
    items = appointments(args.events)
    name = "통통시 통통데이"

    def feed(**kw):
        return Feed(name, items, now=NOW, **kw)

    def clear():
        cache.delete_many(feed().keys)

    def warm():
        body = feed().body
        if body != reference:
            raise SystemExit("the warm body differs from the uncached one")

    # Warm up everything (imports, the VTIMEZONE's first computation).
    reference = feed(cache=None).body
    floor_size = len(floor(name, items))
    warm()  # fills the cache, checks the bytes
    times: dict[str, list[float]] = {"floor": [], "uncached": [], "cold": [], "warm": [], "etag": []}
    for _ in range(args.runs):
        times["floor"].append(timed(lambda: floor(name, items)))
        times["uncached"].append(timed(lambda: feed(cache=None).body))
        clear()
        times["cold"].append(timed(lambda: feed().body))
        times["warm"].append(timed(warm))
        times["etag"].append(timed(lambda: feed().etag))
    medians = {k: statistics.median(v) for k, v in times.items()}
    base = medians["floor"]
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"events: {args.events}, runs: {args.runs}, cache: {type(cache).__name__}, load average: {load}")
    print(f"body: {len(reference):,} bytes (floor {floor_size:,} bytes); warm body == uncached body: yes")
    for key in ("floor", "uncached", "cold", "warm", "etag"):
        print(f"{key:>9} median: {medians[key] * 1000:7.1f} ms   ratio to floor: {medians[key] / base:5.2f}")
    ok = medians["warm"] < LIMIT
    print("OK: warm under 100 ms" if ok else f"OVER the {LIMIT * 1000:.0f} ms limit (warm)")
    if medians["warm"] / base > RATIO_TARGET:
        print("warm ratio over target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
