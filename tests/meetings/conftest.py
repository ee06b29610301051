"""A small city with a mayor, two deputies, a roads director, a few
neighborhoods and the meeting-day series, for the meetings tests."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import CategoryDepartment, MeetingDay
from meetings.services.requests import meeting_request_submit
from meetings.services.series import meeting_days_sync, series_get_or_create
from scheduling.models import Department, Neighborhood, Official
from scheduling.services import official_create
from scheduling.workdays import working_calendar

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def city(db):
    roads = Department.objects.create(code="roads", name="도로과")
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    first = official_create(
        name="이부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR, substitutes_for=mayor, substitution_order=1
    )
    second = official_create(
        name="박부시장", title="제2부시장", rank=Official.Rank.DEPUTY_MAYOR, substitutes_for=mayor, substitution_order=2
    )
    director = official_create(
        name="정국장", title="안전건설국장", rank=Official.Rank.DIRECTOR, department=roads, substitutes_for=second
    )
    CategoryDepartment.objects.create(category="roads", department=roads)
    Neighborhood.objects.create(code="N01", name="중앙동")
    series = series_get_or_create()
    return {"mayor": mayor, "first": first, "second": second, "director": director, "roads": roads, "series": series}


@pytest.fixture
def future_days(city):
    """Meeting days from next week for three months."""
    today = timezone.localdate()
    return [
        d
        for d in meeting_days_sync(start=today + dt.timedelta(days=3), end=today + dt.timedelta(days=80))
        if d.status != "cancelled"
    ]


def another_working_day(day: MeetingDay) -> dt.datetime:
    """Where a test can always move ``day`` to, whatever today is: its start
    time on the first working day after it that holds no other meeting day.
    ("The next weekday" is not enough: after Thu 24 December comes Christmas.)"""
    local = timezone.localtime(day.start)
    calendar = working_calendar(local.date(), local.date() + dt.timedelta(days=60))
    taken = {
        timezone.localtime(start).date()
        for start in MeetingDay.objects.filter(series=day.series, start__gt=day.start)
        .exclude(pk=day.pk)
        .exclude(status=MeetingDay.Status.CANCELLED)
        .values_list("start", flat=True)
    }
    target = calendar.next_working_day(local.date())
    while target in taken:
        target = calendar.next_working_day(target)
    return dt.datetime.combine(target, local.time(), tzinfo=SEOUL)


def submit(days=(), **overrides):
    data = {
        "name": "홍길동",
        "phone": "010-1234-5678",
        "neighborhood": Neighborhood.objects.get(code="N01"),
        "category": "roads",
        "subject": "골목길 보수",
        "description": "중앙동 3길 포장이 깨졌습니다.",
        "consent": True,
        "submission_key": uuid.uuid4(),
        "preferred_days": list(days),
    }
    data.update(overrides)
    return meeting_request_submit(**data)


@pytest.fixture
def submitted(future_days):
    return submit(future_days[:2])
