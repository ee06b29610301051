"""A citizen writes to the mayor on the web board "시장에게 바란다" in
Chromium on a phone: from the home page to the form, the code texted to
them, and the done page with the reference number and the due date."""

from __future__ import annotations

import pytest

from petitions.models import Petition
from tests.e2e.conftest import axe_findings
from tests.e2e.test_citizen_flow import _tap_label, city  # noqa: F401 (a fixture)
from tests.e2e.test_public_pages import _describe, _no_horizontal_scroll
from tests.meetings.conftest import sent_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = "010 6666 7777"


def test_a_citizen_posts_on_the_board_and_sees_the_reference(phone_page, city, axe_script):  # noqa: F811
    page = phone_page
    page.goto("/")
    page.get_by_role("link", name="시장에게 글 보내기").tap()
    page.wait_for_url("**/petitions/")
    assert not axe_findings(page, axe_script), _describe(axe_findings(page, axe_script))
    _no_horizontal_scroll(page)

    page.get_by_label("이름").fill("박민원")
    page.get_by_label("휴대전화번호").fill(PHONE)
    page.get_by_label("사는 동(선택)").select_option(label="산골동")
    page.get_by_label("분야").select_option(label="공원")
    page.get_by_label("제목").fill("놀이터 그네가 부서졌어요")
    page.locator("#id_text").fill("산골동 어린이공원 그네 줄이 끊어져 아이들이 다칠까 걱정입니다.")
    with page.expect_navigation():
        page.get_by_role("button", name="다음: 휴대전화 인증").tap()
    # The consent was not ticked: the form comes back as typed, with the reason.
    assert "개인정보 수집·이용에 동의해 주세요" in page.locator("#form-errors").inner_text()
    assert page.get_by_label("제목").input_value() == "놀이터 그네가 부서졌어요"
    _tap_label(page, "id_consent")
    with page.expect_navigation():
        page.get_by_role("button", name="다음: 휴대전화 인증").tap()

    page.wait_for_url("**/petitions/verify/")
    assert "010-****-7777" in page.locator(".tt-lead-small").inner_text()
    assert not Petition.objects.exists()
    page.get_by_label("인증번호(6자리)").fill(sent_code(PHONE))
    with page.expect_navigation():
        page.get_by_role("button", name="인증하고 민원 보내기").tap()

    page.wait_for_url("**/petitions/done/**")
    petition = Petition.objects.get()
    assert page.locator("#petition-reference").inner_text() == petition.reference
    assert "18:00" in page.locator("#petition-due").inner_text()
    assert not axe_findings(page, axe_script), _describe(axe_findings(page, axe_script))
    assert petition.category == "parks" and petition.neighborhood.name == "산골동"
