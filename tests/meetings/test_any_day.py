"""The date-sensitive meeting flows, run "today" on every awkward day of
``tests/awkward_days.py`` (the clock pinned there with ``pinned_today``):
booking with the mayor, moving and cancelling a meeting day, the answer
clock and its extension, the waiting-list offer, the retention purge and the
monthly and half-year reports. Each checks what a citizen or the
secretariat would see, against the working-day oracle of awkward_days.py.

Every booking goes through ``_book`` (one place to change when booking
needs more, e.g. the department head's review opinion first)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone, translation

from meetings import tasks
from meetings.errors import MeetingError
from meetings.models import MeetingDay, MeetingRequest, WaitlistEntry
from meetings.selectors import bookable_meeting_days
from meetings.services import booking
from meetings.services.notifications import format_when
from meetings.services.requests import bookable_error
from meetings.services.series import meeting_day_cancel, meeting_day_move, meeting_days_sync
from scheduling.dates import korean_date
from scheduling.reports import services as report_services
from scheduling.reports.core import Span
from scheduling.sms import outbox
from tests.awkward_days import (
    holiday_name,
    is_working_day,
    next_working_day,
    nth_working_day,
    on_awkward_days,
    retention_over,
    working_days_after,
)
from tests.meetings.conftest import SEOUL, submit

pytestmark = [pytest.mark.django_db, on_awkward_days]


def _book(request, slot, actor=None):
    """Book ``request`` with the mayor in ``slot``: the one booking call of this file."""
    return booking.slot_book(request=request, slot=slot, actor=actor)


def _messages_to(request: MeetingRequest) -> list[str]:
    return [m.body for m in outbox if request.reference in m.body]


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _first_free_day_after(meeting_day: MeetingDay) -> dt.date:
    """The first working day after ``meeting_day`` that holds no other meeting day."""
    taken = {_local_date(d.start) for d in MeetingDay.objects.exclude(status=MeetingDay.Status.CANCELLED)}
    day = next_working_day(_local_date(meeting_day.start))
    while day in taken:
        day = next_working_day(day)
    return day


# --- Booking a slot with the mayor ------------------------------------------------------


def test_the_days_offered_are_working_days_and_the_slot_booked_is_the_one_chosen(pinned_today, city, secretariat_user):
    offered = list(bookable_meeting_days())
    assert len(offered) >= 5  # about three months of two days a month
    for day in offered:
        local = _local_date(day.start)
        assert is_working_day(local), (day, holiday_name(local))
        assert local > pinned_today
        assert bookable_error(day) is None
        if day.status == MeetingDay.Status.MOVED:
            assert holiday_name(day.original_date), "only a holiday moves a day by itself"
            assert holiday_name(day.original_date) in day.reason
    # Every regular date on a holiday was moved (or cancelled), never offered as is.
    for day in meeting_days_sync(start=pinned_today, end=pinned_today + dt.timedelta(days=92)):
        if holiday_name(day.original_date):
            assert day.status in (MeetingDay.Status.MOVED, MeetingDay.Status.CANCELLED), day

    submission = submit(offered[:2])
    request = submission.request
    assert request.reference == f"{pinned_today.year}-0001"  # the Seoul year, whatever UTC says
    first_choice = request.preferences.get(rank=1).meeting_day  # saved when chosen (the form only reads)
    assert first_choice.original_date == offered[0].original_date
    slot = first_choice.slots.order_by("index")[1]
    appointment = _book(request, slot, secretariat_user)

    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.SCHEDULED
    assert (appointment.slot, appointment.start, appointment.official) == (slot, slot.start, city["mayor"])
    told = _messages_to(request)
    assert len(told) == 2  # received, then booked
    assert format_when(slot.start) in told[-1] and "김시장" in told[-1]


# --- Moving and cancelling a meeting day ------------------------------------------------


def test_a_meeting_day_moves_only_to_a_working_day_and_its_citizens_are_told(
    pinned_today, city, future_days, secretariat_user
):
    day = future_days[0]
    request = submit(future_days[:1]).request
    appointment = _book(request, day.slots.first(), secretariat_user)
    original = _local_date(day.start)
    target = _first_free_day_after(day)

    # Every day in between (a weekend, Christmas, Chuseok…, or another
    # meeting day) is refused, with the reason.
    between = original + dt.timedelta(days=1)
    while between < target:
        new_start = dt.datetime.combine(between, dt.time(14), tzinfo=SEOUL)
        with pytest.raises(MeetingError) as refused:
            meeting_day_move(day=day, new_start=new_start, reason="시장 일정", actor=secretariat_user)
        if not is_working_day(between):
            assert korean_date(between) in str(refused.value)
            assert (holiday_name(between) or "요일") in str(refused.value)
        between += dt.timedelta(days=1)

    new_start = dt.datetime.combine(target, dt.time(14), tzinfo=SEOUL)
    moved = meeting_day_move(day=day, new_start=new_start, reason="시장 일정", actor=secretariat_user)

    assert moved == [appointment]
    day.refresh_from_db()
    appointment.refresh_from_db()
    assert (day.status, day.start, day.sequence) == (MeetingDay.Status.MOVED, new_start, 1)
    assert is_working_day(_local_date(day.start))
    assert appointment.start == new_start and _local_date(appointment.start) == target
    told = _messages_to(request)[-1]
    assert korean_date(target) in told and "시장 일정" in told
    assert bookable_error(day) is None  # still open to requests, on its new day


def test_cancelling_a_meeting_day_gives_its_requests_back_to_review(pinned_today, city, future_days, secretariat_user):
    day, other_day = future_days[0], future_days[1]
    requests = [submit([day]).request, submit([day]).request]
    for request, slot in zip(requests, day.slots.order_by("index"), strict=False):
        _book(request, slot, secretariat_user)

    affected = meeting_day_cancel(day=day, reason="긴급 재난 대응", actor=secretariat_user)

    assert sorted(r.pk for r in affected) == sorted(r.pk for r in requests)
    day.refresh_from_db()
    assert "취소" in bookable_error(day)
    for request in requests:
        request.refresh_from_db()
        assert request.status == MeetingRequest.Status.UNDER_REVIEW and request.active_appointment is None
        assert "긴급 재난 대응" in _messages_to(request)[-1]
    # The citizen chooses another day: the next one is still open.
    booking.citizen_ask_other_day(request=requests[0], meeting_day=other_day)
    assert is_working_day(_local_date(other_day.start))


# --- The answer clock and its extension -------------------------------------------------


def test_the_answer_is_due_on_the_seventh_working_day_and_extended_to_a_working_day(
    pinned_today, city, client, secretariat_user
):
    assert settings.MEETING_ANSWER_DAYS == 7
    request = submit().request
    due = timezone.localtime(request.answer_due_at)
    # The day of receipt counts if it is a working day (a request received
    # on a holiday starts its count on the next working day); 18:00.
    expected = nth_working_day(pinned_today, 7)
    assert (due.date(), due.time()) == (expected, dt.time(18))
    assert is_working_day(due.date())

    # The secretariat's page proposes as many working days again.
    client.force_login(secretariat_user)
    page = client.get(f"/staff/meetings/{request.pk}/")
    assert page.status_code == 200
    proposed = page.context["forms"]["extend"].initial["new_due"]
    assert proposed == nth_working_day(next_working_day(expected), 7)
    response = client.post(
        f"/staff/meetings/{request.pk}/extend/",
        {"extend-new_due": proposed.isoformat(), "extend-reason": "현장 조사가 필요합니다"},
    )
    assert response.status_code == 302

    request.refresh_from_db()
    extended = timezone.localtime(request.extended_due_at)
    assert (extended.date(), extended.time()) == (proposed, dt.time(18))
    assert working_days_after(expected, extended.date()) == 7
    told = _messages_to(request)[-1]
    assert format_when(request.extended_due_at) in told and "현장 조사가 필요합니다" in told
    with pytest.raises(MeetingError):
        booking.due_date_extend(request=request, new_due=request.extended_due_at + dt.timedelta(days=7), reason="또")


# --- The waiting-list offer -------------------------------------------------------------


def test_an_unanswered_offer_passes_to_the_next_in_line_when_it_expires(
    pinned_today, pinned_clock, city, future_days, secretariat_user
):
    day = future_days[0]
    booked = []
    for slot in day.slots.order_by("index"):
        booked.append(submit([day]).request)
        _book(booked[-1], slot, secretariat_user)
    first, second = submit([day]).request, submit([day]).request
    booking.citizen_cancel(request=booked[0])

    offer = WaitlistEntry.objects.get(request=first)
    assert offer.status == WaitlistEntry.Status.OFFERED
    hours = settings.MEETING_WAITLIST_OFFER_HOURS
    assert offer.offer_expires_at - timezone.now() <= dt.timedelta(hours=hours)
    assert format_when(offer.offer_expires_at) in _messages_to(first)[-1]

    pinned_clock.move_to(offer.offer_expires_at - dt.timedelta(minutes=1))
    assert tasks.expire_waitlist_offers() == 0  # the beat a minute before: still theirs
    assert WaitlistEntry.objects.get(request=second).status == WaitlistEntry.Status.WAITING

    pinned_clock.move_to(offer.offer_expires_at + dt.timedelta(minutes=1))
    assert tasks.expire_waitlist_offers() == 1
    offer.refresh_from_db()
    assert offer.status == WaitlistEntry.Status.EXPIRED
    with pytest.raises(MeetingError):
        booking.waitlist_accept(entry=offer)
    passed_on = WaitlistEntry.objects.get(request=second)
    assert (passed_on.status, passed_on.offered_slot) == (WaitlistEntry.Status.OFFERED, offer.offered_slot)
    assert format_when(offer.offered_slot.start) in _messages_to(second)[-1]
    booking.waitlist_accept(entry=passed_on)
    second.refresh_from_db()
    assert second.active_appointment.slot == offer.offered_slot


# --- The retention purge ----------------------------------------------------------------


def test_personal_data_is_purged_when_the_retention_period_is_over_not_a_moment_before(
    pinned_today, pinned_clock, city
):
    request = submit(name="기한만료").request
    booking.request_answer_in_writing(request=request, answer="서면 답변")  # the request ends now
    ended = request.history.get(action="answered").at
    end_of_retention = retention_over(ended, settings.MEETING_RETENTION_YEARS)

    pinned_clock.move_to(end_of_retention - dt.timedelta(days=1))
    assert tasks.purge_personal_data() == 0
    pinned_clock.move_to(end_of_retention - dt.timedelta(seconds=1))
    assert tasks.purge_personal_data() == 0
    assert MeetingRequest.objects.get(pk=request.pk).name == "기한만료"

    pinned_clock.move_to(end_of_retention)
    assert tasks.purge_personal_data() == 1
    purged = MeetingRequest.objects.get(pk=request.pk)
    assert (purged.name, purged.phone, purged.status) == ("", "", MeetingRequest.Status.ANSWERED)
    assert purged.purged_at is not None


# --- Monthly and half-year reports ------------------------------------------------------


def _figures(report) -> dict[str, object]:
    return {f.label: f.value for section in report.sections for f in section.figures}


def _received_by_month(half_year_report) -> dict[str, int]:
    """The half-year's month-by-month table: requests received, by month label."""
    (trend,) = [t for s in half_year_report.sections for t in s.tables if t.key == "requests_trend"]
    return {row[0]: row[1] for row in trend.rows}


