"""Abuse protection on the public side: per-address rate limits on the
request form and on the pages behind a private link (429 with the Korean
page), an X-Forwarded-For that cannot reset them, the global switch, and the
request form's honeypot.

The cache is emptied before every test (tests/conftest.py), so each test
starts with fresh counters; on PostgreSQL+Redis the counters are in Redis.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.staticfiles import finders

from meetings.models import MeetingRequest, Notification
from scheduling.models import Neighborhood
from scheduling.sms import outbox
from tests.meetings.conftest import post_request_form

pytestmark = pytest.mark.django_db

FORM_URL = "/meetings/request/"


@pytest.fixture(autouse=True)
def _counting_window_does_not_turn(monkeypatch):
    """django-ratelimit counts in fixed windows (a minute, ten minutes) that
    start anew at a moment of their own: a test that crossed one would see its
    counter reset. Its clock stands still during these tests."""
    from django_ratelimit import core

    now = time.time()
    monkeypatch.setattr(core, "time", SimpleNamespace(time=lambda: now))


def _key(client, **extra) -> str:
    page = client.get(FORM_URL, **extra).content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


def _data(client, *, subject="골목길 보수", **overrides) -> dict:
    data = {
        "name": "홍길동",
        "phone": "010 1234 5678",
        "email": "",
        "neighborhood": Neighborhood.objects.get(code="N01").pk,
        "category": "roads",
        "subject": subject,
        "description": "중앙동 3길 포장이 깨졌습니다.",
        "group_size": "1",
        "consent": "on",
        "submission_key": _key(client),  # GETs of the form are not counted
    }
    data.update(overrides)
    return data


def _post(client, n: int, **extra):
    return post_request_form(client, _data(client, subject=f"요청 {n}"), **extra)


def _assert_the_429_page(response, *, after_post: bool):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response["Cache-Control"].startswith("no-store")
    page = response.content.decode()
    assert '<html lang="ko">' in page  # the site's layout, in Korean
    assert 'id="rate-limited"' in page
    assert "031-000-0000" in page  # the secretariat's phone (CITY_PHONE)
    assert re.search(r"\b\d{2}:\d{2}\b", page)  # the time to try again
    assert ("back button" in _english(response)) is after_post


def _english(response) -> str:
    """The same 429 page in English (msgids; the Korean comes from the .po)."""
    request = response.wsgi_request
    send = response.client.post if request.method == "POST" else response.client.get
    again = send(request.get_full_path(), HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=request.META["REMOTE_ADDR"])
    assert again.status_code == 429
    text = again.content.decode()
    assert "If it is urgent, call the Citizen Communication Team at 031-000-0000." in text
    return text


def test_five_submissions_from_one_address_go_through_and_the_sixth_gets_429(client, future_days):
    for n in range(5):
        response = _post(client, n)
        assert response.status_code == 302, n
        assert "/meetings/request/done/" in response["Location"]
    assert MeetingRequest.objects.count() == 5
    sent = len(outbox)

    sixth = _post(client, 6)
    _assert_the_429_page(sixth, after_post=True)
    # Nothing stored, nothing sent.
    assert MeetingRequest.objects.count() == 5
    assert len(outbox) == sent
    # Reading the form is still possible.
    assert client.get(FORM_URL).status_code == 200


def test_another_address_is_not_limited(client, future_days):
    for n in range(6):
        _post(client, n, REMOTE_ADDR="198.51.100.7")
    assert _post(client, 7, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert _post(client, 8, REMOTE_ADDR="203.0.113.9").status_code == 302
    assert MeetingRequest.objects.count() == 6


def test_a_forged_x_forwarded_for_from_an_untrusted_peer_does_not_reset_the_limit(client, future_days, settings):
    """Someone who reaches gunicorn directly (not through our proxy) writes a
    new X-Forwarded-For every time: the socket address is counted."""
    settings.TRUSTED_PROXIES = ["127.0.0.0/8", "::1/128"]
    direct = {"REMOTE_ADDR": "198.51.100.20"}
    answers = [_post(client, n, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}", **direct).status_code for n in range(7)]
    assert answers == [302] * 5 + [429] * 2
    assert MeetingRequest.objects.count() == 5


def test_behind_our_proxy_only_the_hop_it_appends_counts(client, future_days, settings):
    """The client writes a new address every time; our proxy (10.0.0.2, in
    TRUSTED_PROXIES) appends the real one (203.0.113.50)."""
    settings.TRUSTED_PROXIES = ["10.0.0.2/32"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    answers = [
        _post(client, n, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.50", **proxy).status_code for n in range(7)
    ]
    assert answers == [302] * 5 + [429] * 2
    # Another citizen behind the same proxy has their own counter.
    other = _post(client, 9, HTTP_X_FORWARDED_FOR="203.0.113.51", **proxy)
    assert other.status_code == 302
    assert MeetingRequest.objects.count() == 6


def test_status_lookups_are_limited_per_address(client, submitted, settings):
    settings.RATELIMIT_STATUS = "30/m"
    url = f"/meetings/status/{submitted.token}/"
    assert all(client.get(url).status_code == 200 for _ in range(20))
    # Guessing tokens counts against the same limit (every answer a 404)...
    assert all(client.get(f"/meetings/status/guess-{n}/").status_code == 404 for n in range(5))
    # ...and so do the .ics and the actions behind the same link.
    assert client.get(f"{url}appointment.ics").status_code == 404  # no appointment yet
    assert client.get(f"{url}cancel/").status_code == 200
    assert all(client.get(url).status_code == 200 for _ in range(3))
    limited = client.get(url)
    _assert_the_429_page(limited, after_post=False)
    assert limited["Cache-Control"] == "no-store, private"
    assert limited["Referrer-Policy"] == "strict-origin"  # still a private page
    assert client.post(f"{url}cancel/").status_code == 429
    assert MeetingRequest.objects.get().status == MeetingRequest.Status.SUBMITTED  # not cancelled
    # Another address still gets its page.
    assert client.get(url, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_resident_answer_page_is_limited_like_the_status_page(client, db, settings):
    settings.RATELIMIT_STATUS = "3/m"
    answers = [client.get(f"/neighborhoods/answer/forged-{n}/").status_code for n in range(5)]
    assert answers == [404] * 3 + [429] * 2


def test_the_limits_are_read_from_the_settings(client, future_days, settings):
    settings.RATELIMIT_SUBMIT = "2/10m"
    answers = [_post(client, n).status_code for n in range(3)]
    assert answers == [302, 302, 429]


def test_ratelimit_enable_false_switches_the_limits_off(client, submitted, future_days, settings):
    settings.RATELIMIT_ENABLE = False
    settings.RATELIMIT_STATUS = "2/m"
    assert all(_post(client, n).status_code == 302 for n in range(8))
    assert MeetingRequest.objects.count() == 1 + 8
    assert all(client.get(f"/meetings/status/{submitted.token}/").status_code == 200 for _ in range(5))


def test_with_redis_down_the_form_still_takes_requests(client, future_days, settings, caplog):
    """The counters live in Redis; when it cannot be reached the limit steps
    aside (with a warning) rather than turning citizens away."""
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", 6390)) != 0, "port 6390 is in use"
    settings.CACHES = {  # the page fragments stay in local memory, as in config/settings.py
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6390/0"},
    }
    # Seven from one phone: past RATELIMIT_SUBMIT (the cache's counter, which
    # steps aside) but not the phone's own hourly codes (counted in the database).
    settings.VERIFICATION_CODES_PER_PHONE_HOUR = 7
    with caplog.at_level(logging.WARNING, logger="scheduling.rate_limits"):
        answers = [_post(client, n).status_code for n in range(7)]
    assert answers == [302] * 7
    assert MeetingRequest.objects.count() == 7
    assert any("cannot be reached" in record.getMessage() for record in caplog.records)


# --- The honeypot ----------------------------------------------------------------------------


def test_the_honeypot_is_hidden_from_people(client, future_days):
    page = client.get(FORM_URL).content.decode()
    box = re.search(r'<div class="tt-hp" aria-hidden="true">(.*?)</div>', page, re.S)
    assert box, "the honeypot box is missing"
    field = re.search(r'<input[^>]*name="extra_memo"[^>]*>', box.group(1)).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field and 'type="text"' in field
    assert "style=" not in field and "style=" not in box.group(0)  # no inline style (CSP)
    assert '<label for="id_extra_memo">' in box.group(1)
    assert "css/public.css" in page
    stylesheet = finders.find("css/public.css")
    assert re.search(r"\.tt-hp \{[^}]*left: -10000px", Path(stylesheet).read_text())


def test_a_filled_honeypot_looks_like_success_but_stores_and_sends_nothing(client, future_days, caplog):
    data = _data(client, extra_memo="http://spam.example/")
    with caplog.at_level(logging.INFO, logger="meetings.public.views"):
        response = post_request_form(client, data)
    assert response.status_code == 302
    assert response["Location"] == "/meetings/request/received/"
    assert MeetingRequest.objects.count() == 0
    assert Notification.objects.count() == 0
    assert outbox == []
    assert any("honeypot" in record.getMessage() and record.levelno == logging.INFO for record in caplog.records)

    done = client.get(response["Location"])
    assert done.status_code == 200
    page = done.content.decode()
    assert "tt-reference" not in page and "/meetings/status/" not in page  # no reference, no link
    assert done["Cache-Control"] == "no-store, private"


def test_an_empty_honeypot_is_a_normal_submission(client, future_days):
    response = post_request_form(client, _data(client, extra_memo=""))
    assert response.status_code == 302
    assert "/meetings/request/done/" in response["Location"]
    request = MeetingRequest.objects.get()
    assert request.notifications.count() == 1
    assert len(outbox) == 1
    # Blank space in the box counts as empty.
    assert post_request_form(client, _data(client, extra_memo="  ")).status_code == 302
    assert MeetingRequest.objects.count() == 2
