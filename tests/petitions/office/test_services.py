"""The petition office's services: routing, the department's answer and its
approval, the one extension, and every other end, each told to the citizen
through the outbox."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from meetings.models import MeetingRequest
from petitions import rules
from petitions.errors import IllegalTransition, PetitionError
from petitions.models import Petition, PetitionNotification
from petitions.office import services
from scheduling.clock import SEOUL
from tests.petitions.office.conftest import receive
from visits.models import Suggestion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_today")]


def _messages(petition, kind=None):
    rows = PetitionNotification.objects.filter(petition=petition)
    return list(rows.filter(kind=kind) if kind else rows)


def _photo(name="fix.jpg"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_the_owning_department_is_suggested_and_praise_is_not_routed(petition, roads, secretariat_user):
    assert services.suggested_department(petition) == roads
    praise = receive(category="praise", subject="감사합니다")
    assert services.suggested_department(praise) is None
    with pytest.raises(PetitionError, match="칭찬"):
        services.petition_assign(petition=praise, department=roads, actor=secretariat_user)
    praise.refresh_from_db()
    assert praise.status == rules.RECEIVED and praise.department is None


def test_assign_draft_approve_sends_the_answer_by_text_message(petition, roads, roads_user, secretariat_user):
    services.petition_assign(petition=petition, department=roads, actor=secretariat_user)
    services.petition_draft(petition=petition, answer="다음 주 월요일까지 교체하겠습니다.", actor=roads_user)
    petition.refresh_from_db()
    assert petition.status == rules.DRAFTED and petition.drafted_by == roads_user
    assert _messages(petition) == []  # nothing reaches the citizen before the approval

    services.petition_approve(petition=petition, answer_via="sms", actor=secretariat_user)

    petition.refresh_from_db()
    assert petition.status == rules.ANSWERED and petition.closed_at is not None
    assert petition.answer_via == "sms"
    [sms] = _messages(petition, "answer")
    assert sms.channel == "sms" and sms.recipient == "010-9876-5432"
    assert petition.reference in sms.body and "다음 주 월요일까지 교체하겠습니다." in sms.body
    assert [e.action for e in petition.history.all()] == ["receive", "assign", "draft", "approve"]


def test_the_secretariat_may_correct_the_draft_or_send_it_back(petition, roads, roads_user, secretariat_user):
    services.petition_assign(petition=petition, department=roads, actor=secretariat_user)
    services.petition_draft(petition=petition, answer="초안", actor=roads_user)
    with pytest.raises(PetitionError, match="고칠 내용"):
        services.petition_return(petition=petition, note=" ", actor=secretariat_user)
    services.petition_return(petition=petition, note="일정을 적어 주세요.", actor=secretariat_user)
    petition.refresh_from_db()
    assert petition.status == rules.ASSIGNED
    services.petition_draft(petition=petition, answer="초안 2", actor=roads_user)
    services.petition_approve(petition=petition, answer="고친 답변", answer_via="sms", actor=secretariat_user)
    petition.refresh_from_db()
    assert petition.answer == "고친 답변"
    assert "고친 답변" in _messages(petition, "answer")[0].body


def test_the_department_may_not_approve_and_another_department_may_not_draft(
    petition, roads, roads_user, parks_user, secretariat_user
):
    services.petition_assign(petition=petition, department=roads, actor=secretariat_user)
    with pytest.raises(IllegalTransition, match="민원"):
        services.petition_draft(petition=petition, answer="남의 답변", actor=parks_user)
    services.petition_draft(petition=petition, answer="답변", actor=roads_user)
    with pytest.raises(IllegalTransition):
        services.petition_approve(petition=petition, answer_via="sms", actor=roads_user)
    petition.refresh_from_db()
    assert petition.status == rules.DRAFTED and _messages(petition) == []


def test_an_answer_goes_only_where_the_citizen_can_be_reached(petition, secretariat_user):
    with pytest.raises(PetitionError, match="전자우편"):
        services.petition_answer(petition=petition, answer="답변", answer_via="email", actor=secretariat_user)
    with pytest.raises(PetitionError, match="국민신문고"):
        services.petition_answer(petition=petition, answer="답변", answer_via="epeople", actor=secretariat_user)
    petition.refresh_from_db()
    assert petition.status == rules.RECEIVED and _messages(petition) == []
    with pytest.raises(PetitionError, match="문자"):
        services.petition_answer(petition=petition, answer="가" * 1100, answer_via="sms", actor=secretariat_user)
    services.petition_answer(petition=petition, answer="가" * 1100, answer_via="letter", actor=secretariat_user)
    petition.refresh_from_db()
    assert petition.status == rules.ANSWERED and petition.answer_via == "letter"
    assert _messages(petition) == []  # a letter is printed, not sent


def test_an_email_answer_in_the_citizens_language(secretariat_user, pinned_today):
    petition = receive(phone="", email="citizen@example.com", language="en")
    services.petition_answer(petition=petition, answer="We fixed it.", answer_via="email", actor=secretariat_user)
    [mail] = _messages(petition, "answer")
    assert mail.channel == "email" and mail.recipient == "citizen@example.com"
    assert "The answer to your petition" in mail.body and "We fixed it." in mail.body


def test_the_deadline_is_extended_once_with_a_reason_told_to_the_citizen(petition, roads, roads_user, secretariat_user):
    services.petition_assign(petition=petition, department=roads, actor=secretariat_user)
    with pytest.raises(PetitionError, match="사유"):
        services.petition_extend(petition=petition, reason="", actor=roads_user)
    services.petition_extend(petition=petition, reason="현장 측량이 필요합니다.", actor=roads_user)
    petition.refresh_from_db()
    # Received Tue 17 Nov 2026 10:00: due Wed 25 Nov 18:00, then 7 working days more.
    assert petition.answer_due_at == dt.datetime(2026, 11, 25, 18, tzinfo=SEOUL)
    assert petition.extended_due_at == dt.datetime(2026, 12, 4, 18, tzinfo=SEOUL)
    [notice] = _messages(petition, "extended")
    assert "현장 측량이 필요합니다." in notice.body
    with pytest.raises(PetitionError, match="한 번"):
        services.petition_extend(petition=petition, reason="또", actor=secretariat_user)
    assert len(_messages(petition, "extended")) == 1


def test_transfer_merge_guide_and_thanks_close_the_petition(petition, secretariat_user):
    with pytest.raises(PetitionError, match="기관"):
        services.petition_transfer(petition=petition, agency=" ", actor=secretariat_user)
    services.petition_transfer(
        petition=petition, agency="경기도청", epeople_number="2AA-2611-000001", actor=secretariat_user
    )
    petition.refresh_from_db()
    assert petition.status == rules.TRANSFERRED and petition.transfer_agency == "경기도청"
    assert "경기도청" in _messages(petition, "transferred")[0].body

    repeat = receive(subject="가로등 또")
    with pytest.raises(PetitionError, match="자기"):
        services.petition_merge(petition=repeat, into_reference=repeat.reference, actor=secretariat_user)
    with pytest.raises(PetitionError, match="P2026-99999"):
        services.petition_merge(petition=repeat, into_reference="P2026-99999", actor=secretariat_user)
    services.petition_merge(petition=repeat, into_reference=petition.reference.lower(), actor=secretariat_user)
    repeat.refresh_from_db()
    assert repeat.status == rules.MERGED and repeat.merged_into == petition
    third = receive(subject="세 번째")
    with pytest.raises(PetitionError, match=petition.reference):
        services.petition_merge(petition=third, into_reference=repeat.reference, actor=secretariat_user)

    services.petition_guide(
        petition=third, answer="구청 민원실로 문의하세요.", answer_via="sms", actor=secretariat_user
    )
    third.refresh_from_db()
    assert third.status == rules.GUIDED and "구청 민원실" in _messages(third, "guided")[0].body

    praise = receive(category="praise", subject="친절한 공무원")
    services.petition_thank(petition=praise, message="따뜻한 말씀 감사합니다.", actor=secretariat_user)
    praise.refresh_from_db()
    assert praise.status == rules.THANKED and "따뜻한 말씀" in _messages(praise, "thanked")[0].body


def test_the_quick_service_is_dispatched_by_text_and_closed_with_a_photo(secretariat_user, settings, pinned_today):
    settings.PETITION_FIELD_TEAM_PHONE = "010-1111-2222"
    general = receive()
    with pytest.raises(PetitionError, match="신속"):
        services.petition_dispatch(petition=general, actor=secretariat_user)
    quick = receive(kind=rules.QUICK, subject="도로 파임")
    with pytest.raises(PetitionError, match="현장"):
        services.petition_assign(petition=quick, department=None, actor=secretariat_user)
    services.petition_dispatch(petition=quick, note="중앙로 3길", actor=secretariat_user)
    quick.refresh_from_db()
    assert quick.status == rules.DISPATCHED and quick.dispatched_at is not None
    [dispatch] = _messages(quick, "dispatch")
    assert dispatch.recipient == "010-1111-2222" and quick.reference in dispatch.body
    assert "9876" not in dispatch.body  # not the citizen's number
    assert quick.due_at - quick.received_at == dt.timedelta(minutes=30)

    with pytest.raises(PetitionError, match="사진"):
        services.petition_resolve(petition=quick, photo=None, actor=secretariat_user)
    services.petition_resolve(petition=quick, photo=_photo(), note="포장 완료", actor=secretariat_user)
    quick.refresh_from_db()
    assert quick.status == rules.ANSWERED and quick.resolution_photo.name.endswith(".jpg")
    assert _messages(quick, "resolved")


def test_no_field_team_number_refuses_the_dispatch(secretariat_user, settings, pinned_today):
    settings.PETITION_FIELD_TEAM_PHONE = ""
    quick = receive(kind=rules.QUICK)
    with pytest.raises(PetitionError, match="PETITION_FIELD_TEAM_PHONE"):
        services.petition_dispatch(petition=quick, actor=secretariat_user)
    quick.refresh_from_db()
    assert quick.status == rules.RECEIVED


def test_a_petition_becomes_a_meeting_request_without_retyping(petition, secretariat_user):
    with pytest.raises(PetitionError):
        services.petition_to_meeting(petition=receive(name=""), consent=True, actor=secretariat_user)
    services.petition_to_meeting(petition=petition, consent=True, actor=secretariat_user)
    petition.refresh_from_db()
    meeting_request = petition.meeting_request
    assert petition.status == rules.MEETING and petition.closed_at is not None
    assert (meeting_request.name, meeting_request.phone, meeting_request.neighborhood) == (
        "김시민",
        "010-9876-5432",
        petition.neighborhood,
    )
    assert petition.reference in meeting_request.description
    assert MeetingRequest.objects.count() == 1
    assert meeting_request.notifications.filter(kind="submitted").exists()  # the citizen's status link


def test_the_meeting_request_needs_the_citizens_consent(petition, secretariat_user):
    with pytest.raises(Exception, match="동의"):
        services.petition_to_meeting(petition=petition, consent=False, actor=secretariat_user)
    petition.refresh_from_db()
    assert petition.status == rules.RECEIVED and MeetingRequest.objects.count() == 0


def test_a_petition_goes_on_the_management_card_and_stays_open(petition, roads, secretariat_user, roads_user):
    services.petition_assign(petition=petition, department=roads, actor=secretariat_user)
    with pytest.raises(IllegalTransition):
        services.petition_to_suggestion(petition=petition, actor=roads_user)
    services.petition_to_suggestion(petition=petition, actor=secretariat_user)
    petition.refresh_from_db()
    suggestion = petition.suggestion
    assert petition.status == rules.ASSIGNED
    assert suggestion.title == petition.subject and suggestion.lead_department == roads
    assert suggestion.neighborhood == petition.neighborhood
    with pytest.raises(PetitionError):
        services.petition_to_suggestion(petition=petition, actor=secretariat_user)
    assert Suggestion.objects.count() == 1


def test_a_petition_heard_at_a_meeting_keeps_the_link(secretariat_user, roads_user, hood, pinned_today):
    meeting_request = _meeting_request(hood)
    petition, created = services.petition_from_origin(
        actor=secretariat_user,
        subject="경로당 보수",
        body="면담에서 말씀하신 경로당 지붕",
        category="welfare",
        neighborhood=hood,
        name="홍길동",
        phone="010-1234-5678",
        consent=True,
        origin_meeting_request=meeting_request,
        submission_key="origin:1",
    )
    assert created and petition.channel == rules.INTERNAL and petition.origin_meeting_request == meeting_request
    again, created_again = services.petition_from_origin(
        actor=secretariat_user,
        subject="경로당 보수",
        body="x",
        category="welfare",
        origin_meeting_request=meeting_request,
        submission_key="origin:1",
    )
    assert again == petition and not created_again
    with pytest.raises(PetitionError, match="동의"):
        services.petition_from_origin(
            actor=secretariat_user,
            subject="a",
            body="b",
            category="welfare",
            phone="010-1234-5678",
            origin_meeting_request=meeting_request,
        )
    with pytest.raises(IllegalTransition):
        services.petition_from_origin(
            actor=roads_user, subject="a", body="b", category="welfare", origin_meeting_request=meeting_request
        )
    assert Petition.objects.count() == 1


def _meeting_request(hood):
    import uuid

    from meetings.services.requests import meeting_request_submit

    return meeting_request_submit(
        name="홍길동",
        phone="010-1234-5678",
        neighborhood=hood,
        category="welfare",
        subject="경로당",
        description="경로당 지붕이 샙니다.",
        consent=True,
        submission_key=uuid.uuid4(),
    ).request
