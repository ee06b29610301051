"""KakaoTalk 알림톡 with SMS/LMS fallback through SOLAPI, end to end: the
real ``solapi`` SDK (``scheduling/solapi_backend.py``) talks to a local
stand-in for SOLAPI's API on 127.0.0.1 (``tests/solapi_server.py``), which
checks the SDK's signed requests and the 알림톡 against the registered
templates as Kakao would; the delivery reports come back through our
webhook. Nothing of ours is replaced.

What the citizen notices: the message arrives once — as an 알림톡 with a
button to their request, or as a text message when they have no KakaoTalk
or Kakao refuses it — never twice, also when a task runs again, the
provider is down or slow, or a report comes twice.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.utils import timezone

from meetings.models import Notification
from meetings.services import booking, notifications, review
from meetings.services.series import meeting_day_cancel, meeting_day_move
from scheduling import alimtalk_templates, outbox
from scheduling.alimtalk_templates import TEMPLATES, VARIABLE
from scheduling.reports.services import MONTHLY, month_containing, report_build
from scheduling.sms import outbox as locmem_sent
from scheduling.tasks import flush_outbox, send_outbox_message
from tests.config.test_settings import probe
from tests.meetings.conftest import another_working_day, first_substitute, submit
from tests.meetings.test_notifications import at_once, make_past
from tests.solapi_server import FakeSolapi

pytestmark = pytest.mark.django_db

API_KEY = "NCSTESTAPIKEY0001"
API_SECRET = "TESTSECRET0123456789ABCDEFGHIJKL"
PFID = "KA01PF261117000000TongTong"
WEBHOOK_SECRET = "whsec-0123456789abcdef-tongtong"
PHONE = "010-1234-5678"
NO_KAKAO = "010-9999-0000"
LABEL = "meetings.Notification"


@pytest.fixture
def solapi(settings):
    """SMS_BACKEND=solapi against a fresh local SOLAPI that knows every
    registered template."""
    fake = FakeSolapi(
        api_key=API_KEY,
        api_secret=API_SECRET,
        pf_id=PFID,
        registered={template.code: template for template in TEMPLATES.values()},
        site=settings.SITE_URL,
    ).start()
    settings.SMS_BACKEND = "solapi"
    settings.SMS_SENDER = "031-000-0000"
    settings.SOLAPI_API_KEY = API_KEY
    settings.SOLAPI_API_SECRET = API_SECRET
    settings.SOLAPI_KAKAO_PFID = PFID
    settings.SOLAPI_BASE_URL = fake.url
    settings.SOLAPI_WEBHOOK_SECRET = WEBHOOK_SECRET
    outbox.broker_state_reset()
    yield fake
    fake.stop()


def report(client, payload, secret=WEBHOOK_SECRET):
    headers = {"X-Solapi-Secret": secret} if secret is not None else {}
    return client.post(
        "/hooks/solapi/reports/", data=json.dumps(payload), content_type="application/json", headers=headers
    )


def sms_row(request) -> Notification:
    return request.notifications.filter(channel="sms").latest("pk")


def fill(text: str, variables: dict) -> str:
    """The registered ``text`` with ``variables`` put in, independently of
    the registry's own renderer."""
    return VARIABLE.sub(lambda match: variables[match[1]], text)


# --- Every template renders to exactly its registered text, from real rows ---------------


