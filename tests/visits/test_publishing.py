"""Publishing field visits: accepting a plan publishes its visits (date,
neighborhood, purpose) except those kept off the public pages; completing a
visit's record publishes its results."""

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from tests.visits.conftest import SEOUL
from visits.models import FieldVisit
from visits.records.services import visit_record_update
from visits.rotation import services

pytestmark = pytest.mark.usefixtures("pinned_today")

#: From the pinned today (Tue 17 November 2026) on: every visit is to come.
START = dt.date(2026, 12, 1)


@pytest.fixture
def plan(city):
    cycle, _planned = services.rotation_plan(official=city["mayor"], start=START, years=1)
    return cycle


def uids(client, url="/calendar/visits.ics") -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {str(event["uid"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}


def visit_of(cycle, code) -> FieldVisit:
    return cycle.visits.get(neighborhood__code=code)


def test_a_draft_plan_is_not_public(client, plan):
    assert "중앙동" not in client.get(reverse("visits:list")).content.decode()
    assert uids(client) == set()


def test_accepting_the_plan_publishes_its_visits_except_the_one_kept_off(client, plan, secretariat_user):
    kept_off = visit_of(plan, "N03")
    services.visit_publish_set(visit=kept_off, publish=False, actor=secretariat_user)

    services.cycle_accept(cycle=plan, actor=secretariat_user)

    html = client.get(reverse("visits:list")).content.decode()
    for visit in plan.visits.select_related("neighborhood"):
        shown = visit.neighborhood.name in html
        assert shown == (visit.pk != kept_off.pk), visit.neighborhood.name
    assert "주민과의 대화" in html  # the purpose, from the agenda
    expected = {f"field-visit-{v.pk}@tongtong" for v in plan.visits.exclude(pk=kept_off.pk)}
    assert uids(client) == expected
    # The neighborhood's own calendar and card follow.
    assert uids(client, "/neighborhoods/N03/visits.ics") == set()
    assert len(uids(client, "/neighborhoods/N01/visits.ics")) == 1


def test_a_visit_can_be_kept_off_after_accepting_and_shown_again(client, plan, secretariat_user):
    services.cycle_accept(cycle=plan, actor=secretariat_user)
    visit = visit_of(plan, "N01")
    client.force_login(secretariat_user)
    url = reverse("staff_visits:visit_publish", args=[plan.pk, visit.pk])

    response = client.post(url, {"publish": "0", "back": "table"})

    assert response.status_code == 302 and response["Location"].endswith("?view=table")
    client.logout()
    assert f"field-visit-{visit.pk}@tongtong" not in uids(client)
    assert "중앙동" not in client.get(reverse("visits:list")).content.decode()

    client.force_login(secretariat_user)
    client.post(url, {"publish": "1"})
    client.logout()
    assert f"field-visit-{visit.pk}@tongtong" in uids(client)


def test_only_the_secretariat_may_keep_a_visit_off(client, plan, department_user):
    visit = visit_of(plan, "N01")
    client.force_login(department_user)
    response = client.post(reverse("staff_visits:visit_publish", args=[plan.pk, visit.pk]), {"publish": "0"})
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.is_published


def _record(visit, actor, **changes):
    fields = {
        "status": FieldVisit.Status.HELD,
        "agenda_dialogue": True,
        "agenda_current_issues": True,
        "agenda_encourage_staff": True,
        "agenda_site_tour": False,
        "attendance": 40,
        "notes": "내부 메모: 통장 협의회",
        "public_summary": "주민 40명과 골목 주차 문제를 이야기했습니다.",
        "record_complete": False,
    }
    return visit_record_update(visit=visit, actor=actor, **(fields | changes))


def test_completing_the_record_publishes_its_results(client, plan, secretariat_user):
    services.cycle_accept(cycle=plan, actor=secretariat_user)
    visit = visit_of(plan, "N02")  # a priority area: among the first visits
    summary = "주민 40명과 골목 주차 문제를 이야기했습니다."

    _record(visit, secretariat_user)  # held, summary written, not yet complete
    assert summary not in client.get(reverse("visits:list")).content.decode()
    ics = client.get("/calendar/visits.ics").content.decode()
    assert "골목 주차" not in Calendar.from_ical(ics.encode()).walk("VEVENT")[0].get("description", "")

    _record(visit, secretariat_user, record_complete=True)

    visit.refresh_from_db()
    assert visit.results_published_at is not None
    html = client.get(reverse("visits:list")).content.decode()
    assert summary in html and "통장 협의회" not in html
    feed = Calendar.from_ical(client.get("/calendar/visits.ics").content)
    descriptions = [str(event.get("description", "")) for event in feed.walk("VEVENT")]
    assert any(summary in text for text in descriptions)
    card = client.get("/neighborhoods/N02/").content.decode()
    assert summary in card


def test_a_record_is_completed_only_when_held_with_a_summary(plan, secretariat_user):
    from scheduling.errors import TongtongError

    visit = visit_of(plan, "N01")
    with pytest.raises(TongtongError):
        _record(visit, secretariat_user, status=FieldVisit.Status.PLANNED, record_complete=True)
    with pytest.raises(TongtongError):
        _record(visit, secretariat_user, public_summary="", record_complete=True)
    visit.refresh_from_db()
    assert visit.results_published_at is None


def test_the_card_shows_the_neighborhoods_next_visit(client, plan, secretariat_user):
    services.cycle_accept(cycle=plan, actor=secretariat_user)
    visit = visit_of(plan, "N05")
    local = visit.start.astimezone(SEOUL)

    html = client.get("/neighborhoods/N05/").content.decode()

    assert f"{local:%H:%M}" in html and f"{local.month}. {local.day}." in html
    assert "주민과의 대화" in html


def test_the_home_page_links_the_visits_and_every_neighborhood(client, city):
    html = client.get("/").content.decode()
    assert f'href="{reverse("visits:list")}"' in html
    for code in city["neighborhoods"]:
        assert f'href="/neighborhoods/{code}/"' in html
