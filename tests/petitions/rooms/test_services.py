"""Booking the consultation rooms: each room is a calendar, each booking an
event on it; no two bookings of a room overlap; the room's capacity holds;
building security hears of a group visit once, and again when it moves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from schedule.models import Event

from petitions.rooms import services
from petitions.rooms.models import RoomBooking, RoomNotification
from petitions.rooms.notifications import warn_security

from .conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


def test_a_room_has_its_own_calendar_and_a_booking_its_event(small, large, book):
    assert small.calendar is not None and small.calendar != large.calendar
    booking = book()
    event = Event.objects.get(pk=booking.event_id)
    assert event.calendar == small.calendar
    assert (event.start, event.end) == (at(10), at(11))
    assert "김상담" not in event.title  # no name on the calendar


def test_an_overlapping_booking_of_the_same_room_is_refused_in_korean(book, large):
    book()
    with pytest.raises(services.RoomError, match="이미 예약되어 있습니다"):
        book(start=at(10, 30), end=at(11, 30))
    with pytest.raises(services.RoomError, match="이미 예약"):
        book(start=at(9), end=at(12))
    # Back to back is fine, and so is another room at the same time.
    book(start=at(11), end=at(12))
    book(room=large, start=at(10, 30), end=at(11, 30))
    assert RoomBooking.objects.count() == 3


def test_a_cancelled_booking_frees_the_room_and_its_calendar(book, secretariat_user):
    booking = book()
    event_id = booking.event_id
    services.booking_cancel(booking=booking, reason="민원인 불참", actor=secretariat_user)
    assert not Event.objects.filter(pk=event_id).exists()
    book()  # the same time again
    with pytest.raises(services.RoomError, match="이미 취소"):
        services.booking_cancel(booking=booking, reason="다시", actor=secretariat_user)


def test_more_people_than_the_room_holds_are_refused_in_korean(book, large):
    with pytest.raises(services.RoomError, match="수용 인원은 6명인데 12명"):
        book(kind=RoomBooking.Kind.GROUP_VISIT, headcount=12)
    assert not RoomNotification.objects.exists()
    book(room=large, kind=RoomBooking.Kind.GROUP_VISIT, headcount=12)


def test_times_in_the_past_or_backwards_are_refused(book):
    with pytest.raises(services.RoomError, match="지난 시간"):
        book(start=at(8, day=at(0).date().replace(day=16)), end=at(9, day=at(0).date().replace(day=16)))
    with pytest.raises(services.RoomError, match="뒤여야"):
        book(start=at(11), end=at(10))


def test_a_group_visit_warns_building_security_once_and_again_when_moved(book, large, secretariat_user, settings):
    settings.BUILDING_SECURITY_EMAIL = "guard@city.example"
    settings.BUILDING_SECURITY_PHONE = "010-9999-0112"
    booking = book(room=large, kind=RoomBooking.Kind.GROUP_VISIT, headcount=18, organisation="○○아파트 입주자대표회의")
    warned = RoomNotification.objects.filter(booking=booking)
    assert sorted(warned.values_list("channel", "recipient")) == [
        ("email", "guard@city.example"),
        ("sms", "010-9999-0112"),
    ]
    sms = warned.get(channel="sms")
    assert "집단민원 방문 예정" in sms.body and "18명" in sms.body and "○○아파트" in sms.body
    assert "김상담" not in sms.body
    # The same booking warned again writes nothing (the dedupe key).
    assert warn_security(booking) == []
    services.booking_move(booking=booking, start=at(14), end=at(15), actor=secretariat_user)
    assert warned.count() == 4
    assert "일정 변경" in warned.filter(channel="sms").order_by("-pk").first().body


def test_a_walk_in_warns_nobody(book):
    book()
    assert not RoomNotification.objects.exists()


def test_a_move_onto_another_booking_is_refused_and_changes_nothing(book, secretariat_user, large):
    first = book()
    second = book(start=at(13), end=at(14))
    with pytest.raises(services.RoomError, match="이미 예약"):
        services.booking_move(booking=second, start=at(10, 30), end=at(11, 30), actor=secretariat_user)
    second.refresh_from_db()
    assert (second.start, second.end, second.sequence) == (at(13), at(14), 0)
    moved = services.booking_move(booking=second, room=large, start=at(10), end=at(11), actor=secretariat_user)
    assert moved.room == large and Event.objects.get(pk=moved.event_id).calendar == large.calendar
    assert first.room != moved.room


def test_only_the_secretariat_books(book, department_user, stranger, small):
    for user in (department_user, stranger):
        with pytest.raises(PermissionDenied):
            book(actor=user)