def test_every_meetings_template_renders_to_its_registered_text_from_real_messages(future_days, city):
    """Every message kind the meetings services send, made by the services
    themselves (locmem backend: what would be handed to the provider)."""
    day = future_days[0]
    first = submit(future_days[:2]).request  # submitted
    review.review_ask(request=first, department=city["roads"], question="현장 확인 부탁드립니다")  # under_review
    booking.slot_book(request=first, slot=day.slots.first())  # scheduled
    eve = timezone.localtime(first.active_appointment.start) - dt.timedelta(days=1)
    assert booking.reminders_due(now=eve) == 1  # reminder
    meeting_day_move(day=day, new_start=another_working_day(day), reason="시의회 일정")  # meeting_day_moved
    booking.citizen_ask_other_day(request=first, meeting_day=future_days[1])  # moved_by_citizen
    official, times = first_substitute(first)
    appointment = booking.request_substitute(request=first, official=official, start=times[0], reason="시장 출장")
    make_past(appointment)
    booking.outcome_record(request=first, outcome="held")  # substituted, satisfaction

    second = submit(future_days[2:3]).request
    second.refresh_from_db()
    booking.due_date_extend(request=second, new_due=second.answer_due_at + dt.timedelta(days=5), reason="현장 조사")
    second.refresh_from_db()
    booking.request_decline(request=second, reason="소관 기관이 아닙니다")  # extended, declined
    booking.request_answer_in_writing(request=submit().request, answer="서면으로 답변드립니다.")  # answered

    later = future_days[3]
    booked = []
    for slot in later.slots.all():
        booked.append(submit([later]).request)
        booking.slot_book(request=booked[-1], slot=slot)
    waiting = submit([later]).request
    booking.citizen_cancel(request=booked[0])  # cancelled, waitlist_offer (to waiting)
    third = submit(future_days[4:5]).request
    booking.slot_book(request=third, slot=future_days[4].slots.first())
    meeting_day_cancel(day=future_days[4], reason="긴급 재난 대응")  # meeting_day_cancelled

    rows = {row.pk: row for row in Notification.objects.filter(channel="sms")}
    by_reference = {message.reference: message for message in locmem_sent}
    seen = set()
    for pk, row in rows.items():
        template = alimtalk_templates.template_for(Notification, row.kind)
        assert template is not None, row.kind  # every kind the meetings app sends has one
        sent = by_reference[f"{LABEL}:{pk}"]
        assert sent.template_code == row.template_code == template.code
        assert set(sent.variables) == set(template.variable_names())
        assert all(str(value).strip() for name, value in sent.variables.items() if name != "remedy"), sent.variables
        # The text handed to the provider is the registered text, variables put in.
        assert sent.body == fill(template.text, sent.variables)
        assert "#{" not in sent.body and row.request.reference in sent.body
        for button in sent.buttons:
            assert button["link_mo"] == sent.variables["link"]  # the button opens the link the text names
            assert button["link_mo"].startswith("http")
        seen.add(row.kind)
    assert seen == {kind for (label, kind, _lang) in TEMPLATES if label == LABEL}
    assert waiting.notifications.filter(kind="waitlist_offer").exists()
    # The status link leaves whole in the message and its button, and is kept without its secret.
    submitted_row = first.notifications.get(kind="submitted", channel="sms")
    assert "…" in submitted_row.variables["link"] and "…" in submitted_row.body


def test_a_kind_without_a_template_goes_as_a_text_message(solapi, settings, submitted):
    """A language (or kind) whose template is not registered: SMS/LMS, its own text."""
    assert alimtalk_templates.template_for(Notification, "submitted", "vi") is None
    (row,) = outbox.write(
        Notification,
        [
            {
                "dedupe_key": "no-template",
                "kind": "notice",
                "channel": "sms",
                "recipient": PHONE,
                "body": "[통통시] 안내 문자입니다.",
            }
        ],
    )
    row.refresh_from_db()
    assert (row.status, row.via, row.template_code) == ("sent", "sms", "")
    assert solapi.accepted[-1]["type"] == "SMS" and solapi.accepted[-1]["text"] == "[통통시] 안내 문자입니다."


# --- Through SOLAPI: 알림톡, fallback once, reports ----------------------------------------


