"""The TongTong Day panels of the staff dashboard: today's and the next
meeting day with their slots and bookings, and the requests waiting longest,
as the secretariat and an official read them, in a constant number of
queries."""

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import MeetingDay, MeetingRequest
from meetings.services import booking
from meetings.services.series import meeting_day_cancel, meeting_days_sync, series_configure
from meetings.staff.dashboard import meeting_days_context, waiting_requests_context
from scheduling.staff import panels_for
from tests.awkward_days import working_days_after
from tests.meetings.conftest import free_times, submit

pytestmark = pytest.mark.django_db


def _book(request, day, index=0):
    slot = day.slots.order_by("start")[index]
    return booking.slot_book(request=request, slot=slot)


def _panel_html(template, context) -> str:
    return render_to_string(template, context)


def _day_before(day: MeetingDay) -> dt.datetime:
    return day.start - dt.timedelta(days=1)


# --- Meeting days ---------------------------------------------------------------------


def test_the_secretariat_sees_the_next_day_with_every_booking_and_free_slots(secretariat_user, submitted, future_days):
    day = future_days[0]
    _book(submitted.request, day, index=1)
    context = meeting_days_context(secretariat_user, now=_day_before(day))

    [row] = context["days"]
    assert row.day == day and not row.is_today
    assert (row.total, row.booked, row.free) == (day.slots.count(), 1, 3) == (4, 1, 3)
    # 14:00 free, 14:15 booked, 14:30–15:00 two free slots.
    assert [(r.time, r.free_count, r.until) for r in row.slots] == [
        ("14:00", 1, "14:15"),
        ("14:15", 0, ""),
        ("14:30", 2, "15:00"),
    ]
    booked = row.slots[1]
    assert booked.appointment.request == submitted.request
    assert booked.shows_who and booked.phone == "010-****-5678"
    assert row.day_url == f"/staff/meetings/days/{day.pk}/"
    assert row.run_sheet_url == f"/staff/meetings/days/{day.pk}/run-sheet/"

    html = _panel_html("meetings/dashboard_days.html", context)
    assert "홍길동" in html and "010-****-5678" in html and "010-1234-5678" not in html
    assert f'href="/staff/meetings/{submitted.request.pk}/"' in html
    assert f'href="/staff/meetings/days/{day.pk}/run-sheet/"' in html
    assert "14:30–15:00" in html


def test_on_the_day_itself_today_and_the_next_day_are_shown(secretariat_user, future_days):
    today, following = future_days[0], future_days[1]
    # In the evening, after the day ended: it is still today's.
    context = meeting_days_context(secretariat_user, now=today.end + dt.timedelta(hours=4))
    assert [(row.day, row.is_today) for row in context["days"]] == [(today, True), (following, False)]


def test_a_cancelled_next_day_shows_its_reason_and_the_day_after(secretariat_user, future_days):
    day, following = future_days[0], future_days[1]
    meeting_day_cancel(day=day, reason="시장 해외 출장으로 취소합니다.", actor=secretariat_user)
    context = meeting_days_context(secretariat_user, now=_day_before(day))
    assert [row.day.pk for row in context["days"]] == [day.pk, following.pk]
    cancelled = context["days"][0]
    assert cancelled.day.status == MeetingDay.Status.CANCELLED and cancelled.run_sheet_url == ""
    html = _panel_html("meetings/dashboard_days.html", context)
    assert "시장 해외 출장으로 취소합니다." in html


def test_an_official_sees_names_only_of_their_own_appointments(official_user, city, submitted, future_days):
    day = future_days[0]
    _book(submitted.request, day)
    deputy = city["first"]
    deputy.user = official_user
    deputy.save()
    other = submit(future_days[:1], subject="부시장 면담", phone="010-9999-8888", name="이민원")
    times = free_times(other.request, deputy)
    booking.request_substitute(request=other.request, official=deputy, start=times[0], reason="시장 출장")

    context = meeting_days_context(official_user, now=_day_before(day))
    [row] = context["days"]
    mayors_booking = row.slots[0]
    assert mayors_booking.appointment is not None and not mayors_booking.shows_who
    assert row.day_url == "" and context["days_url"] == ""  # officials do not open the days' pages
    html = _panel_html("meetings/dashboard_days.html", context)
    assert "홍길동" not in html and "5678" not in html
    assert "/run-sheet/" not in html

    # Their own appointments, from now on, with the citizen's name.
    context = meeting_days_context(official_user)
    assert [item["appointment"].request for item in context["own_appointments"]] == [other.request]
    assert "이민원" in _panel_html("meetings/dashboard_days.html", context)


def test_the_mayor_sees_who_booked_the_meeting_day(official_user, city, submitted, future_days):
    day = future_days[0]
    _book(submitted.request, day)
    mayor = city["mayor"]
    mayor.user = official_user
    mayor.save()
    [row] = meeting_days_context(official_user, now=_day_before(day))["days"]
    assert row.slots[0].shows_who and row.slots[0].phone == "010-****-5678"


def test_department_staff_do_not_get_the_meeting_day_panels(department_user, submitted, future_days):
    keys = {panel.key for panel, _context in panels_for(department_user)}
    assert not keys & {"meetings.days", "meetings.waiting"}


