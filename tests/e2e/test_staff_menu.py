"""The staff menu on a 390×844 phone: a department's staff member logs in,
sees who they are with their department, and moves between the sections of
the menu by tapping, each entry a comfortable target that fits the screen
without sideways scrolling; the current section is marked. In Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from scheduling import roles
from scheduling.models import Department, StaffProfile
from tests.e2e.conftest import axe_findings
from tests.e2e.test_public_pages import SCREENSHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def department_user(db, django_user_model):
    roles.sync_roles()  # a transactional test starts from a flushed database
    roads = Department.objects.create(code="roads", name="도로과")
    user = django_user_model.objects.create_user(
        "roads-staff", password="pw-roads-staff", last_name="이", first_name="준호"
    )
    user.groups.add(Group.objects.get(name=roles.DEPARTMENT_STAFF))
    StaffProfile.objects.create(user=user, department=roads, position="주무관")
    return user


def test_the_staff_menu_works_on_a_phone(phone_page, department_user, krds_installed, axe_script):
    page = phone_page
    page.goto("/staff/login/")
    page.fill("#id_username", "roads-staff")
    page.fill("#id_password", "pw-roads-staff")
    page.locator('form.tt-form button[type="submit"]').tap()
    page.wait_for_url("**/staff/")

    menu = page.locator("nav.tt-staff-menu")
    assert "도로과 이준호 주무관" in menu.inner_text()
    assert "roads-staff" not in page.locator("body").inner_text()
    links = menu.locator("a")
    assert links.all_inner_texts() == ["면담 신청", "민원", "동방문", "동 관리카드", "내 정보"]
    assert menu.locator('[aria-current="page"]').count() == 0  # the staff home is no section

    # Every entry is a 48px-high target inside the screen: no sideways scrolling.
    for box in (links.nth(i).bounding_box() for i in range(links.count())):
        assert box["height"] >= 44
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    menu.get_by_role("link", name="동 관리카드").tap()
    page.wait_for_url("**/staff/cards/")
    assert page.locator('nav.tt-staff-menu a[aria-current="page"]').inner_text() == "동 관리카드"
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "staff-menu-phone.png"))
    # The menu itself passes axe (the rest of the page is other tests' business).
    in_menu = [
        (finding["id"], node["target"])
        for finding in axe_findings(page, axe_script)
        for node in finding["nodes"]
        if page.evaluate("(s) => !!document.querySelector(s)?.closest('nav.tt-staff-menu')", node["target"][0])
    ]
    assert in_menu == []

    page.locator("nav.tt-staff-menu").get_by_role("link", name="면담 신청").tap()
    page.wait_for_url("**/staff/meetings/reviews/")
    assert page.locator('nav.tt-staff-menu a[aria-current="page"]').inner_text() == "면담 신청"
