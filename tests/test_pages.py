"""The public and staff pages: their languages, landmarks and forms.

Korean is the default; English comes from Accept-Language, the language
cookie or the switcher (a POST to set_language). Translations come from the
committed .mo files, so these tests need no gettext tools.
"""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone
from django.views.defaults import server_error

from meetings.rules import regular_meeting_dates
from meetings.services.series import meeting_day_cancel, meeting_days_sync
from scheduling.models import CityClosure, Neighborhood, Official
from scheduling.services import official_create

pytestmark = pytest.mark.django_db

KOREAN_DATE = re.compile(r"\d{4}\. \d{1,2}\. \d{1,2}\.\([월화수목금토일]\) \d\d:\d\d")
#: The date of each meeting day shown on the home page, as written there.
DAY_WHEN = re.compile(r'<p class="tt-day-when"><time datetime="([^"]+)">([^<]+)</time></p>')


class _Page(HTMLParser):
    """Just enough of a page's structure to check its landmarks and forms."""

    def __init__(self, html):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.label_for: set[str] = set()
        self._open_labels = 0
        self.fields_in_labels: set[int] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {name: (value or "") for name, value in attrs}
        self.tags.append((tag, attrs))
        if tag == "label":
            self._open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in {"input", "select", "textarea"} and self._open_labels:
            self.fields_in_labels.add(len(self.tags) - 1)

    def handle_endtag(self, tag):
        if tag == "label" and self._open_labels:
            self._open_labels -= 1

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def unlabelled_fields(self):
        missing = []
        for index, (tag, attrs) in enumerate(self.tags):
            if tag not in {"input", "select", "textarea"}:
                continue
            if tag == "input" and attrs.get("type") in {"hidden", "submit", "button", "reset", "image"}:
                continue
            labelled = (
                attrs.get("id") in self.label_for
                or index in self.fields_in_labels
                or attrs.get("aria-label")
                or attrs.get("aria-labelledby")
            )
            if not labelled:
                missing.append(attrs.get("name") or tag)
        return missing


def _html(response):
    return response.content.decode()


def _lang(response):
    match = re.search(r'<html lang="([^"]+)"', _html(response))
    return match and match.group(1)


@pytest.fixture
def neighborhoods(db):
    Neighborhood.objects.create(code="101", name="중앙동", sort_order=1)
    Neighborhood.objects.create(code="102", name="산골동", is_natural_village=True, is_outlying_area=True, sort_order=2)
    Neighborhood.objects.create(code="103", name="새벽동", is_current_issue_area=True, sort_order=3)


@pytest.fixture
def mayor(db):
    """The meeting-day series needs the mayor who holds it."""
    return official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)


# --- The home page ------------------------------------------------------------


def test_home_page_is_korean_by_default(client, neighborhoods, mayor):
    response = client.get("/")
    html = _html(response)
    assert response.status_code == 200
    assert _lang(response) == "ko"
    assert '<h1 id="tt-title" class="tt-title">통통데이</h1>' in html
    assert "매월 둘째·넷째 주 목요일" in html
    assert "약 1시간" in html
    assert "다가오는 통통데이" in html


def test_home_page_lists_the_next_meeting_days_in_korean_date_format(client, mayor):
    html = _html(client.get("/"))
    days = DAY_WHEN.findall(html)
    assert len(days) == 4
    for iso, text in days:
        assert KOREAN_DATE.fullmatch(text), text
        start = dt.datetime.fromisoformat(iso)
        assert start.utcoffset() == dt.timedelta(hours=9)
        assert text.startswith(f"{start.year}. {start.month}. {start.day}.")
    assert "신청 가능" in html
    assert "잔여 4/4" in html


def test_home_page_without_a_mayor_says_days_are_coming(client, neighborhoods):
    response = client.get("/")
    assert response.status_code == 200
    assert "다음 통통데이 일정은 곧 이곳에 안내해 드리겠습니다." in _html(response)


