"""The back office under /staff/meetings/, as staff use it: who may open
each page and who may not, each action's happy path, and its error path
(a Korean message, the page again, nothing changed)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from meetings.models import Appointment, MeetingDay, MeetingRequest, Notification, ReviewRequest
from meetings.selectors import day_key
from meetings.services import booking
from meetings.services import review as review_service
from scheduling.models import Department, Neighborhood, StaffProfile
from scheduling.sms import outbox
from scheduling.workdays import working_calendar
from tests.meetings.conftest import another_working_day, first_substitute, free_times, submit

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def _html(response) -> str:
    return response.content.decode()


def _snapshot(meeting_request: MeetingRequest) -> tuple:
    """What an action changes: if this is the same after a refused action,
    nothing was changed."""
    meeting_request.refresh_from_db()
    return (
        meeting_request.status,
        meeting_request.history.count(),
        meeting_request.appointments.count(),
        meeting_request.reviews.count(),
        Notification.objects.filter(request=meeting_request).count(),
        meeting_request.extended_due_at,
        meeting_request.decline_reason,
        meeting_request.written_answer,
        meeting_request.outcome,
    )


@pytest.fixture
def roads_staff(department_user, city):
    StaffProfile.objects.create(user=department_user, department=city["roads"])
    return department_user


@pytest.fixture
def parks(db):
    return Department.objects.create(code="parks", name="공원녹지과")


@pytest.fixture
def review(submitted, secretariat_user, city):
    return review_service.review_ask(
        request=submitted.request, department=city["roads"], question="보수 가능 여부", actor=secretariat_user
    )


@pytest.fixture
def staff(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


# --- Who may and who may not ---------------------------------------------------


def _pages(submitted, future_days, review):
    pk, day = submitted.request.pk, future_days[0].pk
    return {
        "queue": "/staff/meetings/",
        "intake": "/staff/meetings/new/",
        "request": f"/staff/meetings/{pk}/",
        "days": "/staff/meetings/days/",
        "day": f"/staff/meetings/days/{day}/",
        "run_sheet": f"/staff/meetings/days/{day}/run-sheet/",
        "reviews": "/staff/meetings/reviews/",
        "review": f"/staff/meetings/reviews/{review.pk}/",
    }


def _actions(submitted, future_days):
    pk, day = submitted.request.pk, future_days[0].pk
    names = ["review", "book", "substitute", "answer", "decline", "extend", "outcome", "close"]
    return [f"/staff/meetings/{pk}/{name}/" for name in names] + [
        f"/staff/meetings/days/{day}/move/",
        f"/staff/meetings/days/{day}/cancel/",
    ]


def test_anonymous_visitors_are_sent_to_the_staff_login(client, submitted, future_days, review):
    for url in [*_pages(submitted, future_days, review).values(), *_actions(submitted, future_days)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/staff/login/?next="), url
        assert client.post(url).status_code == 302, url


def test_a_stranger_gets_403_everywhere(client, stranger, submitted, future_days, review):
    client.force_login(stranger)
    for url in _pages(submitted, future_days, review).values():
        assert client.get(url).status_code == 403, url
    for url in _actions(submitted, future_days):
        assert client.post(url).status_code == 403, url


def test_a_budget_reviewer_has_no_meetings_pages(client, reviewer_user, submitted, future_days, review):
    client.force_login(reviewer_user)
    for url in _pages(submitted, future_days, review).values():
        assert client.get(url).status_code == 403, url


def test_department_staff_see_only_their_inbox(client, roads_staff, submitted, future_days, review):
    client.force_login(roads_staff)
    pages = _pages(submitted, future_days, review)
    for name, url in pages.items():
        expected = 200 if name in {"reviews", "review"} else 403
        assert client.get(url).status_code == expected, url
    for url in _actions(submitted, future_days):
        assert client.post(url, {"decline-reason": "x"}).status_code == 403, url
    assert _snapshot(submitted.request)[0] == "under_review"


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_secretariat_opens_every_page(staff, submitted, future_days, review, language):
    for url in _pages(submitted, future_days, review).values():
        response = staff.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in _html(response)


def test_actions_only_take_a_post(staff, submitted, future_days):
    for url in _actions(submitted, future_days):
        assert staff.get(url).status_code == 405, url


def test_the_staff_home_lists_the_sections_each_role_may_use(client, secretariat_user, roads_staff):
    client.force_login(secretariat_user)
    html = _html(client.get("/staff/"))
    for url in ["/staff/meetings/", "/staff/meetings/new/", "/staff/meetings/days/", "/staff/meetings/reviews/"]:
        assert f'href="{url}"' in html
    client.force_login(roads_staff)
    html = _html(client.get("/staff/"))
    assert 'href="/staff/meetings/reviews/"' in html
    assert 'href="/staff/meetings/"' not in html and 'href="/staff/meetings/days/"' not in html


def test_an_official_sees_only_the_requests_they_meet(client, official_user, city, submitted, future_days):
    first = city["first"]
    first.user = official_user
    first.save()
    other = submit(future_days[:1], subject="다른 민원")
    times = free_times(submitted.request, first)
    booking.request_substitute(request=submitted.request, official=first, start=times[0], reason="시장 출장")
    client.force_login(official_user)

    html = _html(client.get("/staff/meetings/"))
    assert submitted.request.reference in html
    assert other.request.reference not in html
    page = client.get(f"/staff/meetings/{submitted.request.pk}/")
    assert page.status_code == 200
    assert "/decline/" not in _html(page)  # no actions: officials only read
    assert client.get(f"/staff/meetings/{other.request.pk}/").status_code == 404
    assert client.post(f"/staff/meetings/{submitted.request.pk}/close/").status_code == 403


# --- The queue ----------------------------------------------------------------


def test_the_queue_shows_late_requests_first_with_masked_phones(staff, future_days):
    on_time = submit(future_days[:1], subject="제때", phone="010-2222-3333")
    late = submit(future_days[:1], subject="늦음", phone="010-4444-5555")
    MeetingRequest.objects.filter(pk=late.request.pk).update(answer_due_at=timezone.now() - dt.timedelta(days=1))
    html = _html(staff.get("/staff/meetings/"))
    assert html.index(late.request.reference) < html.index(on_time.request.reference)
    assert "010-****-5555" in html and "010-4444-5555" not in html
    row = re.search(r"<tr class=\"is-late\">.*?</tr>", html, re.S).group(0)
    assert late.request.reference in row and "bg-danger" in row


def test_the_queue_counts_working_days_waiting(staff, future_days):
    sub = submit(future_days[:1])
    submitted_at = timezone.now() - dt.timedelta(days=14)
    MeetingRequest.objects.filter(pk=sub.request.pk).update(submitted_at=submitted_at)
    today = timezone.localdate()
    start = timezone.localtime(submitted_at).date()
    expected = sum(1 for _d in working_calendar(start, today).working_days(start + dt.timedelta(days=1), today))
    html = _html(staff.get("/staff/meetings/"))
    assert re.search(rf"<td>{expected}</td>", html)


def test_the_queue_filters(staff, city, future_days, secretariat_user):
    other_place = Neighborhood.objects.create(code="N02", name="산골동")
    roads = submit(future_days[:1], subject="도로 파손", name="김도로")
    parks = submit(future_days[:1], subject="공원 조명", name="이공원", category="parks", neighborhood=other_place)
    declined = submit(future_days[:1], subject="거절된 건")
    booking.request_decline(request=declined.request, reason="소관 아님")
    booking.slot_book(request=roads.request, slot=future_days[0].slots.first(), actor=secretariat_user)

    def references(query):
        html = _html(staff.get("/staff/meetings/" + query))
        return {r.request.reference for r in (roads, parks, declined) if r.request.reference in html}

    everyone = {roads.request.reference, parks.request.reference}
    assert references("") == everyone  # the declined one has left the queue
    assert references("?category=parks") == {parks.request.reference}
    assert references(f"?neighborhood={other_place.pk}") == {parks.request.reference}
    assert references("?status=scheduled") == {roads.request.reference}
    assert references(f"?official={city['mayor'].pk}") == {roads.request.reference}
    assert references("?q=조명") == {parks.request.reference}
    assert references("?q=김도로") == {roads.request.reference}
    assert references(f"?q={parks.request.reference}") == {parks.request.reference}
    assert references("?status=declined") == {declined.request.reference}
    assert staff.get("/staff/meetings/?status=nonsense&page=99").status_code == 200


def test_the_queue_paginates_by_fifty(staff, future_days):
    for index in range(51):
        submit(subject=f"민원 {index}")
    first = _html(staff.get("/staff/meetings/"))
    assert first.count('<th scope="row" class="tt-nowrap"><a href="/staff/meetings/') == 50
    assert "?page=2" in first
    second = _html(staff.get("/staff/meetings/?page=2"))
    assert second.count('<th scope="row" class="tt-nowrap"><a href="/staff/meetings/') == 1


# --- A request's page ---------------------------------------------------------


def test_the_request_page_shows_everything_the_citizen_gave(staff, future_days):
    sub = submit(
        future_days[:2],
        email="hong@example.com",
        group_size=3,
        needs_sign_language=True,
        needs_foreign_language=True,
        foreign_language="vi",
        needs_wheelchair=True,
        other_needs="보조견 동반",
    )
    html = _html(staff.get(f"/staff/meetings/{sub.request.pk}/"))
    for text in [
        "홍길동",
        "010-1234-5678",
        "hong@example.com",
        "중앙동",
        "골목길 보수",
        "중앙동 3길 포장이 깨졌습니다.",
    ]:
        assert text in html
    needs = re.search(r'<section class="tt-needs".*?</section>', html, re.S).group(0)
    assert "베트남어" in needs and "보조견 동반" in needs
    assert needs.count('class="tt-need"') == 4
    # the history speaks words, not the codes stored in the database
    assert "submitted" not in re.findall(r"<td>([a-z_]+)</td>", html)
    assert "010-****-5678" in html  # the receipt's recipient in the messages table


def test_the_review_form_proposes_the_category_owner(staff, submitted, city):
    html = _html(staff.get(f"/staff/meetings/{submitted.request.pk}/"))
    assert re.search(rf'<option value="{city["roads"].pk}" selected>도로과</option>', html)


def test_the_booking_form_lists_preferred_days_first_and_only_free_slots(staff, submitted, future_days):
    taken = future_days[0].slots.first()
    booking.slot_book(request=submit([future_days[0]]).request, slot=taken)
    html = _html(staff.get(f"/staff/meetings/{submitted.request.pk}/"))
    book = re.search(r'id="action-book".*?</details>', html, re.S).group(0)
    assert f'value="{taken.pk}"' not in book
    positions = [book.index(f'value="{slot.pk}"') for slot in future_days[1].slots.all()]
    third_day = future_days[2].slots.first()
    assert max(positions) < book.index(f'value="{third_day.pk}"')


# --- Actions: happy paths -----------------------------------------------------


def test_book_with_the_mayor(staff, submitted, future_days, city):
    slot = future_days[1].slots.all()[2]
    response = staff.post(f"/staff/meetings/{submitted.request.pk}/book/", {"book-slot": slot.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/meetings/{submitted.request.pk}/"
    submitted.request.refresh_from_db()
    assert submitted.request.status == "scheduled"
    appointment = submitted.request.active_appointment
    assert appointment.slot == slot and appointment.official == city["mayor"]
    assert appointment.booked_by.username == "secretariat"
    assert "김시장" in outbox[-1].body
    page = _html(staff.get(response["Location"]))
    assert "김시장" in page and 'class="tt-message is-success"' in page


def test_substitute_with_a_deputy(staff, submitted, city):
    official, times = first_substitute(submitted.request)
    value = f"{official.pk}|{times[0].isoformat()}"
    plain = _html(staff.get(f"/staff/meetings/{submitted.request.pk}/"))
    assert f'value="{value}"' not in plain and "?propose=1#action-substitute" in plain  # on demand only
    html = _html(staff.get(f"/staff/meetings/{submitted.request.pk}/?propose=1"))
    assert f'value="{value}"' in html
    response = staff.post(
        f"/staff/meetings/{submitted.request.pk}/substitute/",
        {"substitute-choice": value, "substitute-reason": "시장 해외 출장"},
    )
    assert response.status_code == 302
    submitted.request.refresh_from_db()
    assert submitted.request.status == "substituted"
    # 건설교통국 owns roads and is in the second deputy mayor's portfolio.
    assert official == city["second"]
    assert submitted.request.active_appointment.official == official
    assert "시장 해외 출장" in outbox[-1].body


def test_ask_a_department_for_its_opinion(staff, submitted, city):
    response = staff.post(
        f"/staff/meetings/{submitted.request.pk}/review/",
        {"review-department": city["roads"].pk, "review-question": "보수 계획이 있나요?", "review-due_on": ""},
    )
    assert response.status_code == 302
    review = ReviewRequest.objects.get()
    assert review.department == city["roads"] and review.asked_by.username == "secretariat"
    submitted.request.refresh_from_db()
    assert submitted.request.status == "under_review"


def test_answer_in_writing_then_close(staff, submitted):
    url = f"/staff/meetings/{submitted.request.pk}/"
    assert staff.post(url + "answer/", {"answer-answer": "도로과에서 다음 주 보수합니다."}).status_code == 302
    submitted.request.refresh_from_db()
    assert submitted.request.status == "answered"
    assert submitted.request.written_answer == "도로과에서 다음 주 보수합니다."
    assert staff.post(url + "close/", {"close-note": "처리 완료"}).status_code == 302
    submitted.request.refresh_from_db()
    assert submitted.request.status == "closed"
    assert submitted.request.history.last().note == "처리 완료"


def test_decline_with_a_reason(staff, submitted):
    response = staff.post(f"/staff/meetings/{submitted.request.pk}/decline/", {"decline-reason": "소관 기관 아님"})
    assert response.status_code == 302
    submitted.request.refresh_from_db()
    assert submitted.request.status == "declined" and submitted.request.decline_reason == "소관 기관 아님"
    assert "소관 기관 아님" in outbox[-1].body


def test_extend_the_due_date_once(staff, submitted):
    new_due = timezone.localtime(submitted.request.answer_due_at).date() + dt.timedelta(days=10)
    url = f"/staff/meetings/{submitted.request.pk}/extend/"
    data = {"extend-new_due": new_due.isoformat(), "extend-reason": "관계 부서 협의"}
    assert staff.post(url, data).status_code == 302
    submitted.request.refresh_from_db()
    assert submitted.request.extended_due_at == dt.datetime.combine(new_due, dt.time(18), tzinfo=SEOUL)
    before = _snapshot(submitted.request)
    again = staff.post(url, {**data, "extend-new_due": (new_due + dt.timedelta(days=3)).isoformat()})
    assert again.status_code == 200
    assert "답변 기한은 한 번만 연장할 수 있습니다." in _html(again)
    assert _snapshot(submitted.request) == before


def test_record_the_outcome_after_the_meeting(staff, submitted, future_days):
    appointment = booking.slot_book(request=submitted.request, slot=future_days[0].slots.first())
    url = f"/staff/meetings/{submitted.request.pk}/outcome/"
    before = _snapshot(submitted.request)
    early = staff.post(url, {"outcome-outcome": "held", "outcome-notes": "x"})
    assert "아직 면담이 진행되지 않았습니다." in _html(early)
    assert _snapshot(submitted.request) == before

    past = timezone.now() - dt.timedelta(hours=2)
    Appointment.objects.filter(pk=appointment.pk).update(start=past, end=past + dt.timedelta(minutes=15))
    assert 'id="action-outcome"' in _html(staff.get(f"/staff/meetings/{submitted.request.pk}/"))
    response = staff.post(url, {"outcome-outcome": "follow_up", "outcome-notes": "현장 확인 필요"})
    assert response.status_code == 302
    submitted.request.refresh_from_db()
    assert submitted.request.status == "held" and submitted.request.outcome == "follow_up"
    assert submitted.request.outcome_notes == "현장 확인 필요"


# --- Actions: error paths change nothing --------------------------------------


def test_a_slot_taken_a_moment_ago_gets_a_korean_message(staff, submitted, future_days):
    slot = future_days[0].slots.first()
    booking.slot_book(request=submit([future_days[0]]).request, slot=slot)
    before = _snapshot(submitted.request)
    response = staff.post(f"/staff/meetings/{submitted.request.pk}/book/", {"book-slot": slot.pk})
    assert response.status_code == 200
    html = _html(response)
    assert "방금 다른 분이 이 시간대를 예약했습니다" in html
    assert re.search(r'<details class="tt-action is-failed" id="action-book" open>', html)
    assert _snapshot(submitted.request) == before


def test_a_forged_slot_changes_nothing(staff, submitted):
    before = _snapshot(submitted.request)
    for data in [{"book-slot": "999999"}, {"book-slot": "abc"}, {}]:
        response = staff.post(f"/staff/meetings/{submitted.request.pk}/book/", data)
        assert response.status_code == 200
        assert 'role="alert"' in _html(response)
    assert _snapshot(submitted.request) == before


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("decline", {"decline-reason": "   "}, "면담이 어려운 사유를 입력해 주세요."),
        ("answer", {"answer-answer": ""}, "신청인에게 전달할 답변을 입력해 주세요."),
        ("extend", {"extend-new_due": "2099-01-05", "extend-reason": ""}, "기한 연장 사유를 입력해 주세요."),
        ("close", {}, "‘접수’ 상태의 신청은 ‘종결’ 상태로 바꿀 수 없습니다."),
        ("outcome", {"outcome-outcome": "held"}, "이 신청에는 결과를 기록할 면담이 없습니다."),
    ],
)
def test_a_refused_action_shows_the_korean_reason_and_keeps_the_request(staff, submitted, action, data, message):
    before = _snapshot(submitted.request)
    response = staff.post(f"/staff/meetings/{submitted.request.pk}/{action}/", data)
    assert response.status_code == 200
    html = _html(response)
    assert message in html
    assert f'id="action-{action}" open' in html
    assert _snapshot(submitted.request) == before


def test_a_substitution_without_a_reason_is_refused(staff, submitted):
    official, times = first_substitute(submitted.request)
    before = _snapshot(submitted.request)
    response = staff.post(
        f"/staff/meetings/{submitted.request.pk}/substitute/",
        {"substitute-choice": f"{official.pk}|{times[0].isoformat()}", "substitute-reason": ""},
    )
    assert "대체 면담 사유를 입력해 주세요." in _html(response)
    assert _snapshot(submitted.request) == before


def test_what_was_typed_is_kept_after_a_refusal(staff, submitted):
    response = staff.post(f"/staff/meetings/{submitted.request.pk}/close/", {"close-note": "메모를 남깁니다"})
    assert 'value="메모를 남깁니다"' in _html(response)


def test_booking_a_declined_request_is_refused(staff, submitted, future_days):
    booking.request_decline(request=submitted.request, reason="소관 아님")
    before = _snapshot(submitted.request)
    slot = future_days[0].slots.first()
    response = staff.post(f"/staff/meetings/{submitted.request.pk}/book/", {"book-slot": slot.pk})
    assert "이 신청은 더 이상 면담 일정을 잡을 수 없습니다." in _html(response)
    assert _snapshot(submitted.request) == before


# --- Staff intake -------------------------------------------------------------


def _intake_data(**overrides):
    data = {
        "channel": "phone",
        "name": "박민원",
        "phone": "010 9876 5432",
        "email": "",
        "neighborhood": Neighborhood.objects.get(code="N01").pk,
        "category": "roads",
        "subject": "가로등 고장",
        "description": "골목 가로등이 꺼져 있습니다.",
        "group_size": "1",
        "consent": "on",
        "submission_key": "2b1e4a52-8a39-4a43-9d3c-0b6f0b8a0f11",
    }
    data.update(overrides)
    return data


def test_staff_enter_a_phone_request(staff, future_days):
    page = _html(staff.get("/staff/meetings/new/"))
    assert 'name="channel"' in page and 'name="submission_key"' in page
    response = staff.post("/staff/meetings/new/", _intake_data(preferred_days=[day_key(future_days[0])]))
    saved = MeetingRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/meetings/{saved.pk}/"
    assert saved.channel == "phone" and saved.created_by.username == "secretariat"
    assert saved.phone == "010-9876-5432"
    assert list(saved.preferred_days.all()) == [future_days[0]]
    assert outbox[-1].to == "010-9876-5432" and "/meetings/status/" in outbox[-1].body
    followed = _html(staff.get(response["Location"]))
    assert saved.reference in followed and "010-****-5432" in followed
    # the same form sent twice makes one request
    assert staff.post("/staff/meetings/new/", _intake_data()).status_code == 302
    assert MeetingRequest.objects.count() == 1


def test_staff_intake_keeps_what_was_typed_on_a_bad_phone(staff, city):
    response = staff.post("/staff/meetings/new/", _intake_data(phone="02-123-4567", consent=""))
    html = _html(response)
    assert response.status_code == 200
    assert "문자메시지를 받을 수 있는 휴대전화 번호를 입력해 주세요" in html
    assert "개인정보 수집·이용에 동의해 주세요." in html
    assert 'value="가로등 고장"' in html
    assert 'aria-invalid="true"' in html
    assert MeetingRequest.objects.count() == 0


# --- Meeting days -------------------------------------------------------------


def _working_day_after(day: MeetingDay) -> dt.datetime:
    return another_working_day(day).replace(hour=15)


def test_the_days_page_lists_status_reason_and_bookings(staff, submitted, future_days):
    booking.slot_book(request=submitted.request, slot=future_days[0].slots.first())
    html = _html(staff.get("/staff/meetings/days/"))
    row = re.search(
        rf'<tr>\s*<th scope="row" class="tt-nowrap"><a href="/staff/meetings/days/{future_days[0].pk}/".*?</tr>',
        html,
        re.S,
    )
    assert row and "1 / 4" in row.group(0)
    assert staff.get("/staff/meetings/days/?from=2025-10").status_code == 200
    hangul = _html(staff.get("/staff/meetings/days/?from=2025-10"))
    assert "한글날" in hangul  # 2025-10-09 moved, with its reason


def test_move_a_meeting_day(staff, submitted, future_days):
    day = future_days[0]
    booking.slot_book(request=submitted.request, slot=day.slots.first())
    page = _html(staff.get(f"/staff/meetings/days/{day.pk}/"))
    assert "1" in re.search(r'id="action-move".*?</details>', page, re.S).group(0)
    new_start = _working_day_after(day)
    response = staff.post(
        f"/staff/meetings/days/{day.pk}/move/",
        {"move-date": new_start.date().isoformat(), "move-time": "15:00", "move-reason": "시의회 일정"},
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert day.status == "moved" and day.start == new_start and day.reason == "시의회 일정"
    assert "시의회 일정" in outbox[-1].body


def test_move_without_a_reason_changes_nothing(staff, future_days):
    day = future_days[0]  # regular, or moved already by a holiday (Chuseok…)
    status, start = day.status, day.start
    new_start = _working_day_after(day)
    response = staff.post(
        f"/staff/meetings/days/{day.pk}/move/",
        {"move-date": new_start.date().isoformat(), "move-time": "15:00", "move-reason": ""},
    )
    assert response.status_code == 200
    assert "통통데이 일정 변경 사유를 입력해 주세요." in _html(response)
    day.refresh_from_db()
    assert (day.status, day.start) == (status, start)


def test_cancel_a_meeting_day(staff, submitted, future_days):
    day = future_days[0]
    status = day.status  # regular, or moved already by a holiday (Chuseok…)
    booking.slot_book(request=submitted.request, slot=day.slots.first())
    refused = staff.post(f"/staff/meetings/days/{day.pk}/cancel/", {"cancel-reason": ""})
    assert "통통데이 취소 사유를 입력해 주세요." in _html(refused)
    day.refresh_from_db()
    assert day.status == status

    response = staff.post(f"/staff/meetings/days/{day.pk}/cancel/", {"cancel-reason": "재난 대응"})
    assert response.status_code == 302
    day.refresh_from_db()
    submitted.request.refresh_from_db()
    assert day.status == "cancelled" and day.reason == "재난 대응"
    assert submitted.request.status == "under_review" and submitted.request.active_appointment is None
    page = _html(staff.get(f"/staff/meetings/days/{day.pk}/"))
    assert 'id="action-cancel"' not in page  # a cancelled day cannot be cancelled or moved again


def test_the_run_sheet_lists_each_slot_with_accessibility_needs(staff, future_days):
    day = future_days[0]
    sub = submit(
        [day],
        name="최민원",
        phone="010-5555-6666",
        group_size=2,
        subject="경로당 보수",
        needs_sign_language=True,
        needs_foreign_language=True,
        foreign_language="vi",
        needs_wheelchair=True,
        other_needs="보조견 동반",
    )
    booking.slot_book(request=sub.request, slot=day.slots.all()[1])
    response = staff.get(f"/staff/meetings/days/{day.pk}/run-sheet/")
    html = _html(response)
    assert response.status_code == 200
    assert "css/run_sheet.css" in html  # its print rules
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", html, re.S)
    assert len(rows) == 4
    booked = rows[1]
    for text in [
        sub.request.reference,
        "최민원",
        "경로당 보수",
        "중앙동",
        "김시장",
        "베트남어",
        "보조견 동반",
    ]:
        assert text in booked, text
    assert booked.count('class="tt-need"') == 4  # sign language, interpreter, wheelchair, other
    assert sub.request.reference not in rows[0]


def test_the_run_sheet_gives_the_full_number_to_call_a_latecomer(staff, future_days):
    """The person at the door calls a citizen who is late from the printed
    sheet: the number is whole, and a link on a phone (docs/privacy.md)."""
    day = future_days[0]
    sub = submit([day], name="최민원", phone="010-5555-6666")
    booking.slot_book(request=sub.request, slot=day.slots.first())
    html = _html(staff.get(f"/staff/meetings/days/{day.pk}/run-sheet/"))
    assert '<a href="tel:010-5555-6666">010-5555-6666</a>' in html
    assert "010-****-6666" not in html
    assert "파쇄" in html  # the printout says it is shredded after the day


def test_the_accessibility_box_shows_only_when_help_was_asked_for(staff, future_days):
    plain = submit(future_days[:1], subject="도움 없음")
    helped = submit(future_days[:1], subject="휠체어", needs_wheelchair=True)
    html = _html(staff.get(f"/staff/meetings/{plain.request.pk}/"))
    assert 'class="tt-needs"' not in html  # no yellow box
    assert re.search(r"<dt>편의 지원 필요 사항</dt>\s*<dd[^>]*>요청한 사항이 없습니다.</dd>", html)
    html = _html(staff.get(f"/staff/meetings/{helped.request.pk}/"))
    box = re.search(r'<section class="tt-needs".*?</section>', html, re.S).group(0)
    assert "휠체어" in box


def test_the_days_page_steps_one_month_at_a_time(staff, future_days):
    html = _html(staff.get("/staff/meetings/days/?from=2027-03"))
    assert 'href="?from=2027-02">이전 달</a>' in html
    assert 'href="?from=2027-04">다음 달</a>' in html
    assert "2027. 3. 1.(월) – 2027. 6. 30.(수)" in html  # still four months shown
    html = _html(staff.get("/staff/meetings/days/?from=2027-01"))
    assert 'href="?from=2026-12">이전 달</a>' in html  # across the year


# --- The department inbox -----------------------------------------------------


def test_the_inbox_shows_the_departments_reviews_overdue_first(client, roads_staff, city, parks, future_days):
    first = submit(future_days[:1], subject="첫째")
    second = submit(future_days[:1], subject="둘째")
    elsewhere = submit(future_days[:1], subject="다른 부서")
    today = timezone.localdate()
    review_service.review_ask(request=first.request, department=city["roads"], due_on=today + dt.timedelta(days=5))
    review_service.review_ask(request=second.request, department=city["roads"], due_on=today - dt.timedelta(days=1))
    other = review_service.review_ask(request=elsewhere.request, department=parks)
    client.force_login(roads_staff)
    html = _html(client.get("/staff/meetings/reviews/"))
    assert html.index("둘째") < html.index("첫째")
    assert "다른 부서" not in html
    assert "010-1234-5678" not in html and "010-****" not in html
    assert client.get(f"/staff/meetings/reviews/{other.pk}/").status_code == 404
    assert client.post(f"/staff/meetings/reviews/{other.pk}/", {"opinion-opinion": "x"}).status_code == 404
    assert not ReviewRequest.objects.get(pk=other.pk).opinion


def test_department_staff_answer_a_review_without_seeing_the_phone(client, roads_staff, review):
    client.force_login(roads_staff)
    url = f"/staff/meetings/reviews/{review.pk}/"
    page = _html(client.get(url))
    assert "골목길 보수" in page and "보수 가능 여부" in page
    assert "010-1234-5678" not in page and "홍길동" not in page
    answers = {"opinion-meeting_needed": "no", "opinion-department_can_resolve": "yes"}
    refused = client.post(url, {"opinion-opinion": "다음 달 반영"})
    assert "면담이 필요한지 선택해 주세요." in _html(refused)
    refused = client.post(url, {**answers, "opinion-opinion": "  "})
    assert "부서 의견을 입력해 주세요." in _html(refused)
    assert re.search(r'value="no"[^>]*checked', _html(refused))  # what was chosen is kept
    review.refresh_from_db()
    assert review.answered_at is None
    response = client.post(url, {**answers, "opinion-opinion": "다음 달 정비 예산에 반영 예정"})
    assert response.status_code == 302 and response["Location"] == "/staff/meetings/reviews/"
    review.refresh_from_db()
    assert review.opinion == "다음 달 정비 예산에 반영 예정" and review.answered_by == roads_staff
    assert review.meeting_needed == "no" and review.department_can_resolve is True
    again = client.post(url, {**answers, "opinion-opinion": "수정"})
    assert again.status_code == 200
    review.refresh_from_db()
    assert review.opinion == "다음 달 정비 예산에 반영 예정"


def test_department_staff_without_a_department_see_an_empty_inbox(client, department_user, review):
    client.force_login(department_user)
    response = client.get("/staff/meetings/reviews/")
    assert response.status_code == 200
    assert review.request.reference not in _html(response)
    assert client.get(f"/staff/meetings/reviews/{review.pk}/").status_code == 404


def test_the_secretariat_follows_every_departments_reviews_but_does_not_answer(staff, review, parks):
    html = _html(staff.get("/staff/meetings/reviews/"))
    assert review.request.reference in html and "도로과" in html
    page = _html(staff.get(f"/staff/meetings/reviews/{review.pk}/"))
    assert 'name="opinion-opinion"' not in page
    assert staff.post(f"/staff/meetings/reviews/{review.pk}/", {"opinion-opinion": "x"}).status_code == 403
