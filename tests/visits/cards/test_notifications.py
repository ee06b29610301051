"""Closing the loop: the resident who left a contact hears of every public
status change, once; after completion they are asked whether it is
resolved, and a "no" reopens the works and tells the department; each lead
department hears weekly, once, of its overdue suggestions; a dead broker
loses nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from scheduling.errors import TongtongError
from scheduling.sms import outbox as sms_sent
from visits.cards import notifications as card_notifications
from visits.cards import public as card_public
from visits.cards import services as cs
from visits.models import Suggestion, SuggestionEvent, SuggestionNotification

pytestmark = pytest.mark.django_db

PHONE = "010-2222-3333"
ANSWER_LINK = re.compile(r"https?://\S+/neighborhoods/answer/([^/\s]+)/")


def with_emails(card_org):
    for name in ("roads_staff", "parks_staff"):
        user = card_org["users"][name]
        user.email = f"{name}@city.example.kr"
        user.save()
    return card_org


def told(suggestion) -> list[str]:
    rows = suggestion.notifications.filter(channel="sms").order_by("pk")
    assert set(rows.values_list("status", flat=True)) <= {"sent"}
    return list(rows.values_list("kind", flat=True))


def answer_token_from_sms() -> str:
    (match,) = [m for m in (ANSWER_LINK.search(sms.body) for sms in sms_sent) if m]
    return match.group(1)


# --- The resident is told ------------------------------------------------------------


def test_a_resident_with_consent_is_told_of_each_public_status_change_once(suggestion_at):
    suggestion = suggestion_at("completed", contact_phone=PHONE, contact_consent=True)
    changes = ["assigned", "joint_review", "selected", "budgeted", "in_progress", "completed"]
    assert told(suggestion) == ["status"] * len(changes) + ["resolved_question"]
    bodies = [sms.body for sms in sms_sent]
    assert all(sms.to == PHONE for sms in sms_sent) and len(bodies) == len(changes) + 1
    for body, status in zip(bodies, changes, strict=False):
        assert "중앙동" in body and "가로등 설치" in body
        assert str(Suggestion.Status(status).label) in body
        assert "/neighborhoods/N01/" in body  # the public card
    # Each message is keyed by its change: writing it again writes nothing.
    for event in suggestion.events.filter(kind="transition").exclude(to_status="received"):
        assert card_notifications.tell_resident_of_status(suggestion, event) == []
    assert len(sms_sent) == len(changes) + 1


def test_the_public_note_goes_with_the_change(suggestion_at, card_org):
    suggestion = suggestion_at("budgeted", contact_phone=PHONE, contact_consent=True)
    cs.suggestion_start(
        suggestion=suggestion, actor=card_org["users"]["roads_staff"], public_note="다음 주 착공합니다."
    )
    assert "다음 주 착공합니다." in sms_sent[-1].body


def test_a_resident_who_left_only_an_email_is_told_by_email(suggestion_at):
    suggestion = suggestion_at("joint_review", contact_email="hong@example.kr", contact_consent=True)
    assert [m.to for m in mail.outbox] == [["hong@example.kr"]] * 2  # assigned, joint review
    assert sms_sent == []
    assert "/neighborhoods/N01/" in mail.outbox[0].body
    assert suggestion.notifications.count() == 2


def test_nobody_is_told_without_a_contact(suggestion_at, card_org):
    suggestion = suggestion_at("completed")
    cs.suggestion_reopen(suggestion=suggestion, actor=card_org["users"]["secretariat"], reason="재확인")
    assert not SuggestionNotification.objects.filter(suggestion=suggestion).exclude(kind="reopened").exists()
    assert sms_sent == []


def test_a_failed_change_tells_nobody(suggestion_at, card_org):
    suggestion = suggestion_at("assigned", contact_phone=PHONE, contact_consent=True)
    before = len(sms_sent)
    with pytest.raises(TongtongError):  # in progress before the budget: refused
        cs.suggestion_start(suggestion=suggestion, actor=card_org["users"]["roads_staff"])
    assert len(sms_sent) == before


# --- "Is it resolved?" -------------------------------------------------------------------


def test_completion_asks_the_resident_with_a_link_kept_only_as_its_path(suggestion_at, client):
    suggestion = suggestion_at("completed", contact_phone=PHONE, contact_consent=True)
    token = answer_token_from_sms()
    stored = suggestion.notifications.get(kind="resolved_question")
    assert token not in stored.body and "/neighborhoods/answer/…/" in stored.body
    response = client.get(reverse("cards:resident_answer", args=[token]))
    assert response.status_code == 200
    assert "visits/cards/resident_answer.html" in [t.name for t in response.templates]
    assert response["Cache-Control"] == "no-store, private"


def test_an_answer_of_yes_stays_on_the_card(suggestion_at, client):
    suggestion = suggestion_at("completed", contact_phone=PHONE, contact_consent=True)
    url = reverse("cards:resident_answer", args=[answer_token_from_sms()])
    response = client.post(url, {"resolved": "yes", "comment": "감사합니다"})
    assert response.status_code == 302 and response["Location"] == url
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.resolved_answer) == ("completed", "yes")
    assert client.get(url).status_code == 200  # the answer, shown again
    card = client.get(reverse("cards:card", args=["N01"])).context["card"]
    assert card.groups[0].suggestions[0].resolved_answer == "yes"


def test_an_answer_of_no_reopens_the_works_and_emails_the_department(suggestion_at, card_org, client):
    with_emails(card_org)
    suggestion = suggestion_at("completed", contact_phone=PHONE, contact_consent=True)
    url = reverse("cards:resident_answer", args=[answer_token_from_sms()])
    client.post(url, {"resolved": "no", "comment": "여전히 어둡습니다"})
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.resolved_answer) == ("in_progress", "no")
    reopening = suggestion.events.filter(kind="transition").last()
    assert (reopening.from_status, reopening.to_status) == ("completed", "in_progress")
    (email,) = [m for m in mail.outbox if m.to == ["roads_staff@city.example.kr"]]
    assert "가로등 설치" in email.subject and "여전히 어둡습니다" in email.body
    assert reverse("staff_cards:suggestion", args=[suggestion.pk]) in email.body
    assert not [m for m in mail.outbox if m.to == ["parks_staff@city.example.kr"]]  # not their suggestion
    assert told(suggestion)[-1] == "status"  # the resident hears it is in progress again
    # The link now shows the answer; it cannot answer again.
    response = client.post(url, {"resolved": "yes"})
    assert response.status_code == 200
    assert "visits/cards/resident_answer_done.html" in [t.name for t in response.templates]
    suggestion.refresh_from_db()
    assert suggestion.status == "in_progress"
    assert suggestion.events.filter(kind="resident_answer").count() == 1


def test_answering_twice_gives_a_clear_message_and_records_one_answer(suggestion_at, client):
    suggestion = suggestion_at("completed", contact_phone=PHONE, contact_consent=True)
    token = answer_token_from_sms()
    url = reverse("cards:resident_answer", args=[token])
    client.post(url, {"resolved": "yes"})
    # A second tab still showing the question sends it again.
    response = client.post(url, {"resolved": "no"})
    assert response.status_code == 200
    assert response.context["heading"] and response.context["answer"]
    suggestion.refresh_from_db()
    assert suggestion.resolved_answer == "yes"
    assert suggestion.events.filter(kind="resident_answer").count() == 1
    # The service itself refuses a second answer with a message.
    with pytest.raises(TongtongError):
        cs.suggestion_resident_answer(suggestion=suggestion, resolved=False)


def test_an_answer_without_a_choice_shows_the_question_again(suggestion_at, client):
    suggestion_at("completed", contact_phone=PHONE, contact_consent=True)
    response = client.post(reverse("cards:resident_answer", args=[answer_token_from_sms()]), {"comment": "음"})
    assert response.status_code == 200 and response.context["form"].errors


class PastSigner(signing.TimestampSigner):
    """Signs as if it were three months ago."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - card_notifications.ANSWER_MAX_AGE - 3600)


