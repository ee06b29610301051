"""Benchmark: the petition office's intake on gunicorn, beside a trivial view.

Run by hand (not a test)::

    .venv/bin/python bench/petitions_intake.py
    .venv/bin/python bench/petitions_intake.py --database-url postgres://postgres@127.0.0.1:5432/tt_pintake_bench \\
        --requests 2000 --messages 1000 --concurrency 8

In one run, on the server ``bench/meetings_form.py`` sets up (a fresh
PostgreSQL bench database with the demo city, ``python -m gunicorn
config.wsgi`` with 2 sync workers, ``DEBUG=0``, production settings) with
``SOLAPI_INBOUND_SECRET`` set, it measures in interleaved rounds:

- ``GET /healthz`` (the trivial view: one ``SELECT 1``),
- ``GET /petitions/`` (the public board "시장에게 바란다" and its form),
- ``POST /hooks/solapi/inbound/``: a burst of ``--messages`` (1,000) signed
  deliveries of the mayor's SMS phone's inbound webhook from 300 numbers,
  100 of them redeliveries of an earlier message, posted by
  ``--concurrency`` client threads at once; each first message of a
  number opens a petition and sends its receipt through the outbox
  (eager, console SMS backend).

It prints requests/s, p50/p95/p99 and errors for each with the ratio to the
trivial view, then checks the database: exactly one petition per number,
one inbound row per distinct message, one receipt per petition. Results go
to ``bench/results/`` as JSON. Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from meetings_form import (  # the bench scripts share their server and client
    RESULTS,
    ROOT,
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

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tt_pintake_bench"
PHONES = 300


def burst(count: int, duplicates: int, seed: int) -> tuple[list[bytes], int, int]:
    """The deliveries' bodies (one message each), how many numbers and distinct messages."""
    rng = random.Random(seed)
    day = dt.date.today().isoformat()
    unique = [
        {
            "messageId": f"BENCH{seed}-{i:06d}",
            "from": f"010-7{rng.randrange(PHONES):03d}-{seed % 10000:04d}",
            "to": "0310000000",
            "text": f"소통문자 {i}: 우리 동네 가로등이 꺼져 있습니다.",
            "type": "SMS",
            "dateReceived": f"{day}T11:00:00+09:00",
        }
        for i in range(count - duplicates)
    ]
    deliveries = unique + [rng.choice(unique) for _ in range(duplicates)]
    rng.shuffle(deliveries)
    bodies = [json.dumps(message, ensure_ascii=False).encode() for message in deliveries]
    return bodies, len({message["from"] for message in unique}), len(unique)


def inbound_action(port: int, bodies: list[bytes], secret: str):
    def action(i: int) -> Outcome:
        body = bodies[i]
        sign = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        response = fetch(
            port,
            "POST",
            "/hooks/solapi/inbound/",
            body=body,
            headers={"Content-Type": "application/json", "X-Tongtong-Signature": sign},
        )
        return Outcome(
            response.status == 200, response.seconds, "" if response.status == 200 else f"HTTP {response.status}"
        )

    return action


def check_database(env: dict[str, str], seed: int) -> dict:
    """What the burst left in the database: petitions, inbound rows, receipts of this run's numbers."""
    script = (
        "import json, django; django.setup();"
        "from petitions.models import InboundMessage, Petition, PetitionNotification;"
        f"ids = InboundMessage.objects.filter(message_id__startswith='BENCH{seed}-');"
        "petitions = Petition.objects.filter(inbound_messages__in=ids).distinct();"
        "print(json.dumps({'petitions': petitions.count(), 'inbound': ids.count(),"
        " 'receipts': PetitionNotification.objects.filter(petition__in=petitions, kind='receipt').count()}))"
    )
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default="", help="run with this broker (default: none, eager tasks)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--requests", type=int, default=2000, help="GETs per measured view")
    parser.add_argument("--messages", type=int, default=1000, help="inbound webhook deliveries")
    parser.add_argument("--duplicates", type=int, default=100, help="of which redeliveries")
    parser.add_argument("--max-seconds", type=float, default=120, help="time cap per measured view (all rounds)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--seed", type=int, default=int(dt.datetime.now().timestamp()) % 100000)
    parser.add_argument("--skip-setup", action="store_true", help="reuse the bench database as it is")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    secret = secrets.token_urlsafe(24)
    bodies, numbers, distinct = burst(args.messages, args.duplicates, args.seed)
    with tempfile.TemporaryDirectory(prefix="tongtong-bench-static-") as static_root:
        env = server_environment(args.database_url, port, static_root, args.redis_url)
        env["SOLAPI_INBOUND_SECRET"] = secret
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
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port} (DEBUG=0), log in {log_path}", flush=True)
        try:
            for path in ("/healthz", "/petitions/"):  # warm up both workers
                for _n in range(20):
                    fetch(port, "GET", path)
            scenarios = [
                ("GET /healthz", get_action(port, "/healthz"), args.requests),
                ("GET /petitions/", get_action(port, "/petitions/"), args.requests),
                ("POST /hooks/solapi/inbound/", inbound_action(port, bodies, secret), len(bodies)),
            ]
            samples = {name: Samples() for name, _action, _total in scenarios}
            loads = [os.getloadavg()[0]]
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
        found = check_database(env, args.seed)
    results = [summarise(name, samples[name]) for name, _action, _total in scenarios]
    healthz = results[0]
    expected = {"petitions": numbers, "inbound": distinct, "receipts": numbers}
    print()
    print(report(results, healthz))
    print(f"\nburst: {len(bodies)} deliveries ({args.duplicates} redeliveries) from {numbers} numbers")
    print(f"database: {found} (expected {expected}) {'OK' if found == expected else 'MISMATCH'}")
    print(
        f"{os.cpu_count()} CPUs shared by server and client; load average during the run:"
        f" {', '.join(f'{load:.1f}' for load in loads)}"
    )
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"petitions_intake-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": stamp,
                "workers": args.workers,
                "concurrency": args.concurrency,
                "cpus": os.cpu_count(),
                "rounds": args.rounds,
                "load_average": loads,
                "burst": {"deliveries": len(bodies), "duplicates": args.duplicates, "numbers": numbers},
                "database": found,
                "expected": expected,
                "results": [asdict(result) for result in results],
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"\nwritten to {out.relative_to(ROOT)}")
    if found != expected:
        sys.exit(1)


if __name__ == "__main__":
    main()