def test_home_page_has_a_request_button(client, mayor):
    page = _Page(_html(client.get("/")))
    buttons = [a for a in page.find("a", href="/meetings/request/") if "krds-btn" in a.get("class", "")]
    assert buttons, "no 면담 신청하기 button linking to /meetings/request/"
    assert "면담 신청하기" in _html(client.get("/"))


def test_home_page_lists_neighborhoods_with_priority_badges(client, neighborhoods):
    html = _html(client.get("/"))
    for name in ("중앙동", "산골동", "새벽동"):
        assert name in html
    assert html.count('class="krds-badge bg-light-secondary"') == 3
    assert "자연부락" in html
    assert "외곽 지역" in html
    assert "현안 지역" in html
    assert "3개 동" in html


def test_a_meeting_day_on_a_holiday_shows_its_new_date_and_reason(client, mayor):
    today = timezone.localdate()
    second = regular_meeting_dates(today + dt.timedelta(days=1), today + dt.timedelta(days=70))[1]
    CityClosure.objects.create(date=second, name="임시공휴일")
    html = _html(client.get("/"))
    days = DAY_WHEN.findall(html)
    shown = [dt.datetime.fromisoformat(iso).date() for iso, _text in days]
    assert second not in shown, "the holiday itself is never offered"
    # Not the first moved day shown: the one before may be a holiday too (Chuseok…).
    original = f"원래 일정: {second.year}. {second.month}. {second.day}.(목)"
    (moved,) = [
        item
        for item in re.findall(r'<li class="tt-day">((?:(?!</li>).)*일정 변경(?:(?!</li>).)*)</li>', html, re.S)
        if original in item
    ]
    assert "임시공휴일" in moved
    assert "신청 가능" in moved


def test_a_cancelled_meeting_day_is_struck_through_with_its_reason_and_never_offered(client, mayor):
    today = timezone.localdate()
    days = meeting_days_sync(start=today + dt.timedelta(days=2), end=today + dt.timedelta(days=70))
    cancelled = days[0]
    meeting_day_cancel(day=cancelled, reason="시장 긴급 재난 대응")
    html = _html(client.get("/"))
    item = re.search(r'<li class="tt-day is-not-offered">(.*?)</li>', html, re.S).group(1)
    assert "취소" in item
    assert "시장 긴급 재난 대응" in item
    assert "신청 가능" not in item
    assert f"?day={cancelled.pk}" not in html
    assert html.count('class="tt-day is-not-offered"') == 1


def test_home_page_renders_unstyled_without_krds(client, settings):
    settings.STATICFILES_DIRS = [
        d for d in settings.STATICFILES_DIRS if not isinstance(d, tuple) and d != settings.BUILT_STATIC_DIR
    ]
    response = client.get("/")
    assert response.status_code == 200
    assert "/static/krds/css/component/tongtong-public.css" in _html(response)


# --- Languages --------------------------------------------------------------


def test_home_page_in_english_with_accept_language(client, mayor):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = _html(response)
    assert _lang(response) == "en"
    assert "2nd and 4th Thursday of every month" in html
    days = DAY_WHEN.findall(html)
    assert len(days) == 4
    assert all(
        re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri) \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", text) for _iso, text in days
    )
    assert "Request a meeting" in html
    assert "통통데이 안내" not in html


def test_home_page_in_english_with_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ko")
    assert _lang(response) == "en"


def test_the_switcher_turns_english_and_back_to_korean(client):
    page = _Page(_html(client.get("/")))
    forms = page.find("form", action="/i18n/setlang/")
    assert forms and forms[0]["method"] == "post"
    assert page.find("button", name="language", value="en")
    assert page.find("button", name="language", value="ko")

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get("/")
    assert _lang(english) == "en"
    assert "TongTong Day" in _html(english)

    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    korean = client.get("/")
    assert _lang(korean) == "ko"
    assert "면담 신청하기" in _html(korean)