def test_a_forged_or_expired_link_is_a_korean_page_never_a_500(suggestion_at, client):
    suggestion = suggestion_at("completed", contact_phone=PHONE, contact_consent=True)
    token = answer_token_from_sms()
    completion = card_notifications.latest_transition_id(suggestion, to_status="completed")
    forged = [
        token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),
        "nothing",
        signing.dumps([suggestion.pk, completion], salt="another.salt"),
        signing.dumps("not a pair", salt=card_notifications.ANSWER_SALT),
        signing.dumps([999999, completion], salt=card_notifications.ANSWER_SALT),
    ]
    for bad in forged:
        for method in (client.get, client.post):
            response = method(reverse("cards:resident_answer", args=[bad]))
            assert response.status_code == 404, bad
            assert "<html" in response.content.decode() and response["Cache-Control"] == "no-store, private"
    expired = PastSigner(salt=card_notifications.ANSWER_SALT).sign_object([suggestion.pk, completion], compress=True)
    assert card_public.answer_link(expired).state == "expired"
    response = client.post(reverse("cards:resident_answer", args=[expired]), {"resolved": "no"})
    assert response.status_code == 410
    suggestion.refresh_from_db()
    assert suggestion.resolved_answer == "" and suggestion.status == "completed"


def test_a_question_overtaken_by_events_is_closed(suggestion_at, card_org, client):
    suggestion = suggestion_at("completed", contact_phone=PHONE, contact_consent=True)
    url = reverse("cards:resident_answer", args=[answer_token_from_sms()])
    cs.suggestion_reopen(suggestion=suggestion, actor=card_org["users"]["secretariat"], reason="민원 재접수")
    assert client.get(url).status_code == 410
    assert client.post(url, {"resolved": "yes"}).status_code == 410
    suggestion.refresh_from_db()
    assert suggestion.resolved_answer == ""


