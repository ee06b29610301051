"""Time the public pages (and the secretariat's main pages) beside Django's
own 404 path, measured in the same process and the same run. Issue 16's
targets: the request form and the home page at most 2× the floor, the
feeds at most 3×, the staff queue and dashboard at most 4×, and the
number of queries the same with 10 and with 1,000 rows.

Run by hand, not a test:

    .venv/bin/python bench/pages.py [--runs 41] [--rows 10,1000]

It builds its own SQLite database in a temporary directory with the
production settings (``DEBUG=0``, the manifest-free static storage, no
broker so celery is eager), migrates it, seeds the demo city
(``seed_demo --force``) and builds the meeting days as ``make run`` does
(``manage.py meeting_days``), submits one request (for a status page) and
logs the secretariat in.

Each page is fetched through Django's test client: the whole request
handler and middleware, no server and no network. The floor is
``GET /no-such-page/``: the URL resolver fails and Django renders our
``404.html`` (the base layout and one small template). Every round fetches
every page once, in a shuffled order, so that whatever else the machine
does weighs on each alike; the figure is the median. The queries are
counted on one more, untimed request per page, first with 10 then with
1,000 open meeting requests, field visits and suggestions in the database
(added with ``bulk_create`` between the two).

Prints ms, ratio to the floor, the queries at each size and whether the
target is met; writes the same as JSON to ``bench/results/pages.json``.
Each request is timed twice: on the wall clock and in this thread's CPU
time (``time.thread_time``; SQLite runs in the thread, so its work counts).
On an idle machine they agree; on a crowded one the wall clock also counts
the time the scheduler gave other processes, which a long page suffers
more often than the 404, so the CPU ratio is the steadier reading there.

``--profile PAGE`` instead runs cProfile over ``--runs`` fetches of one page
and prints the functions with the most time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FLOOR = "floor: 404"


def prepare_settings() -> Path:
    work = Path(tempfile.mkdtemp(prefix="tongtong-bench-pages-"))
    os.environ.update(
        {
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "REDIS_URL": "",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_MANIFEST": "0",
            "MEDIA_ROOT": str(work / "media"),
            "EMAIL_URL": "memorymail://",
            "RATELIMIT_ENABLE": "0",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return work


def seed() -> dict:
    """The demo city, its meeting days, one request with its status link."""
    from django.core.management import call_command

    from meetings.services.requests import meeting_request_submit
    from scheduling.categories import Category
    from scheduling.models import Neighborhood

    devnull = open(os.devnull, "w")
    call_command("migrate", verbosity=0, stdout=devnull)
    call_command("seed_demo", "--force", verbosity=0, stdout=devnull)
    call_command("meeting_days", verbosity=0, stdout=devnull)  # as `make run` does
    submission = meeting_request_submit(
        name="홍길동",
        phone="010-2345-6789",
        neighborhood=Neighborhood.objects.order_by("pk").first(),
        category=Category.values[0],
        subject="버스 정류장",
        description="정류장 지붕이 없습니다.",
        consent=True,
        submission_key=uuid.uuid4(),
    )
    return {"token": submission.token}


def grow(total: int) -> None:
    """Bring open meeting requests, field visits and suggestions up to
    ``total`` each (bulk, not measured)."""
    from django.utils import timezone

    from meetings.models import MeetingRequest
    from scheduling.categories import Category
    from scheduling.models import Neighborhood, Official
    from visits.models import FieldVisit, Suggestion

    rng = random.Random(total)
    neighborhoods = list(Neighborhood.objects.all())
    now = timezone.now()
    have = MeetingRequest.objects.count()
    MeetingRequest.objects.bulk_create(
        MeetingRequest(
            reference=f"B{i:07d}",
            name="홍길동",
            phone=f"010-{2000 + i % 3000:04d}-{i % 10000:04d}",
            neighborhood=rng.choice(neighborhoods),
            category=rng.choice(Category.values),
            subject=f"면담 신청 {i}",
            description="골목길 포장이 깨졌습니다.",
            consent_at=now,
            token_hash=hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
            submission_key=uuid.uuid4(),
            submitted_at=now - dt.timedelta(hours=i),
            answer_due_at=now + dt.timedelta(days=7) - dt.timedelta(hours=i),
        )
        for i in range(have, total)
    )
    mayor = Official.objects.filter(rank=Official.Rank.MAYOR).first()
    have = FieldVisit.objects.count()
    first = timezone.localdate() - dt.timedelta(days=365)
    FieldVisit.objects.bulk_create(
        FieldVisit(
            official=mayor,
            neighborhood=neighborhoods[i % len(neighborhoods)],
            start=dt.datetime.combine(first + dt.timedelta(days=i % 700), dt.time(10), timezone.get_current_timezone()),
            end=dt.datetime.combine(first + dt.timedelta(days=i % 700), dt.time(12), timezone.get_current_timezone()),
        )
        for i in range(have, total)
    )
    have = Suggestion.objects.count()
    Suggestion.objects.bulk_create(
        Suggestion(
            neighborhood=neighborhoods[i % len(neighborhoods)],
            source="field_visit",
            title=f"건의 {i}: 보도블록 교체",
            description="보도블록이 깨져 밤길이 위험합니다.",
            category=rng.choice(Category.values),
            first_answer_due=timezone.localdate() + dt.timedelta(days=20),
        )
        for i in range(have, total)
    )


def pages(token: str) -> dict[str, tuple[str, bool]]:
    """name -> (path, as the secretariat)."""
    return {
        FLOOR: ("/no-such-page/", False),
        "home": ("/", False),
        "request form": ("/meetings/request/", False),
        "status page": (f"/meetings/status/{token}/", False),
        "neighborhoods": ("/neighborhoods/", False),
        "visits": ("/visits/", False),
        "privacy": ("/privacy/", False),
        "meeting-day feed": ("/calendar/meeting-days.ics", False),
        "visits feed": ("/calendar/visits.ics", False),
        "staff queue": ("/staff/meetings/", True),
        "staff dashboard": ("/staff/", True),
    }


TARGETS = {
    "home": 2.0,
    "request form": 2.0,
    "meeting-day feed": 3.0,
    "visits feed": 3.0,
    "staff queue": 4.0,
    "staff dashboard": 4.0,
}


def clients():
    from django.contrib.auth import get_user_model
    from django.test import Client

    public = Client()
    staff = Client()
    staff.force_login(get_user_model().objects.get(username="secretariat"))
    return public, staff


def fetch(client, path: str) -> int:
    response = client.get(path)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    else:
        response.content  # noqa: B018
    return response.status_code


def count_queries(client, path: str) -> int:
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fetch(client, path)
    return count


def profile(table, name: str, public, staff, runs: int) -> int:
    """cProfile ``runs`` fetches of one page (after three to warm up) and
    print the 40 functions with the most time of their own and the 40 with
    the most time under them."""
    import cProfile
    import pstats

    path, as_staff = table[name]
    client = staff if as_staff else public
    for _ in range(3):
        fetch(client, path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        fetch(client, path)
    profiler.disable()
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(60)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=41, help="interleaved rounds (default 41)")
    parser.add_argument("--rows", default="10,1000", help="the row counts at which queries are counted")
    parser.add_argument("--profile", metavar="PAGE", help="instead: cProfile PAGE (a name above)")
    args = parser.parse_args()
    sizes = [int(n) for n in args.rows.split(",")]

    prepare_settings()
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the floor's 404s are expected
    seeded = seed()
    public, staff = clients()
    table = pages(seeded["token"])

    grow(sizes[0])
    if args.profile:
        return profile(table, args.profile, public, staff, args.runs)
    statuses = {}
    for name, (path, as_staff) in table.items():  # warm up: imports, template loading, caches
        for _ in range(3):
            statuses[name] = fetch(staff if as_staff else public, path)
    queries = {size: {} for size in sizes}
    for name, (path, as_staff) in table.items():
        queries[sizes[0]][name] = count_queries(staff if as_staff else public, path)

    times: dict[str, list[float]] = {name: [] for name in table}
    cpu: dict[str, list[float]] = {name: [] for name in table}
    order = list(table)
    rng = random.Random(16)
    for _ in range(args.runs):
        rng.shuffle(order)
        for name in order:
            path, as_staff = table[name]
            client = staff if as_staff else public
            begin, begin_cpu = time.perf_counter(), time.thread_time()
            fetch(client, path)
            times[name].append((time.perf_counter() - begin) * 1000)
            cpu[name].append((time.thread_time() - begin_cpu) * 1000)

    for size in sizes[1:]:
        grow(size)
        for name, (path, as_staff) in table.items():
            fetch(staff if as_staff else public, path)
            queries[size][name] = count_queries(staff if as_staff else public, path)

    floor = statistics.median(times[FLOOR])
    floor_cpu = statistics.median(cpu[FLOOR])
    load = os.getloadavg()[0]
    print(f"{args.runs} interleaved rounds, SQLite, DEBUG=0, load average {load:.1f}")
    sized = " | ".join(f"queries @{n}" for n in sizes)
    print(f"| page | status | median ms | × floor | CPU ms | CPU × floor | target | {sized} |")
    print("|---|---:|---:|---:|---:|---:|---|" + "---:|" * len(sizes))
    results = []
    for name in table:
        median = statistics.median(times[name])
        ratio = median / floor
        median_cpu = statistics.median(cpu[name])
        ratio_cpu = median_cpu / floor_cpu
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            verdict = f"≤ {target:g}×: wall " + ("met" if ratio <= target else "**not met**")
            verdict += ", CPU " + ("met" if ratio_cpu <= target else "**not met**")
        counts = " | ".join(str(queries[n][name]) for n in sizes)
        print(
            f"| {name} | {statuses[name]} | {median:.1f} | {ratio:.2f}× | {median_cpu:.1f} | {ratio_cpu:.2f}× "
            f"| {verdict} | {counts} |"
        )
        results.append(
            {
                "page": name,
                "path": table[name][0],
                "status": statuses[name],
                "median_ms": round(median, 2),
                "ratio": round(ratio, 2),
                "cpu_ms": round(median_cpu, 2),
                "cpu_ratio": round(ratio_cpu, 2),
                "target": target,
                "queries": {str(n): queries[n][name] for n in sizes},
            }
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "pages.json").write_text(
        json.dumps(
            {"runs": args.runs, "load": load, "floor_ms": floor, "floor_cpu_ms": floor_cpu, "pages": results},
            indent=2,
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
