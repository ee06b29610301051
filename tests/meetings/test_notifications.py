"""What the citizen is told, and that each message goes out once.

Tasks run in-process here (eager), whatever broker the suite is configured
with; tests/meetings/test_outages.py runs the same code against a real
worker, a dead broker and a killed worker.
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
import threading

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from meetings.models import Appointment, MeetingRequest, Notification
from meetings.services import booking, notifications, review
from meetings.services.feedback import feedback_url
from meetings.services.notifications import MESSAGES, format_when, render
from meetings.services.requests import status_url
from meetings.services.series import meeting_day_cancel, meeting_day_move
from meetings.tasks import send_reminders
from scheduling import outbox as outbox_machinery
from scheduling.sms import LMS_MAX_BYTES, BaseSMSBackend, SMSError, SMSMessage, outbox
from scheduling.tasks import flush_outbox, send_outbox_message
from tests.meetings.conftest import another_working_day, first_substitute, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tasks_in_process():
    """Eager tasks even when the suite runs with REDIS_URL (CI), and a fresh
    "broker down" memory for each test."""
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    outbox_machinery.broker_state_reset()
    yield
    celery_app.conf.update(saved)
    outbox_machinery.broker_state_reset()


def sms_bodies(request: MeetingRequest) -> list[str]:
    return [m.body for m in outbox if request.reference in m.body]


def kinds(request: MeetingRequest) -> list[str]:
    sms = request.notifications.filter(channel="sms").order_by("pk")
    assert set(sms.values_list("status", flat=True)) <= {"sent"}, list(sms.values_list("kind", "status", "last_error"))
    return list(sms.values_list("kind", flat=True))


def make_past(appointment: Appointment) -> None:
    """The meeting took place an hour ago."""
    start = timezone.now() - dt.timedelta(hours=1)
    Appointment.objects.filter(pk=appointment.pk).update(start=start, end=start + dt.timedelta(minutes=15))


# --- Every status change tells the citizen, once ------------------------------------


def test_a_request_that_is_booked_moved_and_substituted_tells_the_citizen_each_time(submitted, future_days, city):
    request = submitted.request
    review.review_ask(request=request, department=city["roads"], question="현장 확인 부탁드립니다")
    day = future_days[0]
    booking.slot_book(request=request, slot=day.slots.first())
    meeting_day_move(day=day, new_start=another_working_day(day), reason="시의회 일정")
    booking.citizen_ask_other_day(request=request, meeting_day=future_days[1])
    official, times = first_substitute(request)
    appointment = booking.request_substitute(request=request, official=official, start=times[0], reason="시장 출장")
    make_past(appointment)
    booking.outcome_record(request=request, outcome="held")
    booking.request_close(request=request)

    assert kinds(request) == [
        "submitted",
        "under_review",
        "scheduled",
        "meeting_day_moved",
        "moved_by_citizen",
        "substituted",
        "satisfaction",  # held: the one-minute question; closing is silent
    ]
    bodies = sms_bodies(request)
    assert len(bodies) == 7
    assert submitted.token in bodies[0]
    assert "시의회 일정" in bodies[3]
    assert str(official.name) in bodies[5] and "시장 출장" in bodies[5]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (["extend", "decline"], ["submitted", "extended", "declined"]),
        (["answer"], ["submitted", "answered"]),
        (["book", "citizen_cancel"], ["submitted", "scheduled", "cancelled"]),
        (["book", "cancel_day"], ["submitted", "scheduled", "meeting_day_cancelled"]),
        (["book", "no_show"], ["submitted", "scheduled"]),  # no message to a citizen who did not come
    ],
)
def test_every_other_path_tells_the_citizen_once_per_change(submitted, future_days, steps, expected):
    request = submitted.request
    for step in steps:
        request.refresh_from_db()
        if step == "extend":
            booking.due_date_extend(
                request=request, new_due=request.answer_due_at + dt.timedelta(days=5), reason="현장 조사"
            )
        elif step == "decline":
            booking.request_decline(request=request, reason="소관 기관이 아닙니다")
        elif step == "answer":
            booking.request_answer_in_writing(request=request, answer="서면으로 답변드립니다.")
        elif step == "book":
            booking.slot_book(request=request, slot=future_days[0].slots.first())
        elif step == "citizen_cancel":
            booking.citizen_cancel(request=request)
        elif step == "cancel_day":
            meeting_day_cancel(day=future_days[0], reason="긴급 재난 대응")
        elif step == "no_show":
            make_past(request.active_appointment)
            booking.outcome_record(request=request, outcome="no_show")
    assert kinds(request) == expected
    assert len(sms_bodies(request)) == len(expected)


def test_a_freed_slot_offer_reaches_the_first_in_line(future_days):
    day = future_days[0]
    booked = []
    for slot in day.slots.all():
        booked.append(submit([day]).request)
        booking.slot_book(request=booked[-1], slot=slot)
    waiting = submit([day]).request
    booking.citizen_cancel(request=booked[0])
    assert kinds(waiting) == ["submitted", "waitlist_offer"]
    entry = waiting.waitlist_entries.get()
    assert format_when(entry.offer_expires_at) in sms_bodies(waiting)[-1]


def test_a_citizen_with_an_email_address_gets_the_email_too(future_days):
    request = submit(future_days[:1], email="hong@example.kr").request
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["hong@example.kr"]
    assert email.subject == f"[{django_settings.CITY_NAME}] 통통데이 {request.reference}"
    assert "/meetings/status/" in email.body
    assert django_settings.CITY_PHONE in email.body  # whom to call: the address takes no replies
    assert len(sms_bodies(request)) == 1
    without = submit(future_days[:1]).request
    assert len(mail.outbox) == 1
    assert without.notifications.count() == 1


def test_the_private_link_leaves_in_the_sms_but_is_not_kept_in_the_outbox(submitted):
    notification = submitted.request.notifications.get()
    assert submitted.token in outbox[0].body
    assert submitted.token not in notification.body  # the token is stored hashed, and only hashed
    assert "/meetings/status/…" in notification.body


# --- The texts -----------------------------------------------------------------------


def rendered_messages(request: MeetingRequest, appointment: Appointment) -> dict[str, str]:
    context = {
        "submitted": {"link": status_url("x" * 32)},
        "satisfaction": {"link": feedback_url(request)},
        "substituted": {"reason": "시장 해외 출장"},
        "declined": {"reason": "소관 기관이 아닙니다", "remedy": notifications.decline_remedy_short()},
        "extended": {"reason": "현장 조사", "when": format_when(request.answer_due_at + dt.timedelta(days=5))},
        "meeting_day_moved": {"reason": "시의회 일정"},
        "meeting_day_cancelled": {"reason": "긴급 재난 대응"},
        "waitlist_offer": {
            "when": format_when(appointment.start),
            "deadline": format_when(appointment.start - dt.timedelta(days=2)),
        },
    }
    with translation.override("ko"):
        return {kind: render(kind, request, **context.get(kind, {})) for kind in MESSAGES}


def test_every_message_is_korean_names_the_request_and_fits(submitted, future_days):
    request = submitted.request
    appointment = booking.slot_book(request=request, slot=future_days[0].slots.first())
    messages = rendered_messages(request, appointment)
    for kind, body in messages.items():
        assert body.startswith(f"[{django_settings.CITY_NAME}] "), kind
        assert request.reference in body, kind
        assert re.search("[가-힣]", body), f"{kind} has no Korean translation: {body}"
        words = re.sub(r"https?://\S+", "", body)
        assert not re.search("[A-Za-z]{3,}", words), f"{kind} is partly untranslated: {body}"
        assert SMSMessage(to="", body=body).kind in {"SMS", "LMS"}
        assert len(body.encode("euc-kr")) <= LMS_MAX_BYTES, kind
    # The confirmation carries the private link: an LMS, whole.
    assert "/meetings/status/" + "x" * 32 in messages["submitted"]
    assert SMSMessage(to="", body=messages["submitted"]).kind == "LMS"
    # The messages with nothing long in them fit one 90-byte SMS.
    for kind in ("under_review", "answered", "cancelled", "reminder", "moved_by_citizen"):
        assert SMSMessage(to="", body=messages[kind]).kind == "SMS", (kind, messages[kind])
    # A refusal states its remedy (민원처리법 제27조): one sentence more, still short.
    assert len(messages["declined"].encode("euc-kr")) <= 200, messages["declined"]
    assert format_when(appointment.start) in messages["reminder"]
    assert appointment.location in messages["reminder"]
    assert str(appointment.official) in messages["scheduled"]


def test_messages_read_naturally_without_particle_guesses(submitted, future_days, city):
    """Korean particles depend on the word before them; "이(가)" or "(으)로"
    after a name or a time reads like a form letter. The texts are built so
    that no particle follows a filled-in value."""
    request = submitted.request
    appointment = booking.slot_book(request=request, slot=future_days[0].slots.first())
    for kind, body in rendered_messages(request, appointment).items():
        assert not re.search(r"\((으|이|가|을|를|은|는|와|과)\)|(이|을|은|와)\((가|를|는|과)\)", body), (kind, body)


def test_a_refusal_tells_the_citizen_how_to_object(future_days):
    """민원처리법 제27조: the reason and the remedy. The text message says it
    in one sentence; the e-mail lists every way (objection within 90 days,
    국민신문고, an administrative appeal)."""
    request = submit(future_days[:1], email="hong@example.kr").request
    booking.request_decline(request=request, reason="소관 기관이 아닙니다")
    sms = request.notifications.filter(kind="declined", channel="sms").get().body
    assert "사유: 소관 기관이 아닙니다" in sms
    assert "90일 안에 다시 검토를 요청" in sms and "국민신문고" in sms and django_settings.CITY_PHONE in sms
    assert "행정심판" not in sms, "the SMS stays short"
    email = request.notifications.filter(kind="declined", channel="email").get().body
    assert "사유: 소관 기관이 아닙니다" in email
    assert "90일 안에 다시 검토를 요청하시거나" not in email, "the e-mail gives the full list instead"
    ways = ["다시 검토 요청(이의신청)", "10일 안에 결과를", "www.epeople.go.kr", "110", "행정심판", "www.simpan.go.kr"]
    for words in ways:
        assert words in email, words


def test_values_are_inserted_as_they_are(submitted):
    with translation.override("ko"):
        body = render("declined", submitted.request, reason="{link} 중복\n신청입니다")
    assert "{link} 중복 신청입니다" in body


# --- Once, even if a task runs twice -----------------------------------------------


def test_a_task_that_runs_again_does_not_send_again(submitted):
    notification = submitted.request.notifications.get()
    assert notification.status == "sent" and notification.attempts == 1
    redelivered = send_outbox_message.apply(args=("meetings.Notification", notification.pk))  # a worker died
    assert redelivered.get() is False
    assert flush_outbox.apply().get() == 0
    assert len(outbox) == 1


class DyingGateway(BaseSMSBackend):
    """The worker is killed while the gateway call is in flight."""

    def send(self, message):
        raise SystemExit("SIGKILL")


def test_a_message_a_dead_worker_left_sending_waits_for_an_operator(future_days, settings, monkeypatch):
    with monkeypatch.context() as broker_down:
        broker_down.setattr(notifications, "enqueue", lambda ids: None)
        request = submit(future_days[:1]).request
    notification = request.notifications.get()
    settings.SMS_BACKEND = "tests.meetings.test_notifications.DyingGateway"
    with pytest.raises(SystemExit):
        outbox_machinery.send(Notification, notification.pk)
    notification.refresh_from_db()
    assert notification.status == "sending" and notification.attempts == 1

    settings.SMS_BACKEND = "locmem"
    assert outbox_machinery.send(Notification, notification.pk) is False  # the task runs again: nothing sent
    later = timezone.now() + dt.timedelta(minutes=15)
    assert outbox_machinery.pending_ids(Notification, now=later) == []  # nor by the flush
    assert list(outbox_machinery.stuck(Notification, now=later)) == [notification]  # the admin shows it
    assert outbox == []

    # The operator finds nothing in the gateway's log and sends it again.
    assert outbox_machinery.requeue(Notification, ids=[notification.pk]) == 1
    notification.refresh_from_db()
    assert notification.status == "sent"
    assert len(outbox) == 1
    assert outbox_machinery.requeue(Notification, ids=[notification.pk]) == 0  # sent is sent


def test_an_operator_can_record_that_a_stuck_message_did_go_out(submitted):
    notification = submitted.request.notifications.get()
    Notification.objects.filter(pk=notification.pk).update(status="sending")
    assert outbox_machinery.mark_sent(Notification, ids=[notification.pk]) == 1
    notification.refresh_from_db()
    assert notification.status == "sent" and "marked sent" in notification.last_error
    assert len(outbox) == 1


# --- Failures are retried, a bounded number of times ----------------------------------


class BrokenGateway(BaseSMSBackend):
    calls = 0

    def send(self, message):
        type(self).calls += 1
        raise SMSError("gateway answered 503")


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def retry_until_settled(notification: Notification) -> int:
    """Run the flush as beat would, each time after the back-off; return
    how many flushes handed it on."""
    runs = 0
    for _ in range(outbox_machinery.MAX_ATTEMPTS * 3):
        notification.refresh_from_db()
        if notification.status != "pending":
            break
        delay = outbox_machinery.RETRY_DELAYS[min(notification.attempts, len(outbox_machinery.RETRY_DELAYS)) - 1]
        assert outbox_machinery.pending_ids(Notification, now=timezone.now() + dt.timedelta(seconds=delay - 5)) == []
        assert outbox_machinery.flush_model(Notification, now=timezone.now() + dt.timedelta(seconds=delay + 1)) == 1
        runs += 1
    return runs


def test_a_gateway_that_keeps_failing_ends_failed_after_the_bounded_attempts(future_days, settings):
    BrokenGateway.calls = 0
    settings.SMS_BACKEND = "tests.meetings.test_notifications.BrokenGateway"
    request = submit(future_days[:1]).request  # saved, whatever the gateway does
    notification = request.notifications.get()
    assert notification.status == "pending" and notification.attempts == 1
    assert "503" in notification.last_error

    assert retry_until_settled(notification) == outbox_machinery.MAX_ATTEMPTS - 1
    notification.refresh_from_db()
    assert notification.status == "failed"
    assert notification.attempts == outbox_machinery.MAX_ATTEMPTS == BrokenGateway.calls
    assert outbox_machinery.pending_ids(Notification, now=timezone.now() + dt.timedelta(days=1)) == []


def test_a_gateway_that_recovers_sends_the_message_once(future_days, settings):
    settings.SMS_BACKEND = "tests.meetings.test_notifications.BrokenGateway"
    notification = submit(future_days[:1]).request.notifications.get()
    settings.SMS_BACKEND = "locmem"
    after_backoff = timezone.now() + dt.timedelta(seconds=outbox_machinery.RETRY_DELAYS[0] + 1)
    assert outbox_machinery.flush_model(Notification, now=after_backoff) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 2, "")
    assert len(outbox) == 1


def test_a_mail_server_that_is_down_delays_only_the_email(future_days, settings):
    settings.EMAIL_BACKEND = "tests.meetings.test_notifications.BrokenMailServer"
    request = submit(future_days[:1], email="hong@example.kr").request
    assert dict(request.notifications.values_list("channel", "status")) == {"sms": "sent", "email": "pending"}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outbox_machinery.flush_model(Notification, now=timezone.now() + dt.timedelta(minutes=5))
    assert dict(request.notifications.values_list("channel", "status")) == {"sms": "sent", "email": "sent"}
    assert len(mail.outbox) == 1 and len(outbox) == 1


# --- The broker is down -----------------------------------------------------------------


def test_with_the_broker_down_requests_are_saved_and_the_flush_sends_them_later(future_days, monkeypatch):
    celery_app.conf.task_always_eager = False
    tries = []

    def dead_broker(*args, **kwargs):
        tries.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    with monkeypatch.context() as broker_down:
        broker_down.setattr(send_outbox_message, "apply_async", dead_broker)
        first = submit(future_days[:1]).request
        second = submit(future_days[:1]).request
    assert MeetingRequest.objects.count() == 2
    assert Notification.objects.filter(status="pending").count() == 2
    assert len(tries) == 1  # the second request did not wait for the dead broker again

    celery_app.conf.task_always_eager = True
    assert outbox_machinery.pending_ids(Notification) == []  # too fresh: their own tasks may still be on the way
    assert flush_outbox.apply().get() == 0
    assert outbox_machinery.flush_model(Notification, now=timezone.now() + dt.timedelta(minutes=1)) == 2
    assert outbox_machinery.flush_model(Notification, now=timezone.now() + dt.timedelta(minutes=2)) == 0
    assert len(sms_bodies(first)) == 1 and len(sms_bodies(second)) == 1


@pytest.mark.django_db(transaction=True)
def test_messages_are_written_with_the_change_and_handed_on_after_the_commit(future_days, monkeypatch):
    handed = []
    with monkeypatch.context() as spy:
        spy.setattr(notifications, "enqueue", lambda ids: handed.append(list(ids)))
        with transaction.atomic():
            request = submit(future_days[:1]).request
            pending = list(request.notifications.filter(status="pending").values_list("pk", flat=True))
            assert len(pending) == 1
            assert handed == []  # nothing leaves before the commit
        assert handed == [pending]

        with pytest.raises(RuntimeError), transaction.atomic():
            submit(future_days[:1])
            raise RuntimeError("the change fails after the message was written")
        assert handed == [pending]  # a rolled-back change sends nothing
        assert MeetingRequest.objects.count() == 1 and Notification.objects.count() == 1

    request = submit(future_days[:1]).request
    assert request.notifications.get().status == "sent"  # with a real commit, end to end


# --- Reminders -----------------------------------------------------------------------


def test_the_day_before_reminder_goes_once_per_appointment_version(submitted, future_days):
    request = submitted.request
    day = future_days[0]
    appointment = booking.slot_book(request=request, slot=day.slots.first())
    eve = timezone.localtime(appointment.start) - dt.timedelta(days=1)
    assert booking.reminders_due(now=eve - dt.timedelta(days=1)) == 0  # two days before: not yet
    assert booking.reminders_due(now=eve) == 1
    assert booking.reminders_due(now=eve + dt.timedelta(hours=1)) == 0  # the next hourly run
    assert booking.reminders_due(now=eve) == 0  # a second beat at the same time

    meeting_day_move(day=day, new_start=another_working_day(day), reason="시의회 일정")
    appointment.refresh_from_db()
    assert booking.reminders_due(now=timezone.localtime(appointment.start) - dt.timedelta(days=1)) == 1

    reminders = [body for body in sms_bodies(request) if "내일" in body]
    assert len(reminders) == 2
    assert format_when(appointment.start) in reminders[-1]
    assert Notification.objects.filter(kind="reminder", status="sent").count() == 2


def test_a_reminder_that_could_not_leave_on_its_day_is_dropped(submitted, future_days, monkeypatch):
    appointment = booking.slot_book(request=submitted.request, slot=future_days[0].slots.first())
    monkeypatch.setattr(notifications, "enqueue", lambda ids: None)  # the broker is down all day
    booking.reminders_due(now=timezone.localtime(appointment.start) - dt.timedelta(days=1))
    reminder = Notification.objects.get(kind="reminder")
    Notification.objects.filter(pk=reminder.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    assert outbox_machinery.send(Notification, reminder.pk) is False
    reminder.refresh_from_db()
    assert reminder.status == "failed" and "expired" in reminder.last_error
    assert not [body for body in sms_bodies(submitted.request) if "내일" in body]


def test_the_beat_schedule_names_tasks_that_exist():
    celery_app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    for entry in django_settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in celery_app.tasks, entry
    assert send_reminders.apply().get() == 0


# --- On PostgreSQL: two processes at once -----------------------------------------------


def at_once(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work()
        except Exception as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


@pytest.fixture
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL's row locks (set DATABASE_URL)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_postgresql_only")
def test_two_beats_at_once_send_one_reminder(submitted, future_days):
    appointment = booking.slot_book(request=submitted.request, slot=future_days[0].slots.first())
    eve = timezone.localtime(appointment.start) - dt.timedelta(days=1)
    results = at_once(2, lambda: booking.reminders_due(now=eve))
    assert sorted(results) == [0, 1]
    assert Notification.objects.filter(kind="reminder").count() == 1
    assert len([m for m in outbox if "내일" in m.body]) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_postgresql_only")
def test_ten_workers_given_one_message_send_it_once(future_days, monkeypatch):
    monkeypatch.setattr(notifications, "enqueue", lambda ids: None)
    notification = submit(future_days[:1]).request.notifications.get()
    results = at_once(10, lambda: outbox_machinery.send(Notification, notification.pk))
    assert sorted(results) == [False] * 9 + [True]
    assert len(outbox) == 1
