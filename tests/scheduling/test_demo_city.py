"""The demo city a user sees on their first ``make run``: a year lived
through the real services, relative to today (pinned here to Tue 17
November 2026, so the rotation began on 1 November 2025, last month is
October 2026 and the current half-year 2026-H2)."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from icalendar import Calendar

from meetings.models import MeetingRequest, Notification
from scheduling.reports import services as report_services
from scheduling.reports.core import Table
from tests.scheduling.test_seed_demo import row_counts
from visits.models import FieldVisit, RotationCycle, Suggestion, ThemedTour

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]

LAST_MONTH = "2026-10"
HALF_YEAR = "2026-H2"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed() -> None:
    call_command("seed_demo", "--force", stdout=StringIO())


def tables(kind: str, key: str) -> dict[str, Table]:
    report = report_services.report_build(kind, report_services.period_for(kind, key))
    return {table.key: table for section in report.sections for table in section.tables}


def figures(table: Table) -> list:
    return [cell for row in table.rows for cell in row if isinstance(cell, int | float) and cell]


def test_seeding_twice_gives_the_same_lived_city_with_content_everywhere(client, django_user_model):
    # One test, as seeding the lived year takes seconds; the checks below
    # are named for what they show.
    seed()
    first = row_counts()
    assert first["visits.FieldVisit"] == 39
    assert first["meetings.MeetingRequest"] > 50

    seed()

    assert row_counts() == first
    the_rotation_is_accepted_its_past_held_and_published_its_future_scheduled(client)
    every_report_of_last_month_and_this_half_year_has_content(client, django_user_model)


def the_rotation_is_accepted_its_past_held_and_published_its_future_scheduled(client):
    cycle = RotationCycle.objects.get()
    assert cycle.status == RotationCycle.Status.ACCEPTED and cycle.accepted_by is not None
    assert (cycle.start, cycle.end) == (dt.date(2025, 11, 1), dt.date(2027, 10, 31))
    now = dt.datetime(2026, 11, 17, 10, tzinfo=dt.UTC)
    past, future = cycle.visits.filter(start__lt=now), cycle.visits.filter(start__gte=now)
    assert past.count() >= 18 and future.count() >= 19
    assert set(past.values_list("status", flat=True)) == {FieldVisit.Status.HELD}
    assert not past.filter(results_published_at__isnull=True).exists()
    assert set(future.values_list("status", flat=True)) == {FieldVisit.Status.PLANNED}
    assert not cycle.visits.filter(is_published=False).exists()
    assert Suggestion.objects.filter(visit__in=past).count() >= past.count()
    # Requests in every state a request can reach through the services (no
    # service puts one "on the waiting list": a waiting-list entry leaves the
    # request as it was).
    reached = set(MeetingRequest.objects.values_list("status", flat=True))
    assert reached == set(MeetingRequest.Status.values) - {MeetingRequest.Status.WAITLISTED}
    assert MeetingRequest.objects.filter(satisfaction_score__isnull=False).count() >= 10
    # The made-up citizens' messages were not sent (nor printed) by the seed.
    assert not Notification.objects.filter(status=Notification.Status.PENDING).exists()

    html = client.get(reverse("visits:list")).content.decode()
    assert html.count("tt-upcoming") >= 19 and html.count("tt-held") >= 18
    feed = Calendar.from_ical(client.get("/calendar/visits.ics").content)
    assert len(feed.walk("VEVENT")) >= 39  # every visit and the themed tours
    assert ThemedTour.objects.filter(status=ThemedTour.Status.HELD, is_published=True).exists()
    first_visited = past.order_by("start").first().neighborhood
    card = client.get(reverse("cards:card", args=[first_visited.code])).content.decode()
    assert "최근 방문" in card


def every_report_of_last_month_and_this_half_year_has_content(client, django_user_model):
    for kind, key in (("monthly", LAST_MONTH), ("half_year", HALF_YEAR)):
        for name, table in tables(kind, key).items():
            assert table.rows, (kind, name)
    monthly = tables("monthly", LAST_MONTH)
    for name in ("requests_by_category", "handling_times", "meetings_by_official", "meeting_days", "field_visits"):
        assert figures(monthly[name]), name
    assert figures(monthly["suggestions_by_category"])
    half = tables("half_year", HALF_YEAR)
    for name in ("requests_trend", "meetings_by_official", "suggestions_trend", "field_visits_trend"):
        assert figures(half[name]), name
    plan = tables("plan", "2026")
    assert figures(plan["plan_field_visits"]) and figures(plan["plan_meeting_days"])

    client.force_login(django_user_model.objects.get(username="secretariat"))  # the demo's own login
    for url in (
        reverse("staff_reports:monthly", args=[LAST_MONTH]),
        reverse("staff_reports:half_year", args=[HALF_YEAR]),
        reverse("staff_reports:plan", args=["2026"]),
    ):
        assert client.get(url).status_code == 200, url
