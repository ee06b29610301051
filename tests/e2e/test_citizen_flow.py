"""A citizen on a phone asks for a meeting, makes a mistake, corrects it,
and follows the request by the private link — in Chromium, 390x844."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from meetings.models import MeetingRequest
from scheduling.models import Neighborhood, Official
from scheduling.services import official_create
from tests.e2e.conftest import axe_findings
from tests.e2e.test_public_pages import SCREENSHOTS, _describe, _no_horizontal_scroll
from tests.meetings.conftest import sent_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REFERENCE = re.compile(r"\d{4}-\d{4}")


@pytest.fixture
def city(db):
    official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)
    for index, name in enumerate(["중앙동", "산골동", "새벽동"]):
        Neighborhood.objects.create(code=f"{index + 101}", name=name, sort_order=index)


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def _tap_label(page, field_id):
    """Tap a checkbox's label, as a thumb does (KRDS draws the box on it)."""
    page.locator(f'label[for="{field_id}"]').tap()


def _fill_the_form(page):
    page.get_by_label("이름").fill("홍길동")
    page.get_by_label("휴대전화번호").fill("010 1234 5678")
    page.get_by_label("사는 동").select_option(label="중앙동")
    page.get_by_label("분야").select_option(value="roads")
    page.get_by_label("제목").fill("골목길 보수")
    page.get_by_label("면담하고 싶은 내용").fill("중앙동 3길 포장이 깨졌습니다.\n밤에는 어둡습니다.")
    _tap_label(page, "id_preferred_days_0")
    _tap_label(page, "id_needs_wheelchair")


def _open_the_form(page):
    page.goto("/")
    page.get_by_role("link", name="면담 신청하기").tap()
    page.wait_for_url("**/meetings/request/")


def _send(page):
    with page.expect_navigation():
        page.get_by_role("button", name="다음: 휴대전화 인증").tap()


def _verify(page, phone="010 1234 5678"):
    """Types the code texted to the phone (the SMS backend of the live server)."""
    page.wait_for_url("**/meetings/request/verify/")
    assert "010-****-5678" in page.locator(".tt-lead-small").inner_text()
    page.get_by_label("인증번호(6자리)").fill(sent_code(phone))
    with page.expect_navigation():
        page.get_by_role("button", name="인증하고 신청하기").tap()


def test_a_citizen_asks_for_a_meeting_on_a_phone_and_follows_it(phone_page, city):
    page = phone_page
    _open_the_form(page)
    assert page.locator("h1").inner_text() == "시장 면담 신청"
    assert page.get_by_label("휴대전화번호").get_attribute("inputmode") == "tel"
    _no_horizontal_scroll(page)
    _fill_the_form(page)
    day_label = page.locator('label[for="id_preferred_days_0"]').inner_text()

    # Forgot the consent: the form comes back with a Korean error and everything kept.
    _send(page)
    alert = page.get_by_role("alert")
    assert "개인정보 수집·이용에 동의해 주세요" in alert.inner_text()
    assert page.get_by_label("이름").input_value() == "홍길동"
    assert page.get_by_label("휴대전화번호").input_value() == "010 1234 5678"
    assert page.get_by_label("사는 동").input_value() == str(Neighborhood.objects.get(name="중앙동").pk)
    assert page.get_by_label("제목").input_value() == "골목길 보수"
    assert "밤에는 어둡습니다." in page.get_by_label("면담하고 싶은 내용").input_value()
    assert page.locator("#id_preferred_days_0").is_checked()
    assert page.locator("#id_needs_wheelchair").is_checked()
    assert page.locator("#id_consent").get_attribute("aria-invalid") == "true"
    assert not page.locator("#id_consent").is_checked()
    assert MeetingRequest.objects.count() == 0
    _no_horizontal_scroll(page)
    _shot(page, "request-error")

    # Ticks it and sends: the code texted to the phone, nothing saved yet.
    _tap_label(page, "id_consent")
    _send(page)
    page.wait_for_url("**/meetings/request/verify/")
    assert MeetingRequest.objects.count() == 0
    _no_horizontal_scroll(page)
    _shot(page, "request-verify")
    # Back to the form: everything typed is still there; sent again as it
    # was, it brings the citizen back to the code already on the phone.
    page.get_by_role("link", name="신청서로 돌아가 고치기").tap()
    page.wait_for_url("**/meetings/request/")
    assert page.get_by_label("제목").input_value() == "골목길 보수"
    assert "밤에는 어둡습니다." in page.get_by_label("면담하고 싶은 내용").input_value()
    assert page.locator("#id_consent").is_checked()
    _send(page)
    # The code: the done page with the reference and the private link.
    _verify(page)
    page.wait_for_url("**/meetings/request/done/**")
    assert page.locator("h1").inner_text() == "면담 신청이 접수되었습니다"
    reference = page.locator(".tt-reference").inner_text()
    assert REFERENCE.fullmatch(reference)
    assert "신청 확인 링크" in page.locator(".tt-facts").inner_text()
    link = page.locator("#status-link").inner_text()
    assert re.fullmatch(r"http://[^/]+/meetings/status/[\w-]+/", link)
    assert page.get_by_role("button", name="링크 복사").count() <= 1  # only where the clipboard is available
    _no_horizontal_scroll(page)
    _shot(page, "request-done")

    request = MeetingRequest.objects.get()
    assert request.reference == reference
    assert request.needs_wheelchair
    assert request.preferences.count() == 1

    # Opens the status link: submitted (접수), the day chosen, the phone as given.
    page.goto(link)
    assert page.locator(".tt-status").inner_text() == "접수"
    assert reference in page.locator(".tt-facts").first.inner_text()
    assert day_label.split(" (")[0].split(" —")[0] in page.content()
    assert "010-1234-5678" in page.content()
    _no_horizontal_scroll(page)
    _shot(page, "status")


