"""Time last month's report, page and PDF, over a year of realistic data,
beside a baseline measured in the same run. Issue 7's goal: under 3 s, PDF
included.

Run by hand, not a test:

    .venv/bin/python bench/monthly_report.py [--runs 5]
    .venv/bin/python bench/monthly_report.py --database-url postgres://postgres@127.0.0.1:5432/tongtong_bench_reports

It builds its own database (a SQLite file in a temporary directory, or the
PostgreSQL database named, which must contain "bench" and is dropped and
created), migrates it, seeds the demo city (39 neighborhoods, departments,
officials) and fills twelve months up to today directly with
``bulk_create`` (not what is measured): 2,000 meeting requests over every
status with their history, appointments with the mayor in the meeting days'
slots and with substitutes, 5,000 suggestions with their status changes,
and 500 field visits.

Measured, interleaved so that the machine's load weighs on all alike, each
with its number of database queries:

- ``build``: ``report_build("monthly", last month)`` (the figures only);
- ``page``: ``GET /staff/reports/monthly/<last month>/`` through Django's
  test client, logged in (middleware, figures, charts, template);
- ``pdf``: ``GET /staff/reports/monthly/<last month>.pdf`` (the same, then
  WeasyPrint);
- the baseline: the same three for a month with no data (January 2000):
  the same queries and templates with nothing in them.

Prints the medians, the ratios to the baseline and the query counts, and
writes them as JSON to ``bench/results/monthly_report.json``. Exits non-zero
when the PDF's median is over 3 s.
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
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEOUL = ZoneInfo("Asia/Seoul")
LIMIT_SECONDS = 3.0
EMPTY_MONTH = "2000-01"


# --- The database ---------------------------------------------------------------------


def prepare_database(url: str | None) -> Path:
    """Point the settings at a fresh database; returns the work directory."""
    work = Path(tempfile.mkdtemp(prefix="tongtong-bench-reports-"))
    if url:
        import psycopg

        name = url.rsplit("/", 1)[1]
        if "bench" not in name:
            raise SystemExit(f"the bench database's name must contain 'bench' (got {name!r}): it is dropped")
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.update(
        {
            "REDIS_URL": "",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_MANIFEST": "0",
            "MEDIA_ROOT": str(work / "media"),
            "EMAIL_URL": "memorymail://",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    return work


def _without_auto_now(*fields):
    """Let ``bulk_create`` keep the times we give (auto_now_add would
    overwrite them with now)."""

    class Context:
        def __enter__(self):
            self.saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
            for f in fields:
                f.auto_now = f.auto_now_add = False

        def __exit__(self, *exc):
            for f, auto_now, auto_now_add in self.saved:
                f.auto_now, f.auto_now_add = auto_now, auto_now_add

    return Context()


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment in office hours on ``day``, Seoul time."""
    return dt.datetime.combine(day, dt.time(9, 0), SEOUL) + dt.timedelta(minutes=rng.randrange(0, 8 * 60))


