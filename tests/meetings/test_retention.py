"""The retention purge (meetings/services/retention.py, docs/privacy.md):
MEETING_RETENTION_YEARS after a request ends, nothing of the citizen is left
in any table — the request, its history rows, its events, reviews, outbox,
the calendar — while the statistics still count the request."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db import models
from django.db.models import Count
from django.utils import timezone

from meetings.models import Appointment, MeetingRequest, Notification, RequestEvent
from meetings.services import booking
from meetings.services import review as review_service
from meetings.services.feedback import feedback_submit
from meetings.services.retention import requests_purge
from meetings.tasks import purge_personal_data
from scheduling.models import StaffProfile
from tests.awkward_days import retention_over
from tests.meetings.conftest import submit

pytestmark = pytest.mark.django_db

NAME = "남궁퍼지"
PHONE = "010-4321-8765"
EMAIL = "namgung.purge@example.kr"
#: Every form the number may have been written in; the masked form does not count.
NEEDLES = [NAME, PHONE, "01043218765", "4321-8765", "+82 10-4321-8765", EMAIL]


def text_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]


def rows_containing(needles) -> dict[str, list]:
    """Every row of every table (historical ones and outboxes included)
    whose text holds one of ``needles``: ``{"app.Model.field": [needle, ...]}``."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in text_fields(model):
            hits = [n for n in needles if model._base_manager.filter(**{f"{field}__contains": n}).exists()]
            if hits:
                found[f"{model._meta.label}.{field}"] = hits
    return found


def statistics():
    rows = MeetingRequest.objects.values("category", "neighborhood", "status", "channel", "outcome")
    return (
        sorted(
            rows.annotate(n=Count("pk")).values_list("category", "neighborhood", "status", "channel", "outcome", "n")
        ),
        sorted(MeetingRequest.objects.values_list("satisfaction_score", "group_size", "submitted_at", "closed_at")),
        Appointment.objects.values("official", "is_substitution", "start", "status").count(),
    )


@pytest.fixture
def roads_staff(department_user, city):
    StaffProfile.objects.create(user=department_user, department=city["roads"])
    return department_user


@pytest.fixture
def closed_citizen(future_days, city, secretariat_user, roads_staff, client):
    """A citizen whose personal data went everywhere: the request, its
    review, its booking and calendar event, its outcome, feedback and
    closing notes, text messages and e-mails, and a staff member's view."""
    request = submit(
        future_days[:2],
        name=NAME,
        phone="01043218765",
        email=EMAIL,
        subject=f"{NAME}님 댁 앞 골목길",
        description=f"연락은 {PHONE} 또는 {EMAIL}로 주세요. {NAME}",
        needs_wheelchair=True,
        other_needs=f"{NAME}님 보호자 동반",
    ).request
    review = review_service.review_ask(
        request=request, department=city["roads"], question=f"{NAME}님 민원 검토", actor=secretariat_user
    )
    review_service.review_answer(review=review, opinion=f"{NAME}님께 {PHONE}로 통화함", actor=roads_staff)
    appointment = booking.slot_book(request=request, slot=future_days[0].slots.first(), actor=secretariat_user)
    past = timezone.now() - dt.timedelta(hours=2)
    Appointment.objects.filter(pk=appointment.pk).update(start=past, end=past + dt.timedelta(minutes=15))
    booking.outcome_record(request=request, outcome="held", notes=f"{NAME}님 후속 조치 필요", actor=secretariat_user)
    feedback_submit(request=request, score=4, comment=f"{NAME}입니다. 감사합니다")
    client.force_login(secretariat_user)
    assert client.get(f"/staff/meetings/{request.pk}/").status_code == 200
    booking.request_close(request=request, note=f"{NAME}님 종결", actor=secretariat_user)
    request.refresh_from_db()
    return request


def test_before_the_purge_the_citizen_is_everywhere(closed_citizen):
    """The search below would see them: their data is in the request, its
    history, its events, its review, its outbox and the official's calendar."""
    found = rows_containing(NEEDLES)
    for where in [
        "meetings.MeetingRequest.name",
        "meetings.HistoricalMeetingRequest.phone",
        "meetings.RequestEvent.note",
        "meetings.ReviewRequest.opinion",
        "meetings.Notification.recipient",
        "schedule.Event.description",
    ]:
        assert where in found, where


def test_after_the_purge_nothing_of_the_citizen_is_left_in_any_table(closed_citizen, settings):
    before = statistics()
    later = retention_over(closed_citizen.closed_at, settings.MEETING_RETENTION_YEARS)
    assert requests_purge(now=later) == 1

    assert rows_containing(NEEDLES) == {}
    assert rows_containing([f"{NAME}님", "보호자 동반", "통화함", "감사합니다", "종결"]) == {}
    assert statistics() == before, "the statistics still count the request"
    request = MeetingRequest.objects.get(pk=closed_citizen.pk)
    assert (request.category, request.neighborhood.code, request.status, request.outcome) == (
        "roads",
        "N01",
        "closed",
        "held",
    )
    assert request.satisfaction_score == 4 and request.purged_at == later
    assert request.token_revoked and not request.accessibility_needs()
    last = request.audit_history.first()
    assert (last.history_change_reason, last.history_user, last.name) == ("retention purge", None, "")
    assert RequestEvent.objects.filter(request=request).count() > 5, "who did what when stays"
    assert set(Notification.objects.filter(request=request).values_list("status", flat=True)) == {"sent"}


