"""Shared fixtures for the visits tests: a small city.

``city``
    An active mayor (``city["mayor"]``, an ``Official`` with a calendar) and
    six neighborhoods (``city["neighborhoods"]``, by code):

    ====  ======  ===============================================
    code  name    flags
    ====  ======  ===============================================
    N01   중앙동    none
    N02   산성동    current-issue area (priority)
    N03   송림동    natural village (priority)
    N04   하늘동    outlying area (priority)
    N05   강변동    none, last visited 2025-03-04
    N06   새솔동    none
    ====  ======  ===============================================

``meeting_days_calendar``
    Optional: the "meeting-days" django-scheduler calendar with the
    TongTong Day series (2nd and 4th Thursday, 14:00, one hour), built
    without the meetings app (visits must not import it). In March 2027 the
    meeting days are Thu 11 and Thu 25.

``WINDOW``
    A spring window, 2027-03-02 (Tue) to 2027-06-30: room for the six
    neighborhoods at one visit a week. 2027-03-01 is a public holiday
    (삼일절); 2027-05-05 is Children's Day.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from schedule.models import Calendar, Event, Rule

from scheduling.models import Neighborhood, Official
from scheduling.services import official_create

SEOUL = ZoneInfo("Asia/Seoul")
WINDOW = (dt.date(2027, 3, 2), dt.date(2027, 6, 30))

NEIGHBORHOODS = [
    # code, name, flags, last visited
    ("N01", "중앙동", {}, None),
    ("N02", "산성동", {"is_current_issue_area": True}, None),
    ("N03", "송림동", {"is_natural_village": True}, None),
    ("N04", "하늘동", {"is_outlying_area": True}, None),
    ("N05", "강변동", {}, dt.date(2025, 3, 4)),
    ("N06", "새솔동", {}, None),
]


def seoul(year, month, day, hour=0, minute=0) -> dt.datetime:
    """An aware Asia/Seoul datetime."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture
def city(db):
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    neighborhoods = {}
    for order, (code, name, flags, last) in enumerate(NEIGHBORHOODS, start=1):
        neighborhoods[code] = Neighborhood.objects.create(
            code=code, name=name, sort_order=order, last_visited_on=last, **flags
        )
    return {"mayor": mayor, "neighborhoods": neighborhoods}


@pytest.fixture
def meeting_days_calendar(db):
    calendar, _created = Calendar.objects.get_or_create(slug="meeting-days", defaults={"name": "통통데이"})
    rule, _created = Rule.objects.get_or_create(
        name="통통데이 (매월 둘째·넷째 목요일)",
        defaults={"description": "2nd and 4th Thursday", "frequency": "MONTHLY", "params": "byweekday:TH;bysetpos:2,4"},
    )
    start = seoul(2018, 7, 1, 14)
    Event.objects.create(calendar=calendar, title="통통데이", start=start, end=start + dt.timedelta(hours=1), rule=rule)
    return calendar
