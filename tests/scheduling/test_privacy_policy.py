"""The privacy policy (개인정보 처리방침, 개인정보 보호법 제30조): public, in
Korean and English, built from the settings the consent text reads, and
linked from the footer of every page."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import settings as tongtong_settings

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_the_policy_says_what_a_citizen_must_be_told(client, settings):
    settings.PRIVACY_OFFICER_NAME = "박정보"
    settings.PRIVACY_OFFICER_PHONE = "031-222-3333"
    settings.PRIVACY_OFFICER_EMAIL = "privacy@city.example"
    settings.SMS_PROVIDER_NAME = "(주)문자나라"
    response = client.get("/privacy/")
    assert response.status_code == 200
    page = _text(response)
    for words in [
        "개인정보처리방침",
        # items and purposes, the consent's own words
        "이름, 휴대전화번호, 이메일(선택)",
        "면담 일정 조율 및 결과 안내",
        # retention, from MEETING_RETENTION_YEARS
        "면담 종료 후 3년 (기간이 지나면 파기)",
        # third parties and processors
        "시 외부에 제공하지 않습니다",
        "(주)문자나라",
        "문자 메시지 발송",
        # the privacy officer and their contact
        "개인정보 보호책임자",
        "기획조정실장 박정보",
        'href="tel:031-222-3333"',
        "privacy@city.example",
        # the citizen's rights and how to use them
        "열람, 정정·삭제, 처리정지",
        "10일 안에",
        "국번 없이 118",
    ]:
        assert words in page, words


def test_the_policy_states_the_retention_period_in_force(client, settings):
    settings.MEETING_RETENTION_YEARS = 5
    page = _text(client.get("/privacy/"))
    assert "면담 종료 후 5년 (기간이 지나면 파기)" in page
    assert "건의사항 종결 후 최대 5년 보관 후 파기" in page
    assert "3년" not in page


def test_the_policy_reads_in_english_with_the_switcher(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/privacy/"})
    page = _text(client.get("/privacy/"))
    assert "<h1" in page and "Privacy policy" in page
    assert "Your rights and how to use them" in page


@pytest.mark.parametrize("url", ["/", "/meetings/request/", "/privacy/", "/neighborhoods/", "/no-such-page/"])
def test_every_public_page_links_the_policy_in_its_footer(client, url):
    page = _text(client.get(url))
    footer = re.search(r'<footer id="krds-footer".*?</footer>', page, re.S).group(0)
    assert '<a href="/privacy/" class="tt-privacy-link">개인정보처리방침</a>' in footer


# --- The privacy officer's settings fail loudly --------------------------------------


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (tongtong_settings.env_phone, "031 000 0100"),
        (tongtong_settings.env_phone, "내선 100"),
        (tongtong_settings.env_email, "privacy@"),
        (tongtong_settings.env_text, "   "),
        (tongtong_settings.env_date, "2026-13-01"),
    ],
)
def test_a_bad_privacy_setting_stops_the_start_up(monkeypatch, reader, value):
    monkeypatch.setenv("PRIVACY_TEST_VALUE", value)
    default = {tongtong_settings.env_date: None}.get(reader, "x")
    with pytest.raises(ImproperlyConfigured, match="PRIVACY_TEST_VALUE"):
        reader("PRIVACY_TEST_VALUE", default)


def test_good_privacy_settings_are_read(monkeypatch):
    monkeypatch.setenv("PRIVACY_TEST_VALUE", "02-123-4567")
    assert tongtong_settings.env_phone("PRIVACY_TEST_VALUE", "x") == "02-123-4567"
    monkeypatch.setenv("PRIVACY_TEST_VALUE", "1588-0000")
    assert tongtong_settings.env_phone("PRIVACY_TEST_VALUE", "x") == "1588-0000"
    monkeypatch.delenv("PRIVACY_TEST_VALUE")
    assert tongtong_settings.env_email("PRIVACY_TEST_VALUE", "a@b.example") == "a@b.example"
