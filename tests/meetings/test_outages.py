"""The outbox under failure, with real processes: a dead broker while a
citizen submits, a real celery worker that sends what was left pending once
the broker is back, and a worker killed while the SMS gateway is answering.

Each process gets the test database through DATABASE_URL and its own Redis
database (5, flushed first) through REDIS_URL; SMS go to files, one per
message, so they can be counted across processes. These need PostgreSQL
(the suite's SQLite test database lives in memory, out of other processes'
reach) and Redis: skipped without them, failed under CI without Redis.
Every wait has a deadline and every process is stopped in ``finally``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from meetings.models import MeetingRequest, Notification
from meetings.services import notifications
from scheduling import outbox
from scheduling.sms import FileBackend
from tests.conftest import require_service
from tests.meetings.conftest import submit

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
DEAD_BROKER = "redis://127.0.0.1:6390/0"
#: How long a submission may take with the broker down: the page a citizen
#: waits for. The service's first call in a fresh process also pays the
#: process's first imports and database connection (3.4 s once on the
#: two-core CI machine under full load), so it gets more; a client retrying
#: a dead broker (kombu's default) would take far longer than either.
QUICK = 3.0
FIRST_CALL = 8.0


class GatewaySlowToAnswer(FileBackend):
    """An SMS gateway that takes the message (the file is written) and then
    answers slowly: a worker killed meanwhile has sent it without knowing."""

    def send(self, message):
        gateway_id = super().send(message)
        time.sleep(float(os.environ.get("OUTAGE_TEST_GATEWAY_SECONDS", "0")))
        return gateway_id


# --- Processes -----------------------------------------------------------------------


def live_broker_url() -> str:
    """Our own Redis database (5) on the server REDIS_URL names (CI) or the
    local one."""
    server = urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    return f"redis://{server.netloc}/5"


def database_url() -> str:
    """The test database (``test_`` + the configured name) for the other
    processes."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(*, broker: str, sms_dir: Path, **extra) -> dict[str, str]:
    ours = {"DATABASE_URL", "REDIS_URL", "SMS_BACKEND", "SMS_FILE_PATH", "EMAIL_URL", "DEBUG", "SECRET_KEY"}
    env = {key: value for key, value in os.environ.items() if key not in ours}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url(),
        REDIS_URL=broker,
        SMS_BACKEND="file",
        SMS_FILE_PATH=str(sms_dir),
        EMAIL_URL="memorymail://",
        ALLOWED_HOSTS="testserver,localhost",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


#: The worker with broker transport options from the environment (a short
#: visibility timeout, so that a killed worker's task comes back in seconds
#: rather than the production hour); otherwise exactly ``celery -A config``.
WORKER_WITH_TRANSPORT_OPTIONS = """
import json, os, sys
from config.celery import app
extra = json.loads(os.environ["OUTAGE_TEST_TRANSPORT_OPTIONS"])
app.conf.broker_transport_options = {**app.conf.broker_transport_options, **extra}
app.worker_main(sys.argv[1:])
"""


