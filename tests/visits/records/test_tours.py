"""Themed tours (민생탐방): planning one puts it in both calendars, a change
raises its sequence, and the tours page prompts the seasonal ones in time."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from schedule.models import Calendar, Event

from scheduling.categories import Category
from scheduling.models import Department, Neighborhood, Official
from scheduling.services import official_create
from visits.models import Suggestion, ThemedTour
from visits.records import views as record_views

pytestmark = pytest.mark.django_db

TOURS = reverse("staff_visit_records:tours")
CREATE = reverse("staff_visit_records:tour_create")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mayor(db):
    return official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)


@pytest.fixture
def neighborhoods(db):
    return [
        Neighborhood.objects.create(code="N01", name="중앙동", sort_order=1),
        Neighborhood.objects.create(code="N02", name="신흥동", sort_order=2),
    ]


@pytest.fixture
def department(db):
    return Department.objects.create(code="safety", name="안전총괄과")


def tour_data(mayor, neighborhoods, department, **overrides):
    data = {
        "tour-title": "제설 대비 현장점검",
        "tour-group": "season",
        "tour-theme": "snow",
        "tour-official": str(mayor.pk),
        "tour-day": "2026-12-15",
        "tour-start_time": "10:00",
        "tour-end_time": "12:00",
        "tour-neighborhoods": [str(n.pk) for n in neighborhoods],
        "tour-sites": "제설창고\n\n  급경사 도로  \n",
        "tour-departments": [str(department.pk)],
    }
    data.update(overrides)
    return data


def test_planning_a_tour_puts_it_in_both_calendars(client, secretariat_user, mayor, neighborhoods, department):
    client.force_login(secretariat_user)
    response = client.post(CREATE, tour_data(mayor, neighborhoods, department))
    assert response.status_code == 302
    tour = ThemedTour.objects.get()
    assert response["Location"] == reverse("staff_visit_records:tour", args=[tour.pk])
    assert tour.sites == "제설창고\n급경사 도로"
    assert list(tour.departments.all()) == [department]
    assert timezone.localtime(tour.start) == timezone.make_aware(dt.datetime(2026, 12, 15, 10, 0))

    shared = Calendar.objects.get(slug="field-visits")
    assert tour.event.calendar == shared
    assert tour.official_event.calendar == mayor.calendar
    for event in (tour.event, tour.official_event):
        assert "제설 대비 현장점검" in event.title
        assert (event.start, event.end) == (tour.start, tour.end)
        assert "제설창고" in event.description and "중앙동" in event.description
    assert Event.objects.count() == 2

    page = client.get(reverse("staff_visit_records:tour", args=[tour.pk])).content.decode()
    assert "제설 대비 현장점검" in page and "급경사 도로" in page and "안전총괄과" in page
    assert "제설 대비 현장점검" in client.get(TOURS).content.decode()


def test_changing_a_tour_moves_its_events_and_raises_the_sequence(
    client, secretariat_user, mayor, neighborhoods, department
):
    client.force_login(secretariat_user)
    client.post(CREATE, tour_data(mayor, neighborhoods, department))
    tour = ThemedTour.objects.get()
    assert tour.sequence == 0
    deputy = official_create(name="이부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR)

    response = client.post(
        reverse("staff_visit_records:tour_edit", args=[tour.pk]),
        tour_data(
            mayor,
            neighborhoods[:1],
            department,
            **{
                "tour-official": str(deputy.pk),
                "tour-day": "2026-12-17",
                "tour-start_time": "14:00",
                "tour-end_time": "16:00",
            },
        ),
    )
    assert response.status_code == 302
    tour.refresh_from_db()
    assert tour.sequence == 1
    assert tour.official == deputy
    assert timezone.localtime(tour.start).date() == dt.date(2026, 12, 17)
    assert tour.event.start == tour.start and tour.official_event.start == tour.start
    # The official's event follows the new official; no event is left behind.
    assert tour.official_event.calendar == deputy.calendar
    assert not mayor.calendar.event_set.exists()
    assert Event.objects.count() == 2


def test_a_tour_that_ends_before_it_starts_is_refused(client, secretariat_user, mayor, neighborhoods, department):
    client.force_login(secretariat_user)
    response = client.post(CREATE, tour_data(mayor, neighborhoods, department, **{"tour-end_time": "09:00"}))
    assert response.status_code == 200
    assert not ThemedTour.objects.exists() and not Event.objects.exists()


def test_officials_read_tours_but_do_not_plan_them(client, official_user, stranger, mayor, neighborhoods, department):
    client.force_login(official_user)
    assert client.get(TOURS).status_code == 200
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, tour_data(mayor, neighborhoods, department)).status_code == 403
    client.force_login(stranger)
    assert client.get(TOURS).status_code == 403


def test_a_tours_record_photo_and_suggestion(client, secretariat_user, mayor, neighborhoods, department):
    client.force_login(secretariat_user)
    client.post(CREATE, tour_data(mayor, neighborhoods, department))
    tour = ThemedTour.objects.get()
    record_url = reverse("staff_visit_records:tour", args=[tour.pk])

    refused = client.post(record_url, {"record-status": "cancelled", "record-status_reason": ""})
    assert refused.status_code == 200
    response = client.post(
        record_url,
        {"record-status": "held", "record-notes": "염화칼슘 충분", "record-public_summary": "제설 준비 점검"},
    )
    assert response.status_code == 302
    tour.refresh_from_db()
    assert tour.status == ThemedTour.Status.HELD and tour.notes == "염화칼슘 충분"
    assert tour.sequence == 1

    out = io.BytesIO()
    Image.new("RGB", (30, 30)).save(out, "WEBP")
    out.name = "a.webp"
    out.seek(0)
    assert (
        client.post(reverse("staff_visit_records:tour_photo_add", args=[tour.pk]), {"photo-image": out}).status_code
        == 302
    )
    assert tour.photos.count() == 1

    response = client.post(
        reverse("staff_visit_records:tour_suggestion_add", args=[tour.pk]),
        {
            "suggestion-title": "제설함 추가 설치",
            "suggestion-category": Category.SAFETY,
            "suggestion-neighborhood": str(neighborhoods[1].pk),
            "suggestion-raised_by": "통장협의회",
        },
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.tour, suggestion.source, suggestion.neighborhood) == (
        tour,
        Suggestion.Source.THEMED_TOUR,
        neighborhoods[1],
    )


# --- Seasonal prompts on the tours page --------------------------------------------


def _today(monkeypatch, day):
    monkeypatch.setattr(record_views.timezone, "localdate", lambda *args, **kwargs: day)


def test_the_snow_prompt_shows_in_december_and_prefills_the_form(client, secretariat_user, mayor, monkeypatch):
    _today(monkeypatch, dt.date(2026, 12, 3))
    client.force_login(secretariat_user)
    page = client.get(TOURS).content.decode()
    assert "theme=snow" in page and "group=season" in page
    assert "theme=heat" not in page

    form = client.get(CREATE + "?theme=snow&group=season&title=Snow").content.decode()
    assert '<option value="snow" selected>' in form
    assert 'value="season"' in form and 'value="Snow"' in form


def test_summer_prompts_and_chuseok(client, secretariat_user, monkeypatch):
    _today(monkeypatch, dt.date(2026, 7, 10))
    client.force_login(secretariat_user)
    page = client.get(TOURS).content.decode()
    assert "theme=heavy_rain" in page and "theme=heat" in page and "theme=snow" not in page
    assert "theme=holiday_vulnerable" not in page

    _today(monkeypatch, dt.date(2026, 9, 10))  # Chuseok is on 2026-09-25
    page = client.get(TOURS).content.decode()
    assert "theme=holiday_vulnerable" in page and "theme=heat" not in page


def test_a_prompt_disappears_once_a_tour_of_its_theme_is_planned(
    client, secretariat_user, mayor, neighborhoods, department, monkeypatch
):
    _today(monkeypatch, dt.date(2026, 12, 3))
    client.force_login(secretariat_user)
    assert "theme=snow" in client.get(TOURS).content.decode()
    client.post(CREATE, tour_data(mayor, neighborhoods, department))
    assert "theme=snow" not in client.get(TOURS).content.decode()


def test_lunar_holidays_come_from_holidays_kr():
    assert record_views.lunar_holidays_after(dt.date(2026, 9, 1)) == {
        "chuseok": dt.date(2026, 9, 25),
        "seollal": dt.date(2027, 2, 7),
    }


def test_every_field_of_the_tour_and_record_pages_has_a_label(
    client, secretariat_user, mayor, neighborhoods, department
):
    from tests.test_pages import _html, _Page

    client.force_login(secretariat_user)
    client.post(CREATE, tour_data(mayor, neighborhoods, department))
    tour = ThemedTour.objects.get()
    for url in (CREATE, reverse("staff_visit_records:tour", args=[tour.pk]), TOURS):
        response = client.get(url)
        assert response.status_code == 200
        assert _Page(_html(response)).unlabelled_fields() == [], url


def test_a_cancelled_tour_leaves_the_calendars_and_comes_back_when_planned_again(
    client, secretariat_user, mayor, neighborhoods, department
):
    client.force_login(secretariat_user)
    client.post(CREATE, tour_data(mayor, neighborhoods, department))
    tour = ThemedTour.objects.get()
    record_url = reverse("staff_visit_records:tour", args=[tour.pk])

    response = client.post(record_url, {"record-status": "cancelled", "record-status_reason": "폭설 대응"})
    assert response.status_code == 302
    tour.refresh_from_db()
    assert (tour.status, tour.status_reason, tour.sequence) == ("cancelled", "폭설 대응", 1)
    assert tour.event is None and tour.official_event is None
    assert not Event.objects.exists()

    client.post(record_url, {"record-status": "planned"})
    tour.refresh_from_db()
    assert tour.sequence == 2 and tour.status_reason == ""
    assert tour.event.calendar.slug == "field-visits" and tour.official_event.calendar == mayor.calendar
