"""The one outbox (scheduling/outbox.py) with both of its tables: the
meetings app's ``Notification`` and the visits app's
``SuggestionNotification``. A message is written with the change, sent
after the commit at most once, left pending while the broker is down and
sent by the flush later, and retried a bounded number of times.

Tasks run in-process here; tests/meetings/test_outages.py and
tests/visits/cards/test_notifications.py run the same code against a real
worker and a dead broker (PostgreSQL and Redis).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from meetings.models import Notification
from scheduling import outbox
from scheduling.sms import BaseSMSBackend, SMSError
from scheduling.sms import outbox as sms_sent
from scheduling.tasks import flush_outbox, send_outbox_message
from visits.models import SuggestionNotification

pytestmark = pytest.mark.django_db

BOTH = pytest.mark.parametrize("model", [Notification, SuggestionNotification], ids=["meetings", "visits"])


@pytest.fixture(autouse=True)
def _fresh_broker_memory():
    outbox.broker_state_reset()
    yield
    outbox.broker_state_reset()


def put(model, body="[통통시] 안내 문자입니다.", *, channel="sms", key=None, **fields):
    return outbox.write(
        model,
        [
            {
                "dedupe_key": key or uuid.uuid4().hex,
                "kind": "test",
                "channel": channel,
                "recipient": "010-1234-5678" if channel == "sms" else "hong@example.kr",
                "subject": "[통통시] 안내",
                "body": body,
                **fields,
            }
        ],
    )


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_every_outbox_table_is_registered():
    assert {Notification, SuggestionNotification} <= set(outbox.outbox_models())
    assert outbox.model_for("visits.SuggestionNotification") is SuggestionNotification
    with pytest.raises(LookupError):
        outbox.model_for("visits.Suggestion")  # a task cannot be pointed at another table


@BOTH
def test_a_message_is_sent_once_even_if_its_task_and_the_flush_run_again(model):
    (row,) = put(model)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert send_outbox_message.apply(args=(model._meta.label, row.pk)).get() is False
    assert outbox.flush(now=later(3600)) == 0
    assert len(sms_sent) == 1


@BOTH
def test_the_same_key_writes_one_message(model):
    assert len(put(model, key="once")) == 1
    assert put(model, key="once") == []
    assert model.objects.count() == 1 and len(sms_sent) == 1


@BOTH
def test_an_email_goes_through_the_mail_server(model):
    put(model, "안내 메일입니다.", channel="email")
    assert [m.to for m in mail.outbox] == [["hong@example.kr"]]
    assert mail.outbox[0].subject == "[통통시] 안내"


def test_with_the_broker_down_both_tables_wait_and_one_flush_sends_them(monkeypatch):
    celery_app.conf.task_always_eager = False
    tries = []

    def dead_broker(*args, **kwargs):
        tries.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    with monkeypatch.context() as broker_down:
        broker_down.setattr(send_outbox_message, "apply_async", dead_broker)
        put(Notification)
        put(SuggestionNotification)
    assert len(tries) == 1  # the second change did not wait for the dead broker again
    assert Notification.objects.get().status == SuggestionNotification.objects.get().status == "pending"
    assert sms_sent == []

    celery_app.conf.task_always_eager = True  # the broker is back
    assert flush_outbox.apply().get() == 0  # too fresh: their own tasks may still be on the way
    assert outbox.flush(now=later(60)) == 2
    assert outbox.flush(now=later(120)) == 0
    assert Notification.objects.get().status == SuggestionNotification.objects.get().status == "sent"
    assert len(sms_sent) == 2


class BrokenGateway(BaseSMSBackend):
    calls = 0

    def send(self, message):
        type(self).calls += 1
        raise SMSError("gateway answered 503")


@BOTH
def test_a_gateway_that_keeps_failing_is_tried_a_bounded_number_of_times(model, settings):
    BrokenGateway.calls = 0
    settings.SMS_BACKEND = "tests.scheduling.test_outbox.BrokenGateway"
    (row,) = put(model)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1) and "503" in row.last_error
    for delay in outbox.RETRY_DELAYS:  # each attempt is claimed now; the next waits its back-off
        assert outbox.pending_ids(model, now=later(delay - 5)) == []
        assert outbox.flush_model(model, now=later(delay + 1)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", outbox.MAX_ATTEMPTS) == ("failed", BrokenGateway.calls)
    assert outbox.flush(now=later(86400)) == 0


@BOTH
def test_an_operator_sends_a_failed_message_again(model, settings):
    settings.SMS_BACKEND = "tests.scheduling.test_outbox.BrokenGateway"
    (row,) = put(model)
    model.objects.filter(pk=row.pk).update(status="failed")
    settings.SMS_BACKEND = "locmem"
    assert outbox.requeue(model, ids=[row.pk]) == 1
    row.refresh_from_db()
    assert row.status == "sent" and len(sms_sent) == 1
    assert outbox.requeue(model, ids=[row.pk]) == 0


def test_private_links_are_sent_whole_and_kept_without_their_secret():
    put(SuggestionNotification, "[통통시] 해결되었나요? https://x.kr/neighborhoods/answer/SECRET-TOKEN/")
    put(Notification, "[통통시] 신청 확인: https://x.kr/meetings/status/SECRET-STATUS/")
    assert all("SECRET" in m.body for m in sms_sent)
    assert SuggestionNotification.objects.get().body.endswith("/neighborhoods/answer/…/")
    assert Notification.objects.get().body.endswith("/meetings/status/…/")
