"""Benchmark: the TongTong Day request form on gunicorn, beside a trivial view.

Run by hand (not a test)::

    .venv/bin/python bench/meetings_form.py
    .venv/bin/python bench/meetings_form.py --database-url postgres://postgres@127.0.0.1:5432/tongtong_bench \\
        --requests 2000 --posts 400 --concurrency 8

What it does, in one run:

1. (re)creates a bench database on PostgreSQL (its name must contain
   "bench": it is dropped first), migrates it, seeds the demo city
   (``seed_demo --force``) and collects the static files into a temporary
   directory;
2. starts ``python -m gunicorn config.wsgi`` with 2 sync workers on
   127.0.0.1 and a free port, as in production: ``DEBUG=0``, a random
   ``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, ``SECURE_SSL_REDIRECT=0``;
3. measures, with a small thread-pool load generator (``http.client``, a new
   connection per request as gunicorn's sync workers close them), bounded in
   count and time:

   - ``GET /healthz`` (the trivial view: one ``SELECT 1``),
   - ``GET /meetings/request/`` (the form),
   - ``POST /meetings/request/`` (a submission: every POST follows its own
     GET of the form for the CSRF cookie and token and a fresh
     ``submission_key``; half choose a bookable preferred day, half none;
     only the POST is timed, and it counts as a success when it answers
     302 to the done page);

4. prints requests/s, p50, p95, p99 and errors for each, and the ratio to
   the trivial view; writes the same as JSON under ``bench/results/``;
5. stops gunicorn.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tongtong_bench"

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
PREFERRED_DAY = re.compile(r'name="preferred_days" value="(\d+)"')
NEIGHBORHOOD_SELECT = re.compile(r'<select name="neighborhood".*?</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
ALERT = re.compile(r'role="alert"[^>]*>(.*?)</div>', re.S)


# --- the server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, port: int, static_root: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("REDIS_URL", "DEBUG", "STATIC_MANIFEST", "BEHIND_PROXY"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=static_root,
        SITE_URL=f"http://{HOST}:{port}",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def prepare_database(database_url: str, env: dict[str, str]) -> None:
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if "bench" not in name or not re.fullmatch(r"[A-Za-z0-9_]+", name):
        sys.exit(f"refusing to drop {name!r}: the bench database's name must contain 'bench'")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo", "--force"], ["collectstatic", "--noinput", "-v0"]):
        print("  manage.py", " ".join(command), flush=True)
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def start_gunicorn(env: dict[str, str], port: int, workers: int, log_path: Path) -> subprocess.Popen:
    log = log_path.open("wb")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            if fetch(port, "GET", "/healthz").status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    sys.exit(f"gunicorn did not answer /healthz within 60 s; see {log_path}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()  # gunicorn's arbiter stops its workers gracefully on SIGTERM
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- the client -------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key.lower() == name.lower()), "")

    def cookie(self, name: str) -> str:
        for key, value in self.headers:
            if key.lower() == "set-cookie" and value.startswith(name + "="):
                return value.split(";", 1)[0].split("=", 1)[1]
        return ""


def fetch(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        return Response(response.status, response.getheaders(), data, elapsed)
    finally:
        connection.close()


@dataclass
class Outcome:
    ok: bool
    seconds: float
    error: str = ""


def get_action(port: int, path: str):
    def action(_i: int) -> Outcome:
        response = fetch(port, "GET", path)
        return Outcome(
            response.status == 200, response.seconds, "" if response.status == 200 else f"HTTP {response.status}"
        )

    return action


def submit_action(port: int, seed: int):
    rng = random.Random(seed)
    rng_lock = threading.Lock()

    def action(i: int) -> Outcome:
        form = fetch(port, "GET", "/meetings/request/")
        if form.status != 200:
            return Outcome(False, 0.0, f"form HTTP {form.status}")
        html = form.body.decode("utf-8")
        csrf_cookie, csrf_token = form.cookie("csrftoken"), CSRF_INPUT.search(html)
        key = SUBMISSION_KEY.search(html)
        select = NEIGHBORHOOD_SELECT.search(html)
        if not (csrf_cookie and csrf_token and key and select):
            return Outcome(False, 0.0, "form without csrf/submission_key/neighborhoods")
        neighborhoods = OPTION.findall(select.group(0))
        days = PREFERRED_DAY.findall(html)
        with rng_lock:
            phone = f"010-{rng.randint(2000, 4999)}-{rng.randint(1000, 9999)}"  # 010-597x…599x are not assigned
            neighborhood = rng.choice(neighborhoods)
            day = rng.choice(days) if days and i % 2 == 0 else None
        fields = [
            ("csrfmiddlewaretoken", csrf_token.group(1)),
            ("submission_key", key.group(1)),
            ("name", "홍길동"),
            ("phone", phone),
            ("email", ""),
            ("neighborhood", neighborhood),
            ("category", "roads"),
            ("subject", f"골목길 보수 요청 {i}"),
            ("description", "중앙동 3길 포장이 깨져 비 오는 날 물웅덩이가 생깁니다. 보수를 부탁드립니다."),
            ("group_size", "1"),
            ("consent", "on"),
        ]
        if day:
            fields.append(("preferred_days", day))
        response = fetch(
            port,
            "POST",
            "/meetings/request/",
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie}",
            },
        )
        if response.status == 302 and "/meetings/request/done/" in response.header("Location"):
            return Outcome(True, response.seconds)
        detail = ""
        if response.status == 200:  # the form again: what did it say?
            alert = ALERT.search(response.body.decode("utf-8", "replace"))
            detail = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", alert.group(1))).strip()[:300] if alert else ""
        return Outcome(False, response.seconds, f"HTTP {response.status} {detail}".strip())

    return action


@dataclass
class Result:
    name: str
    requests: int
    ok: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    error_samples: list[str] = field(default_factory=list)


@dataclass
class Samples:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run(action, samples: Samples, *, start: int, total: int, concurrency: int, max_seconds: float) -> None:
    """``total`` calls of ``action`` from ``concurrency`` threads, stopping at
    ``max_seconds``; adds the latencies, errors and wall time to ``samples``."""
    lock = threading.Lock()
    state = {"next": start}
    deadline = time.perf_counter() + max_seconds

    def worker():
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= start + total or time.perf_counter() > deadline:
                return
            try:
                outcome = action(i)
            except Exception as error:  # a refused or reset connection is an error, not a crash
                outcome = Outcome(False, 0.0, repr(error))
            with lock:
                if outcome.ok:
                    samples.latencies.append(outcome.seconds)
                else:
                    samples.errors.append(outcome.error)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    samples.seconds += time.perf_counter() - started


def summarise(name: str, samples: Samples) -> Result:
    latencies, wall = samples.latencies, samples.seconds
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0.0] * 99
    return Result(
        name=name,
        requests=len(latencies) + len(samples.errors),
        ok=len(latencies),
        errors=len(samples.errors),
        seconds=round(wall, 2),
        per_second=round(len(latencies) / wall, 1) if wall else 0.0,
        p50_ms=round(cuts[49] * 1000, 1),
        p95_ms=round(cuts[94] * 1000, 1),
        p99_ms=round(cuts[98] * 1000, 1),
        error_samples=sorted(set(samples.errors))[:5],
    )


def report(results: list[Result], baseline: Result) -> str:
    lines = [
        f"{'':28} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
        f" {'req/s vs healthz':>17} {'p95 vs healthz':>15}"
    ]
    for result in results:
        speed = result.per_second / baseline.per_second if baseline.per_second else 0
        slow = result.p95_ms / baseline.p95_ms if baseline.p95_ms else 0
        lines.append(
            f"{result.name:28} {result.requests:8} {result.errors:6} {result.per_second:8.1f} {result.p50_ms:8.1f}"
            f" {result.p95_ms:8.1f} {result.p99_ms:8.1f} {speed:16.2f}x {slow:14.1f}x"
        )
        lines += [f"    error: {sample}" for sample in result.error_samples]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default="", help="run with this broker (default: none, eager tasks)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--requests", type=int, default=2000, help="GETs per measured view")
    parser.add_argument("--posts", type=int, default=400, help="form submissions")
    parser.add_argument("--max-seconds", type=float, default=60, help="time cap per measured view (all rounds)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--skip-setup", action="store_true", help="reuse the bench database as it is")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="tongtong-bench-static-") as static_root:
        env = server_environment(args.database_url, port, static_root, args.redis_url)
        print(f"bench database {urlsplit(args.database_url).path.lstrip('/')}: setting up", flush=True)
        if args.skip_setup:
            subprocess.run(  # noqa: S603
                [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
        else:
            prepare_database(args.database_url, env)
        log_path = RESULTS / "gunicorn.log"
        server = start_gunicorn(env, port, args.workers, log_path)
        print(f"gunicorn: {args.workers} workers on {HOST}:{port} (DEBUG=0), log in {log_path}", flush=True)
        try:
            for path in ("/healthz", "/meetings/request/"):  # warm up both workers
                for _n in range(20):
                    fetch(port, "GET", path)
            scenarios = [
                ("GET /healthz", get_action(port, "/healthz"), args.requests),
                ("GET /meetings/request/", get_action(port, "/meetings/request/"), args.requests),
                ("POST /meetings/request/", submit_action(port, args.seed), args.posts),
            ]
            samples = {name: Samples() for name, _action, _total in scenarios}
            loads = [os.getloadavg()[0]]
            # Interleaved rounds, so that whatever else the machine does
            # weighs on every measurement alike: the ratio is the figure.
            for round_number in range(args.rounds):
                for name, action, total in scenarios:
                    share, extra = divmod(total, args.rounds)
                    run(
                        action,
                        samples[name],
                        start=round_number * share + min(round_number, extra),
                        total=share + (round_number < extra),
                        concurrency=args.concurrency,
                        max_seconds=args.max_seconds / args.rounds,
                    )
                loads.append(os.getloadavg()[0])
                print(f"  round {round_number + 1}/{args.rounds} done (load average {loads[-1]:.1f})", flush=True)
        finally:
            stop(server)
    healthz, form, posts = (summarise(name, samples[name]) for name, _action, _total in scenarios)
    results = [healthz, form, posts]
    print()
    print(report(results, healthz))
    print(
        f"\n{os.cpu_count()} CPUs shared by server and client; load average during the run:"
        f" {', '.join(f'{load:.1f}' for load in loads)}"
    )
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"meetings_form-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": stamp,
                "workers": args.workers,
                "concurrency": args.concurrency,
                "cpus": os.cpu_count(),
                "redis": bool(args.redis_url),
                "rounds": args.rounds,
                "load_average": loads,
                "results": [asdict(result) for result in results],
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
