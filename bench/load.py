"""Load benchmark: 50 locust users against gunicorn on PostgreSQL, beside /healthz.

Run by hand (not a test; locust lives in its own venv, see bench/README.md)::

    python3 -m venv bench/.venv && bench/.venv/bin/pip install -r bench/requirements.txt
    .venv/bin/python bench/load.py                      # 50 users, 60 s
    .venv/bin/python bench/load.py --users 50 --duration 60s --wait 0,0   # no think time: saturation

In one run it:

1. drops and creates a PostgreSQL database (its name must contain "load";
   default ``tongtong_load``), migrates it, seeds the demo city
   (``seed_demo --force`` with a random password) and collects the static
   files into a temporary directory (the manifest storage of ``DEBUG=0``);
2. makes the fixtures through the services (``--make-fixtures``, run as a
   subprocess with the server's environment): the bookable meeting days and
   their slots, 60 submitted requests with their status tokens, 6 of them
   booked, the secretariat's private feed token, and for the booking race
   ``--race-slots`` free slots each with ``--race-contenders`` waiting requests;
3. starts ``.venv/bin/gunicorn config.wsgi`` with 4 sync workers on
   127.0.0.1 as in production (``DEBUG=0``, random ``SECRET_KEY``,
   ``ALLOWED_HOSTS=127.0.0.1``, ``SECURE_SSL_REDIRECT=0``, ``REDIS_URL`` on
   db 14) and **``RATELIMIT_ENABLE=0``: the public rate limit is switched
   off** so that 30 simulated citizens on one address can submit. No celery
   worker runs: notifications are queued in Redis and their outbox rows stay
   pending (a worker would take CPU from the web workers it is measured on);
4. runs ``locust -f bench/locustfile.py --headless`` (from ``bench/.venv``)
   with 50 users; half-way through, while the load runs, races the staff
   booking endpoint: ``--race-contenders`` secretariat requests POST
   ``/staff/meetings/<pk>/book/`` for the same slot at once (a barrier
   releases them together), one slot after another;
5. prints per endpoint requests, errors, req/s, p50/p95/p99 and the ratio
   of its throughput and p95 to ``/healthz``'s;
6. checks the database: no slot and no request with more than one active
   appointment, each raced slot booked exactly once and answered 302 once,
   every successful POST saved as exactly one request; and the gunicorn log
   for tracebacks;
7. stops gunicorn, drops the database (unless ``--keep-database``), empties
   Redis db 14, writes the figures as JSON under ``bench/results/``, and
   exits non-zero on any error or double booking.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOCUST = ROOT / "bench" / ".venv" / "bin" / "locust"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tongtong_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STATUS_TOKENS = 60
BOOKED = 6
ORDER = [
    "GET /healthz",
    "GET /meetings/request/",
    "POST /meetings/request/",
    "GET /meetings/status/<token>/",
    "GET /calendar/meeting-days.ics",
    "GET /calendar/visits.ics",
    "GET /calendar/feeds/<token>.ics",
    "GET /staff/meetings/",
]


# --- fixtures (run inside Django, as a subprocess with the server's environment) ----------


def make_fixtures(out: Path, *, password: str, race_slots: int, race_contenders: int) -> None:
    import uuid

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from meetings.selectors import bookable_meeting_days, free_slots
    from meetings.services.booking import slot_book
    from meetings.services.requests import meeting_request_submit
    from scheduling.feed_services import feed_token_issue
    from scheduling.models import CalendarFeedToken, Neighborhood

    secretariat = get_user_model().objects.get(username="secretariat")
    neighborhoods = list(Neighborhood.objects.order_by("pk"))
    from meetings.tasks import sync_meeting_days

    sync_meeting_days()  # what celery beat does: the pages only read, the slots need their rows
    days = list(bookable_meeting_days())
    slots = [slot for day in days for slot in free_slots(day)]
    needed = BOOKED + race_slots
    if len(slots) < needed:
        sys.exit(f"only {len(slots)} free slots on {len(days)} bookable days; {needed} needed")

    def submit(i: int, phone: str):
        return meeting_request_submit(
            name="김시민",
            phone=phone,
            neighborhood=neighborhoods[i % len(neighborhoods)],
            category="roads",
            subject=f"보도 정비 요청 {i}",
            description="시장 앞 보도블록이 들떠 있어 넘어질 뻔했습니다.",
            consent=True,
            submission_key=uuid.uuid4(),
            preferred_days=[days[i % len(days)]],
        )

    status_tokens = []
    for i in range(STATUS_TOKENS):
        submission = submit(i, f"010-4{i // 100:03d}-{i % 100:04d}")
        if i < BOOKED:  # a few with an appointment: the status page and the feed show it
            slot_book(request=submission.request, slot=slots[i], actor=secretariat)
        status_tokens.append([submission.token, submission.request.reference])
    race = []
    for r, slot in enumerate(slots[BOOKED:needed]):
        contenders = [submit(i, f"010-4999-{r:02d}{i:02d}").request.pk for i in range(race_contenders)]
        race.append({"slot": slot.pk, "requests": contenders})
    feed_token = feed_token_issue(user=secretariat, kind=CalendarFeedToken.Kind.SECRETARIAT.value)
    out.write_text(
        json.dumps(
            {
                "status_tokens": status_tokens,
                "feed_token": feed_token,
                "staff": {"username": "secretariat", "password": password},
                "race": race,
                "bookable_days": len(days),
                "free_slots": len(slots),
            }
        )
    )


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, redis_url: str, port: int, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DEBUG", "STATIC_MANIFEST", "BEHIND_PROXY", "EMAIL_URL", "SMS_BACKEND"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=static_root,
        SITE_URL=f"http://{HOST}:{port}",
        # The public rate limit (5 submissions / 10 min / address) would stop
        # 30 citizens who all come from 127.0.0.1: switched off for the run.
        RATELIMIT_ENABLE="0",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *command: str) -> None:
    print("  manage.py", " ".join(c for c in command if not c.startswith("--password=")), flush=True)
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def database_name(database_url: str) -> str:
    name = urlsplit(database_url).path.lstrip("/")
    if "load" not in name or not re.fullmatch(r"[A-Za-z0-9_]+", name):
        sys.exit(f"refusing to drop {name!r}: the load database's name must contain 'load'")
    return name


def admin_connection(database_url: str):
    import psycopg

    return psycopg.connect(urlsplit(database_url)._replace(path="/postgres").geturl(), autocommit=True)


def recreate_database(database_url: str) -> None:
    name = database_name(database_url)
    with admin_connection(database_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(database_url: str) -> None:
    with admin_connection(database_url) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database_name(database_url)}" WITH (FORCE)')


def empty_redis(redis_url: str) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def start_gunicorn(env: dict[str, str], port: int, workers: int, log_path: Path) -> subprocess.Popen:
    command = [
        str(GUNICORN),
        "config.wsgi",
        "-w",
        str(workers),
        "-b",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        "--access-logfile",
        str(log_path.with_name(log_path.name.replace("gunicorn", "access"))),
        "--access-logformat",
        ACCESS_FORMAT,
    ]
    server = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            if fetch(port, "GET", "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    sys.exit(f"gunicorn did not answer /healthz within 60 s; see {log_path}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()  # gunicorn's arbiter stops its workers gracefully on SIGTERM
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fetch(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of one request on a new connection."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def cookie(headers, name: str) -> str:
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith(name + "="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return ""


# --- the booking race -----------------------------------------------------------------------


def staff_login(port: int, username: str, password: str) -> dict[str, str]:
    """A logged-in secretariat session: its cookies (sent by hand: with
    DEBUG=0 they are Secure, and this is plain HTTP)."""
    status, headers, body = fetch(port, "GET", "/staff/login/")
    token = CSRF_INPUT.search(body.decode())
    csrf = cookie(headers, "csrftoken")
    status, headers, _body = fetch(
        port,
        "POST",
        "/staff/login/",
        body=urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
    )
    if status != 302 or not cookie(headers, "sessionid"):
        raise RuntimeError(f"staff login refused: HTTP {status}")
    return {"csrftoken": cookie(headers, "csrftoken") or csrf, "sessionid": cookie(headers, "sessionid")}


def race(port: int, fixtures: dict, sessions: list[dict[str, str]], result: dict) -> None:
    """For each raced slot: every contender request is booked into it at once,
    each by its own secretariat session (logged in before the load starts).
    Exactly one may win (302); the others get the page back with a message."""
    try:
        result["slots"] = []
        for raced in fixtures["race"]:
            answers: list[int | str] = [0] * len(raced["requests"])
            barrier = threading.Barrier(len(raced["requests"]))

            def book(n: int, pk: int, slot: int = raced["slot"], answers=answers, barrier=barrier) -> None:
                cookies = sessions[n]
                body = urlencode({"csrfmiddlewaretoken": cookies["csrftoken"], "book-slot": slot}).encode()
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}",
                }
                barrier.wait()
                try:
                    answers[n] = fetch(port, "POST", f"/staff/meetings/{pk}/book/", body=body, headers=headers)[0]
                except OSError as error:
                    answers[n] = repr(error)

            threads = [
                threading.Thread(target=book, args=(n, pk), daemon=True) for n, pk in enumerate(raced["requests"])
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            result["slots"].append({"slot": raced["slot"], "answers": answers})
    except Exception as error:  # reported, and counted as a failure of the run
        result["error"] = repr(error)


# --- locust and the report --------------------------------------------------------------------


def duration_seconds(text: str) -> float:
    """Locust's ``--run-time`` (``90s``, ``2m``, ``1m30s``) in seconds."""
    parts = re.findall(r"(\d+)\s*([hms])", text)
    if not parts:
        sys.exit(f"--duration {text!r}: write it as locust does, e.g. 60s or 2m")
    return sum(int(n) * {"h": 3600, "m": 60, "s": 1}[unit] for n, unit in parts)


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["Name"] != "Aggregated" and int(row["Request Count"])]


