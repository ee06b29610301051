"""The rooms' pages (the secretariat only), and the TongTong Day run sheet
showing the room booked for an appointment's request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.services import booking as meeting_booking
from petitions.rooms.models import RoomBooking
from tests.meetings.conftest import city, future_days, submit  # noqa: F401 (fixtures)

from .conftest import WEDNESDAY, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


def test_the_secretariat_sees_the_week_and_books(client, secretariat_user, small, book):
    book()
    client.force_login(secretariat_user)
    page = client.get(f"/staff/rooms/?week={WEDNESDAY:%Y-%m-%d}").content.decode()
    assert "직소민원 상담실" in page and "10:00–11:00" in page and "김상담" not in page
    response = client.post(
        "/staff/rooms/book/",
        {
            "room": small.pk,
            "day": "2026-11-18",
            "start_time": "10:30",
            "end_time": "11:30",
            "kind": "walk_in",
            "headcount": "1",
        },
    )
    assert response.status_code == 200 and "이미 예약되어 있습니다" in response.content.decode()
    response = client.post(
        "/staff/rooms/book/",
        {
            "room": small.pk,
            "day": "2026-11-18",
            "start_time": "13:00",
            "end_time": "14:00",
            "kind": "walk_in",
            "headcount": "2",
            "meeting_reference": "2026-9999",
        },
    )
    assert "2026-9999" in response.content.decode() and RoomBooking.objects.count() == 1
    response = client.post(
        "/staff/rooms/book/",
        {
            "room": small.pk,
            "day": "2026-11-18",
            "start_time": "13:00",
            "end_time": "14:00",
            "kind": "walk_in",
            "headcount": "2",
            "citizen_name": "이방문",
        },
    )
    booking = RoomBooking.objects.get(citizen_name="이방문")
    assert response["Location"] == f"/staff/rooms/bookings/{booking.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "이방문" in detail and "예약 변경" in detail


def test_department_staff_and_strangers_may_not_open_the_rooms(client, department_user, stranger, book):
    booking = book()
    for user in (department_user, stranger):
        client.force_login(user)
        assert client.get("/staff/rooms/").status_code == 403
        assert client.get(f"/staff/rooms/bookings/{booking.pk}/").status_code == 403
        assert client.post(f"/staff/rooms/bookings/{booking.pk}/cancel/", {"cancel-reason": "x"}).status_code == 403
    assert RoomBooking.objects.get(pk=booking.pk).status == RoomBooking.Status.BOOKED


def test_the_week_runs_the_same_queries_for_few_and_many_bookings(client, secretariat_user, small, book):
    client.force_login(secretariat_user)
    counts = []
    for hours in ((9,), (9, 10, 11, 13, 14, 15, 16, 17)):
        for hour in hours:
            if not RoomBooking.objects.filter(start=at(hour)).exists():
                book(start=at(hour), end=at(hour, 50))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/staff/rooms/?week={WEDNESDAY:%Y-%m-%d}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_run_sheet_shows_the_room_booked_for_the_request(client, secretariat_user, future_days, small, book):  # noqa: F811
    day = future_days[0]
    submission = submit([day])
    appointment = meeting_booking.slot_book(request=submission.request, slot=day.slots.first())
    start = appointment.start - dt.timedelta(minutes=30)
    book(start=start, end=appointment.end, meeting_request=submission.request)
    other = submit([day], name="박대기", phone="010-2222-3333")
    meeting_booking.slot_book(request=other.request, slot=day.slots.all()[1])
    client.force_login(secretariat_user)
    page = client.get(f"/staff/meetings/days/{day.pk}/run-sheet/").content.decode()
    assert "상담실: 직소민원 상담실" in page
    assert page.count("상담실: ") == 1  # only the request that has one
