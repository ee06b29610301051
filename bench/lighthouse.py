"""Benchmark: Lighthouse (mobile) on six public pages under gunicorn.

Run by hand (not a test)::

    .venv/bin/python bench/lighthouse.py                      # each page once
    .venv/bin/python bench/lighthouse.py --runs 3             # the median of three
    .venv/bin/python bench/lighthouse.py --checkout /tmp/old  # another checkout's code, for a before/after

What it does, in one run:

1. builds a throw-away SQLite database in a temporary directory, migrates it,
   seeds the demo city (``seed_demo --force``) and collects the static files
   with the manifest storage (hashed, compressed by whitenoise), as
   ``DEBUG=0`` serves them;
2. starts ``python -m gunicorn config.wsgi`` with 2 sync workers on
   127.0.0.1 and a free port, configured as production: ``DEBUG=0``, a random
   ``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, ``SECURE_SSL_REDIRECT=0`` (no
   TLS on the loopback; behind the city's proxy it is on);
3. runs Lighthouse (npm ``lighthouse``, a pinned devDependency) with Debian's
   Chromium (``CHROME_PATH=/usr/bin/chromium``, headless) in its default
   mobile mode (a mid-range phone, simulated slow 4G and 4× CPU slowdown) on
   each page, ``--runs`` times, the pages interleaved;
4. prints, per page, the performance, accessibility and best-practices
   scores (the median over the runs, and every run's performance), with the
   first contentful paint, the largest contentful paint, the total blocking
   time, the layout shift and the bytes transferred of the median run; writes
   them as JSON under ``bench/results/``;
5. stops gunicorn and removes the database.

Only 127.0.0.1 is ever contacted. Targets (issue 16): performance >= 95,
accessibility and best practices 100; the script exits 1 when a median
misses one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def server_environment(database: Path, port: int, static_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("REDIS_URL", "DEBUG", "STATIC_MANIFEST", "DATABASE_URL"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(static_root),
        SITE_URL=f"http://{HOST}:{port}",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare(checkout: Path, env: dict[str, str]) -> None:
    manage = [sys.executable, str(checkout / "manage.py")]
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo", "--force"], ["collectstatic", "--noinput", "-v0"]):
        print("  manage.py", " ".join(command), flush=True)
        subprocess.run([*manage, *command], cwd=checkout, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def start_gunicorn(checkout: Path, env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"{HOST}:{port}"]
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log_path}")
        try:
            if get(port, "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    sys.exit(f"gunicorn did not answer /healthz within 60 s; see {log_path}")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def public_pages(port: int) -> list[str]:
    """Six public pages: the home page, the request form, the field visits,
    the neighborhoods' cards, the first neighborhood's card, the privacy policy."""
    status, html = get(port, "/neighborhoods/")
    card = re.search(r'href="(/neighborhoods/[^/"]+/)"', html)
    if status != 200 or not card:
        sys.exit("the neighborhoods page lists no card")
    return ["/", "/meetings/request/", "/visits/", "/neighborhoods/", card.group(1), "/privacy/"]


def lighthouse(url: str, out: Path) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
        "--max-wait-for-load=60000",
    ]
    subprocess.run(command, cwd=ROOT, env={**os.environ, "CHROME_PATH": CHROME}, check=True, timeout=300)  # noqa: S603
    report = json.loads(out.read_text())
    scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    audits = report["audits"]
    metrics = {short: audits[key]["numericValue"] for key, short in METRICS.items()}
    metrics["bytes"] = audits["total-byte-weight"]["numericValue"]
    failed = {
        c: [
            ref["id"]
            for ref in report["categories"][c]["auditRefs"]
            if ref["weight"] and (audits[ref["id"]]["score"] is not None) and audits[ref["id"]]["score"] < 1
        ]
        for c in ("accessibility", "best-practices")
    }
    return {"scores": scores, "metrics": metrics, "failed": failed}


def summary(runs: list[dict]) -> dict:
    by_performance = sorted(runs, key=lambda run: run["scores"]["performance"])
    median_run = by_performance[len(by_performance) // 2]
    return {
        "scores": {c: statistics.median(run["scores"][c] for run in runs) for c in CATEGORIES},
        "performance_runs": [run["scores"]["performance"] for run in runs],
        "metrics": median_run["metrics"],
        "failed": median_run["failed"],
    }


def report(pages: dict[str, dict]) -> str:
    lines = [
        f"{'page':34} {'perf':>5} {'a11y':>5} {'bp':>5}  {'perf runs':14} {'FCP s':>6} {'LCP s':>6}"
        f" {'TBT ms':>7} {'CLS':>6} {'KB':>6}"
    ]
    for path, page in pages.items():
        s, m = page["scores"], page["metrics"]
        lines.append(
            f"{path:34} {s['performance']:5.0f} {s['accessibility']:5.0f} {s['best-practices']:5.0f}"
            f"  {','.join(map(str, page['performance_runs'])):14} {m['FCP'] / 1000:6.2f} {m['LCP'] / 1000:6.2f}"
            f" {m['TBT']:7.0f} {m['CLS']:6.3f} {m['bytes'] / 1024:6.0f}"
        )
        for category, ids in page["failed"].items():
            if ids:
                lines.append(f"    {category} below 1: {', '.join(ids)}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (the median is reported)")
    parser.add_argument(
        "--checkout", type=Path, default=ROOT, help="serve this checkout's code (its .venv and node_modules as set up)"
    )
    parser.add_argument("--pages", nargs="*", help="only these paths (default: the six public pages)")
    parser.add_argument("--keep-reports", action="store_true", help="keep each JSON report in bench/results/")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: run `npm ci` (make setup)")
    if not shutil.which(CHROME):
        sys.exit(f"{CHROME} is missing: apt-get install chromium (or set CHROME_PATH)")

    RESULTS.mkdir(parents=True, exist_ok=True)
    checkout = args.checkout.resolve()
    port = free_port()
    loads = [os.getloadavg()[0]]
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    kept = RESULTS / f"lighthouse-{stamp}-reports"
    with tempfile.TemporaryDirectory(prefix="tongtong-lighthouse-") as scratch:
        scratch = Path(scratch)
        env = server_environment(scratch / "bench.sqlite3", port, scratch / "static")
        print(f"setting up {checkout} on SQLite (DEBUG=0, manifest static files)", flush=True)
        prepare(checkout, env)
        log_path = RESULTS / "lighthouse-gunicorn.log"
        server = start_gunicorn(checkout, env, port, log_path)
        print(f"gunicorn: 2 workers on {HOST}:{port}, log in {log_path}", flush=True)
        runs: dict[str, list[dict]] = {}
        try:
            paths = args.pages or public_pages(port)
            for path in paths:  # warm up: the first request of a worker imports the views
                get(port, path)
            for number in range(args.runs):
                for path in paths:
                    out = scratch / "report.json"
                    if args.keep_reports:
                        kept.mkdir(exist_ok=True)
                        out = kept / f"{path.strip('/').replace('/', '_') or 'home'}-{number + 1}.json"
                    result = lighthouse(f"http://{HOST}:{port}{path}", out)
                    runs.setdefault(path, []).append(result)
                    print(f"  run {number + 1}/{args.runs} {path}: {result['scores']}", flush=True)
                loads.append(os.getloadavg()[0])
        finally:
            stop(server)
    pages = {path: summary(page_runs) for path, page_runs in runs.items()}
    print()
    print(report(pages))
    print(
        f"\nLighthouse mobile (simulated slow 4G, 4x CPU slowdown), Chromium {CHROME}; {os.cpu_count()} CPUs"
        f" shared with gunicorn; load average during the run: {', '.join(f'{load:.1f}' for load in loads)}"
    )
    out = RESULTS / f"lighthouse-{stamp}.json"
    out.write_text(
        json.dumps(
            {"when": stamp, "checkout": str(checkout), "runs": args.runs, "load_average": loads, "pages": pages},
            indent=2,
        )
    )
    print(f"results: {out}")
    missed = [
        (path, category, page["scores"][category])
        for path, page in pages.items()
        for category, target in TARGETS.items()
        if page["scores"][category] < target
    ]
    for path, category, score in missed:
        print(f"below target: {path} {category} {score} (target {TARGETS[category]})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
