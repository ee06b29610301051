"""Receiving a petition from any channel, and the one transition table."""

import datetime as dt

import pytest

from petitions import rules
from petitions.errors import IllegalTransition, PetitionError
from petitions.models import Petition
from petitions.services.core import petition_receive, transition
from scheduling.clock import SEOUL

pytestmark = pytest.mark.usefixtures("pinned_today")


def _receive(**overrides):
    values = {
        "channel": rules.WEB,
        "subject": "가로등 고장",
        "body": "골목 가로등이 꺼져 있습니다.",
        "category": "roads",
    }
    values.update(overrides)
    return petition_receive(**values)


@pytest.mark.django_db
def test_every_petition_gets_the_next_reference_of_its_year(pinned_today):
    first, _ = _receive()
    second, _ = _receive(channel=rules.SMS)
    assert first.reference == f"P{pinned_today.year}-00001"
    assert second.reference == f"P{pinned_today.year}-00002"
    assert [event.action for event in first.history.all()] == ["receive"]


@pytest.mark.django_db
def test_the_same_submission_or_epeople_number_records_nothing_new():
    first, created = _receive(submission_key="web:abc")
    again, created_again = _receive(submission_key="web:abc", subject="다른 제목")
    portal, _ = _receive(channel=rules.EPEOPLE, epeople_number="1AA-2611-0000123")
    reimported, reimported_created = _receive(channel=rules.EPEOPLE, epeople_number="1AA-2611-0000123")
    assert created and not created_again and again == first
    assert not reimported_created and reimported == portal
    assert Petition.objects.count() == 2


@pytest.mark.django_db
def test_a_general_petition_is_due_in_seven_working_days_and_a_quick_one_in_thirty_minutes():
    # Tue 17 Nov 2026 10:00 (no holiday near): day 1 is the 17th, day 7 the 25th.
    received = dt.datetime(2026, 11, 17, 10, tzinfo=SEOUL)
    general, _ = _receive(received_at=received)
    quick, _ = _receive(received_at=received, kind=rules.QUICK)
    assert general.answer_due_at == dt.datetime(2026, 11, 25, 18, tzinfo=SEOUL)
    assert quick.answer_due_at == received + dt.timedelta(minutes=30)


@pytest.mark.django_db
def test_bad_input_is_refused_in_korean():
    with pytest.raises(PetitionError, match="제목"):
        _receive(subject="  ")
    with pytest.raises(PetitionError):
        _receive(phone="02-123")
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_an_illegal_move_is_refused_and_changes_nothing():
    petition, _ = _receive()
    with pytest.raises(IllegalTransition, match="민원"):
        transition(petition, "approve", actors={rules.SECRETARIAT})
    with pytest.raises(IllegalTransition):
        transition(petition, "thank", actors={rules.DEPARTMENT})
    petition.refresh_from_db()
    assert petition.status == rules.RECEIVED
    transition(petition, "thank", actors={rules.SECRETARIAT})
    petition.refresh_from_db()
    assert petition.status == rules.THANKED and petition.closed_at is not None