def test_a_city_without_a_mayor_has_no_days_and_no_error(secretariat_user, db):
    context = meeting_days_context(secretariat_user)
    assert context["days"] == [] and not context["has_series"]
    assert _panel_html("meetings/dashboard_days.html", context)


@pytest.fixture
def long_days(city):
    """Meeting days of eight hours in five-minute slots: room for 96
    bookings a day."""
    series_configure(series=city["series"], duration_minutes=480, slot_minutes=5)
    today = timezone.localdate()
    return [
        d
        for d in meeting_days_sync(start=today + dt.timedelta(days=3), end=today + dt.timedelta(days=80))
        if d.status != "cancelled"
    ]


def test_the_meeting_days_panel_runs_the_same_queries_for_5_or_50_bookings(secretariat_user, long_days):
    day = long_days[0]
    now = _day_before(day)

    def book(indexes):
        for index in indexes:
            _book(submit([day], phone=f"010-1234-{index:04d}").request, day, index=index)

    def count():
        meeting_days_context(secretariat_user, now=now)  # warm: the days are synced once
        with CaptureQueriesContext(connection) as queries:
            context = meeting_days_context(secretariat_user, now=now)
        return len(queries), context

    book(range(5))
    few, context = count()
    assert context["days"][0].booked == 5
    book(range(5, 50))
    many, context = count()
    assert context["days"][0].booked == 50 and context["days"][0].free == 96 - 50
    assert len(context["days"][0].slots) == 50 + 1  # the 46 free slots after the bookings are one row
    assert few == many, (few, many)
    assert many <= 10  # six queries and the sync's two savepoints


# --- Requests waiting longest -------------------------------------------------------------


def _age(meeting_request, days: int, *, late: bool = False):
    submitted_at = timezone.now() - dt.timedelta(days=days)
    due = timezone.now() + (dt.timedelta(days=-1) if late else dt.timedelta(days=3))
    MeetingRequest.objects.filter(pk=meeting_request.pk).update(submitted_at=submitted_at, answer_due_at=due)


def test_the_oldest_open_requests_come_first_and_late_ones_are_marked(secretariat_user, future_days):
    newest = submit(future_days[:1], subject="새 민원").request
    oldest = submit(future_days[:1], subject="오래된 민원").request
    middle = submit(future_days[:1], subject="중간 민원").request
    booked = submit(future_days[:1], subject="예약된 민원").request
    answered = submit(future_days[:1], subject="답변한 민원").request
    _age(oldest, 20, late=True)
    _age(middle, 10)
    _age(booked, 30)
    _age(answered, 30)
    _book(booked, future_days[0])
    booking.request_answer_in_writing(request=answered, answer="서면으로 답변드립니다.")

    context = waiting_requests_context(secretariat_user)
    assert [row.request for row in context["rows"]] == [oldest, middle, newest]
    assert [row.is_late for row in context["rows"]] == [True, False, False]
    assert (context["total"], context["late"]) == (3, 1)
    # Twenty days ago: nine to fourteen working days, as the holidays between
    # fall (nine from 9 to 19 October 2028, after Chuseok).
    oldest.refresh_from_db()
    waited = working_days_after(timezone.localdate(oldest.submitted_at), timezone.localdate())
    assert context["rows"][0].days_waiting == waited

    html = _panel_html("meetings/dashboard_waiting.html", context)
    assert html.index(oldest.reference) < html.index(middle.reference) < html.index(newest.reference)
    assert booked.reference not in html and answered.reference not in html
    assert f'href="/staff/meetings/{oldest.pk}/"' in html
    late_row = html[html.index('class="is-late"') : html.index(middle.reference)]
    assert oldest.reference in late_row and "tt-late-text" in late_row


def test_only_five_are_listed_but_all_are_counted(secretariat_user, future_days):
    for index in range(7):
        _age(submit(future_days[:1], subject=f"민원 {index}").request, 20 - index)
    context = waiting_requests_context(secretariat_user)
    assert len(context["rows"]) == 5 and context["total"] == 7
    assert [row.request.subject for row in context["rows"]] == [f"민원 {i}" for i in range(5)]


def test_an_official_has_nothing_waiting(official_user, city, submitted):
    city["mayor"].user = official_user
    city["mayor"].save()
    assert waiting_requests_context(official_user) is None
    assert "meetings.waiting" not in {panel.key for panel, _context in panels_for(official_user)}


def test_an_empty_queue_says_so(secretariat_user, db):
    context = waiting_requests_context(secretariat_user)
    assert context["rows"] == [] and context["total"] == 0
    assert 'href="/staff/meetings/"' in _panel_html("meetings/dashboard_waiting.html", context)


def test_the_waiting_panel_runs_the_same_queries_for_5_or_50_requests(secretariat_user, future_days):
    def add(count):
        for index in range(count):
            _age(submit(future_days[:1], subject=f"민원 {index}").request, 40 - index % 30, late=index % 2 == 0)

    def count():
        waiting_requests_context(secretariat_user)  # warm: the user's permissions are loaded once
        with CaptureQueriesContext(connection) as queries:
            context = waiting_requests_context(secretariat_user)
        return len(queries), context

    add(5)
    few, context = count()
    assert context["total"] == 5
    add(45)
    many, context = count()
    assert context["total"] == 50 and len(context["rows"]) == 5
    assert few == many, (few, many)
    assert many <= 6
