"""The secretariat plans a rotation cycle on a desktop: previews it, saves it
as a draft, reads it as a month calendar and accepts it; citizens read the
public visits page. In Chromium; axe finds no serious or critical problem."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from scheduling import roles
from scheduling.models import Neighborhood, Official
from scheduling.services import official_create
from tests.e2e.conftest import axe_findings
from visits.models import FieldVisit, RotationCycle
from visits.rotation import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
SEOUL = ZoneInfo("Asia/Seoul")
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")
NAMES = ["중앙동", "산골동", "강변동", "문화동"]


@pytest.fixture
def city(db):
    roles.sync_roles()  # a transactional test starts from a flushed database
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    for index, name in enumerate(NAMES):
        Neighborhood.objects.create(
            code=f"V{index + 1:02d}", name=name, sort_order=index, is_outlying_area=(name == "산골동")
        )
    return mayor


@pytest.fixture
def desktop_page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, locale="ko-KR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def _describe(violations) -> list[str]:
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in violations]


def test_the_secretariat_plans_checks_and_accepts_a_cycle(desktop_page, city, secretariat_user, axe_script):
    page = desktop_page
    page.goto("/staff/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "pw-secretariat")
    page.locator('form.tt-form button[type="submit"]').click()
    page.wait_for_url("**/staff/")
    page.locator('a[href="/staff/visits/"]').first.click()
    page.wait_for_url("**/staff/visits/")

    # Plan a half-year window next year: preview first, nothing saved.
    year = timezone.localdate().year + 1
    page.fill("#id_name", f"{year} 상반기 동방문")
    page.fill("#id_start", f"{year}-03-02")
    page.fill("#id_end", f"{year}-08-31")
    page.locator('button[value="preview"]').click()
    page.wait_for_load_state()
    preview = page.locator("#preview")
    for name in NAMES:
        assert name in preview.inner_text()
    assert RotationCycle.objects.count() == 0
    _shot(page, "visits-flow-preview")

    page.locator('button[value="save"]').click()
    page.wait_for_url("**/staff/visits/cycles/*/")
    cycle = RotationCycle.objects.get()
    assert cycle.status == RotationCycle.Status.DRAFT
    assert page.locator(".tt-message.is-success").count() == 1

    # The month calendar: the first visit is in its day's cell.
    first = cycle.visits.order_by("start").first()
    day = first.start.astimezone(SEOUL).date()
    page.goto(f"/staff/visits/cycles/{cycle.pk}/?view=month&month={day:%Y-%m}")
    assert page.locator("table.tt-calendar thead th").count() == 7
    cell = page.locator(f'td[data-date="{day:%Y-%m-%d}"]')
    assert first.neighborhood.name in cell.inner_text()
    _shot(page, "visits-flow-calendar")
    findings = axe_findings(page, axe_script)
    assert not findings, _describe(findings)

    # One visit: a move onto a Sunday is refused, with the message, and nothing changes.
    cell.locator("a").first.click()
    page.wait_for_url(f"**/staff/visits/cycles/{cycle.pk}/visits/{first.pk}/")
    page.locator("#action-move > summary").click()
    sunday = day + dt.timedelta(days=6 - day.weekday())
    page.fill("#id_move-date", f"{sunday:%Y-%m-%d}")
    page.locator('#action-move button[type="submit"]').click()
    page.wait_for_load_state()
    assert f"{sunday.month}. {sunday.day}.(일)" in page.locator("#move-errors").inner_text()
    assert FieldVisit.objects.get(pk=first.pk).start == first.start
    _shot(page, "visits-flow-move-error")
    findings = axe_findings(page, axe_script)
    assert not findings, _describe(findings)
    page.goto(f"/staff/visits/cycles/{cycle.pk}/?view=month&month={day:%Y-%m}")

    # Next month, without JavaScript links.
    page.locator('.tt-month-nav a[rel="next"]').click()
    page.wait_for_load_state()
    next_month = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert f"{next_month.year}년 {next_month.month}월" in page.locator("#month-title").inner_text()

    # Accept the plan.
    page.locator(f'form[action="/staff/visits/cycles/{cycle.pk}/accept/"] button').click()
    page.wait_for_load_state()
    cycle.refresh_from_db()
    assert cycle.status == RotationCycle.Status.ACCEPTED
    assert page.locator(".tt-message.is-success").count() == 1

    # A visit is postponed; re-planning from its date shows old -> new first.
    services.visit_set_status(visit=first, status="postponed", reason="폭우 예보", actor=None)
    page.locator("#action-replan > summary").click()
    page.fill("#id_replan-from_date", f"{day:%Y-%m-%d}")
    page.locator('#action-replan button[type="submit"]').click()
    page.wait_for_url("**/replan/?*")
    assert first.neighborhood.name in page.locator("tbody").inner_text()
    assert FieldVisit.objects.get(pk=first.pk).status == "postponed"
    _shot(page, "visits-flow-replan")
    findings = axe_findings(page, axe_script)
    assert not findings, _describe(findings)
    page.locator('form[method="post"] button[type="submit"]').last.click()
    page.wait_for_url(f"**/staff/visits/cycles/{cycle.pk}/")
    assert FieldVisit.objects.get(pk=first.pk).status == "planned"


def test_the_public_visits_page_is_accessible(desktop_page, city, axe_script):
    mayor = city
    hoods = list(Neighborhood.objects.order_by("sort_order"))
    soon = timezone.localdate() + dt.timedelta(days=7)
    past = timezone.localdate() - dt.timedelta(days=7)
    for hood, day, status, summary in (
        (hoods[0], soon, "planned", ""),
        (hoods[1], past, "held", "주민 40명과 마을버스 노선을 이야기했습니다."),
    ):
        start = dt.datetime.combine(day, dt.time(10), tzinfo=SEOUL)
        FieldVisit.objects.create(
            neighborhood=hood,
            official=mayor,
            start=start,
            end=start + dt.timedelta(hours=1),
            status=status,
            public_summary=summary,
            is_published=True,
            # A held visit's results are public once its record is completed.
            results_published_at=timezone.now() if status == "held" else None,
        )
    page = desktop_page
    page.goto("/visits/")
    assert "중앙동" in page.locator(".tt-upcoming").inner_text()
    share = page.locator(".tt-share textarea").input_value()
    assert "산골동" in share and "#동방문" in share
    _shot(page, "visits-public")
    findings = axe_findings(page, axe_script)
    assert not findings, _describe(findings)
