"""The shared clockwork, run "today" on every awkward day of
``tests/awkward_days.py`` (the clock pinned there with ``pinned_today``):
the answer clock from now, the report periods the staff are offered, and the
monthly e-mail of last month's report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from scheduling import roles
from scheduling.clock import WORKING_PERIODS, answer_due
from scheduling.models import ReportRun
from scheduling.reports import services as report_services
from scheduling.tasks import send_monthly_report
from scheduling.workdays import working_calendar
from tests.awkward_days import SEOUL, is_working_day, nth_working_day, on_awkward_days

pytestmark = [pytest.mark.django_db, on_awkward_days]


def _month_before(day: dt.date) -> str:
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def _half_of(year: int, month: int) -> str:
    return f"{year:04d}-H{1 if month <= 6 else 2}"


def _after_working_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """The oracle of the short periods: walk forward a minute at a time,
    counting the minutes of 09–12 and 13–18 on working days."""
    moment = start.astimezone(SEOUL).replace(second=0, microsecond=0)
    if moment < start:
        moment += dt.timedelta(minutes=1)
    left = hours * 60
    while left:
        counted = is_working_day(moment.date()) and any(begin <= moment.time() < end for begin, end in WORKING_PERIODS)
        moment += dt.timedelta(minutes=1)
        left -= counted
    return moment


def test_the_answer_clock_counts_from_now_in_working_days_and_hours(pinned_today):
    now = timezone.now().replace(second=0, microsecond=0)
    calendar = working_calendar(pinned_today, pinned_today + dt.timedelta(days=60))
    # 7 days: the day of receipt counts if it is a working day; due at 18:00.
    seven = answer_due(now, 7, calendar=calendar).astimezone(SEOUL)
    assert (seven.date(), seven.time()) == (nth_working_day(pinned_today, 7), dt.time(18))
    # 3 days (5 or less): 24 working hours from the moment of receipt.
    three = answer_due(now, 3, calendar=calendar).astimezone(SEOUL)
    assert three == _after_working_hours(now, 24)
    assert is_working_day(three.date())


def test_the_report_periods_offered_are_those_of_today_in_seoul(pinned_today, client, secretariat_user):
    assert report_services.last_month().key == _month_before(pinned_today)
    assert report_services.month_containing(pinned_today).key == f"{pinned_today:%Y-%m}"
    client.force_login(secretariat_user)
    page = client.get("/staff/reports/")
    assert page.status_code == 200
    recent = [period.key for period, _url in page.context["recent"]]
    assert recent[0] == _month_before(pinned_today)
    assert recent[1] == _month_before(dt.date.fromisoformat(f"{recent[0]}-01"))
    halves = [half.key for half in page.context["halves"]]
    assert halves[0] == _half_of(pinned_today.year, pinned_today.month)
    previous = (pinned_today.year, 1) if pinned_today.month > 6 else (pinned_today.year - 1, 7)
    assert halves[1] == _half_of(*previous)


def test_the_monthly_email_sends_last_months_report_once(pinned_today, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username="kim", email="kim@city.example")
    user.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    send_monthly_report.delay()
    send_monthly_report.delay()  # a second beat
    (message,) = mail.outbox
    key = _month_before(pinned_today)
    assert ReportRun.objects.get().period_key == key
    assert report_services.period_month(key).label in message.subject