# --- The weekly reminder --------------------------------------------------------------------


def make_overdue(suggestion: Suggestion, days: int = 40) -> None:
    Suggestion.objects.filter(pk=suggestion.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=days))


def test_each_department_gets_one_list_a_week_and_a_second_run_sends_nothing(suggestion_at, card_org):
    with_emails(card_org)
    roads_a = suggestion_at("assigned", title="가로등 설치")
    roads_b = suggestion_at("in_progress", title="보도블록 교체", neighborhood="N02")
    parks = suggestion_at("assigned", title="놀이터 보수", department="parks")
    fresh = suggestion_at("assigned", title="어제 접수된 건")
    done = suggestion_at("completed", title="끝난 건")
    for suggestion in (roads_a, roads_b, parks, done):
        make_overdue(suggestion)
    late = suggestion_at("assigned", title="첫 답변 지연")
    Suggestion.objects.filter(pk=late.pk).update(first_answer_due=timezone.localdate() - dt.timedelta(days=1))
    mail.outbox.clear()

    assert card_notifications.overdue_suggestions_remind() == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"roads_staff@city.example.kr", "parks_staff@city.example.kr"}
    roads_mail = by_recipient["roads_staff@city.example.kr"].body
    for title in ("가로등 설치", "보도블록 교체", "첫 답변 지연"):
        assert title in roads_mail
    assert "놀이터 보수" not in roads_mail and "어제 접수된 건" not in roads_mail and "끝난 건" not in roads_mail
    assert "놀이터 보수" in by_recipient["parks_staff@city.example.kr"].body
    reminded = Suggestion.objects.filter(last_reminded_at__isnull=False)
    assert set(reminded.values_list("title", flat=True)) == {
        "가로등 설치",
        "보도블록 교체",
        "첫 답변 지연",
        "놀이터 보수",
    }
    assert SuggestionEvent.objects.filter(kind="reminder").count() == 4
    assert fresh.events.filter(kind="reminder").count() == 0

    # Beat runs again the same week: nothing.
    assert card_notifications.overdue_suggestions_remind() == 0
    assert card_notifications.overdue_suggestions_remind(now=timezone.now() + dt.timedelta(hours=2)) == 0
    assert len(mail.outbox) == 2
    assert SuggestionEvent.objects.filter(kind="reminder").count() == 4

    # Next week, still untouched: reminded again.
    assert card_notifications.overdue_suggestions_remind(now=timezone.now() + dt.timedelta(days=7)) == 2
    assert len(mail.outbox) == 4


