"""Two flows across pages in Chromium on a phone (issue 15): a resident
follows a neighborhood from its public card with the code texted to them,
and a citizen who lost their link finds their request with their number,
opens it and cancels it."""

from __future__ import annotations

import uuid

import pytest

from meetings.models import MeetingRequest
from meetings.services.requests import meeting_request_submit
from scheduling.models import Neighborhood
from tests.e2e.conftest import axe_findings
from tests.e2e.test_citizen_flow import _tap_label, city  # noqa: F401 (a fixture)
from tests.e2e.test_public_pages import _describe, _no_horizontal_scroll
from tests.meetings.conftest import sent_code
from visits.models import NeighborhoodFollow

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = "010 4444 5555"


def _type_the_code(page, button: str):
    page.wait_for_url("**/verify/")
    assert "010-****-5555" in page.locator(".tt-lead-small").inner_text()
    page.get_by_label("인증번호(6자리)").fill(sent_code(PHONE))
    with page.expect_navigation():
        page.get_by_role("button", name=button).tap()


def test_a_resident_follows_a_neighborhood_from_its_card(phone_page, city, axe_script):  # noqa: F811
    page = phone_page
    page.goto("/neighborhoods/101/")
    page.get_by_role("link", name="중앙동 소식을 문자메시지나 이메일로 받기").tap()
    page.wait_for_url("**/neighborhoods/101/follow/")
    assert not axe_findings(page, axe_script), _describe(axe_findings(page, axe_script))
    _no_horizontal_scroll(page)
    page.get_by_label("휴대전화번호").fill(PHONE)
    _tap_label(page, "id_consent")
    with page.expect_navigation():
        page.get_by_role("button", name="소식 받기").tap()
    _type_the_code(page, "인증하고 소식 받기")
    assert "중앙동 소식을 보내 드립니다" in page.locator("main").inner_text()
    follow = NeighborhoodFollow.objects.get()
    assert follow.contact == "010-4444-5555" and follow.confirmed_at is not None


def test_a_citizen_finds_a_lost_request_by_number_and_cancels_it(phone_page, city, axe_script):  # noqa: F811
    submission = meeting_request_submit(
        name="홍길동",
        phone=PHONE,
        neighborhood=Neighborhood.objects.get(code="101"),
        category="roads",
        subject="골목길 보수",
        description="중앙동 3길 포장이 깨졌습니다.",
        consent=True,
        submission_key=uuid.uuid4(),
    )
    reference = submission.request.reference
    page = phone_page
    page.goto("/")
    page.get_by_role("link", name="이미 신청하셨나요? 휴대전화 번호로 내 신청 조회").tap()
    page.wait_for_url("**/meetings/my/")
    page.get_by_label("휴대전화번호").fill(PHONE)
    with page.expect_navigation():
        page.get_by_role("button", name="인증번호 받기").tap()
    _type_the_code(page, "인증하고 내 신청 보기")
    page.wait_for_url("**/meetings/my/")
    assert reference in page.locator("main").inner_text()
    assert not axe_findings(page, axe_script), _describe(axe_findings(page, axe_script))
    _no_horizontal_scroll(page)
    with page.expect_navigation():
        page.get_by_role("button", name=f"이 신청 열기 ({reference})").tap()
    page.wait_for_url("**/meetings/status/**")
    page.get_by_role("link", name="신청 취소하기").tap()
    page.wait_for_url("**/cancel/")
    with page.expect_navigation():
        page.get_by_role("button", name="네, 신청을 취소합니다").tap()
    assert page.locator(".tt-status").inner_text() == "취소됨"
    assert MeetingRequest.objects.get().status == MeetingRequest.Status.CANCELLED
