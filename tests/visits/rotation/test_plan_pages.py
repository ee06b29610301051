"""The rotation plan's staff pages (/staff/visits/) and the public visits
page (/visits/), through the test client, as staff and citizens use them."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from schedule.models import Calendar, Event

from scheduling.models import CityClosure, Neighborhood, Official
from scheduling.services import official_create
from visits.models import FieldVisit, RotationCycle
from visits.rotation import services

# The plans here are of fixed windows in 2027–2028, planned from before
# them: planning reads "now" (the part of today that is over is busy).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]

SEOUL = ZoneInfo("Asia/Seoul")
NAMES = ["중앙동", "산골동", "강변동", "새마을동"]


@pytest.fixture
def mayor(db):
    return official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)


@pytest.fixture
def hoods(db):
    rows = []
    for index, name in enumerate(NAMES):
        rows.append(
            Neighborhood.objects.create(
                code=f"P{index + 1:02d}", name=name, sort_order=index, is_outlying_area=(name == "산골동")
            )
        )
    return rows


@pytest.fixture
def staff_client(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SEOUL)


@pytest.fixture
def cycle(mayor, hoods):
    """A hand-made cycle (fixed dates, so the calendar test knows the days)."""
    cycle = RotationCycle.objects.create(
        name="2027–2028 동방문", official=mayor, start=dt.date(2027, 1, 4), end=dt.date(2028, 12, 29)
    )
    days = [dt.date(2027, 9, 7), dt.date(2027, 9, 28), dt.date(2028, 3, 7), dt.date(2028, 4, 4)]
    for hood, day in zip(hoods, days, strict=True):
        FieldVisit.objects.create(
            cycle=cycle,
            neighborhood=hood,
            official=mayor,
            start=_at(day),
            end=_at(day, 11),
            plan_reason="우선: 외곽지역",
        )
    return cycle


def _plan_data(**overrides):
    data = {
        "name": "시험 주기",
        "start": "2027-03-02",
        "years": "2",
        "end": "2027-08-31",
        "weekdays": ["2", "3", "4"],
        "day_start": "10:00",
        "day_end": "12:00",
        "max_per_week": "1",
        "action": "preview",
    }
    data.update(overrides)
    return data


def _cell(html: str, day: str) -> str:
    """The calendar cell of ``day`` (YYYY-MM-DD)."""
    match = re.search(rf'<td[^>]*data-date="{day}"[^>]*>(.*?)</td>', html, re.S)
    assert match, f"no calendar cell for {day}"
    return match.group(1)


# --- Who may -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_staff_login(client, cycle):
    for url in (reverse("staff_visits:cycles"), reverse("staff_visits:cycle", args=[cycle.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("staff:login"))


def test_a_user_without_a_staff_role_is_refused(client, stranger, cycle):
    client.force_login(stranger)
    assert client.get(reverse("staff_visits:cycles")).status_code == 403
    assert client.get(reverse("staff_visits:cycle", args=[cycle.pk])).status_code == 403
    response = client.post(reverse("staff_visits:cycle_accept", args=[cycle.pk]))
    assert response.status_code == 403
    cycle.refresh_from_db()
    assert cycle.status == RotationCycle.Status.DRAFT


def test_department_staff_cannot_move_a_visit(client, department_user, cycle):
    client.force_login(department_user)
    visit = cycle.visits.first()
    response = client.post(
        reverse("staff_visits:visit_move", args=[cycle.pk, visit.pk]),
        {"move-date": "2027-09-08", "move-time": "10:00"},
    )
    assert response.status_code == 403
    assert FieldVisit.objects.get(pk=visit.pk).start == visit.start


def test_the_secretariat_sees_the_cycles_and_the_plan_form(staff_client, cycle, mayor):
    response = staff_client.get(reverse("staff_visits:cycles"))
    assert response.status_code == 200
    html = response.content.decode()
    assert cycle.name in html
    # The mayor is the default official.
    assert re.search(rf'<option value="{mayor.pk}" selected>', html)


# --- Planning a cycle -----------------------------------------------------------------


def test_the_preview_shows_the_plan_and_saves_nothing(staff_client, mayor, hoods):
    response = staff_client.post(reverse("staff_visits:cycles"), _plan_data(official=mayor.pk))
    assert response.status_code == 200
    html = response.content.decode()
    for name in NAMES:
        assert name in html
    assert re.search(r"2027\. \d{1,2}\. \d{1,2}\.\([월화수목금]\)", html)
    assert 'value="save"' in html  # the save button comes with the preview
    assert RotationCycle.objects.count() == 0
    assert FieldVisit.objects.count() == 0


def test_saving_creates_a_draft_cycle_with_every_neighborhood(staff_client, mayor, hoods):
    response = staff_client.post(reverse("staff_visits:cycles"), _plan_data(official=mayor.pk, action="save"))
    cycle = RotationCycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_visits:cycle", args=[cycle.pk])
    assert cycle.status == RotationCycle.Status.DRAFT
    assert cycle.name == "시험 주기"
    assert sorted(cycle.visits.values_list("neighborhood__name", flat=True)) == sorted(NAMES)
    assert all(v.start.astimezone(SEOUL).isoweekday() in (2, 3, 4) for v in cycle.visits.all())


def test_a_bad_plan_is_explained_and_nothing_is_saved(staff_client, mayor, hoods):
    response = staff_client.post(
        reverse("staff_visits:cycles"), _plan_data(official=mayor.pk, end="2027-03-03", action="save")
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert RotationCycle.objects.count() == 0


def test_accepting_the_plan(staff_client, cycle):
    response = staff_client.post(reverse("staff_visits:cycle_accept", args=[cycle.pk]), follow=True)
    assert response.status_code == 200
    cycle.refresh_from_db()
    assert cycle.status == RotationCycle.Status.ACCEPTED
    assert cycle.accepted_by is not None
    assert "Accept the plan" not in response.content.decode()


# --- The calendar ---------------------------------------------------------------------


def test_the_month_calendar_shows_visits_on_their_days_and_marks_days_off(staff_client, cycle):
    CityClosure.objects.create(date=dt.date(2027, 9, 30), name="시 개청 기념일")
    meetings = Calendar.objects.create(name="통통데이", slug="meeting-days")
    Event.objects.create(
        calendar=meetings, title="통통데이", start=_at(dt.date(2027, 9, 9), 14), end=_at(dt.date(2027, 9, 9), 15)
    )
    response = staff_client.get(reverse("staff_visits:cycle", args=[cycle.pk]), {"month": "2027-09"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2027년 9월" in html
    # Korean weekday headers, Sunday first.
    headers = re.findall(r'<th scope="col"[^>]*><abbr title="(.)요일">', html)
    assert headers == list("일월화수목금토")
    assert "중앙동" in _cell(html, "2027-09-07")
    assert "산골동" in _cell(html, "2027-09-28")
    assert "중앙동" not in _cell(html, "2027-09-08")
    assert "추석" in _cell(html, "2027-09-15")  # a public holiday
    assert "시 개청 기념일" in _cell(html, "2027-09-30")  # a city closure
    assert "is-meeting-day" in re.search(r'<td[^>]*data-date="2027-09-09"', html).group(0)
    # Links to the months around, without JavaScript.
    assert "month=2027-08" in html and "month=2027-10" in html


def _day_classes(html, day):
    return re.search(rf'<td class="([^"]*)" data-date="{day}"', html).group(1).split()


def test_the_calendar_prints_saturdays_blue_and_sundays_and_holidays_red(staff_client, cycle):
    """A Korean calendar: Sunday and every public holiday red, Saturday blue
    (a holiday on a Saturday, Hangul Day on 9 Oct 2027, red)."""
    html = staff_client.get(reverse("staff_visits:cycle", args=[cycle.pk]), {"month": "2027-10"}).content.decode()
    assert re.findall(r'<th scope="col" class="(tt-\w+)"><abbr title="(.)요일">', html) == [
        ("tt-sun", "일"),
        ("tt-sat", "토"),
    ]
    assert "tt-sat" in _day_classes(html, "2027-10-02")  # Saturday
    assert "tt-sun" in _day_classes(html, "2027-10-03")  # Sunday (and National Foundation Day)
    assert "tt-sun" in _day_classes(html, "2027-10-09")  # Hangul Day, a Saturday: red
    assert "tt-sat" not in _day_classes(html, "2027-10-09")
    assert not {"tt-sat", "tt-sun"} & set(_day_classes(html, "2027-10-06"))  # a Wednesday
    css = (settings.BASE_DIR / "static" / "css" / "staff.css").read_text()
    assert re.search(r"\.tt-calendar \.tt-sat \.tt-day-number[^{]*\{ color: var\([^,]+, #0b50d0\)", css)
    assert re.search(r"\.tt-calendar \.tt-sun \.tt-day-number[^{]*\{ color: var\([^,]+, #bd2c0f\)", css)


def test_an_accepted_plan_reads_confirmed_in_korean(staff_client, cycle):
    """A city "확정"s its plan; "수락" is for an offer a citizen accepts."""
    from meetings.models import WaitlistEntry

    with translation.override("ko"):
        assert str(RotationCycle.Status.ACCEPTED.label) == "확정"
        assert str(WaitlistEntry.Status.ACCEPTED.label) == "수락"  # the meetings' own word is untouched
    RotationCycle.objects.filter(pk=cycle.pk).update(status=RotationCycle.Status.ACCEPTED)
    html = staff_client.get(reverse("staff_visits:cycles")).content.decode()
    assert "확정" in html and "수락" not in html


def test_the_year_and_table_views(staff_client, cycle):
    year = staff_client.get(reverse("staff_visits:cycle", args=[cycle.pk]), {"view": "year", "year": "2028"})
    html = year.content.decode()
    assert "2028년 3월" in html and "강변동" in html and "새마을동" in html
    assert "중앙동" not in html.split('id="year-title"')[1]  # a 2027 visit
    table = staff_client.get(reverse("staff_visits:cycle", args=[cycle.pk]), {"view": "table"}).content.decode()
    for name in NAMES:
        assert name in table
    assert "우선: 외곽지역" in table


def test_progress_counts_held_and_planned_per_year(staff_client, cycle):
    visit = cycle.visits.get(neighborhood__name="중앙동")
    services.visit_set_status(visit=visit, status="held", reason="", actor=None)
    html = staff_client.get(reverse("staff_visits:cycle", args=[cycle.pk])).content.decode()
    section = html.split('id="progress-title"')[1].split("</section>")[0]
    assert '<progress value="1" max="2"' in section  # year 1: 1 of 2 held
    assert '<progress value="0" max="2"' in section  # year 2


# --- Moving a visit, its status -----------------------------------------------------


def test_moving_onto_a_holiday_shows_the_error_and_changes_nothing(staff_client, cycle):
    visit = cycle.visits.get(neighborhood__name="중앙동")
    before = (visit.start, visit.end, visit.sequence)
    response = staff_client.post(
        reverse("staff_visits:visit_move", args=[cycle.pk, visit.pk]),
        {"move-date": "2027-09-15", "move-time": "10:00"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(r'<div class="tt-alert is-error" role="alert" id="move-errors">(.*?)</div>', html, re.S)
    assert error and "2027. 9. 15.(수)" in error.group(1) and "추석" in error.group(1)
    assert "변경" in html or "Nothing was changed" in html
    visit.refresh_from_db()
    assert (visit.start, visit.end, visit.sequence) == before


def test_moving_into_a_week_that_has_a_visit_is_refused(staff_client, cycle):
    visit = cycle.visits.get(neighborhood__name="산골동")  # 2027-09-28
    response = staff_client.post(
        reverse("staff_visits:visit_move", args=[cycle.pk, visit.pk]),
        {"move-date": "2027-09-08", "move-time": "10:00"},  # the week of 중앙동's visit
    )
    assert response.status_code == 200
    assert "중앙동" in response.content.decode().split('id="move-errors"')[1].split("</div>")[0]
    assert FieldVisit.objects.get(pk=visit.pk).start == _at(dt.date(2027, 9, 28))


def test_moving_to_a_free_day(staff_client, cycle):
    visit = cycle.visits.get(neighborhood__name="산골동")
    response = staff_client.post(
        reverse("staff_visits:visit_move", args=[cycle.pk, visit.pk]),
        {"move-date": "2027-10-20", "move-time": "10:30"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.start == _at(dt.date(2027, 10, 20)).replace(minute=30)


def test_postponing_needs_a_reason_then_is_recorded(staff_client, cycle):
    visit = cycle.visits.get(neighborhood__name="강변동")
    url = reverse("staff_visits:visit_status", args=[cycle.pk, visit.pk])
    response = staff_client.post(url, {"status-status": "postponed", "status-reason": ""})
    assert response.status_code == 200
    assert 'id="status-errors"' in response.content.decode()
    assert FieldVisit.objects.get(pk=visit.pk).status == "planned"
    response = staff_client.post(url, {"status-status": "postponed", "status-reason": "태풍 예보"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.status_reason) == ("postponed", "태풍 예보")


# --- Re-planning --------------------------------------------------------------------


def test_replanning_shows_the_differences_and_saves_only_when_confirmed(staff_client, mayor, hoods):
    cycle, _planned = services.rotation_plan(
        official=mayor, start=dt.date(2027, 3, 2), end=dt.date(2027, 8, 31), actor=None
    )
    first = cycle.visits.order_by("start").first()
    services.visit_set_status(visit=first, status="held", reason="", actor=None)
    postponed = cycle.visits.order_by("start")[1]
    services.visit_set_status(visit=postponed, status="postponed", reason="폭우", actor=None)
    before = {v.pk: (v.start, v.status) for v in cycle.visits.all()}

    url = reverse("staff_visits:cycle_replan", args=[cycle.pk])
    response = staff_client.get(url, {"replan-from_date": "2027-05-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "→" in html
    assert postponed.neighborhood.name in html
    assert first.neighborhood.name not in html.split("<tbody>")[1]  # a held visit never moves
    assert {v.pk: (v.start, v.status) for v in cycle.visits.all()} == before

    response = staff_client.post(url, {"replan-from_date": "2027-05-03"})
    assert response.status_code == 302
    after = {v.pk: (v.start, v.status) for v in cycle.visits.all()}
    assert after[first.pk] == before[first.pk]
    assert after[postponed.pk][1] == "planned"
    assert after[postponed.pk][0].date() >= dt.date(2027, 5, 3)
    assert len(after) == len(NAMES)


# --- The public page ----------------------------------------------------------------


def test_the_public_page_shows_published_visits_without_internal_text(client, mayor, hoods, settings):
    settings.CITY_NAME = "통통시"
    soon = timezone.localdate() + dt.timedelta(days=10)
    past = timezone.localdate() - dt.timedelta(days=10)

    def visit(hood, day, **fields):
        return FieldVisit.objects.create(neighborhood=hood, official=mayor, start=_at(day), end=_at(day, 11), **fields)

    visit(hoods[0], soon, is_published=True, plan_reason="내부: 첫 화요일", notes="내부 메모")
    visit(hoods[1], soon, is_published=False)
    visit(
        hoods[2],
        past,
        status="held",
        is_published=True,
        public_summary="주민 30명과 하천 정비를 이야기했습니다.",
        notes="비공개 메모",
        attendance=30,
        results_published_at=timezone.now(),
    )
    visit(hoods[3], past, status="cancelled", status_reason="내부 사정", is_published=True)

    response = client.get(reverse("visits:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "중앙동" in html  # published, upcoming
    assert "산골동" not in html  # not published
    assert "새마을동" not in html  # cancelled
    assert "주민 30명과 하천 정비를 이야기했습니다." in html
    share = re.search(r"<textarea[^>]*readonly[^>]*>(.*?)</textarea>", html, re.S).group(1)
    assert "강변동" in share and "#통통시" in share and "#동방문" in share and "하천 정비" in share
    for internal in ("내부: 첫 화요일", "내부 메모", "비공개 메모", "내부 사정"):
        assert internal not in html