class Worker:
    """``celery -A config worker`` in a process of its own, its log
    collected line by line."""

    def __init__(self, env: dict[str, str], name: str, transport_options: dict | None = None):
        argv = [
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        if transport_options:
            command = [sys.executable, "-c", WORKER_WITH_TRANSPORT_OPTIONS, *argv]
            env = {**env, "OUTAGE_TEST_TRANSPORT_OPTIONS": json.dumps(transport_options)}
        else:
            command = [sys.executable, "-m", "celery", "-A", "config", *argv]
        self.name = name
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def log(self) -> str:
        return "\n".join(self.lines[-60:])

    def wait_for(self, pattern: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if re.search(pattern, line):
                    return line
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"worker {self.name} did not log {pattern!r} within {timeout} s:\n{self.log()}")

    def wait_until_ready(self, timeout: float = 30) -> None:
        self.wait_for(rf"{self.name}@\S+ ready", timeout)

    def task_done(self, task_id: str, timeout: float = 20) -> str:
        return self.wait_for(rf"\[{task_id}\] succeeded", timeout)

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no message handed back."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.reader.join(timeout=5)


@contextmanager
def running_worker(env, name, transport_options=None):
    worker = Worker(env, name, transport_options)
    try:
        worker.wait_until_ready()
        yield worker
    finally:
        worker.stop()


def publish(broker: str, task: str, *args) -> str:
    """Send a task by name, as celery beat or ``celery call`` does; returns
    its id."""
    from celery import Celery

    client = Celery("outage-test-client", broker=broker, set_as_current=False)
    try:
        return client.send_task(task, args=list(args), ignore_result=True).id
    finally:
        client.close()


def wait_until(condition, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{message} (waited {timeout} s)")


def sms_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.txt"))


@pytest.fixture
def broker(db):
    """The live broker, empty; skips on SQLite and without Redis."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "the outage tests share the test database with worker processes; SQLite's test database is in "
            "memory (CI runs them on PostgreSQL: set DATABASE_URL)"
        )
    url = live_broker_url()
    server = urlsplit(url)
    require_service("Redis", server.hostname, server.port or 6379)
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def sms_dir(tmp_path):
    directory = tmp_path / "sms"
    directory.mkdir()
    return directory


# --- The broker is down while a citizen submits ------------------------------------------

SUBMIT_WITH_THE_BROKER_DOWN = r"""
import json, re, sys, time, traceback, uuid
import django
django.setup()
from django.test import Client
from meetings.models import MeetingDay
from meetings.services.requests import meeting_request_submit
from scheduling.models import Neighborhood

day = MeetingDay.objects.get(pk=int(sys.argv[1]))
neighborhood = Neighborhood.objects.get(code="N01")
out = {}
started = time.monotonic()
submission = meeting_request_submit(
    name="홍길동", phone="010-1234-5678", neighborhood=neighborhood, category="roads",
    subject="골목길 보수", description="중앙동 3길 포장이 깨졌습니다.", consent=True,
    submission_key=uuid.uuid4(), preferred_days=[day],
)
out["service_seconds"] = time.monotonic() - started
out["service_reference"] = submission.request.reference

try:  # the public page, as a phone would send it
    client = Client()
    form = client.get("/meetings/request/")
    key = re.search(rb'name="submission_key" value="([^"]+)"', form.content).group(1).decode()
    started = time.monotonic()
    page = client.post("/meetings/request/", {
        "name": "김철수", "phone": "010-2345-6789", "email": "", "neighborhood": neighborhood.pk,
        "category": "roads", "subject": "가로등 고장", "description": "중앙동 5길 가로등이 꺼져 있습니다.",
        "group_size": "1", "preferred_days": [day.original_date.isoformat()], "consent": "on", "submission_key": key,
    })
    out["page_seconds"] = time.monotonic() - started
    out["page_status"] = page.status_code
    out["page_location"] = page.get("Location", "")
except Exception:
    out["page_error"] = traceback.format_exc()
print("RESULT " + json.dumps(out))
"""


def test_a_dead_broker_neither_slows_nor_loses_a_submission_and_the_flush_sends_it_once(broker, future_days, sms_dir):
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", urlsplit(DEAD_BROKER).port)) != 0, "the 'dead' port is in use"
    day = future_days[0]
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", SUBMIT_WITH_THE_BROKER_DOWN, str(day.pk)],
        cwd=ROOT,
        env=process_env(broker=DEAD_BROKER, sms_dir=sms_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.split("RESULT ", 1)[1])
    assert time.monotonic() - started < 30  # the whole process, start-up included

    # The service and the page both answered quickly, and saved the request.
    assert out["service_seconds"] < FIRST_CALL, out
    assert "page_error" not in out, out["page_error"]
    assert out["page_status"] == 302 and "/meetings/request/" in out["page_location"], out
    assert out["page_seconds"] < QUICK, out
    requests = MeetingRequest.objects.order_by("pk")
    assert requests.count() == 2
    assert requests.first().reference == out["service_reference"]
    # Their confirmations wait in the outbox; nothing was sent.
    pending = Notification.objects.filter(kind="submitted", status="pending")
    assert pending.count() == 2
    assert sms_files(sms_dir) == []

    # The broker is back; a minute later beat runs the flush, a real worker sends them.
    pending.update(created_at=timezone.now() - timezone.timedelta(minutes=1))
    with running_worker(process_env(broker=broker, sms_dir=sms_dir), "outage-flush") as worker:
        flush = publish(broker, "scheduling.flush_outbox")
        worker.task_done(flush)
        wait_until(lambda: len(sms_files(sms_dir)) == 2, 20, "the two confirmations were not sent")
        wait_until(
            lambda: Notification.objects.filter(status="sent").count() == 2, 10, "the outbox did not record them"
        )
        # Beat runs again, and the same messages are handed to the worker once more: nothing new.
        again = [publish(broker, "scheduling.flush_outbox")]
        again += [
            publish(broker, "scheduling.send_outbox_message", "meetings.Notification", pk)
            for pk in Notification.objects.values_list("pk", flat=True)
        ]
        for task_id in again:
            worker.task_done(task_id)
    files = sms_files(sms_dir)
    assert len(files) == 2
    texts = "\n".join(f.read_text(encoding="utf-8") for f in files)
    assert all(r.reference in texts for r in requests)
    assert "Kind: LMS" in texts  # the confirmation with its link
    assert list(Notification.objects.values_list("status", "attempts")) == [("sent", 1), ("sent", 1)]


# --- A worker killed while the gateway is answering -----------------------------------------


def test_a_worker_killed_mid_send_runs_the_task_again_without_a_second_sms(broker, future_days, sms_dir, monkeypatch):
    with monkeypatch.context() as broker_down:  # the row is written; the test hands it to the worker itself
        broker_down.setattr(notifications, "enqueue", lambda ids: None)
        request = submit(future_days[:1]).request
    notification = request.notifications.get()
    transport = {"visibility_timeout": 2, "unacked_restore_interval": 1, "unacked_restore_throttle": 1}
    env = process_env(broker=broker, sms_dir=sms_dir, SMS_BACKEND="tests.meetings.test_outages.GatewaySlowToAnswer")

    first = Worker({**env, "OUTAGE_TEST_GATEWAY_SECONDS": "60"}, "outage-killed", transport)
    try:
        first.wait_until_ready()
        task_id = publish(broker, "scheduling.send_outbox_message", "meetings.Notification", notification.pk)
        first.wait_for(rf"\[{task_id}\] received", 20)
        wait_until(lambda: sms_files(sms_dir), 20, "the gateway never got the message")
        first.kill()  # while the gateway is still answering
    finally:
        first.stop()
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sending", 1)
    assert len(sms_files(sms_dir)) == 1

    time.sleep(transport["visibility_timeout"])  # the unacknowledged message becomes visible again
    with running_worker(env, "outage-restarted", transport) as second:
        line = second.task_done(task_id, timeout=30)  # acks_late: the same task runs again...
        assert line.endswith("False")  # ...and finds the message claimed
        flush = publish(broker, "scheduling.flush_outbox")
        second.task_done(flush)
    assert len(sms_files(sms_dir)) == 1  # no second SMS
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sending", 1)  # for an operator to check
    later = timezone.now() + outbox.STUCK_AFTER
    assert list(outbox.stuck(Notification, now=later)) == [notification]
