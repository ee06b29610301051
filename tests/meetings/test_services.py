"""The meeting services, called directly as the views and tasks call them."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings.errors import IllegalTransition, MeetingError, SlotTakenError
from meetings.models import Appointment, MeetingDay, MeetingRequest, Notification
from meetings.services import booking
from meetings.services.requests import request_for_token
from meetings.services.series import meeting_day_cancel, meeting_day_move, meeting_days_sync
from scheduling.sms import outbox
from tests.meetings.conftest import SEOUL, another_working_day, submit

pytestmark = pytest.mark.django_db


def test_hangul_day_2025_moves_to_friday_with_a_reason(city):
    days = {d.original_date: d for d in meeting_days_sync(start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 31))}
    assert sorted(days) == [dt.date(2025, 10, 9), dt.date(2025, 10, 23)]
    hangul = days[dt.date(2025, 10, 9)]
    assert hangul.status == MeetingDay.Status.MOVED
    assert timezone.localtime(hangul.start).date() == dt.date(2025, 10, 10)
    assert "한글날" in hangul.reason
    assert hangul.occurrence is not None and hangul.occurrence.original_start.date() == dt.date(2025, 10, 9)
    assert hangul.slots.count() == 4
    assert days[dt.date(2025, 10, 23)].status == MeetingDay.Status.REGULAR


def test_sync_is_idempotent(city):
    first = meeting_days_sync(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    second = meeting_days_sync(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert [d.pk for d in first] == [d.pk for d in second]
    assert len(first) == 24


def test_submission_gives_reference_link_and_sms(pinned_today, future_days):
    submitted = submit(future_days[:2], clear=False)
    request = submitted.request
    assert request.reference == f"{pinned_today.year}-0001"
    assert request.phone == "010-1234-5678"
    assert request_for_token(submitted.token) == request
    assert request_for_token(submitted.token + "x") is None
    assert Notification.objects.filter(request=request, status="sent").count() == 1
    assert outbox and request.reference in outbox[0].body
    assert request.history.get().action == "submitted"


def test_double_submit_makes_one_request(future_days):
    first = submit(future_days[:1])
    again = submit(future_days[:1], submission_key=first.request.submission_key)
    assert again.request == first.request and not again.created
    assert MeetingRequest.objects.count() == 1


def test_book_with_the_mayor_then_the_slot_is_taken(submitted, future_days):
    slot = future_days[0].slots.first()
    appointment = booking.slot_book(request=submitted.request, slot=slot)
    submitted.request.refresh_from_db()
    assert submitted.request.status == "scheduled"
    assert submitted.request.first_answered_at is not None
    assert appointment.event.calendar == appointment.official.calendar
    other = submit(future_days[:1])
    with pytest.raises(SlotTakenError):
        booking.slot_book(request=other.request, slot=slot)
    assert Appointment.objects.filter(slot=slot, status="active").count() == 1


def test_substitution_proposes_the_mayor_then_the_deputy_over_the_topic_then_the_bureau_director(submitted, city):
    proposals, problems = booking.substitute_proposals(submitted.request)
    # 건설교통국 owns roads and is in the second deputy's portfolio.
    assert [p.official for p in proposals] == [city["mayor"], city["second"], city["first"], city["director"]]
    assert proposals[-1].reason == "건설교통국 소관: 도로과"
    assert problems == []
    official, times = proposals[1].official, proposals[1].times
    assert times
    appointment = booking.request_substitute(
        request=submitted.request, official=official, start=times[0], reason="시장 해외 출장"
    )
    assert appointment.is_substitution
    submitted.request.refresh_from_db()
    assert submitted.request.status == "substituted"
    assert "시장 해외 출장" in outbox[-1].body
    with pytest.raises(SlotTakenError):
        other = submit()
        booking.request_substitute(request=other.request, official=official, start=times[0], reason="출장")


def test_decline_needs_a_reason(submitted):
    with pytest.raises(MeetingError):
        booking.request_decline(request=submitted.request, reason="  ")
    booking.request_decline(request=submitted.request, reason="소관 기관이 아닙니다")
    with pytest.raises(IllegalTransition):
        booking.request_answer_in_writing(request=submitted.request, answer="x")


def test_cancelling_a_meeting_day_returns_its_requests_to_review(submitted, future_days):
    day = future_days[0]
    booking.slot_book(request=submitted.request, slot=day.slots.first())
    affected = meeting_day_cancel(day=day, reason="시장 긴급 재난 대응")
    assert affected == [submitted.request]
    submitted.request.refresh_from_db()
    assert submitted.request.status == "under_review"
    assert submitted.request.active_appointment is None
    assert "시장 긴급 재난 대응" in outbox[-1].body
    day.refresh_from_db()
    assert day.status == "cancelled" and day.occurrence.cancelled


def test_moving_a_meeting_day_moves_its_bookings(submitted, future_days):
    day = future_days[0]
    appointment = booking.slot_book(request=submitted.request, slot=day.slots.first())
    new_start = another_working_day(day)
    moved = meeting_day_move(day=day, new_start=new_start, reason="시의회 일정")
    appointment.refresh_from_db()
    assert moved == [appointment]
    assert appointment.start == new_start and appointment.sequence == 1
    assert "시의회 일정" in outbox[-1].body


def test_citizen_cannot_cancel_within_the_notice_period(submitted, future_days, settings):
    booking.slot_book(request=submitted.request, slot=future_days[0].slots.first())
    settings.MEETING_CHANGE_NOTICE_HOURS = 24 * 365
    with pytest.raises(MeetingError, match="전화"):
        booking.citizen_cancel(request=submitted.request)
    settings.MEETING_CHANGE_NOTICE_HOURS = 24
    booking.citizen_cancel(request=submitted.request)
    submitted.request.refresh_from_db()
    assert submitted.request.status == "cancelled"


def test_a_freed_slot_is_offered_to_the_waiting_list(future_days):
    day = future_days[0]
    booked = []
    for slot in day.slots.all():
        sub = submit([day])
        booking.slot_book(request=sub.request, slot=slot)
        booked.append(sub.request)
    waiting = submit([day])  # the day is full now
    assert waiting.request.waitlist_entries.get().status == "waiting"
    booking.citizen_cancel(request=booked[0])
    entry = waiting.request.waitlist_entries.get()
    assert entry.status == "offered"
    booking.waitlist_accept(entry=entry)
    waiting.request.refresh_from_db()
    assert waiting.request.status == "scheduled"


@pytest.mark.parametrize(
    "pinned_today", [dt.datetime(2028, 1, 26, 10, tzinfo=SEOUL)], ids=["2028-01-26"], indirect=True
)
def test_the_last_day_the_form_offers_can_be_chosen(pinned_today, city, settings):
    """92 days after Wed 26 January 2028 is Thu 27 April, a meeting day at
    14:00: the form offers it, so the request must be accepted (the horizon
    counts whole days), not refused as "not open yet" until 14:00."""
    from meetings.selectors import bookable_meeting_days
    from meetings.services.requests import bookable_error

    last = list(bookable_meeting_days())[-1]
    assert timezone.localdate(last.start) == pinned_today + dt.timedelta(days=settings.MEETING_BOOKING_HORIZON_DAYS)
    assert bookable_error(last) is None
    chosen = submit([last]).request.preferences.get().meeting_day  # shown from the rule, saved when chosen
    assert (chosen.pk is not None, chosen.original_date, chosen.start) == (True, last.original_date, last.start)
    beyond = meeting_days_sync(start=pinned_today + dt.timedelta(days=93), end=pinned_today + dt.timedelta(days=120))
    assert "아직" in bookable_error(beyond[0])
