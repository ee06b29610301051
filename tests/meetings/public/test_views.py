"""The citizen's public pages: the request form, its done page, the private
status page with its actions, the .ics download and the satisfaction
question, as a citizen's browser uses them (Korean by default)."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid

import pytest
from django.utils import timezone
from icalendar import Calendar

from meetings.models import Appointment, MeetingRequest, WaitlistEntry
from meetings.selectors import bookable_meeting_days, day_key
from meetings.services import booking, review
from meetings.services.feedback import feedback_url
from meetings.services.requests import hash_token, status_url
from meetings.services.series import meeting_day_cancel, meeting_days_sync
from scheduling.models import CityClosure, Neighborhood
from scheduling.sms import outbox
from tests.meetings.conftest import post_request_form, submit

pytestmark = pytest.mark.django_db

FORM_URL = "/meetings/request/"
REFERENCE = re.compile(r"\b(\d{4}-\d{4})\b")


# --- Helpers -------------------------------------------------------------------


def _text(response) -> str:
    return response.content.decode()


def _comparable(response) -> str:
    """A page without what changes on every rendering or with the address
    (the CSRF token, the language switcher's "next")."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", _text(response))
    return re.sub(r'name="next" value="[^"]*"', "", page)


def _key(client) -> str:
    page = _text(client.get(FORM_URL))
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', page).group(1)


def _data(client, days=(), **overrides) -> dict:
    data = {
        "name": "홍길동",
        "phone": "010 1234 5678",
        "email": "hong@example.kr",
        "neighborhood": Neighborhood.objects.get(code="N01").pk,
        "category": "roads",
        "subject": "골목길 보수",
        "description": "중앙동 3길 포장이 깨져서 넘어질 뻔했습니다.",
        "group_size": "2",
        "preferred_days": [day_key(d) for d in days],
        "consent": "on",
        "submission_key": _key(client),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    if not match:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""


def _textarea(page: str, name: str) -> str:
    return html.unescape(re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1))


def _submit_form(client, days=(), **overrides):
    """Send the form; returns (response after the redirect, token, reference)."""
    response = post_request_form(client, _data(client, days, **overrides))
    assert response.status_code == 302, _text(response)[:2000]
    done = client.get(response["Location"])
    page = _text(done)
    reference = REFERENCE.search(page).group(1)
    link = html.unescape(re.search(r'<span id="status-link" class="tt-status-link">([^<]+)</span>', page).group(1))
    token = link.rstrip("/").rsplit("/", 1)[-1]
    return done, token, reference


def _status(client, token):
    return client.get(f"/meetings/status/{token}/")


# --- The form ------------------------------------------------------------------------


def test_the_form_is_phone_first_with_fieldsets_and_consent(client, future_days, settings):
    response = client.get(FORM_URL)
    page = _text(response)
    assert response.status_code == 200
    for legend in ("신청인", "면담 내용", "희망 일자", "도움이 필요하신가요?", "개인정보 수집·이용 동의"):
        assert f"<legend>{legend}</legend>" in page
    assert re.search(r'<input[^>]*name="phone"[^>]*inputmode="tel"', page)
    assert re.search(r'<input[^>]*name="phone"[^>]*autocomplete="tel"', page)
    assert re.search(r'<input[^>]*name="name"[^>]*autocomplete="name"', page)
    assert re.search(r'<input[^>]*name="email"[^>]*inputmode="email"', page)
    consent = re.search(r'<input[^>]*name="consent"[^>]*>', page).group(0)
    assert "checked" not in consent, "the consent box is never pre-ticked"
    # Purpose, items, retention period and the right to refuse.
    for words in (
        "면담 일정 조율 및 결과 안내",
        "이름, 휴대전화번호, 이메일(선택), 동, 면담 내용, 필요한 지원",
        "면담 종료 후 3년",
        "동의를 거부할 수 있습니다",
        settings.CITY_PHONE,
    ):
        assert words in page
    # Every bookable day is offered with its free slots; one column of checkboxes.
    assert page.count('name="preferred_days"') == len(bookable_meeting_days()) >= len(future_days)
    assert "잔여 4/4" in page
    assert '<form method="post" action="/meetings/request/"' in page


def test_a_citizen_sends_the_form_and_gets_reference_link_and_sms(pinned_today, client, future_days):
    done, token, reference = _submit_form(client, future_days[:2])
    page = _text(done)
    assert reference == f"{pinned_today.year}-0001"
    assert "면담 신청이 접수되었습니다" in page
    assert f"http://testserver/meetings/status/{token}/" in page, "the full private link is shown"
    assert "문자메시지로도 보내 드렸습니다" in page
    assert done["Cache-Control"] == "no-store, private"
    assert done["Referrer-Policy"] == "strict-origin"

    request = MeetingRequest.objects.get()
    assert request.reference == reference
    assert request.token_hash == hash_token(token)
    assert request.phone == "010-1234-5678"
    assert request.group_size == 2
    assert [p.meeting_day for p in request.preferences.all()] == future_days[:2]
    assert len(outbox) == 1
    assert outbox[0].to == "010-1234-5678"
    assert status_url(token) in outbox[0].body

    status = _status(client, token)
    assert status.status_code == 200
    assert "접수" in _text(status)


def test_reloading_the_done_page_shows_the_same_page(client, future_days):
    response = post_request_form(client, _data(client, future_days[:1]))
    first = _comparable(client.get(response["Location"]))
    again = _comparable(client.get(response["Location"]))
    assert first == again
    assert MeetingRequest.objects.count() == 1


def test_a_double_submit_makes_one_request_and_the_same_done_page(client, future_days):
    data = _data(client, future_days[:1])
    first = post_request_form(client, data)
    second = post_request_form(client, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert MeetingRequest.objects.count() == 1
    assert len(outbox) == 1


def test_a_resubmission_from_another_browser_shows_the_reference_and_points_to_the_sms(client, future_days):
    from django.test import Client

    data = _data(client, future_days[:1])
    post_request_form(client, data)
    other = Client()
    response = post_request_form(other, data)
    assert response.status_code == 302
    page = _text(other.get(response["Location"]))
    reference = MeetingRequest.objects.get().reference
    assert reference in page
    assert 'id="status-link"' not in page
    assert "문자메시지로 보내 드렸습니다" in page
    assert MeetingRequest.objects.count() == 1


def test_two_submits_at_the_same_moment_make_one_request(client, future_days, monkeypatch):
    """The losing submission of a race hits the unique submission_key: the
    other one was saved after this one looked for it. The service answers
    with the winner, and the citizen sees its done page."""
    import uuid as uuid_module

    from meetings.services.requests import meeting_request_submit

    data = _data(client, future_days[:1])
    key = uuid_module.UUID(data["submission_key"])
    meeting_request_submit(**{**_service_arguments(data), "submission_key": key})  # the other request wins...

    real_filter = MeetingRequest.objects.filter
    blind = [True]

    def filter_blind_once(*args, **kwargs):  # ...after this one checked for it
        queryset = real_filter(*args, **kwargs)
        if blind[0] and "submission_key" in kwargs:
            blind[0] = False
            return queryset.none()
        return queryset

    monkeypatch.setattr(MeetingRequest.objects, "filter", filter_blind_once)
    response = post_request_form(client, data)
    assert response.status_code == 302
    assert MeetingRequest.objects.count() == 1
    page = _text(client.get(response["Location"]))
    assert MeetingRequest.objects.get().reference in page


def _service_arguments(data: dict) -> dict:
    from meetings.public.forms import PublicRequestForm
    from meetings.selectors import bookable_meeting_days

    form = PublicRequestForm(data, bookable_days=bookable_meeting_days())
    assert form.is_valid(), form.errors
    arguments = form.service_arguments()
    arguments.pop("join_waitlist", None)
    return arguments


def test_the_done_page_of_a_request_not_sent_from_this_browser_is_404(client, submitted):
    response = client.get(f"/meetings/request/done/{submitted.request.reference}/")
    assert response.status_code == 404


def test_the_home_page_link_preselects_the_day(client, future_days):
    day = future_days[1]
    page = _text(client.get(f"{FORM_URL}?day={day_key(day)}"))
    checked = re.findall(r'<input[^>]*name="preferred_days"[^>]*>', page)
    assert [c for c in checked if "checked" in c] == [c for c in checked if f'value="{day_key(day)}"' in c]
    assert _text(client.get(f"{FORM_URL}?day=nonsense")).count("checked") == 0


def test_a_full_day_can_be_chosen_only_with_the_waiting_list(client, future_days):
    day = future_days[0]
    for slot in day.slots.all():
        booking.slot_book(request=submit().request, slot=slot)
    outbox.clear()
    before = MeetingRequest.objects.count()

    refused = post_request_form(client, _data(client, [day]))
    assert refused.status_code == 200
    assert "이미 마감된 날짜입니다" in _text(refused)
    assert MeetingRequest.objects.count() == before

    _done, _token, reference = _submit_form(client, [day], join_waitlist="on")
    request = MeetingRequest.objects.get(reference=reference)
    assert request.waitlist_entries.get().meeting_day == day


def test_html_is_refused_and_comes_back_escaped(client, future_days):
    script = '<script>alert("x")</script>'
    response = client.post(
        FORM_URL, _data(client, future_days[:1], subject=script, description="<img src=x onerror=alert(1)>")
    )
    page = _text(response)
    assert response.status_code == 200
    assert "HTML 태그" in page
    assert script not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert _input_value(page, "subject") == script
    assert MeetingRequest.objects.count() == 0


def test_plain_text_with_angle_brackets_is_fine(client, future_days):
    _submit_form(client, future_days[:1], description="보행로 폭이 1m < 기준 1.5m 입니다")
    assert MeetingRequest.objects.get().description == "보행로 폭이 1m < 기준 1.5m 입니다"


def _past_day(city):
    today = timezone.localdate()
    days = meeting_days_sync(start=today - dt.timedelta(days=70), end=today - dt.timedelta(days=1))
    return next(d for d in days if d.status != "cancelled")


def _cancelled_day(future_days):
    day = future_days[1]
    meeting_day_cancel(day=day, reason="시장 긴급 재난 대응")
    return day


def _holiday_day(future_days):
    day = future_days[2]
    CityClosure.objects.create(date=timezone.localtime(day.start).date(), name="임시공휴일")
    return day


BAD_INPUTS = {
    "invalid phone": (lambda c, days: {"phone": "010-12"}, "휴대전화 번호를 입력해 주세요"),
    "landline": (lambda c, days: {"phone": "02-123-4567"}, "휴대전화 번호를 입력해 주세요"),
    "no consent": (lambda c, days: {"consent": None}, "개인정보 수집·이용에 동의해 주세요"),
    "past day": (lambda c, days: {"preferred_days": [day_key(_past_day(c))]}, "선택할 수 없는 면담일입니다"),
    "cancelled day": (
        lambda c, days: {"preferred_days": [day_key(_cancelled_day(days))]},
        "선택할 수 없는 면담일입니다",
    ),
    "holiday": (lambda c, days: {"preferred_days": [day_key(_holiday_day(days))]}, "휴일이라 선택할 수 없습니다"),
    "forged day id": (lambda c, days: {"preferred_days": ["999999"]}, "선택할 수 없는 면담일입니다"),
    "non-numeric day id": (lambda c, days: {"preferred_days": ["1 OR 1=1"]}, "선택할 수 없는 면담일입니다"),
    "four days": (lambda c, days: {"preferred_days": [day_key(d) for d in days[:4]]}, "3개까지"),
    "overlong subject": (lambda c, days: {"subject": "가" * 101}, "최대 100 개의 글자"),
    "overlong description": (lambda c, days: {"description": "가" * 2001}, "최대 2000 개의 글자"),
    "script in name": (lambda c, days: {"name": "<script>alert(1)</script>"}, "HTML 태그"),
    "group of 0": (lambda c, days: {"group_size": "0"}, "1 이상의 값을 입력해 주세요"),
    "group of 99": (lambda c, days: {"group_size": "99"}, "20 이하의 값을 입력해 주세요"),
    "group of words": (lambda c, days: {"group_size": "many"}, "정수를 입력하세요"),
    "missing name": (lambda c, days: {"name": ""}, "필수 항목입니다"),
    "missing neighborhood": (lambda c, days: {"neighborhood": None}, "필수 항목입니다"),
    "forged neighborhood": (lambda c, days: {"neighborhood": "999999"}, "올바르게 선택해 주세요"),
    "unknown category": (lambda c, days: {"category": "bribes"}, "올바르게 선택해 주세요"),
    "invalid email": (lambda c, days: {"email": "hong@"}, "올바른 이메일 주소"),
    "interpreter without language": (
        lambda c, days: {"needs_foreign_language": "on", "foreign_language": ""},
        "통역이 필요한 언어를 알려 주세요",
    ),
    "non-UUID submission key": (lambda c, days: {"submission_key": "1; DROP TABLE"}, "유효 시간이 지났습니다"),
    "missing submission key": (lambda c, days: {"submission_key": None}, "유효 시간이 지났습니다"),
    "null character": (lambda c, days: {"subject": "골목\x00길"}, "null 문자"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gives_the_form_again_in_korean_with_everything_kept(client, city, future_days, case):
    make, message = BAD_INPUTS[case]
    overrides = make(city, future_days)
    data = _data(client, future_days[:1], **overrides)
    outbox.clear()
    response = post_request_form(client, data)
    page = _text(response)
    assert response.status_code == 200
    assert message in page, f"{case}: {message!r} missing"
    assert 'role="alert"' in page
    assert "아직 신청되지 않았습니다" in page
    assert MeetingRequest.objects.count() == 0
    assert outbox == []
    # Everything typed is kept (except what was wrong, which comes back as typed).
    for name in ("name", "phone", "email", "subject"):
        if name in data and "\x00" not in str(data[name]):
            assert _input_value(page, name) == data[name], name
    if "description" in data:
        assert _textarea(page, "description") == data["description"]
    if data.get("consent"):
        assert re.search(r'<input[^>]*name="consent"[^>]*checked', page)
    # A broken key is replaced, so that sending the corrected form works.
    key = _input_value(page, "submission_key")
    assert uuid.UUID(key)


def test_a_field_error_is_tied_to_its_input(client, future_days):
    page = _text(post_request_form(client, _data(client, future_days[:1], phone="12")))
    phone = re.search(r'<input[^>]*name="phone"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in phone
    assert "id_phone_error" in phone
    assert 'id="id_phone_error"' in page
    assert 'href="#id_phone"' in page, "the error summary links to the field"


def test_the_form_works_before_any_meeting_day_exists(client, db):
    Neighborhood.objects.create(code="N01", name="중앙동")
    page = _text(client.get(FORM_URL))
    assert "지금은 신청할 수 있는 면담일이 없습니다" in page


# --- The status page ------------------------------------------------------------------


def test_status_page_is_private(client, submitted):
    response = _status(client, submitted.token)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"
    assert response["Cache-Control"] == "no-store, private"
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in _text(response)


def test_a_wrong_revoked_or_expired_link_is_the_same_404(client, submitted, future_days):
    made_up = _status(client, "made-up-token-" + "x" * 20)
    wrong = _status(client, submitted.token[:-1] + ("A" if submitted.token[-1] != "A" else "B"))
    overlong = _status(client, "x" * 500)
    other = submit(future_days[:1])
    MeetingRequest.objects.filter(pk=other.request.pk).update(token_revoked=True)
    revoked = _status(client, other.token)
    expired = submit()
    MeetingRequest.objects.filter(pk=expired.request.pk).update(
        status="closed", closed_at=timezone.now() - dt.timedelta(days=400)
    )
    old = _status(client, expired.token)
    responses = [made_up, wrong, overlong, revoked, old]
    assert [r.status_code for r in responses] == [404] * 5
    assert len({_comparable(r) for r in responses}) == 1, "every 404 looks the same"
    assert all(r["Referrer-Policy"] == "strict-origin" and r["Cache-Control"] == "no-store, private" for r in responses)
    for action in ("cancel/", "appointment.ics"):
        assert client.get(f"/meetings/status/{other.token}/{action}").status_code == 404
    for action in ("cancel/", "move/", "accept-offer/"):
        assert client.post(f"/meetings/status/{other.token}/{action}").status_code == 404


def test_status_page_shows_the_request_as_submitted(client, submitted, future_days):
    page = _text(_status(client, submitted.token))
    request = submitted.request
    assert request.reference in page
    assert "골목길 보수" in page
    assert '<span class="krds-badge bg-light-primary tt-status">접수</span>' in page
    assert 'aria-current="step"' in page
    assert "신청 접수" in page, "the timeline starts with the submission"
    assert re.search(r"\d{4}\. \d{1,2}\. \d{1,2}\.\([월화수목금토일]\) \d\d:\d\d", page), "dates are Korean"
    assert "까지 답변해 드립니다" in page
    for day in future_days[:2]:
        local = timezone.localtime(day.start)
        assert f"{local.year}. {local.month}. {local.day}." in page
    assert "010-1234-5678" in page, "the citizen's own page shows the phone as given"
    assert "appointment.ics" not in page, "no .ics before a booking"


def _scheduled(submitted, future_days, city=None):
    return booking.slot_book(request=submitted.request, slot=future_days[0].slots.first())


def _held(submitted, future_days, city=None):
    appointment = _scheduled(submitted, future_days)
    past = timezone.now() - dt.timedelta(hours=2)
    Appointment.objects.filter(pk=appointment.pk).update(start=past, end=past + dt.timedelta(minutes=15))
    booking.outcome_record(request=submitted.request, outcome="held", notes="내부 메모: 예산 검토")


STATES = {
    "under review": (
        lambda s, days, city: review.review_ask(request=s.request, department=city["roads"]),
        ["검토 중", "담당 부서 검토 중"],
        [],
    ),
    "scheduled": (
        _scheduled,
        ["시장 면담 확정", "시장 김시장", "시청 본관 3층 시장실", "내 캘린더에 추가"],
        [],
    ),
    "substituted": (
        lambda s, days, city: booking.request_substitute(
            request=s.request,
            official=city["first"],
            start=days[0].start + dt.timedelta(days=1, hours=-4),
            reason="시장 해외 출장",
        ),
        ["대체 면담 확정", "제1부시장 이부시장", "대체 면담 사유", "시장 해외 출장"],
        [],
    ),
    "answered": (
        lambda s, days, city: booking.request_answer_in_writing(
            request=s.request, answer="3길 포장은 다음 달에 합니다."
        ),
        ["서면 답변", "3길 포장은 다음 달에 합니다."],
        ["까지 답변해 드립니다"],
    ),
    "declined": (
        lambda s, days, city: booking.request_decline(request=s.request, reason="소관 기관이 아닙니다"),
        ["면담 불가", "면담이 어려운 사유", "소관 기관이 아닙니다"],
        ["신청 취소하기"],
    ),
    "held": (_held, ["면담 완료"], ["내부 메모", "신청 취소하기"]),
    "closed": (
        lambda s, days, city: booking.request_close(
            request=booking.request_decline(request=s.request, reason="중복 신청")
        ),
        ["종결", "중복 신청"],
        ["신청 취소하기"],
    ),
    "cancelled": (lambda s, days, city: booking.citizen_cancel(request=s.request), ["취소됨", "신청 취소"], []),
    "extended": (
        lambda s, days, city: booking.due_date_extend(
            request=s.request, new_due=s.request.answer_due_at + dt.timedelta(days=7), reason="현장 확인 필요"
        ),
        ["답변 기한 연장", "연장 사유: 현장 확인 필요", "처음 답변 기한"],
        [],
    ),
}


@pytest.mark.parametrize("state", list(STATES))
def test_status_page_shows_each_state_in_korean(client, submitted, future_days, city, state):
    change, expected, absent = STATES[state]
    change(submitted, future_days, city)
    response = _status(client, submitted.token)
    page = _text(response)
    assert response.status_code == 200
    for words in expected:
        assert words in page, f"{state}: {words!r} missing"
    for words in absent:
        assert words not in page, f"{state}: {words!r} should not show"


def test_the_answer_due_date_is_shown_until_answered(client, submitted, future_days):
    request = submitted.request
    local = timezone.localtime(request.answer_due_at)
    assert f"{local.year}. {local.month}. {local.day}." in _text(_status(client, submitted.token))


def test_the_waiting_list_is_explained(client, future_days):
    day = future_days[0]
    for slot in day.slots.all():
        booking.slot_book(request=submit([day]).request, slot=slot)
    waiting = submit([day])
    page = _text(_status(client, waiting.token))
    assert "대기자로 등록되어 있습니다" in page


# --- Cancel -------------------------------------------------------------------------------


def test_cancel_asks_first_then_cancels(client, submitted, future_days):
    _scheduled(submitted, future_days)
    outbox.clear()
    confirm = client.get(f"/meetings/status/{submitted.token}/cancel/")
    assert confirm.status_code == 200
    assert "면담 신청을 취소하시겠습니까?" in _text(confirm)
    assert confirm["Referrer-Policy"] == "strict-origin"
    submitted.request.refresh_from_db()
    assert submitted.request.status == "scheduled", "the GET changes nothing"

    response = client.post(f"/meetings/status/{submitted.token}/cancel/")
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/status/{submitted.token}/"
    page = _text(client.get(response["Location"]))
    assert "면담 신청이 취소되었습니다" in page
    assert "취소됨" in page
    submitted.request.refresh_from_db()
    assert submitted.request.status == "cancelled"
    assert submitted.request.active_appointment is None
    assert outbox and "취소" in outbox[-1].body


def test_cancel_within_the_notice_period_says_to_call(client, submitted, future_days, settings):
    _scheduled(submitted, future_days)
    settings.MEETING_CHANGE_NOTICE_HOURS = 24 * 365
    response = client.post(f"/meetings/status/{submitted.token}/cancel/", follow=True)
    page = _text(response)
    assert response.status_code == 200
    assert "전화" in page and settings.CITY_PHONE in page
    submitted.request.refresh_from_db()
    assert submitted.request.status == "scheduled"


def test_a_cancelled_request_offers_no_more_changes(client, submitted):
    booking.citizen_cancel(request=submitted.request)
    page = _text(_status(client, submitted.token))
    assert "신청 취소하기" not in page and "다른 날짜 요청" not in page
    response = client.post(f"/meetings/status/{submitted.token}/cancel/", follow=True)
    assert "이 신청은 더 이상 취소할 수 없습니다" in _text(response)


# --- Another day ----------------------------------------------------------------------


def test_ask_for_another_day(client, submitted, future_days):
    _scheduled(submitted, future_days)
    new_day = future_days[3]
    page = _text(_status(client, submitted.token))
    offered = re.findall(r'name="meeting_day" value="([\d-]+)"', page)
    assert day_key(new_day) in offered
    assert day_key(future_days[0]) not in offered, "not the day they are booked on"

    response = client.post(f"/meetings/status/{submitted.token}/move/", {"meeting_day": day_key(new_day)})
    assert response.status_code == 302
    page = _text(client.get(response["Location"]))
    assert "면담 요청을 받았습니다" in page
    submitted.request.refresh_from_db()
    assert submitted.request.status == "under_review"
    assert submitted.request.active_appointment is None
    assert submitted.request.preferences.order_by("rank").first().meeting_day == new_day, "now the first choice"
    assert "다른 날짜 요청" in page


def test_another_day_offers_every_open_day_the_citizens_other_choice_first(client, submitted, future_days):
    """Booked on their first choice, the citizen sees their second choice
    first (marked), then every other open day by date: not only far ones."""
    _scheduled(submitted, future_days)
    second = future_days[1]
    page = _text(_status(client, submitted.token))
    offered = re.findall(r'name="meeting_day" value="([\d-]+)"', page)
    bookable = {day_key(d): d for d in bookable_meeting_days() if d.original_date != future_days[0].original_date}
    assert offered[0] == day_key(second)
    assert sorted(offered) == sorted(bookable), "every open day but the booked one"
    rest = [bookable[key].start for key in offered[1:]]
    assert rest == sorted(rest), "then by date"
    label = re.search(rf'value="{day_key(second)}".*?<label[^>]*>(.*?)</label>', page, re.S).group(1)
    assert "잔여 4/4" in label and "신청하신 날" in label

    response = client.post(f"/meetings/status/{submitted.token}/move/", {"meeting_day": day_key(second)})
    assert response.status_code == 302
    ranks = list(submitted.request.preferences.order_by("rank").values_list("meeting_day", flat=True))
    assert ranks == [second.pk, future_days[0].pk], "the day asked for is now the first choice"


def test_a_declined_request_shows_how_to_object(client, submitted):
    booking.request_decline(request=submitted.request, reason="소관 기관이 아닙니다")
    page = _text(_status(client, submitted.token))
    section = re.search(r'aria-labelledby="declined-title">.*?</section>', page, re.S).group(0)
    assert "소관 기관이 아닙니다" in section and "이 결정에 이의가 있으시면" in section
    for words in ["다시 검토 요청(이의신청)", "90일 안에", "국민신문고", "www.epeople.go.kr", "행정심판"]:
        assert words in section, words


def test_the_status_page_explains_a_preferred_day_before_the_answer_deadline(client, submitted, future_days):
    first = future_days[0]
    MeetingRequest.objects.filter(pk=submitted.request.pk).update(answer_due_at=first.start + dt.timedelta(days=1))
    page = _text(_status(client, submitted.token))
    local = timezone.localtime(first.start)
    note = re.search(r'<p class="tt-note" id="due-before-preferred">(.*?)</p>', page, re.S).group(1)
    assert f"{local.year}. {local.month}. {local.day}." in note
    assert "답변 기한보다 앞" in note and "문자로 확정" in note

    MeetingRequest.objects.filter(pk=submitted.request.pk).update(answer_due_at=first.start - dt.timedelta(hours=1))
    assert 'id="due-before-preferred"' not in _text(_status(client, submitted.token))


def test_no_deadline_note_once_the_meeting_is_booked(client, submitted, future_days):
    MeetingRequest.objects.filter(pk=submitted.request.pk).update(
        answer_due_at=future_days[1].start + dt.timedelta(days=1)
    )
    _scheduled(submitted, future_days)
    assert 'id="due-before-preferred"' not in _text(_status(client, submitted.token))


@pytest.mark.parametrize("value", ["", "999999", "abc"])
def test_ask_for_another_day_with_a_bad_day(client, submitted, future_days, value):
    response = client.post(f"/meetings/status/{submitted.token}/move/", {"meeting_day": value})
    page = _text(response)
    assert response.status_code == 200
    assert "면담일을 선택해 주세요" in page or "선택할 수 없는 면담일입니다" in page
    assert 'role="alert"' in page
    submitted.request.refresh_from_db()
    assert submitted.request.status == "submitted"


def test_ask_for_a_cancelled_day(client, submitted, future_days):
    day = future_days[3]
    meeting_day_cancel(day=day, reason="시장 긴급 재난 대응")
    response = client.post(f"/meetings/status/{submitted.token}/move/", {"meeting_day": day_key(day)})
    assert response.status_code == 200
    assert "선택할 수 없는 면담일입니다" in _text(response)


def test_ask_for_another_day_within_the_notice_period(client, submitted, future_days, settings):
    _scheduled(submitted, future_days)
    settings.MEETING_CHANGE_NOTICE_HOURS = 24 * 365
    response = client.post(f"/meetings/status/{submitted.token}/move/", {"meeting_day": day_key(future_days[3])})
    assert response.status_code == 200
    page = _text(response)
    # No day is bookable that far ahead, so the choice itself is refused; either way nothing changed.
    assert 'role="alert"' in page
    submitted.request.refresh_from_db()
    assert submitted.request.status == "scheduled"


def test_move_needs_a_post(client, submitted):
    assert client.get(f"/meetings/status/{submitted.token}/move/").status_code == 405


# --- The waiting-list offer -------------------------------------------------------------


def _offer(future_days):
    day = future_days[0]
    booked = []
    for slot in day.slots.all():
        sub = submit([day])
        booking.slot_book(request=sub.request, slot=slot)
        booked.append(sub.request)
    waiting = submit([day])
    booking.citizen_cancel(request=booked[0])
    return waiting, waiting.request.waitlist_entries.get()


def test_accept_a_waiting_list_offer(client, future_days):
    waiting, entry = _offer(future_days)
    assert entry.status == WaitlistEntry.Status.OFFERED
    page = _text(_status(client, waiting.token))
    assert "빈 시간이 생겼습니다" in page
    response = client.post(f"/meetings/status/{waiting.token}/accept-offer/", {"offer": entry.pk})
    assert response.status_code == 302
    page = _text(client.get(response["Location"]))
    assert "면담 일정이 확정되었습니다" in page
    waiting.request.refresh_from_db()
    assert waiting.request.status == "scheduled"
    assert waiting.request.active_appointment.slot == entry.offered_slot


def test_an_expired_or_foreign_offer_is_refused(client, future_days, submitted):
    waiting, entry = _offer(future_days)
    response = client.post(f"/meetings/status/{submitted.token}/accept-offer/", {"offer": entry.pk}, follow=True)
    assert "안내한 일정의 확인 기한이 지났습니다" in _text(response)
    WaitlistEntry.objects.filter(pk=entry.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post(f"/meetings/status/{waiting.token}/accept-offer/", {"offer": entry.pk}, follow=True)
    assert "안내한 일정의 확인 기한이 지났습니다" in _text(response)
    waiting.request.refresh_from_db()
    assert waiting.request.status != "scheduled"


# --- The .ics -----------------------------------------------------------------------------


def test_the_appointment_ics(client, submitted, future_days):
    assert client.get(f"/meetings/status/{submitted.token}/appointment.ics").status_code == 404
    appointment = _scheduled(submitted, future_days)
    response = client.get(f"/meetings/status/{submitted.token}/appointment.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="tongtong-{submitted.request.reference}.ics"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store, private"

    calendar = Calendar.from_ical(response.content)
    assert [c.name for c in calendar.walk() if c.name == "VTIMEZONE"] == ["VTIMEZONE"]
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == str(appointment.uid)
    start = event.decoded("DTSTART")
    assert start == appointment.start
    assert str(start.tzinfo) == "Asia/Seoul"
    assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "김시장" in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == "시청 본관 3층 시장실"
    assert submitted.request.reference in str(event["DESCRIPTION"])
    assert submitted.token not in response.content.decode(), "the private link stays out of the calendar"


def test_no_ics_after_a_cancel(client, submitted, future_days):
    _scheduled(submitted, future_days)
    booking.citizen_cancel(request=submitted.request)
    assert client.get(f"/meetings/status/{submitted.token}/appointment.ics").status_code == 404


# --- Feedback --------------------------------------------------------------------------------


def _feedback_token(request):
    return feedback_url(request).rstrip("/").rsplit("/", 1)[-1]


def test_feedback_after_a_held_meeting(client, submitted, future_days):
    _held(submitted, future_days)
    token = _feedback_token(submitted.request)
    page = _text(client.get(f"/meetings/feedback/{token}/"))
    assert "면담은 어떠셨나요?" in page
    assert "<legend>면담에 얼마나 만족하셨나요?</legend>" in page
    assert page.count('type="radio" name="score"') == 5

    bad = client.post(f"/meetings/feedback/{token}/", {"score": "9", "comment": "좋았어요"})
    assert bad.status_code == 200
    assert "1점부터 5점 중에서 선택해 주세요" in _text(bad)
    assert "좋았어요" in _text(bad)

    response = client.post(f"/meetings/feedback/{token}/", {"score": "5", "comment": "<b>좋았어요</b>"})
    assert response.status_code == 302
    assert "감사합니다" in _text(client.get(response["Location"]))
    submitted.request.refresh_from_db()
    assert submitted.request.satisfaction_score == 5
    assert submitted.request.satisfaction_comment == "<b>좋았어요</b>"
    again = client.get(f"/meetings/feedback/{token}/")
    assert again.status_code == 302, "answered once: straight to the thanks"


def test_feedback_with_a_bad_or_early_link_is_404(client, submitted):
    assert client.get("/meetings/feedback/not-a-signed-token/").status_code == 404
    assert client.post("/meetings/feedback/not-a-signed-token/", {"score": "5"}).status_code == 404
    early = _feedback_token(submitted.request)  # not held yet
    assert client.get(f"/meetings/feedback/{early}/").status_code == 404
    assert client.get(f"/meetings/feedback/{early}/thanks/").status_code == 404


def test_an_expired_feedback_link_is_404(client, submitted, future_days, monkeypatch):
    from django.core import signing

    _held(submitted, future_days)
    token = _feedback_token(submitted.request)
    assert client.get(f"/meetings/feedback/{token}/").status_code == 200
    now = signing.time.time()

    class FiveWeeksLater:
        @staticmethod
        def time():
            return now + 60 * 60 * 24 * 35

    monkeypatch.setattr(signing, "time", FiveWeeksLater)
    assert client.get(f"/meetings/feedback/{token}/").status_code == 404


def test_the_status_actions_are_protected_against_csrf(submitted):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = _text(browser.get(f"/meetings/status/{submitted.token}/cancel/"))
    forged = browser.post(f"/meetings/status/{submitted.token}/cancel/")
    assert forged.status_code == 403
    submitted.request.refresh_from_db()
    assert submitted.request.status == "submitted"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(f"/meetings/status/{submitted.token}/cancel/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    submitted.request.refresh_from_db()
    assert submitted.request.status == "cancelled"


def test_the_pages_speak_english_too(client, submitted, future_days):
    _scheduled(submitted, future_days)
    form = _text(client.get(FORM_URL, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Request a meeting with the mayor" in form
    assert re.search(r"(Mon|Tue|Wed|Thu|Fri) \d{1,2} [A-Z][a-z]{2} \d{4}, 14:00", form)
    status = _text(client.get(f"/meetings/status/{submitted.token}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Your meeting request" in status
    assert "Scheduled with the mayor" in status


# --- Beyond what the sync has built ------------------------------------------------------


def test_the_pages_show_the_days_the_sync_has_not_built_and_a_request_saves_the_one_chosen(
    client, city, pinned_today, settings
):
    """Nothing synced (beat has not run, or not for months): the home page
    and the form still show the rule's days, from the series and the holiday
    policy, exactly as the sync will build them; reading them saves nothing,
    and the day a citizen chooses is saved with its slots by the submission."""
    from meetings.models import MeetingDay

    assert not MeetingDay.objects.exists()
    home = _text(client.get("/"))
    form = _text(client.get(FORM_URL))
    assert not MeetingDay.objects.exists(), "reading a page saves no day"
    offered = re.findall(r'name="preferred_days" value="([\d-]+)"', form)
    assert len(offered) >= 5  # about three months of two days a month

    horizon = pinned_today + dt.timedelta(days=settings.MEETING_BOOKING_HORIZON_DAYS)
    built = meeting_days_sync(start=pinned_today, end=horizon)
    earliest = timezone.now() + dt.timedelta(hours=settings.MEETING_CHANGE_NOTICE_HOURS)
    assert offered == [day_key(d) for d in built if not d.is_cancelled and d.start > earliest], (
        "as the sync builds them"
    )
    assert f"?day={offered[0]}" in home
    MeetingDay.objects.all().delete()  # back to nothing saved

    response = post_request_form(client, _data(client, preferred_days=[offered[-1]]))
    assert response.status_code == 302
    chosen = MeetingRequest.objects.get().preferences.get().meeting_day
    assert (day_key(chosen), chosen.slots.count()) == (offered[-1], city["series"].slots_per_day)
    assert MeetingDay.objects.filter(original_date__lt=chosen.original_date).count() == 0, "only what was needed"


def test_a_neighborhood_renamed_shows_on_the_form_at_once(client, city):
    """The form's fixed fields are kept rendered (scheduling/fragments.py)
    under a digest of the lists they offer, not under a version a save must
    bump: a neighborhood renamed by a bulk update, by a save or added is on
    the next form and the next home page."""
    assert "중앙동" in _text(client.get(FORM_URL)) and "중앙동" in _text(client.get("/"))
    kept = client.get(FORM_URL).content.decode()  # the fields as kept: still markup, not escaped text
    assert '<select name="neighborhood"' in kept and "&lt;select" not in kept
    Neighborhood.objects.filter(code="N01").update(name="중앙1동")
    Neighborhood.objects.create(code="N02", name="새솔동")
    page, home = _text(client.get(FORM_URL)), _text(client.get("/"))
    for shown in (page, home):
        assert "중앙1동" in shown and "새솔동" in shown and "중앙동<" not in shown
    moved = Neighborhood.objects.get(code="N02")
    moved.name, moved.is_outlying_area = "새솔1동", True
    moved.save()
    page, home = _text(client.get(FORM_URL)), _text(client.get("/"))
    assert "새솔1동" in page and "새솔1동" in home and "새솔동<" not in page + home
    assert "외곽 지역" in home, "its new flag too"


def test_what_a_visitor_typed_never_reaches_the_next_visitors_form(client, city):
    """A form sent back with errors shows the visitor's own values (it is
    rendered for them, never kept); the next empty form has none of them, in
    the visitor's language each time."""
    typed = _data(client, name="<b>홍길동", subject="비밀 민원 제목", phone="123")
    again = _text(client.post(FORM_URL, typed))
    assert "비밀 민원 제목" in again and "&lt;b&gt;홍길동" in again
    fresh = _text(client.get(FORM_URL))
    assert "비밀 민원 제목" not in fresh and "홍길동" not in fresh
    client.post("/i18n/setlang/", {"language": "en", "next": FORM_URL})
    english = _text(client.get(FORM_URL))
    assert "Your neighborhood" in english and "Name" in english and "이름" not in english


def test_the_form_and_the_home_page_run_the_same_queries_for_any_number_of_rows(client, city, future_days):
    """Queries do not grow with the neighborhoods, requests or bookings;
    the home page reads the days once (is_bookable on the days it read)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        client.get(url)  # warm: the fragments are rendered once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = {url: count(url) for url in ("/", FORM_URL)}
    Neighborhood.objects.bulk_create(Neighborhood(code=f"M{i:02d}", name=f"새동{i}동") for i in range(40))
    for i in range(30):
        submit(name=f"시민{i}", subject=f"민원 {i}")
    many = {url: count(url) for url in ("/", FORM_URL)}
    assert few == many, (few, many)
    assert many["/"] <= 4 and many[FORM_URL] <= 4, many
