"""Two overlapping bookings of one room at the same moment: one wins
(PostgreSQL, real row locks; skipped on SQLite)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from petitions.rooms import services
from petitions.rooms.models import RoomBooking
from scheduling import roles
from tests.meetings.test_concurrency import race, split

from .conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL's row locks (set DATABASE_URL)")


@pytest.mark.usefixtures("pinned_today")
@pytest.mark.parametrize("threads", [2, 10])
def test_overlapping_bookings_made_at_once_give_one(threads):
    user = get_user_model().objects.create_user(username="secretariat", password="x")
    user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    room = services.room_create(name="직소민원 상담실", place="본관 1층", capacity=6, actor=user)

    def work(i):
        actor = get_user_model().objects.get(pk=user.pk)
        return services.booking_make(room=room, start=at(10, i % 30), end=at(11, i % 30), kind="walk_in", actor=actor)

    ok, errors = split(race(threads, work))
    assert len(ok) == 1 and len(errors) == threads - 1
    assert all(isinstance(error, services.RoomError) for error in errors), errors
    assert RoomBooking.objects.count() == 1
