"""``scheduling.calendars`` is the one owner of the calendar: a themed tour,
a field visit and a booked meeting all read the same busy time of an
official, and visits and tours share the one "field-visits" calendar.

Before, the busy check and the event mirroring were written twice (meetings'
booking and visits' rotation; the rotation's visits and the tours), and the
copies had drifted: only the tours' copy moved an event to a new official's
calendar, only the visits' copy left an unchanged event unsaved."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from schedule.models import Calendar

from meetings.services.booking import official_is_free
from scheduling import calendars
from scheduling.models import Official
from scheduling.services import official_create
from visits.records.services import tour_create, tour_record_update, tour_update

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
DAY = dt.date(2027, 3, 16)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=SEOUL)


@pytest.fixture
def mayor(db):
    return official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)


@pytest.fixture
def deputy(db):
    return official_create(name="오부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR)


def _tour(official, **changes):
    fields = {
        "title": "제설 대비 현장점검",
        "group": "season",
        "theme": "snow",
        "official": official,
        "day": DAY,
        "start_time": dt.time(10),
        "end_time": dt.time(12),
        "actor": None,
    }
    return fields | changes


def test_a_tour_makes_its_official_busy_for_a_meeting_until_it_is_cancelled(mayor):
    assert official_is_free(mayor, at(10, 30), at(11))
    tour = tour_create(**_tour(mayor))

    assert not official_is_free(mayor, at(10, 30), at(11))
    assert official_is_free(mayor, at(12), at(12, 30)), "the end is free"
    event, _occurrence = calendars.first_busy(mayor.calendar, at(9), at(18))
    assert event.title == "민생탐방: 제설 대비 현장점검"

    tour_record_update(tour=tour, actor=None, status="cancelled", status_reason="폭설 예보 해제")
    assert official_is_free(mayor, at(10, 30), at(11))


def test_a_tour_given_to_another_official_moves_to_their_calendar(mayor, deputy):
    tour = tour_create(**_tour(mayor))
    tour_update(tour=tour, **_tour(deputy))

    assert official_is_free(mayor, at(10, 30), at(11)), "the mayor's time is free again"
    assert not official_is_free(deputy, at(10, 30), at(11))


def test_visits_and_tours_share_one_field_visits_calendar(mayor):
    tour = tour_create(**_tour(mayor))

    shared = Calendar.objects.get(slug=calendars.FIELD_VISITS_CALENDAR_SLUG)
    assert calendars.field_visits_calendar() == shared
    assert tour.event.calendar == shared
    assert Calendar.objects.filter(slug=calendars.FIELD_VISITS_CALENDAR_SLUG).count() == 1


def test_busy_times_are_the_planners_naive_seoul_spans(mayor):
    tour = tour_create(**_tour(mayor))

    assert calendars.busy_times(mayor.calendar, DAY, DAY) == (
        (dt.datetime(2027, 3, 16, 10), dt.datetime(2027, 3, 16, 12)),
    )
    own = (tour.event_id, tour.official_event_id)
    assert calendars.busy_times(mayor.calendar, DAY, DAY, exclude_events=own) == ()
