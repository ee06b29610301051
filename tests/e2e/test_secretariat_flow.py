"""A citizen asks for a meeting on a phone; the secretariat finds the request
in its queue on a desktop, cannot book it before the department head's
review, asks for it; the head of 도로과 answers from a phone; the secretariat
sees the opinion beside the actions and books it with the mayor; the
citizen's status page then shows the booking. In Chromium, through the
public form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from meetings.models import MeetingRequest
from scheduling import roles
from scheduling.models import Bureau, CategoryOwner, Department, Neighborhood, Official, StaffProfile
from scheduling.services import official_create
from tests.e2e.conftest import axe_findings
from tests.e2e.test_public_pages import SCREENSHOTS, _describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
KOREAN_DATE = re.compile(r"\d{4}\. \d{1,2}\. \d{1,2}\.\([월화수목금토일]\)")


@pytest.fixture
def city(db, django_user_model):
    roles.sync_roles()  # a transactional test starts from a flushed database
    official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    deputy = official_create(name="이부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR)
    bureau = Bureau.objects.create(code="construction", name="건설교통국", deputy_mayor=deputy)
    roads = Department.objects.create(code="roads", name="도로과", bureau=bureau)
    official_create(name="정국장", title="건설교통국장", rank=Official.Rank.DIRECTOR, bureau=bureau)
    CategoryOwner.objects.create(category="roads", department=roads)
    head = django_user_model.objects.create_user(
        "roads-head", password="pw-roads-head", last_name="임", first_name="재훈"
    )
    head.groups.add(Group.objects.get(name=roles.DEPARTMENT_STAFF))
    StaffProfile.objects.create(user=head, department=roads)
    official_create(name="임재훈", title="도로과장", rank=Official.Rank.DEPARTMENT_HEAD, department=roads, user=head)
    for index, name in enumerate(["중앙동", "산골동"]):
        Neighborhood.objects.create(code=f"N{index + 1:02d}", name=name, sort_order=index)


@pytest.fixture
def desktop_page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, locale="ko-KR", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def _contrast_details(violations) -> list[str]:
    return [node["any"][0]["message"] for v in violations for node in v["nodes"] if node.get("any")][:5]


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def _citizen_submits(page) -> tuple[str, str]:
    """The public form, by the field names of meetings.public.forms.MeetingRequestForm.
    Returns the reference and the private status link."""
    page.goto("/meetings/request/")
    page.fill('[name="name"]', "홍길동")
    page.fill('[name="phone"]', "010 1234 5678")
    page.select_option('[name="neighborhood"]', label="중앙동")
    page.select_option('[name="category"]', value="roads")
    page.fill('[name="subject"]', "골목길 보수")
    page.fill('[name="description"]', "중앙동 3길 포장이 깨졌습니다.")
    page.locator('label[for="id_preferred_days_0"]').tap()
    page.locator('label[for="id_needs_sign_language"]').tap()
    page.locator('label[for="id_consent"]').tap()
    page.locator('form.tt-form button[type="submit"]').tap()
    page.wait_for_url("**/meetings/request/done/**")
    reference = page.locator(".tt-reference").inner_text().strip()
    link = page.locator('a[href*="/meetings/status/"]').first.get_attribute("href")
    return reference, link


def test_the_secretariat_books_a_citizens_request_with_the_mayor(phone_page, desktop_page, city, secretariat_user):
    # The citizen, on a phone.
    citizen = phone_page
    reference, link = _citizen_submits(citizen)
    assert re.fullmatch(r"\d{4}-\d{4}", reference)
    citizen.goto(link)
    assert reference in citizen.locator(".tt-reference").inner_text()
    assert "시장 김시장" not in citizen.locator("main").inner_text()
    _shot(citizen, "secretariat-flow-citizen-before")

    # The secretariat, on a desktop.
    staff = desktop_page
    staff.goto("/staff/")
    staff.fill("#id_username", "secretariat")
    staff.fill("#id_password", "pw-secretariat")
    staff.locator('form.tt-form button[type="submit"]').click()
    staff.wait_for_url("**/staff/")
    staff.locator('.tt-card a[href="/staff/meetings/"]').click()
    staff.wait_for_url("**/staff/meetings/")
    row = staff.locator("tbody tr", has_text=reference)
    assert "010-****-5678" in row.inner_text()
    assert "중앙동" in row.inner_text()
    _shot(staff, "secretariat-flow-queue")
    row.get_by_role("link", name=reference).click()
    staff.wait_for_url("**/staff/meetings/*/")
    assert "010-1234-5678" in staff.locator("main").inner_text()
    assert staff.locator(".tt-needs .tt-need").count() == 1

    # Not before the department head's review: the page says so, and so does
    # the booking service if tried.
    assert "소관 부서장" in staff.locator("#head-review-title").locator("..").inner_text()
    staff.locator("#action-book > summary").click()
    staff.locator("#action-book .tt-slot-day .krds-form-check label").first.click()
    staff.locator('#action-book button[type="submit"]').click()
    staff.wait_for_load_state()
    assert "검토 의견" in staff.locator("#action-book").inner_text()
    assert MeetingRequest.objects.get(reference=reference).status == "submitted"
    staff.locator("#action-review > summary").click()
    assert staff.locator("#id_review-department option:checked").inner_text() == "도로과"
    staff.fill("#id_review-question", "보수 계획이 있는지, 면담이 필요한지 봐 주세요.")
    staff.locator('#action-review button[type="submit"]').click()
    staff.wait_for_load_state()
    assert "도로과" in staff.locator(".tt-message.is-success").inner_text()

    # The head of 도로과 answers on a phone, from the inbox.
    head = citizen.context.browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="ko-KR",
        base_url=staff.url.split("/staff/")[0],
    ).new_page()
    head.goto("/staff/login/")
    head.fill("#id_username", "roads-head")
    head.fill("#id_password", "pw-roads-head")
    head.locator('form.tt-form button[type="submit"]').tap()
    head.wait_for_url("**/staff/")
    head.goto("/staff/meetings/reviews/")
    head.get_by_role("link", name=reference).tap()
    head.wait_for_url("**/staff/meetings/reviews/*/")
    assert "010-1234-5678" not in head.locator("main").inner_text()
    head.locator('label[for="id_opinion-meeting_needed_0"]').tap()
    head.locator('label[for="id_opinion-department_can_resolve_1"]').tap()
    head.fill("#id_opinion-opinion", "예산 확보가 필요해 시장 면담이 필요합니다.")
    _shot(head, "secretariat-flow-head-review-phone")
    head.locator('form.tt-form button[type="submit"]').tap()
    head.wait_for_url("**/staff/meetings/reviews/")
    head.context.close()

    # The secretariat sees the opinion beside the actions, then books.
    staff.reload()
    opinion = staff.locator("#head-review-title").locator("..").inner_text()
    assert "예산 확보가 필요해" in opinion and "면담이 필요합니다" in opinion
    staff.locator("#action-book > summary").click()
    first_day = staff.locator("#action-book .tt-slot-day").first
    day_label = first_day.locator("h3").inner_text()
    time_label = first_day.locator(".krds-form-check label").first.inner_text().strip()
    assert KOREAN_DATE.search(day_label) and re.fullmatch(r"\d{2}:\d{2}", time_label)
    first_day.locator(".krds-form-check label").first.click()
    _shot(staff, "secretariat-flow-request")
    staff.locator('#action-book button[type="submit"]').click()
    staff.wait_for_load_state()
    message = staff.locator(".tt-message.is-success")
    assert "김시장" in message.inner_text()
    assert MeetingRequest.objects.get(reference=reference).status == "scheduled"
    date = KOREAN_DATE.search(day_label).group(0)

    # The run sheet of that day lists the booking, ready to print.
    staff.goto("/staff/meetings/days/")
    staff.locator("tbody tr", has_text=date).get_by_role("link", name=re.compile("인쇄|Print")).click()
    staff.wait_for_url("**/run-sheet/")
    staff.wait_for_load_state()
    sheet = staff.locator("main").inner_text()
    # The full number, to call a latecomer from the printed sheet (docs/privacy.md).
    assert reference in sheet and "홍길동" in sheet and "010-1234-5678" in sheet
    _shot(staff, "secretariat-flow-run-sheet")
    staff.emulate_media(media="print")
    assert not staff.locator("#krds-header").is_visible()
    assert staff.locator("table").is_visible()
    _shot(staff, "secretariat-flow-run-sheet-print")
    staff.emulate_media(media="screen")

    # The citizen reloads the status page and sees the booking.
    citizen.reload()
    meeting = citizen.locator("main").inner_text()
    assert "시장 김시장" in meeting
    assert f"{date} {time_label}" in meeting
    _shot(citizen, "secretariat-flow-citizen-after")


def test_the_staff_pages_have_no_serious_accessibility_violations(desktop_page, axe_script, city, secretariat_user):
    from meetings.selectors import bookable_meeting_days
    from tests.meetings.conftest import submit

    day = bookable_meeting_days()[0]
    sub = submit([day], needs_wheelchair=True)
    day = sub.request.preferences.get().meeting_day  # saved when chosen (the form only reads)
    page = desktop_page
    page.goto("/staff/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", "pw-secretariat")
    page.locator('form.tt-form button[type="submit"]').click()
    page.wait_for_url("**/staff/")
    for index, url in enumerate(
        [
            "/staff/meetings/",
            f"/staff/meetings/{sub.request.pk}/?propose=1",
            "/staff/meetings/new/",
            "/staff/meetings/days/",
            f"/staff/meetings/days/{day.pk}/",
            f"/staff/meetings/days/{day.pk}/run-sheet/",
            "/staff/meetings/reviews/",
            "/staff/",
            "/staff/reports/",
            f"/staff/reports/monthly/{day.original_date:%Y-%m}/",
            f"/staff/reports/half-year/{day.original_date.year}-H{1 if day.original_date.month <= 6 else 2}/",
            f"/staff/reports/plan/{day.original_date.year}/",
            "/staff/cards/",
            "/staff/cards/board/",
            "/staff/cards/ranking/",
        ]
    ):
        page.goto(url)
        for summary in page.locator("details > summary").all():
            summary.click()  # the action forms too
        _shot(page, f"staff-page-{index}")
        violations = axe_findings(page, axe_script)
        assert not violations, f"{url}\n{_describe(violations)}\n{_contrast_details(violations)}"
