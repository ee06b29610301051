"""The public pages and the staff login as a citizen or an official sees them,
on a phone, in a real browser."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from meetings.rules import regular_meeting_dates
from scheduling import roles
from scheduling.models import CityClosure, Neighborhood, Official
from scheduling.services import official_create
from tests.e2e.conftest import axe_findings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Where to save screenshots, when asked: E2E_SCREENSHOTS=/tmp pytest -m e2e
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS")


@pytest.fixture
def city(db):
    names = ["중앙동", "산골동", "새벽동", "강변동", "문화동", "솔밭동"]
    for index, name in enumerate(names):
        Neighborhood.objects.create(
            code=f"{index + 101}",
            name=name,
            sort_order=index,
            is_natural_village=(name == "산골동"),
            is_outlying_area=(name in {"산골동", "솔밭동"}),
            is_current_issue_area=(name == "새벽동"),
        )
    official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    # The second upcoming meeting day falls on a (made-up) substitute holiday,
    # declared before the days are built: it is moved, with the reason shown.
    today = timezone.localdate()
    second = regular_meeting_dates(today + dt.timedelta(days=1), today + dt.timedelta(days=70))[1]
    CityClosure.objects.create(date=second, name="임시공휴일")


def _no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"the page scrolls sideways: {width}px content in a {viewport}px screen"


def _button_fits(page, locator):
    box = locator.bounding_box()
    viewport = page.viewport_size["width"]
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport, f"{box} does not fit in {viewport}px"


def test_home_page_on_a_phone_in_korean_and_english(phone_page, city, krds_installed):
    page = phone_page
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.locator("h1").inner_text() == "통통데이"
    assert page.get_by_text("다가오는 통통데이").is_visible()
    assert page.locator(".tt-day").count() == 4
    # (Another upcoming day may be moved too, by a real holiday: Chuseok…)
    moved = page.locator(".tt-day", has_text="임시공휴일")
    assert moved.count() == 1
    assert "일정 변경" in moved.inner_text()

    cta = page.get_by_role("link", name="면담 신청하기")
    assert cta.is_visible()
    assert cta.get_attribute("href") == "/meetings/request/"
    _button_fits(page, cta)
    _no_horizontal_scroll(page)

    # KRDS is really applied: its font and its primary button colour.
    assert "Pretendard GOV" in page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.evaluate("getComputedStyle(document.querySelector('.tt-cta-button')).backgroundColor") == (
        "rgb(37, 110, 244)"
    )

    if SCREENSHOTS:
        page.evaluate("document.fonts.ready")
        page.screenshot(path=str(Path(SCREENSHOTS) / "home.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "TongTong Day"
    assert page.get_by_role("link", name="Request a meeting", exact=True).first.is_visible()
    _no_horizontal_scroll(page)
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "home-en.png"), full_page=True)

    page.get_by_role("button", name="한국어").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ko"
    assert page.get_by_role("link", name="면담 신청하기").is_visible()


def test_skip_link_is_first_and_moves_focus_to_main(phone_page):
    page = phone_page
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "본문 바로가기"
    assert page.get_by_role("link", name="본문 바로가기").is_visible(), "the skip link shows when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_staff_login_ends_on_the_staff_area(phone_page, live_server, django_user_model):
    user = django_user_model.objects.create_user(username="kim.secretariat", password="a-long-pass-phrase")
    user.groups.add(Group.objects.get_or_create(name=roles.SECRETARIAT)[0])

    page = phone_page
    page.goto("/staff/")
    assert "/staff/login/" in page.url
    page.get_by_label("아이디").fill("kim.secretariat")
    page.get_by_label("비밀번호").fill("wrong")
    page.get_by_role("button", name="로그인").click()
    assert page.get_by_role("alert").inner_text().startswith("아이디 또는 비밀번호가 올바르지 않습니다")
    assert page.get_by_label("아이디").input_value() == "kim.secretariat"
    _no_horizontal_scroll(page)
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "login-error.png"), full_page=True)

    page.get_by_label("비밀번호").fill("a-long-pass-phrase")
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/staff/")
    assert page.url.endswith("/staff/")
    assert page.locator("h1").inner_text() == "업무 관리"
    _no_horizontal_scroll(page)
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / "staff.png"), full_page=True)

    page.get_by_role("button", name="로그아웃").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "통통데이"


def _describe(violations):
    return json.dumps(
        [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in violations
        ],
        ensure_ascii=False,
        indent=1,
    )


@pytest.mark.parametrize("url", ["/", "/staff/login/", "/no-such-page/", "/privacy/"])
def test_no_serious_accessibility_violations(phone_page, axe_script, city, url):
    page = phone_page
    page.goto(url)
    violations = axe_findings(page, axe_script)
    assert not violations, _describe(violations)


def test_no_serious_accessibility_violations_after_a_failed_login(phone_page, axe_script):
    page = phone_page
    page.goto("/staff/login/")
    page.get_by_label("아이디").fill("nobody")
    page.get_by_label("비밀번호").fill("wrong")
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("alert").wait_for()
    violations = axe_findings(page, axe_script)
    assert not violations, _describe(violations)


def test_english_home_page_has_no_serious_accessibility_violations(phone_page, live_server, axe_script, city):
    page = phone_page
    page.context.add_cookies([{"name": "tongtong_language", "value": "en", "url": live_server.url}])
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    violations = axe_findings(page, axe_script)
    assert not violations, _describe(violations)


@pytest.mark.parametrize("url", ["/", "/staff/login/", "/no-such-page/", "/privacy/"])
def test_pages_fit_a_360px_screen(browser, live_server, city, krds_installed, url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, base_url=live_server.url)
    try:
        page = context.new_page()
        for language in ("ko", "en"):
            context.add_cookies([{"name": "tongtong_language", "value": language, "url": live_server.url}])
            page.goto(url)
            _no_horizontal_scroll(page)
    finally:
        context.close()


def test_keyboard_focus_is_visible(phone_page, krds_installed):
    page = phone_page
    page.goto("/")
    seen = 0
    for _ in range(30):
        page.keyboard.press("Tab")
        style = page.evaluate(
            """() => {
                const e = document.activeElement, s = getComputedStyle(e);
                return {tag: e.tagName, text: e.textContent.trim(), style: s.outlineStyle, width: s.outlineWidth};
            }"""
        )
        if style["tag"] == "BODY":  # went round to the browser's own controls
            break
        seen += 1
        assert style["style"] != "none" and style["width"] != "0px", f"no visible focus on {style}"
    assert seen >= 7, "the skip link, logo, language buttons, menu and the request button take focus"