def test_a_citizen_cancels_from_the_status_page(phone_page, city):
    """The status page sends no path in its Referer: its forms still pass the CSRF check in a real browser."""
    page = phone_page
    _open_the_form(page)
    _fill_the_form(page)
    _tap_label(page, "id_consent")
    _send(page)
    _verify(page)
    page.get_by_role("link", name="내 신청 확인하기").tap()
    page.wait_for_url("**/meetings/status/**")

    # The language switcher works on a page without Referer too.
    with page.expect_navigation():
        page.get_by_role("button", name="English").tap()
    assert page.locator("h1").inner_text() == "Your meeting request"
    with page.expect_navigation():
        page.get_by_role("button", name="한국어").tap()
    assert page.locator("h1").inner_text() == "면담 신청 현황"

    page.get_by_role("link", name="신청 취소하기").tap()
    page.wait_for_url("**/cancel/")
    assert page.locator("h1").inner_text() == "면담 신청을 취소하시겠습니까?"
    page.get_by_role("button", name="네, 신청을 취소합니다").tap()
    page.wait_for_url(re.compile(r".*/meetings/status/[\w-]+/$"))
    assert "면담 신청이 취소되었습니다" in page.locator(".tt-messages").inner_text()
    assert page.locator(".tt-status").inner_text() == "취소됨"
    assert MeetingRequest.objects.get().status == "cancelled"


def test_no_serious_accessibility_violations_on_the_citizen_pages(phone_page, axe_script, city):
    page = phone_page
    _open_the_form(page)
    violations = axe_findings(page, axe_script)
    assert not violations, "form: " + _describe(violations)

    _fill_the_form(page)
    _send(page)  # without consent: the form with its errors
    page.get_by_role("alert").wait_for()
    violations = axe_findings(page, axe_script)
    assert not violations, "form with errors: " + _describe(violations)

    _tap_label(page, "id_consent")
    _send(page)
    page.wait_for_url("**/meetings/request/verify/")
    violations = axe_findings(page, axe_script)
    assert not violations, "code page: " + _describe(violations)
    _verify(page)
    page.wait_for_url("**/meetings/request/done/**")
    violations = axe_findings(page, axe_script)
    assert not violations, "done page: " + _describe(violations)

    page.get_by_role("link", name="내 신청 확인하기").tap()
    page.wait_for_url("**/meetings/status/**")
    violations = axe_findings(page, axe_script)
    assert not violations, "status page: " + _describe(violations)

    page.get_by_role("link", name="신청 취소하기").tap()
    page.wait_for_url("**/cancel/")
    violations = axe_findings(page, axe_script)
    assert not violations, "cancel page: " + _describe(violations)
