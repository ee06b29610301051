"""The report index's selects in Chromium: "2026년 11월" and "2026년 하반기"
(the longest labels) fit inside the box on a phone and on a desktop; they
were clipped at KRDS's width."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

#: The room for the widest option: the select's inner width less its
#: padding and the browser's own arrow.
MEASURE = """(select) => {
  const style = getComputedStyle(select);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const widest = Math.max(...[...select.options].map((option) => context.measureText(option.text).width));
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {widest, room, labels: [...select.options].map((option) => option.text)};
}"""


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}])
def test_the_month_and_half_year_selects_show_their_whole_label(browser, live_server, secretariat_user, viewport):
    context = browser.new_context(viewport=viewport, locale="ko-KR", base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/staff/login/")
        page.fill("#id_username", "secretariat")
        page.fill("#id_password", "pw-secretariat")
        page.locator('form.tt-form button[type="submit"]').click()
        page.wait_for_url("**/staff/")
        page.goto("/staff/reports/")
        for ident, sample in (("#report-month", "년 11월"), ("#report-half", "년 하반기")):
            found = page.locator(ident).evaluate(MEASURE)
            assert any(sample in label for label in found["labels"]), found["labels"]
            # A fifth to spare: the label is measured in the font the machine
            # has; the city's (Pretendard GOV) sets Hangul wider. At KRDS's
            # width the half-year left 4px (115 of 119) and read clipped.
            assert found["widest"] * 1.2 <= found["room"], (ident, viewport, found["widest"], found["room"])
    finally:
        context.close()
