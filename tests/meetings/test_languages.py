"""The languages of the city's foreign residents (issue 15, point 4;
docs/languages.md): the public pages, the form, the consent and privacy
texts, the status page and the messages to citizens in Korean, English,
Chinese (simplified) and Vietnamese; the staff pages in Korean and English
only; the interpreter's language from a list."""

from __future__ import annotations

import datetime as dt
import html
import importlib
import re
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.utils import timezone

from meetings.models import MeetingRequest
from meetings.selectors import day_key
from meetings.services import booking
from meetings.services.requests import status_url
from meetings.services.review import review_override
from scheduling.languages import PUBLIC_ONLY_LANGUAGES, is_public_source, sms_text
from scheduling.models import Neighborhood
from scheduling.sms import outbox
from tests.meetings.conftest import post_request_form, submit

pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale"
SHIPPED = {"ko": "ko", "en": "en", "zh-hans": "zh_Hans", "vi": "vi"}
#: <html lang> and Content-Language for each language a citizen can choose.
TAGS = {"zh-hans": "zh-Hans", "vi": "vi"}
#: A phrase each page must show in each language: proof that it is translated.
PHRASES = {
    "zh-hans": {"home": "与市长见面", "form": "申请与市长面谈", "privacy": "个人信息", "status": "您的面谈申请"},
    "vi": {
        "home": "gặp Thị trưởng",
        "form": "Đăng ký gặp Thị trưởng",
        "privacy": "thông tin cá nhân",
        "status": "Đơn đăng ký gặp",
    },
}


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / SHIPPED[language] / "LC_MESSAGES" / "django.po"))


def _sentences(entries, attribute: str) -> set[str]:
    """Messages long enough that finding one on a page means it was not
    translated (several words, no placeholder, no markup)."""
    found = set()
    for entry in entries:
        text = getattr(entry, attribute)
        if len(text) >= 12 and " " in text.strip() and not re.search(r"[%{<]", text):
            found.add(text)
    return found


@pytest.fixture(scope="module")
def leftovers() -> set[str]:
    """What a Chinese or Vietnamese page must never show: our English
    sentences (an entry missing from the catalogue falls back to its id) and
    our Korean ones (Django falls back to the site's language, Korean)."""
    return _sentences(_catalogue("en"), "msgid") | _sentences(_catalogue("ko"), "msgstr")


def _page_text(response) -> str:
    page = response.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", page))


def _ask(client, url, language, via):
    if via == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client.get(url)
    return client.get(url, HTTP_ACCEPT_LANGUAGE={"zh-hans": "zh-CN,zh;q=0.9", "vi": "vi-VN,vi;q=0.9"}[language])


def _check_translated(response, language, leftovers, phrase=None):
    page = response.content.decode()
    assert f'<html lang="{TAGS[language]}">' in page
    assert response["Content-Language"] == language
    text = _page_text(response)
    if phrase:
        assert phrase in text
    untranslated = sorted(sentence for sentence in leftovers if sentence in text)
    assert untranslated == []
    # The switcher offers all four languages on a public page, each in its own name.
    assert re.findall(r'name="language" value="([^"]+)"', page) == ["ko", "en", "zh-hans", "vi"]
    assert 'lang="zh-Hans"' in page and "简体中文" in page and "Tiếng Việt" in page


def _status_path(submission) -> str:
    return "/meetings/status/" + status_url(submission.token).rstrip("/").rsplit("/", 1)[-1] + "/"


@pytest.fixture
def public_pages(client, future_days):
    """Every public page a citizen can open, with the key of its phrase."""

    def token_of(submission):
        return status_url(submission.token).rstrip("/").rsplit("/", 1)[-1]

    token = token_of(submit(future_days[:1]))
    scheduled = submit(future_days[:1])
    booking.slot_book(request=scheduled.request, slot=future_days[0].slots.first())
    declined = submit()
    booking.request_decline(request=declined.request, reason="다른 기관 소관")
    return [
        (f"/meetings/status/{token_of(scheduled)}/", "status"),
        (f"/meetings/status/{token_of(declined)}/", "status"),
        ("/", "home"),
        ("/meetings/request/", "form"),
        ("/privacy/", "privacy"),
        (f"/meetings/status/{token}/", "status"),
        (f"/meetings/status/{token}/cancel/", None),
        ("/visits/", None),
        ("/neighborhoods/", None),
        ("/neighborhoods/N01/", None),
    ]


