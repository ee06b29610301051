"""Proxy trust (issue 14, item 5): X-Forwarded-For and X-Forwarded-Proto
count only when the socket peer is in TRUSTED_PROXIES
(scheduling/client_ip.py). The rate limit and the lockout tests with forged
headers are in tests/meetings/public/test_rate_limit.py and
tests/scheduling/test_login_lockout.py."""

import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from scheduling.client_ip import TrustedProxyMiddleware, client_ip
from tests.config.test_settings import ROOT, clean_env, probe

LOOPBACK = ["127.0.0.0/8", "::1/128"]


def _request(remote, forwarded_for=None, proto=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    if proto is not None:
        extra["HTTP_X_FORWARDED_PROTO"] = proto
    return RequestFactory().get("/", **extra)


def test_the_default_trusts_loopback_only():
    assert django_settings.TRUSTED_PROXIES == LOOPBACK


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded_for", "expected"),
    [
        # Nobody we trust: the socket address, whatever the header says.
        (LOOPBACK, "198.51.100.20", "10.0.0.1", "198.51.100.20"),
        (LOOPBACK, "198.51.100.20", "127.0.0.1, 10.0.0.1", "198.51.100.20"),
        ([], "127.0.0.1", "203.0.113.5", "127.0.0.1"),
        # Our nginx on the same host: the hop it wrote; the client's own entries are never read.
        (LOOPBACK, "127.0.0.1", "203.0.113.5", "203.0.113.5"),
        (LOOPBACK, "127.0.0.1", "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (LOOPBACK, "::1", "2001:db8::7", "2001:db8::7"),
        (LOOPBACK, "::ffff:127.0.0.1", "203.0.113.5", "203.0.113.5"),  # a dual-stack socket
        # LB (10.1.0.7) -> nginx (loopback) -> gunicorn, both appending: two trusted hops skipped.
        ([*LOOPBACK, "10.1.0.0/16"], "127.0.0.1", "6.6.6.6, 203.0.113.5, 10.1.0.7", "203.0.113.5"),
        # ...but with only nginx trusted, the balancer is the client (too strict, never open).
        (LOOPBACK, "127.0.0.1", "6.6.6.6, 203.0.113.5, 10.1.0.7", "10.1.0.7"),
        # A trusted proxy without the header: the proxy itself.
        (LOOPBACK, "127.0.0.1", None, "127.0.0.1"),
        # Garbage in the chain stops at the last good address.
        (LOOPBACK, "127.0.0.1", "203.0.113.5, not-an-ip", "127.0.0.1"),
        (LOOPBACK, "127.0.0.1", "203.0.113.5:4431", "127.0.0.1"),
        # Only proxies of ours in the header: the leftmost of them.
        (LOOPBACK, "127.0.0.1", "127.0.0.2", "127.0.0.2"),
    ],
)
def test_the_client_address(settings, trusted, remote, forwarded_for, expected):
    settings.TRUSTED_PROXIES = trusted
    assert client_ip(_request(remote, forwarded_for)) == expected


@pytest.mark.parametrize(
    ("remote", "proto", "secure"),
    [
        ("203.0.113.9", "https", False),  # a forged header from someone who reached gunicorn directly
        ("10.0.0.2", "https", False),
        ("127.0.0.1", "https", True),  # our nginx
        ("127.0.0.1", "http", False),
        ("127.0.0.1", "https, http", False),
        ("127.0.0.1", None, False),
    ],
)
def test_x_forwarded_proto_counts_from_a_trusted_proxy_only(settings, remote, proto, secure):
    settings.TRUSTED_PROXIES = LOOPBACK
    assert settings.SECURE_PROXY_SSL_HEADER is None  # Django's own switch would believe anyone
    request = _request(remote, proto=proto)
    assert TrustedProxyMiddleware(lambda r: r.is_secure())(request) is secure


@pytest.mark.django_db
def test_a_forged_proto_from_an_untrusted_peer_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    forged = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.9")
    assert forged.status_code == 301
    assert forged["Location"].startswith("https://")
    ours = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="127.0.0.1")
    assert ours.status_code == 200


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRUSTED_PROXIES": "10.0.0.300"}, "TRUSTED_PROXIES: '10.0.0.300' is not an IP address or network"),
        ({"TRUSTED_PROXIES": "10.0.0.1/8"}, "TRUSTED_PROXIES: '10.0.0.1/8' is not an IP address or network"),
        ({"TRUSTED_PROXIES": "127.0.0.1;10.0.0.1"}, "TRUSTED_PROXIES: '127.0.0.1;10.0.0.1'"),
        ({"TRUSTED_PROXIES": "0.0.0.0/0"}, "TRUSTED_PROXIES: '0.0.0.0/0' would trust every address"),
        ({"TRUSTED_PROXIES": "::/0"}, "TRUSTED_PROXIES: '::/0' would trust every address"),
        ({"TRUSTED_PROXIES": "*"}, "TRUSTED_PROXIES: '*'"),
        ({"BEHIND_PROXY": "1"}, "BEHIND_PROXY is no longer read: list the proxies in TRUSTED_PROXIES"),
        ({"NUM_PROXIES": "2"}, "NUM_PROXIES is no longer read"),
    ],
)
def test_a_bad_trusted_proxies_value_stops_the_start_up(env, message):
    result = probe(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_trusted_proxies_are_read_from_the_environment():
    code = "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXIES)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(TRUSTED_PROXIES="127.0.0.1, 10.1.0.0/16 2001:db8::1", DJANGO_SETTINGS_MODULE="config.settings"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['127.0.0.1/32', '10.1.0.0/16', '2001:db8::1/128']"
    empty = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(TRUSTED_PROXIES=""),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert empty.stdout.strip() == "[]"


def test_the_system_check_refuses_django_s_own_proxy_ssl_header(settings):
    from scheduling.checks import proxy_trust_check

    assert proxy_trust_check() == []
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert [error.id for error in proxy_trust_check()] == ["tongtong.E002"]


def test_the_system_check_wants_the_middleware_before_the_security_middleware(settings):
    from scheduling.checks import TRUSTED_PROXY_MIDDLEWARE, proxy_trust_check

    without = [name for name in settings.MIDDLEWARE if name != TRUSTED_PROXY_MIDDLEWARE]
    settings.MIDDLEWARE = without
    assert [error.id for error in proxy_trust_check()] == ["tongtong.E003"]
    settings.MIDDLEWARE = [*without, TRUSTED_PROXY_MIDDLEWARE]
    assert [error.id for error in proxy_trust_check()] == ["tongtong.E003"]
