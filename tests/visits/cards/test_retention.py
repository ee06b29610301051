"""The retention of a resident's contact on a suggestion
(``visits.cards.services.suggestion_contacts_purge``, docs/privacy.md):
MEETING_RETENTION_YEARS after the suggestion is closed (completed or not
feasible) nothing of the resident is left in any table — the suggestion,
its history rows, its notes, its outbox — and the card still counts it."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.db.models import Count
from django.utils import timezone, translation

from tests.awkward_days import retention_over
from tests.meetings.test_retention import rows_containing
from visits.cards import notifications as card_notifications
from visits.cards import services as cs
from visits.models import Suggestion, SuggestionEvent, SuggestionNotification
from visits.tasks import purge_contacts

pytestmark = pytest.mark.django_db

PHONE = "010-5678-1234"
EMAIL = "resident.purge@example.kr"
COMMENT = "제갈주민입니다 여전히 어둡습니다"
NEEDLES = [PHONE, "01056781234", "5678-1234", EMAIL, "제갈주민"]


def with_emails(card_org):
    for name in ("roads_staff", "parks_staff"):
        user = card_org["users"][name]
        user.email = f"{name}@city.example.kr"
        user.save()


@pytest.fixture
def closed_with_contact(suggestion_at, card_org):
    """Completed, answered "not resolved" (a reopening that quotes the
    resident, e-mailed to the department), completed again and answered."""
    with_emails(card_org)
    suggestion = suggestion_at("completed", contact_phone=PHONE, contact_email=EMAIL, contact_consent=True)
    cs.suggestion_resident_answer(suggestion=suggestion, resolved=False, comment=COMMENT)
    lead = card_org["users"]["roads_staff"]
    cs.suggestion_complete(suggestion=suggestion, actor=lead, completed_on=timezone.localdate(), result="추가 설치")
    cs.suggestion_resident_answer(suggestion=suggestion, resolved=True, comment="제갈주민 감사합니다")
    suggestion.refresh_from_db()
    return suggestion


def statistics():
    return sorted(
        Suggestion.objects.values("neighborhood", "category", "status", "resolved_answer")
        .annotate(n=Count("pk"))
        .values_list("neighborhood", "category", "status", "resolved_answer", "n")
    )


def test_before_the_purge_the_resident_is_everywhere(closed_with_contact):
    found = rows_containing(NEEDLES)
    for where in [
        "visits.Suggestion.contact_phone",
        "visits.HistoricalSuggestion.contact_email",
        "visits.SuggestionEvent.note",
        "visits.SuggestionNotification.recipient",
        "visits.SuggestionNotification.body",
    ]:
        assert where in found, where


def test_after_the_purge_nothing_of_the_resident_is_left_in_any_table(closed_with_contact, settings):
    before = statistics()
    later = retention_over(closed_with_contact.last_activity_at, settings.MEETING_RETENTION_YEARS)
    assert cs.suggestion_contacts_purge(now=later) == 1
    assert rows_containing(NEEDLES) == {}
    assert statistics() == before, "the card still counts it, resolved or not"
    suggestion = Suggestion.objects.get(pk=closed_with_contact.pk)
    assert not suggestion.has_contact and suggestion.contact_purged_at == later
    assert (suggestion.status, suggestion.resolved_answer, suggestion.result) == ("completed", "yes", "추가 설치")
    assert suggestion.audit_history.first().history_change_reason == "retention purge"
    assert SuggestionEvent.objects.filter(suggestion=suggestion, kind="resident_answer").count() == 2
    assert SuggestionNotification.objects.filter(suggestion=suggestion).exclude(status="sent").count() == 0


def test_a_suggestion_closed_one_day_short_or_still_open_keeps_its_contact(suggestion_at, settings):
    closed = suggestion_at("not_feasible", contact_phone=PHONE, contact_consent=True)
    open_ = suggestion_at("in_progress", contact_email=EMAIL, contact_consent=True)
    years = settings.MEETING_RETENTION_YEARS
    assert cs.suggestion_contacts_purge(now=closed.last_activity_at + relativedelta(years=years, days=-1)) == 0
    assert cs.suggestion_contacts_purge(now=timezone.now() + relativedelta(years=years, days=1)) == 1
    closed.refresh_from_db()
    open_.refresh_from_db()
    assert closed.contact_phone == "" and closed.status == "not_feasible"
    assert open_.contact_email == EMAIL and open_.contact_purged_at is None


def test_running_twice_is_harmless(closed_with_contact, settings):
    later = timezone.now() + relativedelta(years=settings.MEETING_RETENTION_YEARS, days=1)
    assert cs.suggestion_contacts_purge(now=later) == 1
    history = Suggestion.audit_history.count()
    assert cs.suggestion_contacts_purge(now=later) == 0
    assert Suggestion.audit_history.count() == history


def test_the_daily_task_purges(closed_with_contact, settings):
    old = timezone.now() - relativedelta(years=settings.MEETING_RETENTION_YEARS) - dt.timedelta(days=1)
    Suggestion.objects.filter(pk=closed_with_contact.pk).update(last_activity_at=old)  # closed long ago
    assert purge_contacts.delay().get() == 1
    assert rows_containing([PHONE, EMAIL]) == {}


def test_the_consent_text_states_the_retention_and_the_purge(settings):
    settings.MEETING_RETENTION_YEARS = 2
    with translation.override("en"):
        text = str(card_notifications.CONTACT_CONSENT_TEXT)
    assert "Kept until the suggestion is closed, then for at most 2 years, then destroyed" in text
