"""The public web board "시장에게 바란다": a citizen writes, verifies their
phone with the texted code, and sees the reference and the due date. No
petition without the right code; a double tap makes one; a mistyped form
comes back as typed with Korean messages; switched off, the board sends
citizens to 국민신문고."""

from __future__ import annotations

import pytest

from petitions import rules
from petitions.models import Petition, PetitionNotification
from scheduling.models import PhoneVerification
from scheduling.sms import outbox as sent_sms
from tests.petitions.conftest import PHONE, board_form, sent_code

pytestmark = pytest.mark.django_db


def test_the_board_says_what_it_is_for_and_shows_the_form(client, pinned_today):
    page = client.get("/petitions/").content.decode()
    assert "시장에게 바란다" in page
    assert "소통민원팀이 모든 민원을 읽고" in page
    for label in ("이름", "휴대전화번호", "이메일(선택)", "사는 동(선택)", "민원 내용", "제목"):
        assert label in page, label
    assert "민원 종결 후 3년간 보관 후 파기" in page  # consent: retention (PETITION_RETENTION_YEARS)
    assert "민원 처리 및 답변 안내" in page  # consent: purpose
    assert ">칭찬</option>" in page and ">도로·시설물</option>" in page  # the category table, in Korean


def test_the_home_page_links_the_board(client, pinned_today):
    page = client.get("/").content.decode()
    assert 'href="/petitions/"' in page
    assert "시장에게 글 보내기" in page


def test_a_citizen_posts_verifies_and_sees_the_reference_and_due_date(client, pinned_today):
    response = client.post("/petitions/", board_form(client))
    assert response.status_code == 302 and response["Location"] == "/petitions/verify/"
    assert not Petition.objects.exists(), "nothing is recorded before the code"
    page = client.get("/petitions/verify/").content.decode()
    assert "010-****-6789" in page

    response = client.post("/petitions/verify/", {"action": "verify", "code": sent_code(PHONE)})
    petition = Petition.objects.get()
    assert response["Location"] == f"/petitions/done/{petition.reference}/"
    done = client.get(response["Location"]).content.decode()
    assert petition.reference in done
    assert "2026. 11. 25.(수) 18:00" in done  # 7 working days from Tue 17 Nov, 10:00

    verification = PhoneVerification.objects.get()
    assert petition.channel == rules.WEB
    assert petition.submission_key == str(verification.key)
    assert petition.phone == "010-2345-6789"
    assert petition.phone_verified_at == verification.verified_at
    assert petition.consent_at is not None
    assert petition.category == "roads"
    receipt = PetitionNotification.objects.get(petition=petition)
    assert receipt.kind == "receipt" and receipt.status == "sent"
    assert receipt.template_code == "TT_PETITION_RECEIPT_V1"
    assert receipt.body == (
        f"[통통시] 민원(접수번호 {petition.reference})이 접수되었습니다. "
        "2026. 11. 25.(수) 18:00까지 답변해 드리겠습니다."
    )
    assert [message.to for message in sent_sms] == ["010-2345-6789"]


def test_a_wrong_code_records_nothing_and_says_so_in_korean(client, pinned_today):
    client.post("/petitions/", board_form(client))
    right = sent_code(PHONE)
    wrong = "000000" if right != "000000" else "111111"
    page = client.post("/petitions/verify/", {"action": "verify", "code": wrong}).content.decode()
    assert "인증번호가 맞지 않습니다" in page
    assert not Petition.objects.exists()


def test_a_double_tap_on_verify_makes_one_petition(client, pinned_today):
    client.post("/petitions/", board_form(client))
    code = sent_code(PHONE)
    first = client.post("/petitions/verify/", {"action": "verify", "code": code})
    second = client.post("/petitions/verify/", {"action": "verify", "code": code})
    assert first["Location"] == second["Location"]
    assert Petition.objects.count() == 1
    assert PetitionNotification.objects.count() == 1


def test_the_same_form_sent_again_after_it_is_done_shows_the_same_petition(client, pinned_today):
    data = board_form(client)
    client.post("/petitions/", data)
    done = client.post("/petitions/verify/", {"action": "verify", "code": sent_code(PHONE)})["Location"]
    again = client.post("/petitions/", data)
    assert again["Location"] == done
    assert Petition.objects.count() == 1


