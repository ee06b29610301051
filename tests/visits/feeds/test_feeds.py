"""The public visit feeds: only published visits and tours, nothing internal."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from django.utils import timezone
from icalendar import Calendar

from scheduling.models import Neighborhood, Official
from scheduling.services import official_create
from visits.models import FieldVisit, ThemedTour

SEOUL = ZoneInfo("Asia/Seoul")
ALL = "/calendar/visits.ics"

pytestmark = pytest.mark.django_db


def seoul(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SEOUL)


@pytest.fixture
def town(db):
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    n1 = Neighborhood.objects.create(code="N01", name="중앙동")
    n2 = Neighborhood.objects.create(code="N02", name="산성동")

    def visit(neighborhood, day, **fields):
        start = fields.pop("start", None) or seoul(2026, 4, day, 10)
        defaults = {"official": mayor, "start": start, "end": start + dt.timedelta(hours=2)}
        return FieldVisit.objects.create(neighborhood=neighborhood, **(defaults | fields))

    published = visit(
        n1,
        7,
        is_published=True,
        status=FieldVisit.Status.HELD,
        results_published_at=seoul(2026, 4, 8, 9),
        public_summary="주민과의 대화, 골목길 점검",
        notes="내부 메모: 통장 갈등",
        plan_reason="우선 지역 순번 계산",
    )
    hidden = visit(n2, 8, is_published=False, public_summary="아직 비공개 방문")
    # Cancelled items stay in the feeds for FEED_CANCELLED_KEEP_DAYS after their date.
    soon = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(days=9)
    cancelled = visit(
        n2,
        9,
        start=soon,
        is_published=True,
        status=FieldVisit.Status.CANCELLED,
        status_reason="시장 긴급 회의",
        sequence=2,
    )
    tour = ThemedTour.objects.create(
        title="안전 점검 투어",
        group="safety" if "safety" in ThemedTour.Group.values else ThemedTour.Group.values[0],
        theme=ThemedTour.Theme.values[0],
        official=mayor,
        start=seoul(2026, 5, 12, 14),
        end=seoul(2026, 5, 12, 17),
        is_published=True,
        notes="투어 내부 메모",
        status_reason="투어 상태 사유",
    )
    tour.neighborhoods.set([n1, n2])
    hidden_tour = ThemedTour.objects.create(
        title="비공개 투어",
        group=ThemedTour.Group.values[0],
        theme=ThemedTour.Theme.values[0],
        official=mayor,
        start=seoul(2026, 6, 1, 14),
        end=seoul(2026, 6, 1, 15),
        is_published=False,
    )
    hidden_tour.neighborhoods.set([n1])
    return {
        "n1": n1,
        "n2": n2,
        "published": published,
        "hidden": hidden,
        "cancelled": cancelled,
        "tour": tour,
        "hidden_tour": hidden_tour,
    }


def _events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def _uid(obj) -> str:
    kind = "field-visit" if isinstance(obj, FieldVisit) else "themed-tour"
    return f"{kind}-{obj.pk}@tongtong"


def test_only_published_visits_and_tours(client, town):
    events = _events(client.get(ALL))
    assert set(events) == {_uid(town["published"]), _uid(town["cancelled"]), _uid(town["tour"])}
    visit = events[_uid(town["published"])]
    assert visit["dtstart"].dt == town["published"].start
    assert str(visit["status"]) == "CONFIRMED"
    assert str(visit["location"]) == "중앙동"
    assert "주민과의 대화, 골목길 점검" in str(visit["description"])
    tour = events[_uid(town["tour"])]
    assert "안전 점검 투어" in str(tour["summary"])
    assert "중앙동" in str(tour["location"]) and "산성동" in str(tour["location"])


def test_a_cancelled_published_visit_says_so(client, town):
    event = _events(client.get(ALL))[_uid(town["cancelled"])]
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 2


def test_an_independent_parser_sees_the_published_visits(client, town):
    calendar = Calendar.from_ical(client.get(ALL).content)
    occurrences = recurring_ical_events.of(calendar).between(dt.date(2025, 1, 1), dt.date(2028, 1, 1))
    happening = {o.start for o in occurrences if str(o["status"]) != "CANCELLED"}
    assert happening == {town["published"].start, town["tour"].start}


def test_the_neighborhood_feed_filters(client, town):
    n1 = _events(client.get("/neighborhoods/N01/visits.ics"))
    assert set(n1) == {_uid(town["published"]), _uid(town["tour"])}
    n2 = _events(client.get("/neighborhoods/N02/visits.ics"))
    assert set(n2) == {_uid(town["cancelled"]), _uid(town["tour"])}


def test_an_unknown_neighborhood_is_404(client, town):
    assert client.get("/neighborhoods/N99/visits.ics").status_code == 404


def test_no_internal_text_and_no_names(client, town):
    for url in (ALL, "/neighborhoods/N01/visits.ics", "/neighborhoods/N02/visits.ics"):
        body = client.get(url).content.decode()
        for secret in (
            "내부 메모",
            "통장 갈등",
            "우선 지역 순번",
            "시장 긴급 회의",
            "투어 상태 사유",
            "아직 비공개",
            "비공개 투어",
            "김시장",
        ):
            assert secret not in body, (url, secret)


def test_http_revalidation_and_change(client, town):
    response = client.get(ALL)
    assert "inline;" in response["Content-Disposition"]
    assert response["Last-Modified"]
    assert client.get(ALL, headers={"If-None-Match": response["ETag"]}).status_code == 304
    assert client.get(ALL, headers={"If-Modified-Since": response["Last-Modified"]}).status_code == 304
    town["hidden"].is_published = True
    town["hidden"].save()
    after = client.get(ALL, headers={"If-None-Match": response["ETag"]})
    assert after.status_code == 200
    assert _uid(town["hidden"]) in after.content.decode()


def test_an_empty_feed_is_valid(client, db):
    Neighborhood.objects.create(code="N07", name="새솔동")
    assert _events(client.get(ALL)) == {}
    assert _events(client.get("/neighborhoods/N07/visits.ics")) == {}


def test_cancelled_visits_are_dropped_after_the_kept_days(client, town, settings):
    today = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    mayor = town["published"].official

    def cancelled(days_ago, status=FieldVisit.Status.CANCELLED):
        start = today - dt.timedelta(days=days_ago)
        return FieldVisit.objects.create(
            neighborhood=town["n1"],
            official=mayor,
            start=start,
            end=start + dt.timedelta(hours=2),
            is_published=True,
            status=status,
            status_reason="시장 일정",
        )

    recent, old = cancelled(90), cancelled(91)
    postponed_old = cancelled(200, FieldVisit.Status.POSTPONED)
    assert settings.FEED_CANCELLED_KEEP_DAYS == 90
    for url in (ALL, "/neighborhoods/N01/visits.ics"):
        events = _events(client.get(url))
        assert str(events[_uid(recent)]["status"]) == "CANCELLED"
        assert _uid(old) not in events and _uid(postponed_old) not in events
        assert _uid(town["published"]) in events, "a visit that took place is not cut"

    settings.FEED_CANCELLED_KEEP_DAYS = 365
    events = _events(client.get(ALL))
    assert {_uid(recent), _uid(old), _uid(postponed_old)} <= set(events)


def test_a_dropped_visit_moves_last_modified(client, db):
    """Nothing changed in the database, but the file did when the cancelled
    visit left it: Last-Modified says so, so If-Modified-Since gets the new file."""
    from django.utils.http import http_date

    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    neighborhood = Neighborhood.objects.create(code="N01", name="중앙동")
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) - dt.timedelta(days=95)
    visit = FieldVisit.objects.create(
        neighborhood=neighborhood,
        official=mayor,
        start=start,
        end=start + dt.timedelta(hours=2),
        is_published=True,
        status=FieldVisit.Status.CANCELLED,
        status_reason="시장 일정",
    )
    FieldVisit.objects.filter(pk=visit.pk).update(updated_at=start - dt.timedelta(days=30))
    response = client.get(ALL)
    assert _events(response) == {}
    dropped = dt.datetime.combine(start.date() + dt.timedelta(days=91), dt.time.min, tzinfo=start.tzinfo)
    assert response["Last-Modified"] == http_date(dropped.timestamp())
    before_the_drop = http_date((dropped - dt.timedelta(days=1)).timestamp())
    assert client.get(ALL, headers={"If-Modified-Since": before_the_drop}).status_code == 200
