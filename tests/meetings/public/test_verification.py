"""Phone verification on the public request form (issue 15, item 1), as a
citizen's browser goes through it: the form, the code texted to the phone,
the request. Without the right code there is no request, no slot held and no
message to staff; with it exactly one request, however often it is sent."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from meetings.models import MeetingRequest, Notification, WaitlistEntry
from meetings.selectors import day_key
from scheduling.models import Neighborhood, PhoneVerification, VerificationMessage
from scheduling.sms import BaseSMSBackend, SMSError, outbox
from tests.meetings.conftest import VERIFY_URL, sent_code

pytestmark = pytest.mark.django_db

FORM_URL = "/meetings/request/"
PHONE = "010-2222-3333"


def _key(client) -> str:
    page = client.get(FORM_URL).content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


def _data(client, days=(), **overrides) -> dict:
    data = {
        "name": "김민지",
        "phone": PHONE,
        "email": "",
        "neighborhood": Neighborhood.objects.get(code="N01").pk,
        "category": "roads",
        "subject": "버스정류장 그늘막",
        "description": "정류장에 그늘이 없어 어르신들이 힘들어하십니다.",
        "group_size": "1",
        "preferred_days": [day_key(d) for d in days],
        "consent": "on",
        "submission_key": _key(client),
    }
    data.update(overrides)
    return data


def _code(client, code: str):
    return client.post(VERIFY_URL, {"action": "verify", "code": code})


def _resend(client):
    return client.post(VERIFY_URL, {"action": "resend"})


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _page(response) -> str:
    return response.content.decode()


@pytest.fixture
def frozen(future_days):
    """Time stands still unless a test moves it (resend waits, expiry)."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def test_without_the_code_nothing_is_booked_held_or_sent_to_staff(client, future_days, frozen):
    # The first day is full: a request with the code would wait on its list.
    response = client.post(FORM_URL, _data(client, future_days[:1]))
    assert response.status_code == 302 and response["Location"] == VERIFY_URL
    page = _page(client.get(VERIFY_URL))
    assert "010-****-3333" in page  # masked: the page shows where the code went
    assert "인증번호(6자리)" in page and 'autocomplete="one-time-code"' in page
    # One SMS: the code, to the citizen; nothing else to anyone.
    assert [message.to for message in outbox] == ["010-2222-3333"]
    assert "인증번호는" in outbox[0].body
    assert MeetingRequest.objects.count() == 0
    assert WaitlistEntry.objects.count() == 0
    assert Notification.objects.count() == 0

    wrong = _code(client, _wrong(sent_code(PHONE, take=False)))
    assert wrong.status_code == 200
    assert "인증번호가 맞지 않습니다. 4번 더 입력할 수 있습니다." in _page(wrong)
    assert MeetingRequest.objects.count() == 0
    assert len(outbox) == 1


def test_the_right_code_makes_exactly_one_request_even_sent_twice(client, future_days, frozen):
    client.post(FORM_URL, _data(client, future_days[:1]))
    code = sent_code(PHONE)
    first = _code(client, code)
    second = _code(client, code)  # a double tap on the button
    assert first.status_code == second.status_code == 302
    assert "/meetings/request/done/" in first["Location"]
    request = MeetingRequest.objects.get()
    assert second["Location"] == first["Location"]  # the same done page, with its link
    assert request.phone == "010-2222-3333"
    assert request.phone_verified_at == timezone.now()
    # The citizen's "received" message, once; the verification knows what it became.
    assert [message.to for message in outbox] == ["010-2222-3333"]
    assert PhoneVerification.objects.get().result == request.reference


def test_the_same_form_sent_twice_sends_one_code(client, future_days, frozen):
    data = _data(client, future_days[:1])
    client.post(FORM_URL, data)
    again = client.post(FORM_URL, data)
    assert again["Location"] == VERIFY_URL
    assert len(outbox) == 1
    assert PhoneVerification.objects.count() == 1


def test_the_sixth_wrong_code_is_refused_and_the_phone_locked(client, future_days, frozen):
    client.post(FORM_URL, _data(client, future_days[:1]))
    code = sent_code(PHONE)
    for left in (4, 3, 2, 1):
        assert f"{left}번 더 입력할 수 있습니다" in _page(_code(client, _wrong(code)))
    fifth = _page(_code(client, _wrong(code)))
    until = timezone.localtime(timezone.now() + dt.timedelta(minutes=30)).strftime("%H:%M")
    assert f"{until} 이후에 다시 시도해 주세요" in fifth
    # The sixth try is refused even with the right code, and so is a new form.
    assert "이후에 다시 시도해 주세요" in _page(_code(client, code))
    assert MeetingRequest.objects.count() == 0
    fresh = Client()
    refused = fresh.post(FORM_URL, _data(fresh, future_days[:1]))
    assert refused.status_code == 200
    assert "틀린 인증번호가 여러 번 입력되었습니다" in _page(refused)
    assert _page(refused).count('value="김민지"') == 1  # what was typed is kept
    assert outbox == []
    # After the lock the phone works again.
    frozen.shift(dt.timedelta(minutes=31))
    assert fresh.post(FORM_URL, _data(fresh, future_days[:1]))["Location"] == VERIFY_URL


