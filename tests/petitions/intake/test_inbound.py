"""Text messages to the mayor's SMS phone (소통문자폰) through the signed
inbound webhook ``POST /hooks/solapi/inbound/``, posted as the provider
posts them (raw JSON, signed over the raw body). The automatic receipt goes
back through the real ``solapi`` SDK to a local SOLAPI on 127.0.0.1
(``tests/solapi_server.py``)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import random

import pytest
from django.utils import timezone

from petitions import rules
from petitions.intake.webhook import signature
from petitions.models import InboundMessage, Petition, PetitionNotification
from petitions.services.core import lock, transition
from scheduling import outbox
from scheduling.alimtalk_templates import TEMPLATES
from tests.solapi_server import FakeSolapi

pytestmark = pytest.mark.django_db

SECRET = "inbound-0123456789abcdef"
URL = "/hooks/solapi/inbound/"
PHONE = "01098765432"


@pytest.fixture(autouse=True)
def inbound_secret(settings):
    settings.SOLAPI_INBOUND_SECRET = SECRET


@pytest.fixture
def solapi(settings):
    fake = FakeSolapi(
        api_key="NCSTESTAPIKEY0001",
        api_secret="TESTSECRET0123456789ABCDEFGHIJKL",
        pf_id="KA01PF261117000000TongTong",
        registered={template.code: template for template in TEMPLATES.values()},
        site=settings.SITE_URL,
    ).start()
    settings.SMS_BACKEND = "solapi"
    settings.SMS_SENDER = "031-000-0000"
    settings.SOLAPI_API_KEY = fake.api_key
    settings.SOLAPI_API_SECRET = fake.api_secret
    settings.SOLAPI_KAKAO_PFID = fake.pf_id
    settings.SOLAPI_BASE_URL = fake.url
    outbox.broker_state_reset()
    yield fake
    fake.stop()


def message(message_id: str, text: str, *, sender: str = PHONE, at: str | None = "2026-11-17T10:05:00+09:00"):
    payload = {"messageId": message_id, "from": sender, "to": "0310000000", "text": text, "type": "SMS"}
    if at is not None:
        payload["dateReceived"] = at
    return payload


def deliver(client, payload, *, secret: str | None = SECRET, header: str | None = None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {}
    if secret is not None:
        headers["X-Tongtong-Signature"] = header if header is not None else signature(body, secret)
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def test_a_first_message_opens_a_petition_and_gets_one_receipt_through_solapi(client, solapi, pinned_today):
    response = deliver(client, message("M1", "시장님, 중앙공원 화장실이 너무 더럽습니다."))
    assert response.status_code == 200 and response.json() == {"received": 1, "new": 1}
    petition = Petition.objects.get()
    assert petition.channel == rules.SMS
    assert petition.phone == "010-9876-5432"
    assert petition.subject == "시장님, 중앙공원 화장실이 너무 더럽습니다."
    assert petition.body == "[10:05] 시장님, 중앙공원 화장실이 너무 더럽습니다."
    assert petition.consent_at is None
    (accepted,) = solapi.accepted
    assert accepted["type"] == "ATA" and accepted["to"] == PHONE
    assert accepted["raw"]["kakaoOptions"]["templateId"] == "TT_PETITION_RECEIPT_V1"
    assert petition.reference in accepted["text"]
    row = PetitionNotification.objects.get()
    assert (row.kind, row.status, row.via) == ("receipt", "sent", "ata")


def test_a_redelivery_is_answered_200_and_records_nothing(client, solapi, pinned_today):
    deliver(client, message("M1", "첫 문자"))
    response = deliver(client, message("M1", "첫 문자"))
    assert response.status_code == 200 and response.json() == {"received": 1, "duplicate": 1}
    assert Petition.objects.count() == 1 and InboundMessage.objects.count() == 1
    assert Petition.objects.get().body == "[10:05] 첫 문자"
    assert len(solapi.accepted) == 1


def test_messages_of_one_number_on_one_day_join_one_petition_with_one_receipt(client, solapi, pinned_today):
    deliver(client, message("M1", "첫 문자입니다.", at="2026-11-17T00:10:00+09:00"))
    deliver(client, message("M2", "사진은 못 보내지만 위치는 시청 앞입니다.", at="2026-11-17T13:40:00+09:00"))
    response = deliver(client, [message("M3", "감사합니다.", at="2026-11-17T23:59:00+09:00")])
    assert response.json() == {"received": 1, "joined": 1}
    petition = Petition.objects.get()
    assert (
        petition.body == "[00:10] 첫 문자입니다.\n[13:40] 사진은 못 보내지만 위치는 시청 앞입니다.\n[23:59] 감사합니다."
    )
    assert list(petition.inbound_messages.values_list("message_id", flat=True)) == ["M1", "M2", "M3"]
    assert len(solapi.accepted) == 1  # once per petition, never per message


def test_the_next_seoul_day_opens_another_petition(client, pinned_today):
    deliver(client, message("M1", "어제 문자", at="2026-11-17T23:59:00+09:00"))
    deliver(client, message("M2", "오늘 문자", at="2026-11-17T15:00:01Z"))  # 2026-11-18 00:00:01 in Seoul
    deliver(client, message("M3", "다른 번호", sender="010-1111-2222", at="2026-11-17T23:00:00+09:00"))
    assert Petition.objects.count() == 3
    assert PetitionNotification.objects.filter(kind="receipt").count() == 3


def test_a_message_after_the_day_s_petition_was_closed_opens_another(client, pinned_today, secretariat_user):
    deliver(client, message("M1", "고맙습니다", at="2026-11-17T09:00:00+09:00"))
    petition = lock(Petition.objects.get())
    transition(petition, "thank", actors={rules.SECRETARIAT}, actor=secretariat_user)
    deliver(client, message("M2", "하나 더 있습니다: 버스정류장 의자가 부서졌어요", at="2026-11-17T11:00:00+09:00"))
    assert Petition.objects.count() == 2
    assert Petition.objects.get(status=rules.RECEIVED).inbound_messages.get().message_id == "M2"


def test_a_missing_or_wrong_signature_is_refused_403_and_logged(client, caplog, pinned_today):
    caplog.set_level(logging.WARNING, logger="petitions.intake.webhook")
    assert deliver(client, message("M1", "x"), secret=None).status_code == 403
    assert deliver(client, message("M1", "x"), secret="another-secret-0123456789").status_code == 403
    assert deliver(client, message("M1", "x"), header="sha256=" + "0" * 64).status_code == 403
    assert not Petition.objects.exists() and not InboundMessage.objects.exists()
    lines = [record.getMessage() for record in caplog.records]
    assert any("missing signature" in line for line in lines)
    assert sum("wrong signature" in line for line in lines) == 2


def test_the_signature_may_carry_its_algorithm(client, pinned_today):
    body = json.dumps(message("M1", "x")).encode()
    response = client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={"X-Tongtong-Signature": "sha256=" + signature(body, SECRET)},
    )
    assert response.status_code == 200


def test_without_a_secret_the_webhook_does_not_exist(client, settings):
    settings.SOLAPI_INBOUND_SECRET = ""
    assert deliver(client, message("M1", "x")).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        [],
        {"from": PHONE, "text": "no id"},
        {"messageId": "M1", "from": PHONE, "text": 5},
        {"messageId": "M1", "from": PHONE, "text": "x", "dateReceived": "yesterday"},
        [message("M1", "x"), "not an object"],
    ],
)
def test_a_malformed_payload_is_400_and_records_nothing(client, payload, pinned_today):
    if isinstance(payload, str):
        body = payload.encode()
        response = client.post(
            URL, data=body, content_type="application/json", headers={"X-Tongtong-Signature": signature(body, SECRET)}
        )
    else:
        response = deliver(client, payload)
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


def test_a_sender_that_is_not_a_mobile_number_is_ignored(client, pinned_today):
    response = deliver(client, message("M1", "x", sender="#1004"))
    assert response.status_code == 200 and response.json() == {"received": 1, "ignored": 1}
    assert not Petition.objects.exists()


def test_an_empty_message_and_no_date_still_make_a_petition(client, pinned_today):
    deliver(client, message("M1", "", at=None))
    petition = Petition.objects.get()
    assert petition.subject == "010-****-5432에서 온 문자"
    assert petition.received_at.date() == timezone.now().date()


def burst(count: int = 1000, duplicates: int = 100, phones: int = 300, seed: int = 17):
    """``count`` deliveries from ``phones`` numbers on one day, ``duplicates``
    of them redeliveries of an earlier message; and what they should make."""
    rng = random.Random(seed)
    unique = [
        message(
            f"B{i:05d}", f"문자 {i}", sender=f"010-7{rng.randrange(phones):03d}-0000", at="2026-11-17T11:00:00+09:00"
        )
        for i in range(count - duplicates)
    ]
    deliveries = unique + [rng.choice(unique) for _ in range(duplicates)]
    rng.shuffle(deliveries)
    return deliveries, len({m["from"] for m in unique}), len(unique)


def test_a_burst_of_1000_deliveries_with_100_duplicates(client, pinned_today):
    deliveries, petitions, inbound = burst()
    outcomes = {}
    for payload in deliveries:
        response = deliver(client, payload)
        assert response.status_code == 200
        for key, value in response.json().items():
            outcomes[key] = outcomes.get(key, 0) + value
    assert Petition.objects.count() == petitions
    assert InboundMessage.objects.count() == inbound == 900
    assert outcomes == {"received": 1000, "new": petitions, "joined": 900 - petitions, "duplicate": 100}
    assert PetitionNotification.objects.filter(kind="receipt").count() == petitions
    for petition in Petition.objects.prefetch_related("inbound_messages")[:20]:
        assert petition.body.count("\n") + 1 == len(petition.inbound_messages.all())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_burst_on_postgresql(pinned_today):
    """The same burst from 8 threads at once, each on its own connection:
    the database's unique keys, not luck, keep it exact."""
    import threading

    from django.db import connection

    from petitions.intake.inbound import SOLAPI, inbound_receive
    from petitions.intake.webhook import _messages

    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL's row locks (set DATABASE_URL)")
    deliveries, petitions, inbound = burst()
    parsed = _messages(deliveries)
    threads, errors = 8, []
    barrier = threading.Barrier(threads)

    def run(part):
        try:
            barrier.wait(timeout=30)
            for item in parsed[part::threads]:
                inbound_receive(provider=SOLAPI, **item)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(part,), daemon=True) for part in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert not errors, errors[:3]
    assert Petition.objects.count() == petitions
    assert InboundMessage.objects.count() == inbound
    assert PetitionNotification.objects.filter(kind="receipt").count() == petitions
    assert sum(p.body.count("\n") + 1 for p in Petition.objects.all()) == inbound


def test_received_at_is_the_phone_s_time(client, pinned_today):
    deliver(client, message("M1", "x", at="2026-11-17 08:30:00"))  # SOLAPI's local time, no offset
    received = timezone.localtime(Petition.objects.get().received_at)
    assert (received.date(), received.time()) == (dt.date(2026, 11, 17), dt.time(8, 30))
