"""Benchmark: the citizen's form → code → done flow, with and without the
phone verification step (issue 15), on gunicorn and PostgreSQL, beside the
trivial view. Run by hand (not a test)::

    .venv/bin/python bench/verification_flow.py
    .venv/bin/python bench/verification_flow.py --flows 300 --concurrency 8

In one run:

1. (re)creates the bench database (its name must contain "bench"), migrates
   it, seeds the demo city (``bench/meetings_form.py``'s set-up);
2. starts two gunicorns with 2 sync workers each, as in production
   (``DEBUG=0``), on the same database: one with ``PHONE_VERIFICATION=1``,
   one with ``=0``; both with ``RATELIMIT_ENABLE=0`` (one client address
   sends every request) and ``SMS_BACKEND=file`` into a folder of their own,
   where the client reads the code as the citizen reads it on the phone;
3. measures, in interleaved rounds, ``GET /healthz`` and a whole flow on each
   server: GET the form, POST it, and — with verification — GET the code
   page, read the code from the texted file, POST it; a flow counts when it
   ends on the done page. A flow's time runs from the form's POST to the
   done page (the citizen's typing excluded);
4. prints flows/s and percentiles, the ratio of the two flows (the
   must-hold: the verification step does not halve the throughput) and to
   the trivial view; writes JSON under ``bench/results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meetings_form import (
    CSRF_INPUT,
    DEFAULT_DATABASE_URL,
    NEIGHBORHOOD_SELECT,
    OPTION,
    RESULTS,
    ROOT,
    SUBMISSION_KEY,
    Outcome,
    Samples,
    fetch,
    free_port,
    get_action,
    prepare_database,
    report,
    run,
    server_environment,
    start_gunicorn,
    stop,
    summarise,
)

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def _cookies(response, jar: dict[str, str]) -> dict[str, str]:
    for key, value in response.headers:
        if key.lower() == "set-cookie":
            name, _sep, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]
    return jar


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def _read_code(sms_dir: Path, phone: str, deadline: float) -> str | None:
    while time.monotonic() < deadline:
        for path in sms_dir.glob("*.txt"):
            text = path.read_text(encoding="utf-8")
            if f"To: {phone}\n" in text and (match := CODE.search(text.split("\n\n", 1)[1])):
                path.unlink(missing_ok=True)
                return match.group(1)
        time.sleep(0.005)
    return None


def flow_action(port: int, sms_dir: Path, seed: int, *, verify: bool):
    rng = random.Random(seed)
    lock = threading.Lock()

    def action(i: int) -> Outcome:
        jar: dict[str, str] = {}
        form = fetch(port, "GET", "/meetings/request/")
        html = form.body.decode()
        _cookies(form, jar)
        select = NEIGHBORHOOD_SELECT.search(html)
        with lock:
            phone = f"010-{rng.randint(2000, 4999)}-{rng.randint(1000, 9999)}"
            neighborhood = rng.choice(OPTION.findall(select.group(0)))
        fields = [
            ("csrfmiddlewaretoken", CSRF_INPUT.search(html).group(1)),
            ("submission_key", SUBMISSION_KEY.search(html).group(1)),
            ("name", "홍길동"),
            ("phone", phone),
            ("neighborhood", neighborhood),
            ("category", "roads"),
            ("subject", f"골목길 보수 요청 {i}"),
            ("description", "중앙동 3길 포장이 깨져 비 오는 날 물웅덩이가 생깁니다."),
            ("group_size", "1"),
            ("consent", "on"),
        ]
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        started = time.perf_counter()
        sent = fetch(
            port, "POST", "/meetings/request/", urlencode(fields).encode(), {**headers, "Cookie": _cookie_header(jar)}
        )
        _cookies(sent, jar)
        where = sent.header("Location")
        if verify:
            if sent.status != 302 or where != "/meetings/request/verify/":
                return Outcome(False, 0.0, f"form: HTTP {sent.status} {where}")
            page = fetch(port, "GET", where, headers={"Cookie": _cookie_header(jar)})
            _cookies(page, jar)
            token = CSRF_INPUT.search(page.body.decode())
            code = _read_code(sms_dir, phone, time.monotonic() + 10)
            if not (token and code):
                return Outcome(False, 0.0, "no code page or no code texted")
            body = urlencode([("csrfmiddlewaretoken", token.group(1)), ("action", "verify"), ("code", code)]).encode()
            sent = fetch(port, "POST", where, body, {**headers, "Cookie": _cookie_header(jar)})
            where = sent.header("Location")
        elapsed = time.perf_counter() - started
        if sent.status == 302 and "/meetings/request/done/" in where:
            return Outcome(True, elapsed)
        return Outcome(False, elapsed, f"HTTP {sent.status} {where}")

    return action


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--requests", type=int, default=1000, help="GET /healthz in all")
    parser.add_argument("--flows", type=int, default=300, help="flows per server in all")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=90)
    parser.add_argument("--skip-setup", action="store_true")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tongtong-bench-") as scratch:
        scratch = Path(scratch)
        servers, dirs, ports = [], {}, {}
        for verify in (True, False):
            port = free_port()
            sms_dir = scratch / f"sms-{int(verify)}"
            sms_dir.mkdir()
            env = server_environment(args.database_url, port, str(scratch / "static"), "")
            env.update(
                PHONE_VERIFICATION="1" if verify else "0",
                RATELIMIT_ENABLE="0",
                SMS_BACKEND="file",
                SMS_FILE_PATH=str(sms_dir),
            )
            if verify and not args.skip_setup:
                print(f"bench database {urlsplit(args.database_url).path.lstrip('/')}: setting up", flush=True)
                prepare_database(args.database_url, env)
            servers.append(start_gunicorn(env, port, args.workers, RESULTS / f"gunicorn-{int(verify)}.log"))
            dirs[verify], ports[verify] = sms_dir, port
        try:
            scenarios = [
                ("GET /healthz", get_action(ports[True], "/healthz"), args.requests),
                ("flow with the code", flow_action(ports[True], dirs[True], 1, verify=True), args.flows),
                ("flow without the code", flow_action(ports[False], dirs[False], 2, verify=False), args.flows),
            ]
            samples = {name: Samples() for name, _a, _t in scenarios}
            loads = [os.getloadavg()[0]]
            for round_number in range(args.rounds):
                for name, action, total in scenarios:
                    share = total // args.rounds
                    run(
                        action,
                        samples[name],
                        start=round_number * share,
                        total=share,
                        concurrency=args.concurrency,
                        max_seconds=args.max_seconds / args.rounds,
                    )
                loads.append(os.getloadavg()[0])
                print(f"  round {round_number + 1}/{args.rounds} done (load average {loads[-1]:.1f})", flush=True)
        finally:
            for server in servers:
                stop(server)
    results = [summarise(name, samples[name]) for name, _a, _t in scenarios]
    healthz, with_code, without_code = results
    print()
    print(report(results, healthz))
    ratio = with_code.per_second / without_code.per_second if without_code.per_second else 0
    print(f"\nflows/s with the code ÷ without: {ratio:.2f} (must stay above 0.50)")
    average = ", ".join(f"{x:.1f}" for x in loads)
    print(f"{os.cpu_count()} CPUs shared by both servers and the client; load average: {average}")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"verification_flow-{stamp}.json"
    out.write_text(
        json.dumps(
            {"when": stamp, "ratio": ratio, "load_average": loads, "results": [asdict(r) for r in results]},
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
