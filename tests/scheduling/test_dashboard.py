"""The staff dashboard on /staff/: the panels the apps register, which role
sees which, and the whole page in a constant number of queries.

A small city with both apps: a mayor (whose TongTong Day has eight hours of
five-minute slots, room for many bookings), neighborhoods, the roads and
parks departments, and one person per role."""

import datetime as dt
import re
import uuid

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import MeetingRequest
from meetings.services import booking
from meetings.services.requests import meeting_request_submit
from meetings.services.review import review_override
from meetings.services.series import meeting_days_sync, series_configure, series_get_or_create
from meetings.staff.dashboard import meeting_days_context
from scheduling.categories import Category
from scheduling.models import CategoryOwner, Department, Neighborhood, Official, StaffProfile
from scheduling.services import official_create
from scheduling.staff import DashboardPanel, _panels, panels_for, register_panel
from visits.cards import services as card_services
from visits.models import FieldVisit, RotationCycle, Suggestion

pytestmark = pytest.mark.django_db

PANELS = ["petitions.office", "meetings.days", "meetings.waiting", "visits.overdue", "visits.rotation"]


def _html(response) -> str:
    return response.content.decode()


def _panel_ids(html: str) -> list[str]:
    return re.findall(r'<section class="tt-box" id="panel-([a-z.-]+)"', html)


def _slug(key: str) -> str:
    return key.replace(".", "")


@pytest.fixture
def city(db):
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    roads = Department.objects.create(code="roads", name="도로과")
    parks = Department.objects.create(code="parks", name="공원과")
    CategoryOwner.objects.create(category="roads", department=roads)
    hoods = [Neighborhood.objects.create(code=f"N{i:02d}", name=f"시험{i}동", sort_order=i) for i in range(1, 51)]
    series_configure(series=series_get_or_create(), duration_minutes=480, slot_minutes=5)
    return {"mayor": mayor, "roads": roads, "parks": parks, "hoods": hoods}


@pytest.fixture
def people(city, secretariat_user, official_user, department_user):
    city["mayor"].user = official_user
    city["mayor"].save()
    StaffProfile.objects.create(user=department_user, department=city["roads"])
    return {"secretariat": secretariat_user, "official": official_user, "department": department_user}


def _request(city, index: int, **overrides) -> MeetingRequest:
    data = {
        "name": f"민원인{index}",
        "phone": f"010-5555-{index:04d}",
        "neighborhood": city["hoods"][0],
        "category": "roads",
        "subject": f"민원 {index}",
        "description": "골목길 포장이 깨졌습니다.",
        "consent": True,
        "submission_key": uuid.uuid4(),
    }
    data.update(overrides)
    request = meeting_request_submit(**data).request
    # Booked later without the department head's review (the gate is tested in tests/meetings/test_review.py).
    return review_override(request=request, reason="시험")


def _next_day(user):
    """The next meeting day after today, as the panel shows it, saved with
    its slots (pages only read: the sync, run by beat, builds the rows)."""
    today = timezone.localdate()
    shown = next(
        row.day
        for row in meeting_days_context(user)["days"]
        if timezone.localtime(row.day.start).date() > today and not row.day.is_cancelled
    )
    saved = meeting_days_sync(start=shown.original_date, end=shown.original_date)
    return next(day for day in saved if day.original_date == shown.original_date)


def _suggestion(city, secretariat, index: int, department: str = "roads", overdue: bool = True) -> Suggestion:
    suggestion = card_services.suggestion_record(
        neighborhood=city["hoods"][index % len(city["hoods"])],
        source=Suggestion.Source.OTHER,
        title=f"건의 {department} {index}",
        category=Category.ROADS,
        lead_department=city[department],
        actor=secretariat,
    )
    if overdue:
        stale = timezone.now() - dt.timedelta(days=settings.SUGGESTION_STALE_DAYS + 1 + index % 5)
        Suggestion.objects.filter(pk=suggestion.pk).update(last_activity_at=stale)
    return suggestion


def _cycle(city) -> RotationCycle:
    start = timezone.localdate() - dt.timedelta(days=300)
    return RotationCycle.objects.create(
        name="동방문 주기",
        official=city["mayor"],
        start=start,
        end=start + dt.timedelta(days=729),
        status=RotationCycle.Status.ACCEPTED,
    )


def _visits(cycle, city, indexes):
    today = timezone.localdate()
    for index in indexes:
        day = today + dt.timedelta(days=7 * index - 140)
        start = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
        FieldVisit.objects.create(
            cycle=cycle,
            neighborhood=city["hoods"][index],
            official=cycle.official,
            start=start,
            end=start + dt.timedelta(hours=1),
            status=FieldVisit.Status.HELD if day < today else FieldVisit.Status.PLANNED,
        )


# --- The registry --------------------------------------------------------------------------


def test_the_apps_register_their_four_panels_in_order(people):
    assert [key for key in PANELS if key in _panels] == PANELS
    assert [panel.key for panel, _context in panels_for(people["secretariat"])] == PANELS


