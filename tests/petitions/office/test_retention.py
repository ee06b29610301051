"""The retention purge: a petitioner's personal data goes
PETITION_RETENTION_YEARS after the petition closed; the figures stay."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from petitions import rules
from petitions.models import InboundMessage, Petition, PetitionNotification
from petitions.office import services
from petitions.office.tasks import purge_personal_data
from petitions.retention import petitions_purge
from tests.petitions.office.conftest import receive

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


def test_a_closed_petition_is_purged_after_the_retention_period(secretariat_user, roads):
    answered = receive(email="citizen@example.com")
    InboundMessage.objects.create(
        provider="solapi",
        message_id="m1",
        phone="010-9876-5432",
        text="가로등",
        received_at=timezone.now(),
        petition=answered,
    )
    services.petition_answer(petition=answered, answer="교체했습니다.", answer_via="sms", actor=secretariat_user)
    still_open = receive(subject="아직 처리 중")
    services.petition_assign(petition=still_open, department=roads, actor=secretariat_user)
    answered.refresh_from_db()

    years = django_settings.PETITION_RETENTION_YEARS
    assert years == 3
    almost = answered.closed_at + dt.timedelta(days=365 * years - 2)
    assert petitions_purge(now=almost) == 0

    later = answered.closed_at + dt.timedelta(days=365 * years + 2)
    assert petitions_purge(now=later) == 1
    answered.refresh_from_db()
    assert (answered.name, answered.phone, answered.email, answered.subject, answered.body, answered.answer) == (
        "",
        "",
        "",
        "",
        "",
        "",
    )
    assert answered.purged_at == later
    # The figures stay.
    assert answered.status == rules.ANSWERED and answered.category == "roads" and answered.closed_at
    assert answered.reference and answered.answer_via == "sms"
    message = InboundMessage.objects.get()
    assert (message.phone, message.text) == ("", "")
    assert not PetitionNotification.objects.filter(petition=answered).exclude(recipient="").exists()
    assert not Petition.audit_history.model.objects.filter(id=answered.pk).exclude(phone="").exists()
    still_open.refresh_from_db()
    assert still_open.phone == "010-9876-5432" and still_open.purged_at is None
    assert petitions_purge(now=later) == 0  # idempotent


def test_the_nightly_task_purges(secretariat_user, pinned_clock):
    petition = receive()
    services.petition_thank(petition=petition, actor=secretariat_user)
    pinned_clock.shift(dt.timedelta(days=365 * 3 + 5))
    assert purge_personal_data() == 1
    petition.refresh_from_db()
    assert petition.phone == "" and petition.purged_at
    assert "purge-petitions" in django_settings.CELERY_BEAT_SCHEDULE
