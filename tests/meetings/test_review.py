"""The department head's review before booking (소관부서장 검토, seed 000):
asked of the owning department's head, due on the working-day clock,
answered only by that head (from the inbox), reminded once when late,
marked in the queue; booking with the mayor or a substitute needs the
opinion or the secretariat's override with a reason, kept in the history."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone

from meetings.errors import MeetingError
from meetings.models import MeetingRequest, RequestEvent, WaitlistEntry
from meetings.services import booking
from meetings.services import review as review_service
from scheduling import roles
from scheduling.models import Official, StaffProfile
from scheduling.services import official_create
from scheduling.sms import outbox
from tests.meetings.conftest import SEOUL, submit

pytestmark = pytest.mark.django_db

GATE_MESSAGE = "먼저 소관 부서장에게 검토 의견을 요청하거나"


@pytest.fixture
def head(city, django_user_model):
    """도로과장, with an account and an e-mail address."""
    user = django_user_model.objects.create_user(
        "roads-head", password="pw-roads-head", email="head@city.go.kr", last_name="임", first_name="재훈"
    )
    user.groups.add(Group.objects.get(name=roles.DEPARTMENT_STAFF))
    StaffProfile.objects.create(user=user, department=city["roads"])
    return official_create(
        name="임재훈", title="도로과장", rank=Official.Rank.DEPARTMENT_HEAD, department=city["roads"], user=user
    )


@pytest.fixture
def roads_staff(department_user, city):
    StaffProfile.objects.create(user=department_user, department=city["roads"])
    return department_user


@pytest.fixture
def fresh(future_days):
    """A request nobody has reviewed yet."""
    return submit(future_days[:2], clear=False).request


def _answer(review, user, **extra):
    return review_service.review_answer(
        review=review,
        opinion=extra.pop("opinion", "예산 확보가 필요하여 면담이 필요합니다."),
        meeting_needed=extra.pop("meeting_needed", "yes"),
        department_can_resolve=extra.pop("department_can_resolve", False),
        actor=user,
        **extra,
    )


def test_booking_with_the_mayor_without_the_heads_opinion_is_refused_in_korean(fresh, future_days):
    slot = future_days[0].slots.first()
    with pytest.raises(MeetingError, match=GATE_MESSAGE):
        booking.slot_book(request=fresh, slot=slot)
    fresh.refresh_from_db()
    assert fresh.status == "submitted" and not fresh.appointments.exists()


def test_substituting_without_the_heads_opinion_is_refused_too(fresh, city):
    start = timezone.now() + dt.timedelta(days=7)
    with pytest.raises(MeetingError, match=GATE_MESSAGE):
        booking.request_substitute(request=fresh, official=city["first"], start=start, reason="시장 출장")
    assert not fresh.appointments.exists()


def test_the_review_goes_to_the_owning_departments_head_due_in_working_days(fresh, head, secretariat_user):
    # Asked on Wednesday 2026-09-23: Chuseok (09-24..09-26) is not counted.
    with time_machine.travel(dt.datetime(2026, 9, 23, 10, tzinfo=SEOUL), tick=False):
        review = review_service.review_ask(request=fresh, actor=secretariat_user)
    assert review.department.name == "도로과"
    assert review.reviewer == head
    assert review.due_on == dt.date(2026, 9, 30)  # Mon 09-28, Tue 09-29, Wed 09-30
    fresh.refresh_from_db()
    assert fresh.status == "under_review"
    with pytest.raises(MeetingError, match="의견이 아직 오지 않았습니다"):
        booking.slot_book(request=fresh, slot=fresh.preferences.first().meeting_day.slots.first())


def test_only_the_head_answers_and_then_booking_is_allowed(fresh, head, roads_staff, future_days):
    review = review_service.review_ask(request=fresh)
    with pytest.raises(MeetingError, match="부서장만 회신할 수 있습니다"):
        _answer(review, roads_staff)
    _answer(review, head.user, recommended_official=head)
    review.refresh_from_db()
    assert review.meeting_needed == "yes" and review.department_can_resolve is False
    assert review.answered_by == head.user
    appointment = booking.slot_book(request=fresh, slot=future_days[0].slots.first())
    assert appointment.official.rank == Official.Rank.MAYOR


def test_without_a_head_on_record_the_departments_staff_answer(fresh, roads_staff, future_days):
    review = review_service.review_ask(request=fresh)
    assert review.reviewer is None
    _answer(review, roads_staff)
    booking.slot_book(request=fresh, slot=future_days[0].slots.first())
    fresh.refresh_from_db()
    assert fresh.status == "scheduled"


def test_the_override_needs_a_reason_and_is_in_the_history(fresh, secretariat_user, future_days):
    with pytest.raises(MeetingError, match="사유를 입력해 주세요"):
        review_service.review_override(request=fresh, reason="  ", actor=secretariat_user)
    review_service.review_override(request=fresh, reason="시장님 특별 지시", actor=secretariat_user)
    event = RequestEvent.objects.get(request=fresh, action="review_overridden")
    assert event.note == "시장님 특별 지시" and event.actor == secretariat_user and not event.public
    assert fresh.audit_history.filter(review_override_reason="시장님 특별 지시").exists()
    booking.slot_book(request=fresh, slot=future_days[0].slots.first(), actor=secretariat_user)
    fresh.refresh_from_db()
    assert fresh.status == "scheduled"


def test_the_mayor_on_another_day_is_a_meeting_with_the_mayor_not_a_substitution(submitted, city):
    proposals, _problems = booking.substitute_proposals(submitted.request)
    mayor = proposals[0]
    assert mayor.official == city["mayor"] and mayor.role == "mayor"
    meeting_day_starts = {d.start for d in submitted.request.preferred_days.all()}
    assert mayor.times and not set(mayor.times) & meeting_day_starts
    appointment = booking.request_substitute(
        request=submitted.request, official=city["mayor"], start=mayor.times[0], reason=""
    )
    submitted.request.refresh_from_db()
    assert submitted.request.status == "scheduled" and not appointment.is_substitution
    assert "김시장" in outbox[-1].body


def test_a_late_review_is_reminded_once_and_marked_in_the_queue(client, fresh, head, secretariat_user):
    asked = dt.datetime(2026, 12, 7, 9, tzinfo=SEOUL)  # a Monday
    with time_machine.travel(asked, tick=False):
        review = review_service.review_ask(request=fresh, actor=secretariat_user)
    assert review.due_on == dt.date(2026, 12, 10)
    on_time = dt.datetime(2026, 12, 10, 18, tzinfo=SEOUL)
    assert review_service.reviews_remind_late(now=on_time) == 0
    late = dt.datetime(2026, 12, 11, 9, 30, tzinfo=SEOUL)
    assert review_service.reviews_remind_late(now=late) == 1
    assert review_service.reviews_remind_late(now=late + dt.timedelta(days=1)) == 0
    assert [m.to for m in mail.outbox] == [["head@city.go.kr"]]
    assert fresh.reference in mail.outbox[0].subject and "/staff/meetings/reviews/" in mail.outbox[0].body
    with time_machine.travel(late, tick=False):
        client.force_login(secretariat_user)
        html = client.get("/staff/meetings/").content.decode()
    assert "검토 기한 경과" in html


def test_the_request_page_shows_the_opinion_beside_the_actions(client, fresh, head, secretariat_user):
    review = review_service.review_ask(request=fresh)
    client.force_login(secretariat_user)
    before = client.get(f"/staff/meetings/{fresh.pk}/").content.decode()
    assert "소관 부서장의 검토 의견이 아직 오지 않았습니다" in before
    assert "action-override" in before
    _answer(review, head.user, opinion="현장 확인 결과 면담 필요")
    after = client.get(f"/staff/meetings/{fresh.pk}/").content.decode()
    box = after[after.index('id="head-review-title"') : after.index('class="tt-actions"')]
    assert "현장 확인 결과 면담 필요" in box and "예, 면담 필요" in box
    assert "action-override" not in after


def test_the_override_from_the_page_keeps_what_was_typed_when_refused(client, fresh, secretariat_user):
    client.force_login(secretariat_user)
    refused = client.post(f"/staff/meetings/{fresh.pk}/review/override/", {"override-reason": " "})
    assert refused.status_code == 200
    assert "소관 부서장 검토 없이 진행하는 사유를 입력해 주세요." in refused.content.decode()
    done = client.post(f"/staff/meetings/{fresh.pk}/review/override/", {"override-reason": "긴급 안전 민원"})
    assert done.status_code == 302
    fresh.refresh_from_db()
    assert fresh.review_override_reason == "긴급 안전 민원"


def test_a_freed_slot_is_offered_only_to_a_request_that_may_be_booked(future_days, secretariat_user):
    day = future_days[0]
    holders = [submit([day], phone=f"010-5000-{i:04d}") for i in range(day.slots.count())]
    for holder, slot in zip(holders, day.slots.order_by("start"), strict=True):
        booking.slot_book(request=holder.request, slot=slot)
    unreviewed = submit([day], clear=False, phone="010-6000-0001").request
    reviewed = submit([day], clear=False, phone="010-6000-0002").request
    review_service.review_override(request=reviewed, reason="민원 긴급", actor=secretariat_user)
    assert WaitlistEntry.objects.filter(meeting_day=day, status="waiting").count() == 2

    booking.citizen_cancel(request=holders[0].request)

    offered = WaitlistEntry.objects.get(status="offered")
    assert offered.request == reviewed  # the first in line was never reviewed
    assert WaitlistEntry.objects.get(request=unreviewed).status == "waiting"
    assert not MeetingRequest.objects.get(pk=unreviewed.pk).appointments.exists()