def test_a_new_code_after_a_minute_replaces_the_old_and_the_sixth_resend_is_refused(client, future_days, frozen):
    client.post(FORM_URL, _data(client, future_days[:1]))
    first = sent_code(PHONE)
    too_soon = _resend(client)
    assert "초 뒤에 새 인증번호를 요청할 수 있습니다" in _page(too_soon)
    assert outbox == []
    for _resent in range(5):
        frozen.shift(dt.timedelta(seconds=61))
        assert _resend(client).status_code == 302
    latest = sent_code(PHONE)
    assert len(outbox) == 4  # five resends in all
    frozen.shift(dt.timedelta(seconds=61))
    sixth = _page(_resend(client))
    assert "이 번호로 인증번호를 너무 많이 보냈습니다" in sixth
    assert len(outbox) == 4
    # The first code stopped working when the next one was sent; the latest works.
    if first != latest:
        assert "맞지 않습니다" in _page(_code(client, first))
    assert "/meetings/request/done/" in _code(client, latest)["Location"]


def test_a_code_expires_after_five_minutes(client, future_days, frozen):
    client.post(FORM_URL, _data(client, future_days[:1]))
    code = sent_code(PHONE)
    frozen.shift(dt.timedelta(minutes=5, seconds=1))
    expired = _code(client, code)
    assert "유효 시간이 지났습니다. 새 인증번호를 받아 주세요." in _page(expired)
    assert MeetingRequest.objects.count() == 0


def test_more_phones_from_one_address_are_limited_too(future_days, frozen):
    phones = ["010-3000-0001", "010-3000-0002", "010-3000-0003", "010-3000-0004"]
    answers = []
    for phone in phones:
        browser = Client()  # a new browser each time: the limit is the address's
        answers.append(browser.post(FORM_URL, _data(browser, future_days[:1], phone=phone)))
    assert [a.status_code for a in answers] == [302, 302, 302, 200]
    assert "이 접속에서 인증번호를 너무 많이 요청했습니다" in _page(answers[-1])
    assert sorted(message.to for message in outbox) == phones[:3]
    # Another address is not affected.
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert other.post(FORM_URL, _data(other, future_days[:1], phone=phones[3]))["Location"] == VERIFY_URL


def test_back_to_the_form_keeps_everything_typed(client, future_days, frozen):
    data = _data(client, future_days[:2], subject="가로등 고장 신고", phone="010 2222 3333")
    client.post(FORM_URL, data)
    page = _page(client.get(FORM_URL))
    assert 'value="가로등 고장 신고"' in page
    assert 'value="010 2222 3333"' in page
    for day in future_days[:2]:
        assert re.search(rf'value="{day_key(day)}"[^>]*checked', page)
    # Correcting the number sends a code to the new number, not the old.
    client.post(FORM_URL, {**data, "phone": "010-4444-5555", "submission_key": _key(client)})
    assert sent_code("010-4444-5555") and sent_code(PHONE) is not None


def test_the_code_is_kept_neither_in_the_database_nor_in_the_sent_message(client, future_days, frozen):
    client.post(FORM_URL, _data(client, future_days[:1]))
    code = sent_code(PHONE)
    verification = PhoneVerification.objects.get()
    assert code not in verification.code_hash and len(verification.code_hash) == 64
    message = VerificationMessage.objects.get()
    assert message.status == VerificationMessage.Status.SENT
    assert code not in message.body and "인증번호는 …입니다" in message.body
    assert verification.client and "127.0.0.1" not in verification.client


class GatewayDown(BaseSMSBackend):
    def send(self, message):
        raise SMSError("the gateway does not answer")


def test_a_code_that_could_not_leave_in_time_is_dropped_not_sent_late(client, future_days, frozen, settings):
    from scheduling import outbox as outbox_service

    settings.SMS_BACKEND = f"{__name__}.GatewayDown"  # the row stays pending for the flush
    client.post(FORM_URL, _data(client, future_days[:1]))
    message = VerificationMessage.objects.get()
    assert message.status == VerificationMessage.Status.PENDING
    settings.SMS_BACKEND = "locmem"
    frozen.shift(dt.timedelta(minutes=6))
    outbox_service.send(VerificationMessage, message.pk)
    message.refresh_from_db()
    assert message.status == VerificationMessage.Status.FAILED
    assert outbox == []


def test_the_secretariat_takes_a_phone_request_without_a_code(client, future_days):
    from tests.meetings.conftest import submit

    request = submit(future_days[:1], clear=False, channel=MeetingRequest.Channel.PHONE).request
    assert request.phone_verified_at is None
    assert PhoneVerification.objects.count() == 0


def test_old_verifications_are_purged_after_a_day(client, future_days, frozen):
    from scheduling.tasks import purge_phone_verifications

    client.post(FORM_URL, _data(client, future_days[:1]))
    frozen.shift(dt.timedelta(hours=23))
    assert purge_phone_verifications() == 0
    frozen.shift(dt.timedelta(hours=2))
    assert purge_phone_verifications() == 1
    assert PhoneVerification.objects.count() == 0 and VerificationMessage.objects.count() == 0