def test_the_confirmation_goes_as_an_alimtalk_with_a_button_and_its_report_marks_it_delivered(
    solapi, future_days, client
):
    submission = submit(future_days[:1])
    row = sms_row(submission.request)
    assert (row.status, row.via) == ("sent", "ata")
    (accepted,) = solapi.accepted
    assert accepted["type"] == "ATA" and row.gateway_id == accepted["messageId"]
    assert accepted["raw"]["kakaoOptions"]["templateId"] == "TT_MEET_SUBMITTED_V1"
    assert accepted["raw"]["kakaoOptions"]["disableSms"] is False  # SOLAPI falls back to SMS/LMS itself
    assert submission.token in accepted["text"]
    (button,) = accepted["buttons"]
    assert button["name"] == "진행 상황 보기" and submission.token in button["link"]
    # The SDK signed the request as SOLAPI documents (the server checked it).
    assert solapi.requests[-1]["headers"]["Authorization"].startswith("HMAC-SHA256 ")

    response = report(client, solapi.single_report(accepted, status_code="4000"))
    assert response.status_code == 200 and response.json()["delivered"] == 1
    row.refresh_from_db()
    assert (row.status, row.via, row.report_code) == ("delivered", "ata", "4000")


def test_a_number_without_kakaotalk_gets_one_text_message_and_the_row_says_so(solapi, future_days, client):
    solapi.no_kakao.add(NO_KAKAO.replace("-", ""))
    row = sms_row(submit(future_days[:1], phone=NO_KAKAO).request)
    (accepted,) = solapi.accepted  # one message handed in
    failed_alimtalk, replaced = solapi.reports_for(accepted)

    assert report(client, failed_alimtalk).json()["fallback"] == 1
    row.refresh_from_db()
    assert (row.status, row.via) == ("sent", "ata")  # SOLAPI is sending it as a text message now
    assert "3104" in row.last_error

    assert report(client, replaced).json()["delivered"] == 1
    row.refresh_from_db()
    assert (row.status, row.via) == ("delivered", "lms")  # the confirmation with its link is an LMS
    # SOLAPI retries a report it thinks was lost: nothing changes, nothing is sent.
    assert report(client, replaced).json()["duplicate"] == 1
    assert report(client, failed_alimtalk).json()["duplicate"] == 1
    row.refresh_from_db()
    assert (row.status, row.via) == ("delivered", "lms")
    assert len(solapi.accepted) == 1


