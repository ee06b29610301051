"""내 신청 조회 (issue 15, item 2): a citizen who lost the link verifies their
phone and finds every request made with it, opens any of them, and cancels
or moves it from its status page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from meetings.models import MeetingRequest
from meetings.services.requests import status_url
from tests.meetings.conftest import sent_code, submit

pytestmark = pytest.mark.django_db

MY = "/meetings/my/"
MINE = "010-5555-6666"


@pytest.fixture
def requests(future_days):
    mine = [
        submit(future_days[:1], clear=False, phone=MINE, subject="놀이터 그늘막"),
        submit(future_days[1:2], clear=False, phone="010 5555 6666", subject="횡단보도 신호 시간"),
    ]
    other = submit(future_days[:1], clear=False, phone="010-7777-8888", subject="다른 사람의 신청")
    return mine, other


def _verified(client, phone=MINE):
    answer = client.post(MY, {"phone": phone})
    assert answer["Location"] == "/meetings/my/verify/"
    done = client.post("/meetings/my/verify/", {"action": "verify", "code": sent_code(phone)})
    assert done["Location"] == MY
    return client.get(MY).content.decode()


def test_the_verified_phone_sees_its_requests_and_no_one_elses(client, requests):
    (first, second), other = requests
    page = client.get(MY).content.decode()
    assert 'name="phone"' in page and first.request.reference not in page
    page = _verified(client)
    assert "010-****-6666" in page
    assert first.request.reference in page and second.request.reference in page
    assert "놀이터 그늘막" in page and "횡단보도 신호 시간" in page
    assert other.request.reference not in page and "다른 사람의 신청" not in page
    assert page.index(second.request.reference) < page.index(first.request.reference)  # newest first


def test_opening_a_request_gives_a_new_link_and_the_lost_one_stops_working(client, requests):
    (first, _second), _other = requests
    old_link = status_url(first.token)
    assert client.get(old_link).status_code == 200
    _verified(client)
    opened = client.post(f"/meetings/my/{first.request.reference}/open/")
    assert opened.status_code == 302 and "/meetings/status/" in opened["Location"]
    status = client.get(opened["Location"])
    assert status.status_code == 200 and first.request.reference in status.content.decode()
    assert client.get(old_link).status_code == 404
    # From its status page the citizen can still cancel it.
    cancel = client.post(opened["Location"] + "cancel/")
    assert cancel.status_code == 302
    first.request.refresh_from_db()
    assert first.request.status == MeetingRequest.Status.CANCELLED


def test_without_the_code_nothing_is_shown_or_opened(client, requests):
    (first, _second), other = requests
    client.post(MY, {"phone": MINE})
    code = sent_code(MINE)
    wrong = client.post("/meetings/my/verify/", {"action": "verify", "code": f"{(int(code) + 1) % 10**6:06d}"})
    assert "인증번호가 맞지 않습니다" in wrong.content.decode()
    assert client.post(f"/meetings/my/{first.request.reference}/open/")["Location"] == MY
    page = client.get(MY).content.decode()
    assert first.request.reference not in page
    # Verified, a reference of another phone opens nothing.
    _verified(client)
    assert client.post(f"/meetings/my/{other.request.reference}/open/")["Location"] == MY


def test_the_verified_phone_is_forgotten_after_half_an_hour_or_when_asked(client, requests):
    (first, _second), _other = requests
    _verified(client)
    client.post("/meetings/my/leave/")
    assert first.request.reference not in client.get(MY).content.decode()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        clock.shift(dt.timedelta(minutes=2))  # a new code may be sent
        _verified(client)
        clock.shift(dt.timedelta(minutes=29))
        assert first.request.reference in client.get(MY).content.decode()
        clock.shift(dt.timedelta(minutes=2))
        assert first.request.reference not in client.get(MY).content.decode()


def test_a_mistyped_number_gets_a_korean_message_and_keeps_what_was_typed(client, requests):
    answer = client.post(MY, {"phone": "010-55"})
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "휴대전화 번호를 입력해 주세요" in page
    assert 'value="010-55"' in page


def test_the_pages_are_rate_limited_like_the_status_pages(client, requests, settings):
    settings.RATELIMIT_STATUS = "3/m"
    answers = [client.get(MY).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]


def test_the_pages_are_private(client, requests):
    for url in (MY, "/meetings/my/verify/"):
        response = client.get(url, follow=True)
        assert response["Cache-Control"] == "no-store, private"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