def test_panels_follow_permissions_and_hide_when_they_have_nothing(people, stranger):
    assert [panel.key for panel, _c in panels_for(people["department"])] == ["visits.overdue"]
    # An official meets the requests booked with them: nothing of theirs waits.
    assert [panel.key for panel, _c in panels_for(people["official"])] == [
        "meetings.days",
        "visits.overdue",
        "visits.rotation",
    ]
    assert panels_for(stranger) == []


def test_a_panel_with_nothing_to_show_is_left_out(people):
    key = "tests.hello"
    register_panel(
        DashboardPanel(
            key=key,
            title="Hello panel",
            template="scheduling/test_panel.html",
            context=lambda user: None,  # nothing to show: the panel is left out
            order=1,
        )
    )
    try:
        assert key not in [panel.key for panel, _c in panels_for(people["secretariat"])]
    finally:
        _panels.pop(key)


# --- The page, per role ------------------------------------------------------------------------


@pytest.fixture
def busy_city(city, people):
    """One booking on the next day, one waiting request, an overdue
    suggestion of each department, and an accepted cycle."""
    day = _next_day(people["secretariat"])
    booked = _request(city, 1, name="홍길동", phone="010-1234-5678")
    booking.slot_book(request=booked, slot=day.slots.order_by("start").first())
    waiting = _request(city, 2, subject="기다리는 민원")
    roads = _suggestion(city, people["secretariat"], 1, "roads")
    parks = _suggestion(city, people["secretariat"], 2, "parks")
    cycle = _cycle(city)
    _visits(cycle, city, range(6))
    return {"day": day, "booked": booked, "waiting": waiting, "roads": roads, "parks": parks, "cycle": cycle}


def test_the_secretariat_sees_all_four_panels_above_the_sections(client, people, busy_city):
    client.force_login(people["secretariat"])
    html = _html(client.get("/staff/"))
    assert _panel_ids(html) == [_slug(key) for key in PANELS]
    # Panels come before the section cards; each has its own heading.
    assert html.index('id="panel-visitsrotation"') < html.index('class="tt-cards"')
    assert len(re.findall(r'<h2 id="panel-[a-z-]+-title">', html)) == len(PANELS)
    assert "홍길동" in html and "010-****-5678" in html and "010-1234-5678" not in html
    assert busy_city["waiting"].reference in html
    assert busy_city["roads"].title in html and busy_city["parks"].title in html
    assert f'href="/staff/visits/cycles/{busy_city["cycle"].pk}/"' in html
    assert f'href="/staff/meetings/days/{busy_city["day"].pk}/run-sheet/"' in html


def test_department_staff_see_their_departments_overdue_suggestions_only(client, people, busy_city):
    client.force_login(people["department"])
    response = client.get("/staff/")
    assert response.status_code == 200
    html = _html(response)
    assert _panel_ids(html) == ["visitsoverdue"]
    assert busy_city["roads"].title in html and busy_city["parks"].title not in html
    assert "홍길동" not in html and busy_city["booked"].reference not in html
    assert busy_city["waiting"].reference not in html


def test_an_official_sees_the_meeting_days(client, people, busy_city):
    client.force_login(people["official"])
    html = _html(client.get("/staff/"))
    assert _panel_ids(html) == ["meetingsdays", "visitsoverdue", "visitsrotation"]
    # The mayor meets the booked citizen: their name is shown, the day's
    # staff pages are not offered (officials do not manage the days).
    assert "홍길동" in html and "/run-sheet/" not in html
    assert busy_city["waiting"].reference not in html


def test_a_stranger_gets_403(client, stranger, busy_city):
    client.force_login(stranger)
    assert client.get("/staff/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, busy_city):
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_an_empty_city_renders_without_error(client, secretariat_user):
    """No mayor, no neighborhoods, no requests, no suggestions, no cycle."""
    client.force_login(secretariat_user)
    response = client.get("/staff/")
    assert response.status_code == 200
    assert _panel_ids(_html(response)) == [_slug(key) for key in PANELS]


# --- Constant queries --------------------------------------------------------------------------


def test_the_whole_page_runs_the_same_queries_for_5_or_50_rows(client, city, people):
    secretariat = people["secretariat"]
    day = _next_day(secretariat)
    slots = list(day.slots.order_by("start"))
    cycle = _cycle(city)

    def add(indexes):
        for index in indexes:
            booking.slot_book(request=_request(city, index), slot=slots[index])
            _request(city, 100 + index)  # waiting
            _suggestion(city, secretariat, index, "roads" if index % 2 else "parks")
        _visits(cycle, city, indexes)

    def count():
        client.get("/staff/")  # warm: sessions, days synced
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/staff/")
        assert response.status_code == 200
        return len(queries), _html(response)

    client.force_login(secretariat)
    add(range(5))
    few, html = count()
    assert "민원인4" in html
    add(range(5, 50))
    many, html = count()
    assert "민원인49" in html
    assert few == many, (few, many)
    print(f"/staff/ for the secretariat: {many} queries")
    # 35 before issue 16: the roles, the layout's context and the user's
    # official and profile are read once per request, not once per panel.
    assert many <= 22, many