def test_a_request_closed_one_day_short_of_the_period_is_kept(closed_citizen, settings):
    almost = retention_over(closed_citizen.closed_at, settings.MEETING_RETENTION_YEARS) - dt.timedelta(days=1)
    assert requests_purge(now=almost) == 0
    request = MeetingRequest.objects.get(pk=closed_citizen.pk)
    assert (request.name, request.phone, request.purged_at) == (NAME, PHONE, None)


def test_the_period_is_the_setting(closed_citizen, settings):
    settings.MEETING_RETENTION_YEARS = 5
    assert requests_purge(now=retention_over(closed_citizen.closed_at, 4)) == 0
    assert requests_purge(now=retention_over(closed_citizen.closed_at, 5)) == 1


def test_running_twice_is_harmless(closed_citizen, settings):
    later = closed_citizen.closed_at + relativedelta(years=settings.MEETING_RETENTION_YEARS, days=1)
    assert requests_purge(now=later) == 1
    history = MeetingRequest.audit_history.count()
    snapshot = list(MeetingRequest.objects.values())
    assert requests_purge(now=later + dt.timedelta(days=1)) == 0
    assert MeetingRequest.audit_history.count() == history
    assert list(MeetingRequest.objects.values()) == snapshot


def test_the_clock_starts_when_the_meeting_ended_not_when_the_request_was_closed(closed_citizen, settings):
    """The consent promises "N years after the meeting ends": a request the
    secretariat closed a month after the meeting goes N years after the
    meeting, not N years after the closing."""
    held_at = timezone.now() - relativedelta(years=settings.MEETING_RETENTION_YEARS, days=1)
    closing = RequestEvent.objects.filter(request=closed_citizen, action="closed")
    closing.update(at=held_at + dt.timedelta(days=30))
    RequestEvent.objects.filter(request=closed_citizen).exclude(action="closed").update(at=held_at)
    MeetingRequest.objects.filter(pk=closed_citizen.pk).update(closed_at=held_at + dt.timedelta(days=30))
    meeting = held_at - dt.timedelta(hours=1)
    Appointment.objects.filter(request=closed_citizen).update(start=meeting, end=meeting + dt.timedelta(minutes=15))
    assert requests_purge() == 1


def test_a_request_never_closed_is_purged_after_it_ended_or_was_abandoned(future_days, city, settings):
    """Answered in writing or declined and left so: the clock starts then.
    Abandoned while submitted: at its last change. A request with a meeting
    still ahead is never purged."""
    answered = submit(future_days[:1], name=NAME, phone=PHONE).request
    booking.request_answer_in_writing(request=answered, answer=f"{NAME}님, 서면으로 답변드립니다.")
    declined = submit(future_days[:1], name="선우거절").request
    booking.request_decline(request=declined, reason="선우거절님은 이미 같은 민원을 내셨습니다")
    submit(future_days[:1], name="독고방치")
    waiting = submit(future_days[-1:], name="황보대기").request
    booking.slot_book(request=waiting, slot=future_days[-1].slots.first())

    answered_at = RequestEvent.objects.filter(request=answered, to_status="answered").get().at
    years = settings.MEETING_RETENTION_YEARS
    assert requests_purge(now=retention_over(answered_at, years) - dt.timedelta(days=1)) == 0
    assert requests_purge(now=timezone.now() + relativedelta(years=years, days=1)) == 3
    assert rows_containing([NAME, "선우거절", "서면으로", "독고방치"]) == {}
    declined.refresh_from_db()
    assert declined.status == "declined" and declined.decline_reason == "-"  # the constraint wants a reason
    waiting.refresh_from_db()
    assert waiting.purged_at is None and waiting.name == "황보대기"


def test_the_daily_task_purges(closed_citizen, settings):
    old = timezone.now() - relativedelta(years=settings.MEETING_RETENTION_YEARS, days=1)
    # Everything happened long ago.
    MeetingRequest.objects.filter(pk=closed_citizen.pk).update(closed_at=old)
    RequestEvent.objects.filter(request=closed_citizen).update(at=old)
    assert purge_personal_data.delay().get() == 1
    assert rows_containing([NAME, PHONE]) == {}


def test_the_consent_text_states_the_retention_period(client, future_days, settings):
    settings.MEETING_RETENTION_YEARS = 4
    client.cookies["tongtong_language"] = "en"
    page = client.get("/meetings/request/")
    assert page.status_code == 200
    assert "4 years after the meeting ends, then destroyed" in page.content.decode()
