"""Production settings (DEBUG=0) pass Django's deployment check and send the
security headers; weakening one of them makes the check fail.

Each case runs in its own process, as an operator would run it, because
settings are read once, from the environment, at start-up."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Variables the settings read that would change the outcome if the
#: developer's shell happened to set them.
OURS = {
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "BEHIND_PROXY",
    "NUM_PROXIES",
    "TRUSTED_PROXIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "CSRF_TRUSTED_ORIGINS",
    "STATIC_MANIFEST",
    # Set by the browser suite's conftest for its own process; never in deployment.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="tongtong.example.go.kr",
        # A throw-away database: nothing here may touch the project's db.sqlite3.
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    env.update(extra)
    return env


def deploy_check(tmp_path, **extra):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_check(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("weakening", "check_id"),
    [
        ({"SECRET_KEY": "x" * 60}, "security.W009"),  # a guessable key
        ({"SECURE_SSL_REDIRECT": "0"}, "security.W008"),  # plain HTTP served
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),  # no HSTS
    ],
)
def test_a_weakened_setting_fails_the_deployment_check(tmp_path, weakening, check_id):
    result = deploy_check(tmp_path, **weakening)
    assert result.returncode != 0
    assert check_id in result.stderr


HEADERS_PROBE = """
import json, django
django.setup()
from django.test import Client
plain = Client().get("/healthz", HTTP_HOST="tongtong.example.go.kr")
forged = Client().get("/healthz", HTTP_HOST="tongtong.example.go.kr", HTTP_X_FORWARDED_PROTO="https")
direct = Client().get(
    "/healthz", HTTP_HOST="tongtong.example.go.kr", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.9"
)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "direct": [direct.status_code, direct.get("Location"), "Strict-Transport-Security" in direct],
    "https": [forged.status_code, dict(forged.headers)],
}))
"""


def test_production_responses_carry_the_security_headers(tmp_path):
    """Behind the proxy (X-Forwarded-Proto: https from a trusted peer, here
    loopback) a page comes with HSTS, the Content-Security-Policy and the
    other headers; over plain HTTP the browser is sent to HTTPS first, and so
    is anyone who reaches gunicorn directly with a forged X-Forwarded-Proto."""
    result = subprocess.run(
        [sys.executable, "-c", HEADERS_PROBE],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["plain"] == [301, "https://tongtong.example.go.kr/healthz"]
    assert answer["direct"] == [301, "https://tongtong.example.go.kr/healthz", False]
    status, headers = answer["https"]
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