# --- Landmarks and forms ------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/staff/login/", "/meetings/request/", "/petitions/"])
def test_pages_have_skip_link_and_landmarks(client, mayor, url):
    html = _html(client.get(url))
    page = _Page(html)
    first_link = next(attrs for tag, attrs in page.tags if tag == "a")
    assert first_link["href"] == "#main", "the skip link must come first"
    assert "본문 바로가기" in html
    assert page.find("main", id="main")
    assert len(page.find("header")) == 1
    assert len(page.find("footer")) == 1
    assert page.find("nav")
    assert settings.CITY_NAME in html
    assert settings.CITY_PHONE in html


@pytest.mark.parametrize("url", ["/", "/staff/login/", "/meetings/request/", "/petitions/"])
def test_every_form_field_has_a_label(client, mayor, url):
    assert _Page(_html(client.get(url))).unlabelled_fields() == []


def test_every_form_field_has_a_label_after_a_failed_login(client, secretariat_user):
    response = client.post("/staff/login/", {"username": "secretariat", "password": "nope"})
    assert _Page(_html(response)).unlabelled_fields() == []


# --- Staff login --------------------------------------------------------------


def test_staff_login_page_renders(client):
    response = client.get("/staff/login/")
    html = _html(response)
    page = _Page(html)
    assert response.status_code == 200
    assert "직원 로그인" in html
    assert page.find("input", name="username", autocomplete="username")
    assert page.find("input", name="password", autocomplete="current-password", type="password")


def test_wrong_password_shows_the_korean_error_and_keeps_the_username(client, secretariat_user):
    response = client.post("/staff/login/", {"username": "secretariat", "password": "wrong-password"})
    html = _html(response)
    page = _Page(html)
    assert response.status_code == 200
    assert "아이디 또는 비밀번호가 올바르지 않습니다" in html
    assert page.find("div", role="alert"), "the error must be announced"
    username = page.find("input", name="username")[0]
    assert username["value"] == "secretariat"
    assert username["aria-invalid"] == "true"
    assert page.find("input", name="password")[0].get("value") in (None, "")


def test_a_staff_member_logs_in_and_lands_on_the_staff_area(client, secretariat_user):
    response = client.post("/staff/login/", {"username": "secretariat", "password": "pw-secretariat"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    staff_home = client.get("/staff/")
    html = _html(staff_home)
    assert staff_home.status_code == 200
    assert "업무 관리" in html
    logout = _Page(html).find("form", action="/staff/logout/")
    assert logout and all(form["method"] == "post" for form in logout)


def test_the_login_keeps_the_next_page(client, secretariat_user):
    response = client.post(
        "/staff/login/", {"username": "secretariat", "password": "pw-secretariat", "next": "/staff/?tab=1"}
    )
    assert response["Location"] == "/staff/?tab=1"


def test_staff_home_shows_an_empty_state_without_sections(client, secretariat_user, monkeypatch):
    monkeypatch.setattr("scheduling.views.sections_for", lambda user: [])
    client.force_login(secretariat_user)
    html = _html(client.get("/staff/"))
    assert "시스템이 확장되면" in html


def test_logout_is_a_post_and_returns_home(client, secretariat_user):
    client.force_login(secretariat_user)
    response = client.post("/staff/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/staff/").status_code == 302


# --- Error pages --------------------------------------------------------------


def test_404_page_is_korean(client):
    response = client.get("/no-such-page/")
    html = _html(response)
    assert response.status_code == 404
    assert _lang(response) == "ko"
    assert "페이지를 찾을 수 없습니다" in html
    assert 'id="main"' in html


def test_403_page_is_korean(client, stranger):
    client.force_login(stranger)
    response = client.get("/staff/")
    assert response.status_code == 403
    assert "이 페이지에 접근할 권한이 없습니다" in _html(response)


def test_500_page_is_static_korean():
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="ko">' in html
    assert "일시적인 오류가 발생했습니다" in html
    assert "{{" not in html and "{%" not in html


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_a_korean_explanation():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/staff/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert 'lang="ko"' in page
    assert "뒤로" in page
