"""Time the substitution proposals (issue 12) beside their floor.

Run by hand, not a test:

    .venv/bin/python bench/substitution.py [--runs 11] [--busy 40]

The demo city (seed_demo) on a fresh SQLite file; one request about roads
with two preferred meeting days; every official on the rule's path (the
mayor, two deputies, 건설교통국장) gets ``--busy`` one-hour events in their
calendar over the next three weeks, half of them weekly recurring, as an
imported groupware calendar would give them. Three things are timed, the
median of ``--runs``, interleaved so that the machine's load weighs on all:

- ``path``: ``substitution_candidates("roads")``, the organisation rule alone
  (category → department → bureau → director and deputy mayor);
- ``floor``: the free-time search of ONE official (``official_is_free`` for
  each candidate time until four are free): the least a proposal list costs
  per official;
- ``proposals``: ``substitute_proposals(request)``, the whole list the
  request page shows (the rule, then each official's first four free times).

The figure to read is ``proposals / (floor × officials)``: near 1 means the
rule adds little to the calendar reads it must make.
(Reading each official's calendar once for the whole three weeks instead
was tried and was slower: django-scheduler's expansion of the recurring
events over the window costs more than the few early reads that find four
free times.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--busy", type=int, default=40, help="events per official over three weeks")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tongtong-bench-substitution-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone, translation
    from schedule.models import Event, Rule

    from meetings.selectors import bookable_meeting_days
    from meetings.services.booking import (
        SUBSTITUTE_MEETING_MINUTES,
        official_is_free,
        substitute_proposals,
    )
    from meetings.services.requests import meeting_request_submit
    from scheduling.models import Neighborhood
    from scheduling.organisation import substitution_candidates
    from scheduling.workdays import working_calendar

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))
    translation.activate("ko")
    days = list(bookable_meeting_days()[:2])
    request = meeting_request_submit(
        name="홍길동",
        phone="010-1234-5678",
        neighborhood=Neighborhood.objects.first(),
        category="roads",
        subject="골목길 보수",
        description="포장이 깨졌습니다.",
        consent=True,
        submission_key=uuid.uuid4(),
        preferred_days=days,
    ).request

    candidates, problems = substitution_candidates("roads")
    officials = [c.official for c in candidates]
    assert not problems, problems
    weekly, _created = Rule.objects.get_or_create(name="매주", defaults={"frequency": "WEEKLY", "params": ""})
    now = timezone.now()
    today = timezone.localdate()
    for official in officials:
        for index in range(args.busy):
            start = timezone.make_aware(
                dt.datetime.combine(today + dt.timedelta(days=1 + index % 21), dt.time(9 + index % 8, 30))
            )
            Event.objects.create(
                calendar=official.calendar,
                title="바쁨",
                start=start,
                end=start + dt.timedelta(hours=1),
                rule=weekly if index % 2 else None,
            )

    calendar = working_calendar(today, today + dt.timedelta(days=28))
    times = [d.start for d in days] + [
        timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        for day in calendar.working_days(today + dt.timedelta(days=1), today + dt.timedelta(days=21))
        for hour in (10, 14, 16)
    ]
    length = dt.timedelta(minutes=SUBSTITUTE_MEETING_MINUTES)
    first_deputy = officials[1]

    def path():
        return substitution_candidates("roads")

    moments = sorted(t for t in set(times) if t > now)

    def floor():
        free = (t for t in moments if official_is_free(first_deputy, t, t + length))
        return [t for _, t in zip(range(4), free, strict=False)]

    def proposals():
        return substitute_proposals(request)

    runs = (("path", path), ("floor", floor), ("proposals", proposals))
    for _name, run in runs:
        run()  # warm up
    timings: dict[str, list[float]] = {name: [] for name, _run in runs}
    for _ in range(args.runs):
        for name, run in runs:
            started = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - started)
    median = {name: statistics.median(values) for name, values in timings.items()}
    listed, _problems = proposals()
    print(f"officials proposed: {len(listed)} ({', '.join(str(p.official) for p in listed)})")
    print(f"candidate times per official: {len(times)}; busy events per official: {args.busy}")
    print(f"path (the rule alone)        {median['path'] * 1000:8.1f} ms")
    print(f"floor (one official's scan)  {median['floor'] * 1000:8.1f} ms")
    print(f"proposals (the whole list)   {median['proposals'] * 1000:8.1f} ms")
    ratio = median["proposals"] / (median["floor"] * len(listed))
    print(f"proposals / (floor × {len(listed)})   {ratio:8.2f}")

    return 0


if __name__ == "__main__":
    sys.exit(main())