def seed(*, requests: int, suggestions: int, visits: int, today: dt.date, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from meetings.models import Appointment, MeetingDay, MeetingRequest, RequestEvent, Slot
    from meetings.services.series import meeting_days_sync, series_get_or_create
    from scheduling.categories import Category
    from scheduling.models import Department, Neighborhood, Official
    from visits.models import FieldVisit, RotationCycle, Suggestion, SuggestionEvent

    call_command("seed_demo", "--force", verbosity=0, stdout=open(os.devnull, "w"))
    user = get_user_model().objects.create_superuser(username="bench-reports", password=secrets.token_hex(8))
    first = (today.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    now = dt.datetime.combine(today, dt.time(7, 0), SEOUL)
    days_in_year = (today - first).days

    neighborhoods = list(Neighborhood.objects.all())
    categories = list(Category.values)
    departments = list(Department.objects.filter(kind=Department.Kind.REGULAR))
    mayor = Official.objects.get(rank=Official.Rank.MAYOR, is_active=True)
    substitutes = list(Official.objects.exclude(pk=mayor.pk).filter(is_active=True))

    series_get_or_create()
    meeting_days_sync(start=first, end=today + dt.timedelta(days=60))
    slots = list(
        Slot.objects.filter(meeting_day__status__in=[MeetingDay.Status.REGULAR, MeetingDay.Status.MOVED])
        .select_related("meeting_day")
        .order_by("start")
    )

    # --- Meeting requests, their appointments and history ---
    S = MeetingRequest.Status
    weights = [
        (S.HELD, 30),
        (S.SUBSTITUTED, 18),
        (S.ANSWERED, 22),
        (S.DECLINED, 6),
        (S.CANCELLED, 6),
        (S.CLOSED, 8),
        (S.NO_SHOW, 3),
        (S.WAITLISTED, 2),
        (S.SCHEDULED, 3),
        (S.UNDER_REVIEW, 2),
    ]
    statuses, chances = zip(*weights, strict=True)
    rows, plans = [], []
    free_slots = iter(slots)
    next_slot = next(free_slots, None)
    for i in range(requests):
        day = first + dt.timedelta(days=int(days_in_year * i / requests))
        submitted = _moment(day, rng)
        status = rng.choices(statuses, chances)[0]
        if submitted > now - dt.timedelta(days=5):
            status = rng.choice([S.SUBMITTED, S.UNDER_REVIEW, S.SCHEDULED])
        answered = None
        if status not in (S.SUBMITTED, S.UNDER_REVIEW):
            answered = submitted + dt.timedelta(hours=rng.choice([4, 20, 26, 44, 50, 70, 96, 140]))
            answered = min(answered, now - dt.timedelta(hours=1))
        with_mayor = status in (S.HELD, S.SCHEDULED, S.NO_SHOW, S.CLOSED) and rng.random() < 0.8
        slot = None
        if with_mayor:
            while next_slot is not None and next_slot.start < (answered or submitted) + dt.timedelta(days=2):
                next_slot = next(free_slots, None)
            earliest = (answered or submitted) + dt.timedelta(days=30)
            if next_slot is not None and next_slot.start <= earliest:
                slot, next_slot = next_slot, next(free_slots, None)
            if slot is None or (slot.start > now and status != S.SCHEDULED):
                # The mayor's slots are few (4 a meeting day): the rest meet a substitute.
                status, slot = S.SUBSTITUTED, None
        rows.append(
            MeetingRequest(
                reference=f"B{day.year % 100:02d}-{i:06d}",
                status=status,
                channel=rng.choice(["web", "web", "web", "phone", "walk_in"]),
                name="홍길동",
                phone=f"010-{2000 + i % 3000:04d}-{i % 10000:04d}",
                neighborhood=rng.choice(neighborhoods),
                category=rng.choice(categories),
                subject=f"면담 신청 {i}: 골목길 보수와 주차 문제",
                description="동네 골목길 포장이 깨지고 주차 공간이 부족합니다. " * 2,
                consent_at=submitted,
                token_hash=hashlib.sha256(f"bench-{i}".encode()).hexdigest(),
                submission_key=uuid.uuid4(),
                submitted_at=submitted,
                answer_due_at=submitted + dt.timedelta(days=7),
                first_answered_at=answered,
                closed_at=answered + dt.timedelta(days=10)
                if status in (S.HELD, S.CLOSED, S.NO_SHOW, S.DECLINED, S.ANSWERED) and answered
                else None,
                substitution_reason="시장 일정 중복" if status == S.SUBSTITUTED else "",
                decline_reason="소관 외 사항" if status == S.DECLINED else "",
                written_answer="서면으로 답변드립니다." if status == S.ANSWERED else "",
                outcome={S.HELD: "held", S.CLOSED: "follow_up", S.NO_SHOW: "no_show"}.get(status, ""),
                satisfaction_score=rng.choice([None, 3, 4, 5]) if status == S.HELD else None,
            )
        )
        plans.append((status, slot, answered))
    MeetingRequest.objects.bulk_create(rows, batch_size=500)
    saved = list(MeetingRequest.objects.order_by("reference"))
    by_reference = {r.reference: r for r in saved}
    appointments, events = [], []
    for row, (status, slot, answered) in zip(rows, plans, strict=True):
        request = by_reference[row.reference]
        events.append(RequestEvent(request=request, at=request.submitted_at, action="submitted", to_status="submitted"))
        if answered:
            events.append(
                RequestEvent(request=request, at=answered, action="answered", from_status="submitted", to_status=status)
            )
        if slot is not None:
            appointments.append(
                Appointment(
                    request=request,
                    official=mayor,
                    slot=slot,
                    start=slot.start,
                    end=slot.end,
                    location="시장실",
                    is_substitution=False,
                )
            )
        elif status in (S.SUBSTITUTED, S.HELD, S.CLOSED, S.NO_SHOW) and answered:
            start = dt.datetime.combine((answered + dt.timedelta(days=rng.randrange(3, 12))).date(), dt.time(10), SEOUL)
            appointments.append(
                Appointment(
                    request=request,
                    official=rng.choice(substitutes),
                    start=start,
                    end=start + dt.timedelta(minutes=30),
                    location="부시장실",
                    is_substitution=True,
                )
            )
    RequestEvent._meta.get_field("at").auto_now_add = False
    RequestEvent.objects.bulk_create(events, batch_size=1000)
    RequestEvent._meta.get_field("at").auto_now_add = True
    Appointment.objects.bulk_create(appointments, batch_size=500)

    # --- Suggestions and their status changes ---
    Status = Suggestion.Status
    path = [
        Status.ASSIGNED,
        Status.JOINT_REVIEW,
        Status.SELECTED,
        Status.BUDGETED,
        Status.IN_PROGRESS,
        Status.COMPLETED,
    ]
    suggestion_rows, histories = [], []
    for i in range(suggestions):
        created = _moment(first + dt.timedelta(days=rng.randrange(days_in_year)), rng)
        steps = []
        moment = created
        for step in path:
            moment = moment + dt.timedelta(days=rng.randrange(3, 45))
            if moment > now or rng.random() < 0.12:
                break
            steps.append((step, moment))
        status = steps[-1][0] if steps else Status.RECEIVED
        if status in (Status.JOINT_REVIEW,) and rng.random() < 0.3:
            moment = steps[-1][1] + dt.timedelta(days=10)
            if moment < now:
                status = rng.choice([Status.LONG_TERM, Status.NOT_FEASIBLE])
                steps.append((status, moment))
        budgeted = status in (Status.BUDGETED, Status.IN_PROGRESS, Status.COMPLETED)
        suggestion_rows.append(
            Suggestion(
                neighborhood=neighborhoods[i % len(neighborhoods)],
                source=rng.choice(["field_visit", "field_visit", "themed_tour", "meeting", "other"]),
                title=f"건의 {i}: 보도블록 교체",
                description="보도블록이 깨져 밤길이 위험합니다.",
                category=rng.choice(categories),
                raised_by="주민자치회",
                lead_department=None if status == Status.RECEIVED else departments[i % len(departments)],
                status=status,
                first_answer_due=(created + dt.timedelta(days=20)).date(),
                first_answered_at=steps[1][1] if len(steps) > 1 else None,
                decision_reason="사유지라 시행할 수 없습니다."
                if status in (Status.NOT_FEASIBLE, Status.LONG_TERM)
                else "",
                budget_fiscal_year=(steps[3][1].year + 1) if budgeted else None,
                budget_amount=5_000_000 if budgeted else None,
                progress={Status.IN_PROGRESS: 50, Status.COMPLETED: 100}.get(status, 0),
                completed_on=steps[-1][1].date() if status == Status.COMPLETED else None,
                created_at=created,
                created_by=user,
                last_activity_at=steps[-1][1] if steps else created,
            )
        )
        histories.append((created, steps))
    with _without_auto_now(Suggestion._meta.get_field("created_at")):
        Suggestion.objects.bulk_create(suggestion_rows, batch_size=500)
    suggestion_events = []
    for suggestion, (created, steps) in zip(
        Suggestion.objects.filter(created_by=user).order_by("pk"), histories, strict=True
    ):
        suggestion_events.append(
            SuggestionEvent(
                suggestion=suggestion,
                kind="created",
                to_status="received",
                created_at=created,
                happened_on=created.date(),
                actor=user,
            )
        )
        previous = Status.RECEIVED
        for step, moment in steps:
            suggestion_events.append(
                SuggestionEvent(
                    suggestion=suggestion,
                    kind="transition",
                    from_status=previous,
                    to_status=step,
                    created_at=moment,
                    happened_on=moment.date(),
                    actor=user,
                )
            )
            previous = step
    SuggestionEvent.objects.bulk_create(suggestion_events, batch_size=1000)

    # --- Field visits: rotation cycles of 39 (each neighborhood once a cycle) ---
    visit_rows = []
    per_cycle = len(neighborhoods)
    for chunk in range(0, visits, per_cycle):
        dates = []
        for i in range(chunk, min(chunk + per_cycle, visits)):
            day = first + dt.timedelta(days=int((days_in_year + 30) * i / visits))
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            dates.append(day)
        cycle = RotationCycle.objects.create(
            name=f"순회 {chunk // per_cycle + 1}",
            official=mayor,
            start=dates[0],
            end=dates[-1] + dt.timedelta(days=1),
            status=RotationCycle.Status.ACCEPTED,
            accepted_at=now,
        )
        for offset, day in enumerate(dates):
            start = dt.datetime.combine(day, dt.time(10), SEOUL)
            if start > now:
                status, reason = FieldVisit.Status.PLANNED, ""
            else:
                status = rng.choices(["held", "postponed", "cancelled"], [85, 10, 5])[0]
                reason = "" if status == "held" else "태풍 예보"
            visit_rows.append(
                FieldVisit(
                    cycle=cycle,
                    neighborhood=neighborhoods[offset],
                    official=mayor if rng.random() < 0.7 else rng.choice(substitutes),
                    start=start,
                    end=start + dt.timedelta(hours=2),
                    status=status,
                    status_reason=reason,
                    attendance=rng.randrange(10, 80) if status == "held" else None,
                )
            )
    FieldVisit.objects.bulk_create(visit_rows, batch_size=500)
    return {
        "user": user,
        "requests": MeetingRequest.objects.count(),
        "appointments": Appointment.objects.count(),
        "suggestions": Suggestion.objects.count(),
        "suggestion_events": SuggestionEvent.objects.count(),
        "visits": FieldVisit.objects.count(),
        "meeting_days": MeetingDay.objects.count(),
    }


# --- Measuring ------------------------------------------------------------------------


def measure(fn) -> tuple[float, int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--suggestions", type=int, default=5000)
    parser.add_argument("--visits", type=int, default=500)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--save-pdf", metavar="FILE", help="also write last month's PDF there, to look at")
    args = parser.parse_args()

    work = prepare_database(args.database_url)
    import logging
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone, translation

    from scheduling.reports import services as report_services
    from scheduling.reports.core import report_sources

    call_command("migrate", verbosity=0)
    translation.activate("ko")
    today = timezone.localdate()
    started = time.perf_counter()
    data = seed(
        requests=args.requests,
        suggestions=args.suggestions,
        visits=args.visits,
        today=today,
        rng=random.Random(args.seed),
    )
    seeded = {k: v for k, v in data.items() if k != "user"}
    print(f"database: {connection.vendor}; seeded in {time.perf_counter() - started:.1f} s: {seeded}")
    sources = [source.key for source in report_sources()]
    print(f"report sources: {sources or 'NONE (only the empty frame is measured)'}")

    month = report_services.last_month(today)
    client = Client()
    client.force_login(data["user"])

    def build(key):
        return lambda: report_services.report_build(report_services.MONTHLY, report_services.period_month(key))

    def get(url):
        def run():
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            return response.content

        return run

    cases = {
        "baseline build": build(EMPTY_MONTH),
        "build": build(month.key),
        "baseline page": get(f"/staff/reports/monthly/{EMPTY_MONTH}/"),
        "page": get(f"/staff/reports/monthly/{month.key}/"),
        "baseline pdf": get(f"/staff/reports/monthly/{EMPTY_MONTH}.pdf"),
        "pdf": get(f"/staff/reports/monthly/{month.key}.pdf"),
    }
    for fn in cases.values():  # warm up: imports, fontconfig, first font subsetting
        fn()
    times: dict[str, list[float]] = {name: [] for name in cases}
    queries: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for _run in range(args.runs):
        for name, fn in cases.items():
            elapsed, count, result = measure(fn)
            times[name].append(elapsed)
            queries[name] = count
            if isinstance(result, bytes):
                sizes[name] = len(result)
    median = {name: statistics.median(values) for name, values in times.items()}
    report = report_services.report_build(report_services.MONTHLY, month)

    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    print(f"last month: {month.key} ({month.label}); {len(report.sections)} sections, {len(report.tables())} tables")
    print(f"median of {args.runs} interleaved runs (load average {load:.1f})" if load is not None else "")
    print(f"{'':16} {'median':>9} {'max':>9} {'queries':>8} {'size':>9} {'vs baseline':>12}")
    for name in cases:
        base = f"baseline {name}" if not name.startswith("baseline") else None
        ratio = f"{median[name] / median[base]:.2f}×" if base else ""
        size = f"{sizes[name] // 1024} KiB" if name in sizes else ""
        print(
            f"{name:16} {median[name] * 1000:7.0f}ms {max(times[name]) * 1000:7.0f}ms {queries[name]:8d} "
            f"{size:>9} {ratio:>12}"
        )
    from scheduling.reports.outputs import figure_text

    print("last month's headline figures (to see that the report is not empty):")
    for section in report.sections:
        for figure in section.figures:
            print(f"  {section.title} · {figure.label}: {figure_text(figure)}")
    verdict = "met" if median["pdf"] < LIMIT_SECONDS else "NOT met"
    print(f"goal: last month's PDF under {LIMIT_SECONDS:.0f} s: {verdict} ({median['pdf']:.2f} s)")

    if args.save_pdf:
        Path(args.save_pdf).write_bytes(cases["pdf"]())
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "monthly_report.json").write_text(
        json.dumps(
            {
                "database": connection.vendor,
                "seeded": seeded,
                "sources": sources,
                "month": month.key,
                "runs": args.runs,
                "load_average": load,
                "median_seconds": {k: round(v, 4) for k, v in median.items()},
                "max_seconds": {k: round(max(v), 4) for k, v in times.items()},
                "queries": queries,
                "bytes": sizes,
                "goal_met": median["pdf"] < LIMIT_SECONDS,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    return 0 if median["pdf"] < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
