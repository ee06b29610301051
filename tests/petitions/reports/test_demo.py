"""The demo city's petitions: six months through the services, once, fast."""

import time
from io import StringIO

import pytest
from django.core.management import call_command

from petitions import rules
from petitions.demo import seed_petitions_demo
from petitions.models import Petition, PetitionEvent
from scheduling.reports.services import last_month, report_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_petitions_are_seeded_once_across_channels_and_outcomes():
    # The city without the lived year (the other apps' part takes a minute),
    # then the petitions as the signal would add them.
    call_command("seed_demo", "--force", "--no-history", stdout=StringIO())
    assert Petition.objects.count() == 0
    start = time.perf_counter()
    seed_petitions_demo(history=True)
    assert time.perf_counter() - start < 5
    count = Petition.objects.count()
    events = PetitionEvent.objects.count()
    assert 150 <= count <= 500
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert {rules.ANSWERED, rules.TRANSFERRED, rules.THANKED, rules.ASSIGNED} <= statuses
    assert set(Petition.objects.values_list("channel", flat=True)) >= {rules.SMS, rules.WEB, rules.EPEOPLE}
    assert Petition.objects.filter(kind=rules.QUICK, status=rules.ANSWERED).exists()
    assert Petition.objects.filter(status=rules.MERGED, merged_into__isnull=False).exists()

    assert seed_petitions_demo(history=True) == 0
    assert (Petition.objects.count(), PetitionEvent.objects.count()) == (count, events)

    report = report_build("monthly", last_month())
    office = report.sections[0]
    assert office.key == "petitions_office"
    assert office.figures[0].value > 10


def test_every_demo_petition_walked_the_transition_table_and_is_consistent():
    call_command("seed_demo", "--force", "--no-history", stdout=StringIO())
    seed_petitions_demo(history=True)
    for petition in Petition.objects.prefetch_related("history"):
        status = ""
        for event in petition.history.all():
            if event.action == "receive":
                status = rules.RECEIVED
            else:
                step = rules.find(event.action, status)
                assert step is not None and step.target == event.to_status, (petition.reference, event.action)
                status = step.target
        assert status == petition.status
        assert (petition.closed_at is not None) == (petition.status in rules.CLOSED)
    references = list(Petition.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)


def test_the_demo_city_connects_the_petitions():
    from scheduling.signals import demo_city_seeded

    assert any(receiver[0][0] == "petitions_demo" for receiver in demo_city_seeded.receivers)
