"""Time the rotation planner (visits/rotation/planner.py) beside a naive greedy baseline.

Run by hand, not a test:

    .venv/bin/python bench/planner.py [--runs 7]

Two cases, both over a two-year window with the Korean public holidays of
those years (holidays.KR) and 통통데이 on the 2nd and 4th Thursdays:

- the city: 39 neighborhoods, Tuesday–Thursday, 10:00–12:00, one visit a week;
- a metropolitan case: 500 neighborhoods, Monday–Friday, six visits a week,
  three a day (10:00–12:00 split in three), with busy times and an election
  blackout.

Each case is timed as the median of several runs of plan() and of the naive
greedy baseline written below (walk the calendar day by day and give each
usable day to the next neighborhood in priority order), interleaved so that
the machine's load weighs on both alike. The baseline checks the same
constraints but neither splits the years nor spreads the visits: it packs
them at the start of the window. The figure to read is the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import holidays  # noqa: E402

from visits.rotation.planner import PlannedVisit, PlannerError, PlannerInput, PlannerNeighborhood, PlannerRules, plan  # noqa: E402


def meeting_days(years: list[int]) -> frozenset[dt.date]:
    days = set()
    for year in years:
        for month in range(1, 13):
            thursdays = [dt.date(year, month, d) for d in range(1, 29) if dt.date(year, month, d).isoweekday() == 4]
            days.update((thursdays[1], thursdays[3]))
    return frozenset(days)


def neighborhoods(count: int) -> tuple[PlannerNeighborhood, ...]:
    return tuple(
        PlannerNeighborhood(
            code=f"{i + 1:03d}",
            name=f"{i + 1}동",
            is_current_issue_area=i % 11 == 3,
            is_natural_village=i % 13 == 5,
            is_outlying_area=i % 7 == 6,
            last_visited=None if i % 4 == 0 else dt.date(2020, 1, 1) + dt.timedelta(days=(37 * i) % 1800),
        )
        for i in range(count)
    )


def city_case() -> PlannerInput:
    years = [2026, 2027]
    return PlannerInput(
        neighborhoods=neighborhoods(39),
        start=dt.date(2026, 1, 1),
        end=dt.date(2027, 12, 31),
        days_off=dict(holidays.KR(years=years, language="ko")),
        meeting_days=meeting_days(years),
        rules=PlannerRules(blackouts=((dt.date(2026, 5, 21), dt.date(2026, 6, 3), "지방선거"),)),
    )


def metropolitan_case() -> PlannerInput:
    years = [2026, 2027]
    # The official is busy every Monday morning and on a few afternoons.
    busy = []
    day = dt.date(2026, 1, 5)
    while day.year < 2028:
        busy.append((dt.datetime.combine(day, dt.time(9)), dt.datetime.combine(day, dt.time(10, 40))))
        busy.append(
            (
                dt.datetime.combine(day + dt.timedelta(days=2), dt.time(11, 30)),
                dt.datetime.combine(day + dt.timedelta(days=2), dt.time(15)),
            )
        )
        day += dt.timedelta(days=7)
    return PlannerInput(
        neighborhoods=neighborhoods(500),
        start=dt.date(2026, 1, 1),
        end=dt.date(2027, 12, 31),
        days_off=dict(holidays.KR(years=years, language="ko")),
        meeting_days=meeting_days(years),
        busy=tuple(busy),
        rules=PlannerRules(
            weekdays=(1, 2, 3, 4, 5),
            max_per_week=6,
            max_per_day=3,
            blackouts=((dt.date(2026, 5, 21), dt.date(2026, 6, 3), "지방선거"),),
        ),
    )


def greedy(data: PlannerInput) -> list[PlannedVisit]:
    """The naive baseline: each usable slot, in calendar order, to the next
    neighborhood in priority order (same constraints, no spreading)."""
    rules = data.rules
    fixed = {code for code, _ in data.fixed}
    todo = sorted(
        (h for h in data.neighborhoods if h.code not in fixed),
        key=lambda h: (
            not h.is_current_issue_area,
            not h.is_natural_village,
            not h.is_outlying_area,
            h.last_visited is not None,
            h.last_visited or dt.date.min,
            h.code,
        ),
    )
    per_week: dict[tuple[int, int], int] = {}
    for _, day in data.fixed:
        week = tuple(day.isocalendar()[:2])
        per_week[week] = per_week.get(week, 0) + 1
    start_s = dt.datetime.combine(dt.date.min, rules.day_start)
    length = (dt.datetime.combine(dt.date.min, rules.day_end) - start_s) / rules.max_per_day
    visits: list[PlannedVisit] = []
    day = data.start
    while todo and day <= data.end:
        week = tuple(day.isocalendar()[:2])
        usable = (
            day.isoweekday() in rules.weekdays
            and day.isoweekday() <= 5
            and day not in data.days_off
            and day not in data.meeting_days
            and not any(first <= day <= last for first, last, _ in rules.blackouts)
        )
        if usable:
            for i in range(rules.max_per_day):
                if not todo or per_week.get(week, 0) >= rules.max_per_week:
                    break
                begin = dt.datetime.combine(day, rules.day_start) + i * length
                end = begin + length
                if any(b < end and e > begin for b, e in data.busy):
                    continue
                hood = todo.pop(0)
                per_week[week] = per_week.get(week, 0) + 1
                visits.append(PlannedVisit(hood.code, hood.name, day, begin, end, hood.is_priority, "greedy"))
        day += dt.timedelta(days=1)
    if todo:
        raise PlannerError(f"greedy: {len(todo)} neighborhoods left over")
    return visits


def timed(function, data) -> tuple[float, list[PlannedVisit]]:
    began = time.perf_counter()
    result = function(data)
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'case':<34} {'plan() s':>10} {'greedy s':>10} {'ratio':>7} {'limit s':>8}")
    ok = True
    for label, data, limit in (
        ("39 neighborhoods, 2 years", city_case(), 0.5),
        ("500 neighborhoods, 2 years", metropolitan_case(), 5.0),
    ):
        planner_times, greedy_times = [], []
        for _ in range(args.runs):
            seconds, visits = timed(plan, data)
            planner_times.append(seconds)
            seconds, baseline = timed(greedy, data)
            greedy_times.append(seconds)
        assert len(visits) == len(baseline) == len(data.neighborhoods)
        p, g = statistics.median(planner_times), statistics.median(greedy_times)
        ok = ok and p < limit
        print(f"{label:<34} {p:>10.4f} {g:>10.4f} {p / g:>7.2f} {limit:>8.1f}")
        first_year = sum(v.date < dt.date(2027, 1, 1) for v in visits)
        greedy_last = max(v.date for v in baseline)
        print(
            f"  plan(): {first_year}/{len(visits) - first_year} per year, last visit {visits[-1].date}; "
            f"greedy: last visit {greedy_last} (no spreading)"
        )
    print("within limits" if ok else "OVER A LIMIT")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
