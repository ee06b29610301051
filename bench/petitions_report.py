"""Time the petition office's reports over a year of 10,000 petitions: last
month's report and the half-year analysis, page and PDF, beside a baseline
(the same reports of an empty month and half-year) measured in the same
run. Issue 17's goal: the PDF under 3 s.

Run by hand, not a test:

    .venv/bin/python bench/petitions_report.py [--runs 5] [--petitions 10000]
    .venv/bin/python bench/petitions_report.py --database-url postgres://postgres@127.0.0.1:5432/tt_bench_petitions

It builds its own database (as ``bench/monthly_report.py`` does: a SQLite
file in a temporary directory, or the PostgreSQL database named, which must
contain "bench" and is dropped and created), seeds the demo city without
its lived year, and bulk-creates the petitions of the twelve months up to
today (not what is measured): every channel and category, about 90 %
closed (answered, guided, transferred, merged, thanked, made a meeting
request), 5 % quick ones, some open and overdue.

Measured, interleaved, each with its number of queries: ``build`` (the
figures only), ``page`` and ``pdf`` of last month and of its half-year;
the baselines are January 2000 and 2000-H1. Writes
``bench/results/petitions_report.json``; exits non-zero when a PDF's median
is over 3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.monthly_report import SEOUL, measure, prepare_database  # noqa: E402

LIMIT_SECONDS = 3.0
EMPTY_MONTH = "2000-01"
EMPTY_HALF = "2000-H1"


def seed(*, petitions: int, today: dt.date, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from petitions import rules
    from petitions.categories import PetitionCategory
    from petitions.models import Petition, PetitionCounter
    from scheduling.models import Department, Neighborhood
    from scheduling.workdays import working_calendar

    call_command("seed_demo", "--force", "--no-history", verbosity=0, stdout=open(os.devnull, "w"))
    user = get_user_model().objects.create_superuser(username="bench-petitions", password=secrets.token_hex(8))
    first = (today.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    now = dt.datetime.combine(today, dt.time(7), SEOUL)
    calendar = working_calendar(first, today + dt.timedelta(days=60))
    days = [
        first + dt.timedelta(days=n)
        for n in range((today - first).days)
        if calendar.is_working_day(first + dt.timedelta(days=n))
    ]
    neighborhoods = list(Neighborhood.objects.all())
    departments = list(Department.objects.filter(is_active=True))
    channels = list(rules.CHANNEL_LABELS)
    categories = list(PetitionCategory.values)
    outcomes = [
        (rules.ANSWERED, 62),
        (rules.GUIDED, 10),
        (rules.TRANSFERRED, 6),
        (rules.MERGED, 4),
        (rules.THANKED, 4),
        (rules.MEETING, 2),
        (rules.ASSIGNED, 8),
        (rules.RECEIVED, 4),
    ]
    statuses, weights = zip(*outcomes, strict=True)
    rows, counters, original = [], {}, None
    for _index in range(petitions):
        received = dt.datetime.combine(rng.choice(days), dt.time(9), SEOUL) + dt.timedelta(
            minutes=rng.randrange(0, 9 * 60)
        )
        kind = rules.QUICK if rng.random() < 0.05 else rng.choice([rules.GENERAL, rules.PROPOSAL, rules.QUESTION])
        status = rng.choices(statuses, weights)[0]
        if kind == rules.QUICK:
            status = rules.ANSWERED if rng.random() < 0.95 else rules.DISPATCHED
        closed = None
        if status in rules.CLOSED:
            closed = received + dt.timedelta(
                minutes=rng.choice([20, 28, 40]) if kind == rules.QUICK else rng.randrange(30, 60 * 24 * 9)
            )
            if closed >= now:
                closed, status = None, rules.ASSIGNED
        year = received.year
        counters[year] = counters.get(year, 0) + 1
        rows.append(
            Petition(
                reference=f"P{year}-{counters[year]:05d}",
                kind=kind,
                channel=rng.choice(channels),
                status=status,
                category=rng.choice(categories),
                neighborhood=rng.choice(neighborhoods),
                subject="도로 포트홀 보수 요청",
                body="버스정류장 앞 도로에 구멍이 생겼습니다.",
                phone=f"010{rng.randrange(10**8):08d}",
                received_at=received,
                answer_due_at=rules.answer_due(received, kind, calendar=calendar),
                department=rng.choice(departments) if status not in (rules.RECEIVED,) else None,
                closed_at=closed,
                transfer_agency="경찰서" if status == rules.TRANSFERRED else "",
            )
        )
    merged = [row for row in rows if row.status == rules.MERGED]
    others = [row for row in rows if row.status != rules.MERGED]
    Petition.objects.bulk_create(others, batch_size=1000)
    original = Petition.objects.filter(status=rules.ANSWERED).first()
    for row in merged:
        row.merged_into = original
    Petition.objects.bulk_create(merged, batch_size=1000)
    for year, last in counters.items():
        PetitionCounter.objects.update_or_create(year=year, defaults={"last_number": last})
    return {"user": user, "petitions": Petition.objects.count()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()

    prepare_database(args.database_url)
    import logging
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone, translation

    from scheduling.reports import services as report_services

    call_command("migrate", verbosity=0)
    translation.activate("ko")
    today = timezone.localdate()
    started = time.perf_counter()
    data = seed(petitions=args.petitions, today=today, rng=random.Random(args.seed))
    print(f"database: {connection.vendor}; {data['petitions']:,} petitions in {time.perf_counter() - started:.1f} s")

    month = report_services.last_month(today)
    half = report_services.half_year_containing(month.start)
    client = Client()
    client.force_login(data["user"])

    def build(kind, key):
        return lambda: report_services.report_build(kind, report_services.period_for(kind, key))

    def get(url):
        def run():
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response.content

        return run

    monthly, half_year = report_services.MONTHLY, report_services.HALF_YEAR
    cases = {
        "baseline month build": build(monthly, EMPTY_MONTH),
        "month build": build(monthly, month.key),
        "baseline month page": get(f"/staff/reports/monthly/{EMPTY_MONTH}/"),
        "month page": get(f"/staff/reports/monthly/{month.key}/"),
        "baseline month pdf": get(f"/staff/reports/monthly/{EMPTY_MONTH}.pdf"),
        "month pdf": get(f"/staff/reports/monthly/{month.key}.pdf"),
        "baseline half build": build(half_year, EMPTY_HALF),
        "half build": build(half_year, half.key),
        "baseline half page": get(f"/staff/reports/half-year/{EMPTY_HALF}/"),
        "half page": get(f"/staff/reports/half-year/{half.key}/"),
        "baseline half pdf": get(f"/staff/reports/half-year/{EMPTY_HALF}.pdf"),
        "half pdf": get(f"/staff/reports/half-year/{half.key}.pdf"),
    }
    for fn in cases.values():  # warm up: imports, fontconfig, first font subsetting
        fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    queries: dict[str, int] = {}
    for _run in range(args.runs):
        for name, fn in cases.items():
            elapsed, count, _result = measure(fn)
            times[name].append(elapsed)
            queries[name] = count
    median = {name: statistics.median(values) for name, values in times.items()}
    load = os.getloadavg()[0]
    print(f"last month {month.key}, half-year {half.key}; median of {args.runs} runs (load average {load:.1f})")
    print(f"{'':22} {'median':>9} {'max':>9} {'queries':>8} {'vs baseline':>12}")
    for name in cases:
        base = None if name.startswith("baseline") else f"baseline {name}"
        ratio = f"{median[name] / median[base]:.2f}×" if base else ""
        print(f"{name:22} {median[name] * 1000:7.0f}ms {max(times[name]) * 1000:7.0f}ms {queries[name]:8d} {ratio:>12}")
    report = report_services.report_build(monthly, month)
    print(f"the line: {report.sections[0].title}")
    worst = max(median["month pdf"], median["half pdf"])
    print(
        f"goal: the PDFs under {LIMIT_SECONDS:.0f} s: {'met' if worst < LIMIT_SECONDS else 'NOT met'} ({worst:.2f} s)"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "petitions_report.json").write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "petitions": data["petitions"],
                "month": month.key,
                "half_year": half.key,
                "runs": args.runs,
                "load": load,
                "median_ms": {name: round(value * 1000, 1) for name, value in median.items()},
                "queries": queries,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    return 0 if worst < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