def _submitted_at(moment: dt.datetime) -> MeetingRequest:
    """A request received at ``moment`` (by phone: no preferred day)."""
    return submit(now=moment, channel=MeetingRequest.Channel.PHONE).request


def test_the_monthly_and_half_year_reports_count_what_happened(pinned_today, city):
    this_month = report_services.month_containing(pinned_today)
    last_month = report_services.last_month(pinned_today)
    # One request in the last minute of last month and one in the first
    # minute of this one (in Seoul: the database holds UTC), one today.
    late_last_month = dt.datetime.combine(this_month.start, dt.time(0), tzinfo=SEOUL) - dt.timedelta(seconds=30)
    early_this_month = dt.datetime.combine(this_month.start, dt.time(0, 0, 30), tzinfo=SEOUL)
    mid_last_month = dt.datetime.combine(last_month.start + dt.timedelta(days=14), dt.time(11), tzinfo=SEOUL)
    old = [_submitted_at(mid_last_month), _submitted_at(late_last_month)]
    new = [_submitted_at(early_this_month), _submitted_at(timezone.now() - dt.timedelta(minutes=1))]
    # The request of mid last month is answered today.
    booking.request_answer_in_writing(request=old[0], answer="서면 답변")

    with translation.override("en"):
        monthly = _figures(report_services.report_build(report_services.MONTHLY, this_month))
        previous = _figures(report_services.report_build(report_services.MONTHLY, last_month))
        this_half = report_services.half_year_containing(pinned_today)
        last_half = report_services.half_year_containing(this_half.start - dt.timedelta(days=1))
        halves = {
            half: report_services.report_build(report_services.HALF_YEAR, half) for half in (this_half, last_half)
        }
        month_label = Span(this_month.start, this_month.end).label

    assert monthly["Requests received"] == len(new)
    assert monthly["Requests handled"] == 1
    assert monthly["Average working days to the first answer"] == working_days_after(
        mid_last_month.date(), pinned_today
    )
    assert previous["Requests received"] == len(old)
    assert previous["Requests handled"] == 0
    for half, report in halves.items():
        expected = sum(half.start <= _local_date(r.submitted_at) < half.end for r in old + new)
        assert sum(_received_by_month(report).values()) == expected, half
    assert _received_by_month(halves[this_half])[month_label] == len(new)