def read_failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def figures(row: dict) -> dict:
    return {
        "endpoint": row["Name"],
        "requests": int(row["Request Count"]),
        "errors": int(row["Failure Count"]),
        "per_second": float(row["Requests/s"]),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
    }


def table(results: list[dict]) -> str:
    base = next(r for r in results if r["endpoint"] == "GET /healthz")
    lines = [
        f"{'endpoint':34} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'req/s÷healthz':>13} {'p95÷healthz':>11} {'server p50':>10} {'server p95':>10}"
    ]
    for r in results:
        speed = r["per_second"] / base["per_second"] if base["per_second"] else 0.0
        slow = r["p95_ms"] / base["p95_ms"] if base["p95_ms"] else 0.0
        server = r.get("server") or {}
        lines.append(
            f"{r['endpoint']:34} {r['requests']:8} {r['errors']:6} {r['per_second']:7.1f} {r['p50_ms']:7.0f}"
            f" {r['p95_ms']:7.0f} {r['p99_ms']:7.0f} {speed:12.2f}× {slow:10.1f}×"
            f" {server.get('p50_ms', 0):10.1f} {server.get('p95_ms', 0):10.1f}"
        )
    return "\n".join(lines)


def database_checks(database_url: str, fixtures: dict, accepted: list[str]) -> dict:
    import psycopg

    with psycopg.connect(database_url) as connection:
        one = lambda sql, *args: connection.execute(sql, args).fetchone()[0]  # noqa: E731
        doubled_slots = connection.execute(
            "SELECT slot_id, count(*) FROM meetings_appointment WHERE status = 'active' AND slot_id IS NOT NULL"
            " GROUP BY slot_id HAVING count(*) > 1"
        ).fetchall()
        doubled_requests = connection.execute(
            "SELECT request_id, count(*) FROM meetings_appointment WHERE status = 'active'"
            " GROUP BY request_id HAVING count(*) > 1"
        ).fetchall()
        raced = [
            one("SELECT count(*) FROM meetings_appointment WHERE status = 'active' AND slot_id = %s", r["slot"])
            for r in fixtures["race"]
        ]
        saved = [
            row[0]
            for row in connection.execute(
                "SELECT subject FROM meetings_meetingrequest WHERE subject LIKE %s", ["골목길 보수 요청 %"]
            )
        ]
        duplicate_references = one(
            "SELECT count(*) FROM (SELECT reference FROM meetings_meetingrequest"
            " GROUP BY reference HAVING count(*) > 1) AS d"
        )
        return {
            "active_appointments": one("SELECT count(*) FROM meetings_appointment WHERE status = 'active'"),
            "slots_with_two_active": len(doubled_slots),
            "requests_with_two_active": len(doubled_requests),
            "raced_slots_active_counts": raced,
            "submissions_accepted_by_the_server": len(accepted),
            "submissions_in_the_database": len(saved),
            "accepted_but_missing": len(set(accepted) - set(saved)),
            "saved_twice": len(saved) - len(set(saved)),
            # in flight when locust stopped: saved, but the 302 never reached locust
            "saved_not_counted": len(set(saved) - set(accepted)),
            "duplicate_references": duplicate_references,
            "outbox_pending": one("SELECT count(*) FROM meetings_notification WHERE status = 'pending'"),
        }


ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"  # method, path, status, microseconds in the worker
ENDPOINT_PATTERNS = [
    (re.compile(r"/meetings/status/[^/]+/$"), "/meetings/status/<token>/"),
    (re.compile(r"/calendar/feeds/[^/]+\.ics$"), "/calendar/feeds/<token>.ics"),
    (re.compile(r"/staff/meetings/\d+/book/$"), "/staff/meetings/<pk>/book/"),
]


