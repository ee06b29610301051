"""CSRF is enforced on every POST: the middleware is on, no view of ours
opts out, and a form posted without its token is refused (with the Korean
page that explains how to send it again), never processed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from meetings.models import MeetingRequest


def _views(resolver: URLResolver, prefix: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_the_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_no_view_opts_out_of_csrf():
    exempt = [route for route, view in _views(get_resolver()) if getattr(view, "csrf_exempt", False)]
    # Except the provider's delivery reports: a server-to-server call without
    # a browser or a session, authenticated by its shared secret instead
    # (scheduling/solapi_webhook.py; tested in tests/meetings/test_alimtalk.py),
    # and the mayor's SMS phone's inbound messages, signed by HMAC
    # (petitions/intake/webhook.py; tests/petitions/intake/test_inbound.py).
    assert sorted(exempt) == ["hooks/solapi/inbound/", "hooks/solapi/reports/"]


@pytest.mark.django_db
def test_a_post_without_its_token_is_refused_and_changes_nothing():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/meetings/request/", {"name": "홍길동", "phone": "010-1234-5678"})
    assert response.status_code == 403
    assert "다시" in response.content.decode()  # the page says how to send it again
    assert not MeetingRequest.objects.exists()
    login = client.post("/staff/login/", {"username": "admin", "password": "x"})
    assert login.status_code == 403