def test_a_mistyped_form_comes_back_as_typed_with_korean_messages(client, pinned_today):
    data = board_form(client, name="", phone="02-123-4567", text="가" * 4001, consent=None)
    response = client.post("/petitions/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "아직 민원이 접수되지 않았습니다" in page
    assert "이름을 입력해 주세요." in page
    assert "문자메시지를 받을 수 있는 휴대전화 번호를 입력해 주세요" in page
    assert "4000" in page  # Django's own Korean message: at most 4000 characters
    assert "개인정보 수집·이용에 동의해 주세요" in page
    assert "보도블록이 깨졌습니다" in page  # the subject as typed
    assert 'value="02-123-4567"' in page
    assert not Petition.objects.exists()
    assert not PhoneVerification.objects.exists()


def test_html_in_the_text_is_refused(client, pinned_today):
    page = client.post("/petitions/", board_form(client, text="<script>alert(1)</script>")).content.decode()
    assert "< 와 > 사이" in page or "<와 >" in page or "&lt;" in page
    assert not PhoneVerification.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"category": "no-such"},
        {"neighborhood": "abc"},
        {"neighborhood": "999999"},
        {"submission_key": "not-a-uuid"},
        {"email": "not-an-address"},
        {"phone": "0" * 30},
        {"subject": "x" * 500},
    ],
)
def test_no_input_makes_a_500(client, pinned_today, changes):
    response = client.post("/petitions/", board_form(client, **changes))
    assert response.status_code == 200
    assert not Petition.objects.exists()


def test_back_from_the_code_page_the_form_is_as_typed(client, pinned_today):
    client.post("/petitions/", board_form(client, subject="가로등이 꺼져 있어요"))
    page = client.get("/petitions/").content.decode()
    assert 'value="가로등이 꺼져 있어요"' in page


def test_the_done_page_is_only_for_the_browser_that_sent_it(client, pinned_today):
    client.post("/petitions/", board_form(client))
    done = client.post("/petitions/verify/", {"action": "verify", "code": sent_code(PHONE)})["Location"]
    client.cookies.clear()
    assert client.get(done).status_code == 404


def test_the_receipt_goes_in_the_language_of_the_page(client, pinned_today):
    client.cookies["tongtong_language"] = "vi"
    client.post("/petitions/", board_form(client))
    client.post("/petitions/verify/", {"action": "verify", "code": sent_code(PHONE)})
    petition = Petition.objects.get()
    assert petition.language == "vi"
    receipt = PetitionNotification.objects.get()
    assert receipt.template_code == ""  # no Vietnamese 알림톡 template: SMS/LMS
    assert petition.reference in receipt.body and "Kien nghi" in receipt.body  # without the marks (EUC-KR)


def test_without_phone_verification_the_form_records_at_once(client, pinned_today, settings):
    settings.PHONE_VERIFICATION = False
    response = client.post("/petitions/", board_form(client))
    petition = Petition.objects.get()
    assert response["Location"] == f"/petitions/done/{petition.reference}/"
    assert petition.phone_verified_at is None


def test_a_robot_filling_the_honeypot_records_nothing(client, pinned_today):
    response = client.post("/petitions/", board_form(client, extra_memo="http://spam"))
    assert response["Location"] == "/petitions/received/"
    assert not PhoneVerification.objects.exists() and not Petition.objects.exists()


def test_switched_off_the_board_sends_citizens_to_epeople(client, pinned_today, settings):
    settings.PETITION_WEB_BOARD = False
    page = client.get("/petitions/").content.decode()
    assert "국민신문고" in page and 'href="https://www.epeople.go.kr/"' in page
    assert 'name="subject"' not in page
    response = client.post("/petitions/", {"subject": "x", "text": "y"})
    assert response.status_code == 302 and response["Location"] == "https://www.epeople.go.kr/"
    assert client.get("/petitions/verify/")["Location"] == "https://www.epeople.go.kr/"
    assert not Petition.objects.exists()


def test_a_bad_board_setting_stops_the_start_up():
    from tests.config.test_settings import probe

    result = probe(PETITION_WEB_BOARD="maybe")
    assert result.returncode != 0
    assert "PETITION_WEB_BOARD" in result.stderr
    assert probe(PETITION_RETENTION_YEARS="0").returncode != 0