@pytest.mark.parametrize("via", ["cookie", "accept-language"])
@pytest.mark.parametrize("language", ["zh-hans", "vi"])
def test_every_public_page_answers_in_chinese_and_vietnamese(client, public_pages, leftovers, language, via):
    for url, phrase_key in public_pages:
        response = _ask(client, url, language, via)
        assert response.status_code == 200, url
        _check_translated(response, language, leftovers, PHRASES[language].get(phrase_key))


@pytest.mark.parametrize("language", ["zh-hans", "vi"])
def test_the_error_pages_and_the_resident_answer_page_are_translated_too(client, city, leftovers, language):
    missing = _ask(client, "/no-such-page/", language, "cookie")
    assert missing.status_code == 404
    _check_translated(missing, language, leftovers, {"zh-hans": "找不到", "vi": "Không tìm thấy"}[language])
    answer = _ask(client, "/neighborhoods/answer/not-a-token/", language, "cookie")
    _check_translated(answer, language, leftovers, {"zh-hans": "我们找不到这个问题", "vi": "không tìm thấy"}[language])


def test_the_form_errors_are_in_the_citizens_language(client, future_days, leftovers):
    """Our messages and Django's own ("This field is required.") alike."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get("/meetings/request/").content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)
    response = client.post(
        "/meetings/request/",
        {"name": "", "phone": "02-123", "submission_key": key, "needs_foreign_language": "on"},
    )
    text = _page_text(response)
    assert response.status_code == 200
    assert "请输入可以接收短信的手机号码" in text  # ours
    assert "这个字段是必填项。" in text  # Django's
    assert "请告诉我们需要翻译的语言。" in text
    assert "This field is required." not in text


def test_the_history_of_a_booked_request_writes_the_booked_moment_in_the_pages_language(client, future_days):
    """The history keeps the booked moment as a Korean note; the status page
    writes it again in Chinese."""
    submission = submit(future_days[:1])
    booking.slot_book(request=submission.request, slot=future_days[0].slots.first())
    local = timezone.localtime(future_days[0].slots.first().start)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    history = re.search(
        r'<ol class="tt-history">.*?</ol>',
        _ask(client, _status_path(submission), "zh-hans", "cookie").content.decode(),
        re.S,
    ).group(0)
    assert f"{local.year}年{local.month}月{local.day}日" in history and f"{local:%H:%M}" in history
    assert "(목)" not in history and ".(" not in history


def test_dates_on_a_chinese_or_vietnamese_page_are_written_their_way(client, future_days):
    """The home page lists the next meeting days: no Korean weekday on their pages."""
    local = timezone.localtime(future_days[0].start)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    weekday = "一二三四五六日"[local.weekday()]
    assert f"{local.year}年{local.month}月{local.day}日（周{weekday}）" in _page_text(client.get("/"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert f"{local.day:02d}/{local.month:02d}/{local.year}" in _page_text(client.get("/"))


# --- The staff pages speak Korean and English only ------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "vi"])
def test_a_staff_page_asked_in_chinese_or_vietnamese_answers_in_korean(client, secretariat_user, language):
    client.force_login(secretariat_user)
    for response in (_ask(client, "/staff/", language, "cookie"), _ask(client, "/staff/", language, "accept")):
        page = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="ko">' in page and response["Content-Language"] == "ko"
        assert "업무 관리" in page
        # its switcher offers only Korean and English
        assert re.findall(r'name="language" value="([^"]+)"', page) == ["ko", "en"]
    # the choice stays for the public pages
    assert f'<html lang="{TAGS[language]}">' in _ask(client, "/", language, "cookie").content.decode()


def test_the_staff_login_and_the_admin_stay_korean_for_a_vietnamese_browser(client, db):
    login = client.get("/staff/login/", HTTP_ACCEPT_LANGUAGE="vi")
    assert '<html lang="ko">' in login.content.decode()
    assert client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="vi")["Content-Language"] == "ko"


def test_a_staff_page_in_english_stays_english(client, secretariat_user):
    client.force_login(secretariat_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/staff/").content.decode()
    assert '<html lang="en">' in page and "Staff area" in page


def test_the_switcher_sets_the_cookie(client, db):
    response = client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert response.status_code == 302 and response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    assert '<html lang="vi">' in client.get("/").content.decode()


# --- The catalogues --------------------------------------------------------------


@pytest.mark.parametrize("language", list(SHIPPED))
def test_no_shipped_catalogue_has_an_empty_or_fuzzy_entry(language):
    """English is the source language: its entries are empty by design (the
    id is the text), so for it only fuzzy entries count."""
    catalogue = _catalogue(language)
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    if language != "en":
        assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert len(catalogue) > 700


@pytest.mark.parametrize("language", list(SHIPPED))
def test_the_compiled_catalogues_are_up_to_date(language):
    directory = LOCALE / SHIPPED[language] / "LC_MESSAGES"
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
        for entry in polib.mofile(str(directory / "django.mo"))
        if entry.msgid
    }
    source = {
        (entry.msgctxt, entry.msgid): {int(k): v for k, v in entry.msgstr_plural.items()} or entry.msgstr
        for entry in polib.pofile(str(directory / "django.po")).translated_entries()
    }
    compiled = {
        key: ({int(k): v for k, v in value.items()} if isinstance(value, dict) else value)
        for key, value in compiled.items()
    }
    assert compiled == source


@pytest.mark.parametrize("language", PUBLIC_ONLY_LANGUAGES)
def test_chinese_and_vietnamese_hold_exactly_the_citizens_messages(language):
    """Every message of a public page, form, consent text or message to
    citizens (scheduling.languages.PUBLIC_MESSAGE_SOURCES) is in the
    catalogue, translated with the same placeholders; nothing else is."""
    wanted = {
        (entry.msgctxt, entry.msgid)
        for entry in _catalogue("en")
        if any(is_public_source(path) for path, _line in entry.occurrences)
    }
    catalogue = _catalogue(language)
    assert {(entry.msgctxt, entry.msgid) for entry in catalogue} == wanted
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}|%%")
    for entry in catalogue:
        source = entry.msgid_plural or entry.msgid
        text = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
        assert sorted(set(placeholder.findall(text))) == sorted(set(placeholder.findall(source))), entry.msgid
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


# --- The message goes out in the language the citizen used -----------------------------


def _form_data(client, **overrides):
    page = client.get("/meetings/request/").content.decode()
    data = {
        "name": "Nguyễn Thị Lan",
        "phone": "010-2222-3333",
        "email": "lan@example.kr",
        "neighborhood": Neighborhood.objects.get(code="N01").pk,
        "category": "roads",
        "subject": "Đèn đường",
        "description": "Đèn đường trước nhà tôi bị hỏng.",
        "group_size": "1",
        "consent": "on",
        "submission_key": re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1),
    }
    data.update(overrides)
    return data


def test_a_citizen_who_used_vietnamese_gets_their_messages_in_vietnamese(client, future_days, city, leftovers):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = post_request_form(client, _form_data(client, preferred_days=[day_key(future_days[0])]))
    assert response.status_code == 302
    done = client.get(response["Location"])
    _check_translated(done, "vi", leftovers, "Đơn của quý vị đã được tiếp nhận")
    request = MeetingRequest.objects.get()
    assert request.language == "vi"
    # By SMS without the marks EUC-KR cannot carry (as Vietnamese SMS are written), by e-mail in full.
    sms = outbox[-1]
    assert "Don dang ky gap" in sms.body and "da duoc tiep nhan" in sms.body and "/meetings/status/" in sms.body
    assert "접수" not in sms.body and sms.body.encode("euc-kr")
    assert (
        "Đơn đăng ký gặp" in mail.outbox[-1].body
        and "đã được tiếp nhận" in mail.outbox[-1].body
        and "Địa chỉ này không nhận thư trả lời" in mail.outbox[-1].body
    )

    # Later messages too, written while the staff work in Korean, with dates the Vietnamese way.
    review_override(request=request, reason="시험")
    booking.slot_book(request=request, slot=future_days[0].slots.first())
    scheduled = outbox[-1].body
    assert "Buoi gap" in scheduled and "Thu " in scheduled and "면담" not in scheduled
    assert "Buổi gặp" in mail.outbox[-1].body and "Thứ" in mail.outbox[-1].body

    extended = submit(language="vi").request
    new_due = extended.answer_due_at + dt.timedelta(days=5)
    booking.due_date_extend(request=extended, new_due=new_due, reason="Cần thêm thời gian")
    assert "duoc gia han den" in outbox[-1].body
    # The new due date the Vietnamese way, whatever weekday it falls on (Thu Hai … Chu Nhat).
    assert re.search(r"(Thu \w+|Chu Nhat), \d\d/\d\d/\d{4}", outbox[-1].body)


def test_a_refusal_to_a_chinese_speaker_gives_the_remedy_in_chinese(client, future_days):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert post_request_form(client, _form_data(client)).status_code == 302
    request = MeetingRequest.objects.get()
    booking.request_decline(request=request, reason="不属于市长面谈范围")
    assert "很抱歉" in outbox[-1].body and "国民申闻鼓" in outbox[-1].body
    email = mail.outbox[-1].body
    assert "如有异议，您可以：" in email and "行政复议" in email


def test_a_korean_citizens_messages_stay_korean(client, future_days):
    response = post_request_form(client, _form_data(client))
    assert response.status_code == 302
    assert MeetingRequest.objects.get().language == "ko"
    assert "접수되었습니다" in outbox[-1].body


def test_staff_choose_the_language_of_a_phone_request(client, secretariat_user, future_days):
    client.force_login(secretariat_user)
    page = client.get("/staff/meetings/new/").content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)
    data = _form_data(client, submission_key=key, channel="phone", language="zh-hans")
    assert client.post("/staff/meetings/new/", data).status_code == 302
    assert MeetingRequest.objects.get().language == "zh-hans"
    assert "您的面谈申请" in outbox[-1].body


# --- The interpreter's language from a list ---------------------------------------------


def test_the_form_offers_the_interpreter_languages_in_their_own_names(client, future_days):
    page = client.get("/meetings/request/").content.decode()
    select = re.search(r'<select name="foreign_language".*?</select>', page, re.S).group(0)
    for text in [
        "중국어 (中文)",
        "베트남어 (Tiếng Việt)",
        "네팔어 (नेपाली)",
        "크메르어/캄보디아어 (ភាសាខ្មែរ)",
        "기타 언어",
    ]:
        assert text in select
    assert "수어 통역" in page  # Korean Sign Language: its own box


def test_an_interpreter_language_is_chosen_and_shown_on_the_run_sheet(client, secretariat_user, future_days):
    data = _form_data(
        client,
        preferred_days=[day_key(future_days[0])],
        needs_foreign_language="on",
        foreign_language="ne",
        needs_sign_language="on",
    )
    assert post_request_form(client, data).status_code == 302
    request = MeetingRequest.objects.get()
    assert (request.foreign_language, request.foreign_language_other) == ("ne", "")
    review_override(request=request, reason="시험")
    booking.slot_book(request=request, slot=future_days[0].slots.first())
    client.force_login(secretariat_user)
    sheet = client.get(f"/staff/meetings/days/{future_days[0].pk}/run-sheet/").content.decode()
    assert "외국어 통역(네팔어)" in sheet and "수어 통역" in sheet


def test_other_language_needs_its_name(client, future_days):
    data = _form_data(client, needs_foreign_language="on", foreign_language="other")
    response = post_request_form(client, data)
    assert response.status_code == 200 and "통역이 필요한 언어를 적어 주세요." in response.content.decode()
    data = _form_data(
        client, needs_foreign_language="on", foreign_language="other", foreign_language_other="스와힐리어"
    )
    assert post_request_form(client, data).status_code == 302
    request = MeetingRequest.objects.get()
    assert request.interpreter_language == "스와힐리어"
    assert request.accessibility_needs() == ["외국어 통역(스와힐리어)"]


def test_the_migration_turns_typed_languages_into_the_list_and_keeps_the_rest(future_days):
    migration = importlib.import_module("meetings.migrations.0006_request_language_and_interpreter_choice")
    typed = {
        "베트남어": ("vi", ""),
        " Chinese ": ("zh", ""),
        "타갈로그어": ("fil", ""),
        "스와힐리어": ("other", "스와힐리어"),
    }
    requests = {}
    for text in typed:
        request = submit(needs_foreign_language=True, foreign_language="en").request
        MeetingRequest.objects.filter(pk=request.pk).update(foreign_language=text)
        requests[text] = request.pk
    migration.free_text_to_choice(apps, None)
    for text, expected in typed.items():
        request = MeetingRequest.objects.get(pk=requests[text])
        assert (request.foreign_language, request.foreign_language_other) == expected


def test_a_vietnamese_sms_drops_the_marks_euc_kr_lacks_and_nothing_else_changes():
    assert sms_text("Đơn của quý vị đã được tiếp nhận", "vi") == "Don cua quy vi da duoc tiep nhan"
    assert sms_text("[통통시] 면담 신청이 접수되었습니다.", "ko") == "[통통시] 면담 신청이 접수되었습니다."
    assert sms_text("[통통시] 您的面谈申请已受理。", "zh-hans") == "[통통시] 您的面谈申请已受理。"
    assert sms_text("[통통시] Xin chào", "vi") == "[통통시] Xin chào".replace("à", "a")


def test_a_korean_moment_in_a_note_reads_back_exactly():
    from scheduling.dates import korean_datetime, read_korean_datetime

    moment = timezone.make_aware(dt.datetime(2026, 12, 10, 14, 15))
    assert read_korean_datetime(korean_datetime(moment)) == moment
    assert read_korean_datetime("다른 기관 소관 2026. 12. 10.(목) 14:15") is None
    assert read_korean_datetime("2026. 2. 30.(월) 14:15") is None
