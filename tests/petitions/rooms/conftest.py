"""Two consultation rooms on the pinned day (Tue 17 Nov 2026, 10:00)."""

from __future__ import annotations

import datetime as dt

import pytest

from petitions.rooms import services
from petitions.rooms.models import RoomBooking
from scheduling.clock import SEOUL

WEDNESDAY = dt.date(2026, 11, 18)


def at(hour: int, minute: int = 0, day: dt.date = WEDNESDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)


@pytest.fixture
def small(secretariat_user):
    return services.room_create(name="직소민원 상담실", place="본관 1층", capacity=6, actor=secretariat_user)


@pytest.fixture
def large(secretariat_user):
    return services.room_create(name="집단민원 상담실", place="본관 2층", capacity=30, actor=secretariat_user)


@pytest.fixture
def book(secretariat_user, small):
    def make(**overrides):
        values = {
            "room": small,
            "start": at(10),
            "end": at(11),
            "kind": RoomBooking.Kind.WALK_IN,
            "citizen_name": "김상담",
            "actor": secretariat_user,
        }
        values.update(overrides)
        return services.booking_make(**values)

    return make
