"""The secretariat takes a petition by phone or at the office, or registers
a 국민신문고 petition by hand, at /staff/petitions/intake/."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from petitions import rules
from petitions.models import Petition, PetitionNotification

pytestmark = pytest.mark.django_db

URL = "/staff/petitions/intake/"


def form(**changes) -> dict:
    data = {
        "channel": rules.PHONE,
        "kind": rules.GENERAL,
        "category": "parking",
        "subject": "불법 주차",
        "text": "학교 앞 불법 주차 단속을 요청합니다.",
        "name": "이전화",
        "phone": "010-5555-1234",
        "language": "ko",
        "consent": "on",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_secretariat_takes_a_phone_call_with_consent(client, secretariat_user, pinned_today):
    client.force_login(secretariat_user)
    assert client.get(URL).status_code == 200
    response = client.post(URL, form())
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.channel == rules.PHONE
    assert petition.created_by == secretariat_user
    assert petition.consent_at is not None
    assert petition.history.get().action == "receive"
    receipt = PetitionNotification.objects.get(petition=petition)
    assert receipt.kind == "receipt" and receipt.recipient == "010-5555-1234"
    page = client.get(response["Location"]).content.decode()
    assert f"민원 {petition.reference}을(를) 접수했습니다(전화 민원)" in page or petition.reference in page


def test_a_walk_in_without_consent_keeps_no_contact(client, secretariat_user, pinned_today):
    client.force_login(secretariat_user)
    page = client.post(URL, form(channel=rules.VISIT, consent=None)).content.decode()
    assert "개인정보 수집·이용 동의를 받아 주세요" in page
    assert 'value="학교 앞 불법 주차 단속을 요청합니다."' in page or "학교 앞 불법 주차 단속을 요청합니다." in page
    assert not Petition.objects.exists()
    client.post(URL, form(channel=rules.VISIT, consent=None, name="", phone=""))
    petition = Petition.objects.get()
    assert petition.channel == rules.VISIT and petition.phone == "" and petition.consent_at is None
    assert not PetitionNotification.objects.exists()  # no contact, no receipt


def test_the_same_form_saved_twice_makes_one_petition(client, secretariat_user, pinned_today):
    client.force_login(secretariat_user)
    data = form()
    client.post(URL, data)
    response = client.post(URL, data, follow=True)
    assert Petition.objects.count() == 1
    assert "이미 접수된 민원입니다" in response.content.decode()


def test_an_epeople_petition_keeps_the_portal_number_and_dates(client, secretariat_user, pinned_today):
    client.force_login(secretariat_user)
    data = form(
        channel=rules.EPEOPLE,
        consent=None,
        epeople_number="1AA-2611-0000123",
        epeople_received_on="2026-11-13",
        epeople_due_on="2026-11-24",
    )
    assert client.post(URL, data).status_code == 302
    petition = Petition.objects.get()
    assert petition.epeople_number == "1AA-2611-0000123"
    assert petition.epeople_received_on == dt.date(2026, 11, 13)
    assert timezone.localtime(petition.received_at) == timezone.make_aware(dt.datetime(2026, 11, 13, 9, 0))
    assert timezone.localtime(petition.answer_due_at) == timezone.make_aware(dt.datetime(2026, 11, 24, 18, 0))
    assert petition.consent_at is None  # the portal holds it
    assert not PetitionNotification.objects.exists()  # the portal tells the citizen
    # Registered again (another clerk, another form): the same petition.
    client.post(URL, {**data, "submission_key": str(uuid.uuid4())})
    assert Petition.objects.count() == 1


def test_an_epeople_petition_needs_its_number_and_date(client, secretariat_user, pinned_today):
    client.force_login(secretariat_user)
    page = client.post(URL, form(channel=rules.EPEOPLE)).content.decode()
    assert "국민신문고 신청번호를 입력해 주세요." in page
    assert "국민신문고 신청일을 입력해 주세요." in page
    future = form(channel=rules.EPEOPLE, epeople_number="X-1", epeople_received_on="2026-12-01")
    assert "신청일은 미래 날짜일 수 없습니다." in client.post(URL, future).content.decode()
    assert not Petition.objects.exists()


@pytest.mark.parametrize("user_fixture", ["department_user", "official_user", "stranger"])
def test_only_the_secretariat_takes_petitions(client, request, user_fixture, pinned_today):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.get(URL).status_code == 403
    assert client.post(URL, form()).status_code == 403
    assert client.get(URL + "import/").status_code == 403
    assert not Petition.objects.exists()


def test_a_visitor_is_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