def test_the_weekly_task_runs_the_reminder(suggestion_at, card_org):
    from visits.tasks import remind_overdue_suggestions

    with_emails(card_org)
    make_overdue(suggestion_at("assigned"))
    mail.outbox.clear()
    assert remind_overdue_suggestions.apply().get() == 1
    assert remind_overdue_suggestions.apply().get() == 0
    assert len(mail.outbox) == 1


# --- The consent text -----------------------------------------------------------------------


def test_the_consent_text_names_purpose_items_and_retention(settings):
    from django.utils import translation

    settings.MEETING_RETENTION_YEARS = 4
    with translation.override("en"):
        text = str(card_notifications.CONTACT_CONSENT_TEXT)
    assert "mobile number" in text and "e-mail" in text and "4 years" in text and "refuse" in text


# --- The broker is down (PostgreSQL and Redis) ----------------------------------------------

START_WITH_THE_BROKER_DOWN = r"""
import json, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from visits import card_services
from visits.models import Suggestion

suggestion = Suggestion.objects.get(pk=int(sys.argv[1]))
actor = get_user_model().objects.get(username="roads_staff")
started = time.monotonic()
card_services.suggestion_start(suggestion=suggestion, actor=actor, public_note="착공했습니다.")
print("RESULT " + json.dumps({"seconds": time.monotonic() - started}))
"""


@pytest.fixture
def live_broker(transactional_db, tmp_path):
    """The Redis database REDIS_URL names, emptied (this suite's own, so
    that it never meets another run's worker); skips on SQLite and without
    Redis."""
    import os

    from django.db import connection

    from tests.conftest import require_service

    if connection.vendor != "postgresql":
        pytest.skip("worker processes share the test database: needs PostgreSQL (set DATABASE_URL)")
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    server = urlsplit(url)
    require_service("Redis", server.hostname, server.port or 6379)
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.mark.django_db(transaction=True)
def test_a_dead_broker_still_saves_the_change_and_the_flush_sends_the_message_later(
    live_broker, suggestion_at, tmp_path
):
    from tests.meetings import test_outages as outages

    broker = live_broker
    sms_dir = tmp_path / "sms"
    sms_dir.mkdir()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", urlsplit(outages.DEAD_BROKER).port)) != 0, "the 'dead' port is in use"
    suggestion = suggestion_at("budgeted", contact_phone=PHONE, contact_consent=True)
    assert not SuggestionNotification.objects.exclude(status="sent").exists()

    result = subprocess.run(
        [sys.executable, "-c", START_WITH_THE_BROKER_DOWN, str(suggestion.pk)],
        cwd=outages.ROOT,
        env=outages.process_env(broker=outages.DEAD_BROKER, sms_dir=sms_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.split("RESULT ", 1)[1])
    assert out["seconds"] < outages.QUICK, out
    suggestion.refresh_from_db()
    assert suggestion.status == "in_progress"  # the change is saved
    pending = SuggestionNotification.objects.filter(status="pending")
    assert list(pending.values_list("kind", flat=True)) == ["status"]
    assert outages.sms_files(sms_dir) == []

    # The broker is back; beat's flush hands the message to a real worker.
    pending.update(created_at=timezone.now() - dt.timedelta(minutes=1))
    env = outages.process_env(broker=broker, sms_dir=sms_dir)
    with outages.running_worker(env, "card-outage-flush") as worker:
        worker.task_done(outages.publish(broker, "scheduling.flush_outbox"))
        outages.wait_until(lambda: len(outages.sms_files(sms_dir)) == 1, 20, "the message was not sent")
        outages.wait_until(
            lambda: not SuggestionNotification.objects.exclude(status="sent").exists(), 10, "not recorded as sent"
        )
        worker.task_done(outages.publish(broker, "scheduling.flush_outbox"))  # again: nothing new
    (sms,) = outages.sms_files(sms_dir)
    assert "착공했습니다." in sms.read_text(encoding="utf-8")
