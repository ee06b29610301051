"""Settings come from the environment: the embedded default with none, the
production parts when DATABASE_URL and REDIS_URL are set, and a loud failure
on a bad value."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import require_service

#: What the settings read from the environment is what the CI passes differ in: run in both.
pytestmark = pytest.mark.configuration_dependent
ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.core.cache import caches
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "tz": settings.TIME_ZONE,
    "lang": settings.LANGUAGE_CODE,
    "debug": settings.DEBUG,
    "sms": settings.SMS_BACKEND,
    "email": settings.EMAIL_BACKEND,
}))
"""


def clean_env(**extra):
    """The process environment without any of our variables, plus ``extra``."""
    ours = {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL", "SMS_BACKEND"}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(extra)
    return env


def probe(**extra):
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean_env(**extra), capture_output=True, text=True, timeout=60
    )
    return result


def test_no_environment_gives_sqlite_eager_tasks_and_local_cache():
    result = probe()
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["db_name"].endswith("db.sqlite3")
    assert config["eager"] is True
    assert config["cache"].endswith("LocMemCache")
    assert config["tz"] == "Asia/Seoul"
    assert config["lang"] == "ko"
    assert config["sms"] == "console"
    assert config["email"].endswith("console.EmailBackend")


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    result = probe(DATABASE_URL="postgres://postgres@127.0.0.1:5432/tongtong", REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["db_name"] == "tongtong"
    assert config["eager"] is False
    assert config["broker"] == "redis://127.0.0.1:6379/3"
    assert config["cache"].endswith("RedisCache")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "ture"}, "DEBUG='ture' is not a boolean"),
        ({"DEBUG": "0"}, "SECRET_KEY must be set"),
        ({"DB_CONN_MAX_AGE": "soon"}, "DB_CONN_MAX_AGE='soon' is not a whole number"),
        ({"MEDIA_ROOT": "/srv/t/media", "PRIVATE_MEDIA_ROOT": "/srv/t/media/private"}, "PRIVATE_MEDIA_ROOT="),
        ({"MEDIA_ROOT": "/srv/t/media", "PRIVATE_MEDIA_ROOT": "/srv/t"}, "must be outside MEDIA_ROOT"),
        ({"PRIVATE_MEDIA_ACCEL_PREFIX": "private"}, "PRIVATE_MEDIA_ACCEL_PREFIX='private' is not a location"),
        ({"PRIVATE_MEDIA_ACCEL_PREFIX": "/media/private/"}, "PRIVATE_MEDIA_ACCEL_PREFIX="),
        ({"FEED_TOKEN_DAYS": "a year"}, "FEED_TOKEN_DAYS='a year' is not a whole number"),
        ({"FEED_TOKEN_DAYS": "0"}, "FEED_TOKEN_DAYS=0 must be at least 1"),
        ({"FEED_TOKEN_DAYS": "99999999999"}, "FEED_TOKEN_DAYS=99999999999 must be at most 3650"),
        ({"FEED_TOKEN_NOTICE_DAYS": "365"}, "FEED_TOKEN_NOTICE_DAYS=365 must be less than FEED_TOKEN_DAYS=365"),
        ({"RATELIMIT_FEED_MISS": "lots"}, "RATELIMIT_FEED_MISS='lots' is not a rate"),
    ],
)
def test_a_bad_value_stops_the_start_up_with_its_name(env, message):
    result = probe(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_need_a_secret_and_hosts():
    result = probe(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="tongtong.example.go.kr")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is False


def test_eager_mode_runs_a_task_in_process(settings):
    from scheduling.tasks import ping

    if not settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("a broker is configured; the worker test covers this")
    assert ping.delay().get(timeout=5) == "pong"


def test_a_real_worker_runs_tasks_through_redis():
    """Start a celery worker the way an operator would and send it a task
    through Redis."""
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    host_port = redis_url.split("//", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    host, _, port = host_port.partition(":")
    require_service("Redis", host, int(port or 6379))
    env = clean_env(REDIS_URL=redis_url)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sender = "from scheduling.tasks import ping; import django; django.setup(); print(ping.delay().get(timeout=30))"
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-c", sender], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "pong"
        assert time.monotonic() - started < 45
    finally:
        worker.terminate()
        worker.wait(timeout=20)