def test_an_alimtalk_refused_when_handed_in_goes_once_as_a_text_message(solapi, future_days):
    """Kakao has not approved the template (or its text changed): SOLAPI
    refuses the 알림톡 (1042) and the backend sends the text once as LMS."""
    del solapi.registered["TT_MEET_SUBMITTED_V1"]
    submission = submit(future_days[:1])
    row = sms_row(submission.request)
    assert (row.status, row.via, row.attempts) == ("sent", "lms", 1)
    (accepted,) = solapi.accepted
    assert accepted["type"] == "LMS" and submission.token in accepted["text"]
    assert row.gateway_id == accepted["messageId"]
    assert len(solapi.requests) == 2  # the refused 알림톡, then the LMS
    # Run again and flushed: still one message.
    assert send_outbox_message.apply(args=(LABEL, row.pk)).get() is False
    assert outbox.flush(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert len(solapi.accepted) == 1


def test_a_text_that_differs_from_the_registered_template_is_refused_and_sent_as_text(solapi, future_days):
    template = solapi.registered["TT_MEET_SUBMITTED_V1"]
    solapi.registered["TT_MEET_SUBMITTED_V1"] = alimtalk_templates.Template(
        template.code, template.text.replace("접수되었습니다", "접수됐습니다"), template.buttons
    )
    row = sms_row(submit(future_days[:1]).request)
    assert (row.status, row.via) == ("sent", "lms")
    assert [a["type"] for a in solapi.accepted] == ["LMS"]


def test_a_provider_error_leaves_the_message_for_later_and_it_goes_once(solapi, future_days):
    solapi.plan = ["500"]
    row = sms_row(submit(future_days[:1]).request)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "InternalError" in row.last_error or "UnknownError" in row.last_error
    assert solapi.accepted == []
    assert outbox.flush(now=timezone.now() + dt.timedelta(minutes=2)) == 1
    row.refresh_from_db()
    assert (row.status, row.via, row.attempts) == ("sent", "ata", 2)
    assert len(solapi.accepted) == 1


def test_a_wrong_api_secret_is_refused_by_the_provider_and_nothing_goes(solapi, future_days, settings):
    settings.SOLAPI_API_SECRET = "not-the-secret-0000000000000000"
    row = sms_row(submit(future_days[:1]).request)
    assert row.status == "pending" and "SignatureDoesNotMatch" in row.last_error
    assert solapi.accepted == []


def test_a_provider_down_leaves_the_message_pending(solapi, future_days, settings):
    settings.SOLAPI_BASE_URL = "http://127.0.0.1:9"  # nothing listens
    row = sms_row(submit(future_days[:1]).request)
    assert (row.status, row.attempts) == ("pending", 1) and "unreachable" in row.last_error


def test_a_lost_answer_is_never_sent_again_and_the_report_settles_it(solapi, future_days, client):
    """SOLAPI took the message but its answer came too late (the SDK waits 5 s):
    it may have gone, so it is not sent again; the report finds the row by
    its reference."""
    solapi.plan = ["timeout"]
    row = sms_row(submit(future_days[:1]).request)
    assert row.status == "sending" and "outcome unknown" in row.last_error
    assert send_outbox_message.apply(args=(LABEL, row.pk)).get() is False  # redelivered: nothing to claim
    assert outbox.flush(now=timezone.now() + dt.timedelta(hours=1)) == 0
    (accepted,) = solapi.accepted
    assert len(solapi.requests) == 1

    assert report(client, solapi.single_report(accepted, status_code="4000")).json()["delivered"] == 1
    row.refresh_from_db()
    assert (row.status, row.via, row.gateway_id) == ("delivered", "ata", accepted["messageId"])
    assert "…" in row.body and "…" in row.variables["link"]  # its secret is not kept


def test_a_task_that_runs_again_or_is_redelivered_sends_nothing_more(solapi, future_days):
    row = sms_row(submit(future_days[:1]).request)
    assert row.status == "sent"
    for _ in range(3):
        assert send_outbox_message.apply(args=(LABEL, row.pk)).get() is False
    assert outbox.flush(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert flush_outbox.apply().get() == 0  # the task beat runs
    assert len(solapi.accepted) == 1 and len(solapi.requests) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_workers_given_one_alimtalk_hand_it_in_once(solapi, future_days, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL's row locks (set DATABASE_URL)")
    monkeypatch.setattr(notifications, "enqueue", lambda ids: None)
    solapi.no_kakao.add(PHONE.replace("-", ""))  # and SOLAPI will fall back: still one message
    row = sms_row(submit(future_days[:1]).request)
    results = at_once(10, lambda: outbox.send(Notification, row.pk))
    assert sorted(results) == [False] * 9 + [True]
    assert len(solapi.accepted) == 1


# --- The webhook ----------------------------------------------------------------------------


def test_the_webhook_wants_the_secret_and_ignores_what_it_does_not_know(solapi, future_days, client, settings):
    row = sms_row(submit(future_days[:1]).request)
    (accepted,) = solapi.accepted
    delivered = solapi.single_report(accepted, status_code="4000")

    assert report(client, delivered, secret=None).status_code == 403
    assert report(client, delivered, secret=WEBHOOK_SECRET + "x").status_code == 403
    row.refresh_from_db()
    assert row.status == "sent"  # nothing read without the secret

    unknown = solapi.single_report({**accepted, "messageId": "M4VUNKNOWN", "customFields": {}}, status_code="4000")
    answer = report(client, unknown)
    assert answer.status_code == 200 and answer.json() == {"received": 1, "unknown": 1}
    forged = solapi.single_report(
        {**accepted, "messageId": "M4VOTHER", "customFields": {"outbox": f"{LABEL}:{row.pk}"}}, status_code="3104"
    )
    assert report(client, forged).json()["unknown"] == 1  # another message's id: not this row
    assert report(client, {"not": "a report"}).status_code == 400
    assert client.get("/hooks/solapi/reports/", headers={"X-Solapi-Secret": WEBHOOK_SECRET}).status_code == 405
    assert report(client, solapi.single_report(accepted, status_code="3000")).json()["pending"] == 1
    row.refresh_from_db()
    assert row.status == "sent"

    settings.SOLAPI_WEBHOOK_SECRET = ""
    assert report(client, delivered).status_code == 404


def test_a_text_message_the_carrier_could_not_deliver_is_failed_and_not_sent_again(solapi, future_days, client):
    del solapi.registered["TT_MEET_SUBMITTED_V1"]  # goes as LMS
    row = sms_row(submit(future_days[:1]).request)
    (accepted,) = solapi.accepted
    answer = report(client, solapi.single_report(accepted, status_code="3043", message="단말기 Power off"))
    assert answer.json()["failed"] == 1
    row.refresh_from_db()
    assert (row.status, row.via) == ("failed", "lms") and "3043" in row.last_error
    assert outbox.flush(now=timezone.now() + dt.timedelta(hours=1)) == 0
    assert len(solapi.accepted) == 1


# --- The monthly report ------------------------------------------------------------------


def test_the_monthly_report_counts_messages_by_channel_with_their_cost(
    pinned_today, solapi, future_days, client, settings
):
    settings.MESSAGE_PRICE_ALIMTALK, settings.MESSAGE_PRICE_SMS, settings.MESSAGE_PRICE_LMS = 8, 20, 50
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    submit(future_days[:1], email="hong@example.kr")  # 알림톡 + e-mail
    solapi.no_kakao.add(NO_KAKAO.replace("-", ""))
    submit(future_days[:1], phone=NO_KAKAO)  # 알림톡 replaced by an LMS
    for accepted in solapi.accepted:
        for payload in solapi.reports_for(accepted):
            assert report(client, payload).status_code == 200

    section = next(s for s in report_build(MONTHLY, month_containing(pinned_today)).sections if s.key == "messages")
    (table,) = section.tables
    rows = {row[0]: row[1:] for row in table.rows}
    via = Notification.Via
    assert list(rows) == [str(label) for label in (via.ALIMTALK.label, via.SMS.label, via.LMS.label, via.EMAIL.label)]
    assert rows[str(via.ALIMTALK.label)] == [1, 1, 0, 8, 8]  # sent, delivered, not delivered, unit price, cost
    assert rows[str(via.LMS.label)] == [1, 1, 0, 50, 50]
    assert rows[str(via.SMS.label)][0] == 0
    assert rows[str(via.EMAIL.label)][0] == 1
    assert table.total[1] == 3 and table.total[-1] == 58
    fallbacks = next(f for f in section.figures if "SMS/LMS" in f.label)
    assert fallbacks.value == 1


# --- Settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMS_BACKEND": "solapi"}, "SMS_BACKEND=solapi needs SOLAPI_API_KEY"),
        ({"SMS_BACKEND": "solapi", "SOLAPI_API_KEY": "k"}, "needs SOLAPI_API_SECRET"),
        (
            {"SMS_BACKEND": "solapi", "SOLAPI_API_KEY": "k", "SOLAPI_API_SECRET": "s", "SMS_SENDER": "city"},
            "SMS_SENDER='city' is not a registered sender number",
        ),
        ({"SOLAPI_BASE_URL": "http://api.solapi.com"}, "must be https://host"),
        ({"SOLAPI_WEBHOOK_SECRET": "short"}, "SOLAPI_WEBHOOK_SECRET must be at least 16 characters"),
        ({"MESSAGE_PRICE_SMS": "twenty"}, "MESSAGE_PRICE_SMS='twenty' is not a price"),
    ],
)
def test_a_bad_provider_setting_stops_the_start_up_with_its_name(env, message):
    result = probe(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_the_text_message_of_every_template_fits_kakaos_limits():
    for template in TEMPLATES.values():
        assert len(template.text) <= alimtalk_templates.MAX_TEXT
        assert len(template.buttons) <= alimtalk_templates.MAX_BUTTONS
        assert all(len(button.name) <= alimtalk_templates.MAX_BUTTON_NAME for button in template.buttons)
        assert re.fullmatch(r"[A-Z0-9_]{1,30}", template.code)
    assert len({template.code for template in TEMPLATES.values()}) == len(TEMPLATES)