def server_times(access_log: Path) -> dict[str, dict]:
    """Per endpoint, the time gunicorn's worker spent on the request (the
    access log's %(D)s): the work itself, without the wait for a free worker."""
    times: dict[str, list[float]] = {}
    statuses: dict[str, list[int]] = {}
    for line in access_log.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) != 4 or not parts[3].isdigit():
            continue
        method, path, status, micros = parts
        for pattern, name in ENDPOINT_PATTERNS:
            if pattern.search(path):
                path = name
                break
        key = f"{method} {path}"
        times.setdefault(key, []).append(int(micros) / 1000)
        statuses.setdefault(key, []).append(int(status))
    out = {}
    for key, values in times.items():
        values.sort()
        pick = lambda q, values=values: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
        out[key] = {
            "count": len(values),
            "p50_ms": round(pick(0.50), 1),
            "p95_ms": round(pick(0.95), 1),
            "5xx": sum(1 for status in statuses[key] if status >= 500),
        }
    return out


def tracebacks(log_path: Path) -> list[str]:
    text = log_path.read_text(errors="replace")
    blocks = re.split(r"\n(?=\S)", text)
    return [block for block in blocks if "Traceback" in block or "Internal Server Error" in block]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--duration", default="60s", help="locust --run-time (the ramp-up included)")
    parser.add_argument("--wait", default="1,3", help="think time between a user's requests: min,max seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--race-slots", type=int, default=5)
    parser.add_argument("--race-contenders", type=int, default=10)
    parser.add_argument("--keep-database", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--make-fixtures", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--password", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.make_fixtures:
        make_fixtures(
            args.make_fixtures,
            password=args.password,
            race_slots=args.race_slots,
            race_contenders=args.race_contenders,
        )
        return
    if not LOCUST.exists():
        sys.exit(
            "locust is not installed:"
            " python3 -m venv bench/.venv && bench/.venv/bin/pip install -r bench/requirements.txt"
        )

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    port = free_port()
    password = secrets.token_urlsafe(12)
    loads = [os.getloadavg()]
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="tongtong-load-") as scratch:
        env = server_environment(args.database_url, args.redis_url, port, str(Path(scratch) / "static"))
        print(f"database {database_name(args.database_url)}: setting up", flush=True)
        recreate_database(args.database_url)
        empty_redis(args.redis_url)
        gunicorn_log = RESULTS / f"load-{stamp}-gunicorn.log"
        server = None
        try:
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "seed_demo", "--force", f"--password={password}")
            manage(env, "collectstatic", "--noinput", "-v0")
            fixtures_path = Path(scratch) / "fixtures.json"
            print("  fixtures: status tokens, bookings, private feed token, race requests", flush=True)
            subprocess.run(  # noqa: S603
                [
                    sys.executable,
                    __file__,
                    "--make-fixtures",
                    str(fixtures_path),
                    "--password",
                    password,
                    "--race-slots",
                    str(args.race_slots),
                    "--race-contenders",
                    str(args.race_contenders),
                ],
                cwd=ROOT,
                env=env,
                check=True,
            )
            fixtures = json.loads(fixtures_path.read_text())

            server = start_gunicorn(env, port, args.workers, gunicorn_log)
            print(
                f"gunicorn: {args.workers} sync workers on {HOST}:{port}, DEBUG=0, PostgreSQL, Redis {args.redis_url};"
                " no celery worker (notifications stay queued)\n"
                "RATE LIMITING IS OFF for this run (RATELIMIT_ENABLE=0): 30 simulated citizens share 127.0.0.1",
                flush=True,
            )
            for path in ("/healthz", "/meetings/request/", "/calendar/meeting-days.ics", "/calendar/visits.ics"):
                for _n in range(args.workers * 2):  # warm every worker (imports, template and feed caches)
                    fetch(port, "GET", path)

            staff = fixtures["staff"]
            contenders = max(len(r["requests"]) for r in fixtures["race"])
            race_sessions = [staff_login(port, staff["username"], staff["password"]) for _n in range(contenders)]

            prefix = RESULTS / f"load-{stamp}"
            tally_path = Path(scratch) / "accepted.json"
            locust_env = dict(
                os.environ, BENCH_FIXTURES=str(fixtures_path), BENCH_WAIT=args.wait, BENCH_TALLY=str(tally_path)
            )
            locust_command = [
                str(LOCUST),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                args.duration,
                "--host",
                f"http://{HOST}:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--reset-stats",  # measure once every user is running (the staff logins are in the ramp-up)
                "--loglevel",
                "WARNING",
            ]
            print(
                f"locust: {args.users} users, spawn rate {args.spawn_rate}/s, {args.duration}, think time {args.wait} s"
            )
            locust_log = Path(f"{prefix}-locust.log")
            started = time.monotonic()
            locust = subprocess.Popen(  # noqa: S603
                locust_command, cwd=ROOT, env=locust_env, stdout=locust_log.open("wb"), stderr=subprocess.STDOUT
            )
            race_result: dict = {}
            raced = False
            seconds = duration_seconds(args.duration)
            while locust.poll() is None:
                time.sleep(1)
                loads.append(os.getloadavg())
                if not raced and time.monotonic() - started > seconds / 2:
                    raced = True
                    print("  half-way: racing the staff booking endpoint under load", flush=True)
                    race(port, fixtures, race_sessions, race_result)
            print(f"locust exited with {locust.returncode} after {time.monotonic() - started:.0f} s", flush=True)
        finally:
            if server is not None:
                stop(server)

        results = {r["endpoint"]: r for r in (figures(row) for row in read_stats(prefix))}
        ordered = [results[name] for name in ORDER if name in results]
        ordered += [r for name, r in results.items() if name not in ORDER]
        access = server_times(gunicorn_log.with_name(gunicorn_log.name.replace("gunicorn", "access")))
        for r in ordered:
            r["server"] = access.get(r["endpoint"].replace(" (once per user)", ""))
        accepted = json.loads(tally_path.read_text()) if tally_path.exists() else []
        checks = database_checks(args.database_url, fixtures, accepted)
        if not args.keep_database:
            drop_database(args.database_url)
        empty_redis(args.redis_url)

    print()
    print(table(ordered))
    failures = read_failures(prefix)
    for failure in failures:
        print(f"    error: {failure['Method']} {failure['Name']}: {failure['Error']} ({failure['Occurrences']}×)")
    cpu_load = [round(load[0], 1) for load in loads]
    print(
        f"\n{os.cpu_count()} CPUs shared by gunicorn, PostgreSQL, Redis and locust;"
        f" 1-min load average: {cpu_load[0]} before, {min(cpu_load[1:] or cpu_load)}–{max(cpu_load)} during"
    )
    print("rate limiting: OFF (RATELIMIT_ENABLE=0)")

    print("\nbooking race (staff POST /staff/meetings/<pk>/book/, same slot, all at once, under the load):")
    if "error" in race_result or not race_result:
        failed.append(f"race did not run: {race_result.get('error', 'locust ended first')}")
    for raced_slot, active in zip(race_result.get("slots", []), checks["raced_slots_active_counts"], strict=False):
        answers = raced_slot["answers"]
        won, refused = answers.count(302), answers.count(200)
        other = [a for a in answers if a not in (200, 302)]
        print(
            f"  slot {raced_slot['slot']}: {len(answers)} contenders → {won} booked (302), {refused} refused (200),"
            f" {len(other)} other {other or ''}; active appointments in the slot: {active}"
        )
        if won != 1 or active != 1 or other:
            failed.append(f"race on slot {raced_slot['slot']}: {won} won, {active} active, other answers {other}")

    print("\ndatabase after the run:")
    for key, value in checks.items():
        print(f"  {key}: {value}")
    if checks["slots_with_two_active"] or checks["requests_with_two_active"]:
        failed.append("double booking")
    if not accepted or checks["accepted_but_missing"] or checks["saved_twice"]:
        failed.append("submissions lost or doubled (or none accepted)")
    if checks["duplicate_references"]:
        failed.append("duplicate reference numbers")
    errors = sum(r["errors"] for r in results.values())
    if errors:
        failed.append(f"{errors} request errors")
    if locust.returncode not in (0, 1):  # locust exits 1 when any request failed (counted above)
        failed.append(f"locust exited with {locust.returncode}; see {locust_log}")
    server_errors = {key: value["5xx"] for key, value in access.items() if value["5xx"]}
    if server_errors:
        failed.append(f"5xx answers: {server_errors}")
    booking = access.get("POST /staff/meetings/<pk>/book/")
    if booking:
        print(f"  server time of the raced bookings: p50 {booking['p50_ms']} ms, p95 {booking['p95_ms']} ms")
    traces = tracebacks(gunicorn_log)
    if traces:
        failed.append(f"{len(traces)} tracebacks in {gunicorn_log}")
        for trace in traces[:3]:
            print("\n" + trace[-3000:])

    out = RESULTS / f"load-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": stamp,
                "users": args.users,
                "duration": args.duration,
                "wait": args.wait,
                "workers": args.workers,
                "cpus": os.cpu_count(),
                "rate_limit": "off (RATELIMIT_ENABLE=0)",
                "load_average": cpu_load,
                "results": ordered,
                "race": race_result,
                "database": checks,
                "failed": failed,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"\nwritten to {out.relative_to(ROOT)} (locust CSVs and logs beside it)")
    if failed:
        print("\nFAILED: " + "; ".join(failed))
        sys.exit(1)
    print("\nOK: no errors, no double booking")


if __name__ == "__main__":
    main()
