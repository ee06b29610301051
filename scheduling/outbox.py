"""The outbox every message (SMS, e-mail) goes through, for every app.

A concrete outbox model subclasses ``scheduling.models.OutboxMessage``
(``meetings.Notification``, ``visits.SuggestionNotification``); the
functions here take the model (or its label) and work the same for all.

1. ``write`` puts messages as rows inside the caller's transaction, so a
   change and its message commit together or not at all; a message whose
   ``dedupe_key`` exists already is not written again.
2. Once the transaction commits, ``enqueue`` hands the row ids to celery
   (the task ``scheduling.send_outbox_message``). It never fails the caller
   and never waits long for a dead broker: the rows simply stay pending.
3. ``send`` claims a row by a conditional update (pending → sending) and
   sends it. A second run of the same task, a redelivered message or a second
   worker finds nothing to claim, so a message goes out at most once.
4. ``flush`` (the task ``scheduling.flush_outbox``, celery beat every minute)
   hands celery whatever is pending in every outbox model: rows written while
   the broker was down, and failed attempts whose back-off has passed. After
   ``MAX_ATTEMPTS`` a row is marked failed; attempts are counted on the row,
   so retries stay bounded across worker deaths and re-enqueues.

A worker that dies after the claim leaves its row "sending": it is never sent
again automatically (the SMS may have left the gateway). ``stuck`` lists such
rows for an operator, who checks the gateway's log and then calls
``mark_sent`` or ``requeue`` (see docs/notifications.md).

``scheduling`` imports neither app: the outbox models are found through the
app registry (every installed model that subclasses ``OutboxMessage``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable

from django.apps import apps
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from scheduling.models import OutboxMessage
from scheduling.people import staff_label

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
Channel = OutboxMessage.Channel

#: Attempts per message, counted on the row (a worker that dies mid-send
#: counts too); then it is marked failed.
MAX_ATTEMPTS = 5
#: Seconds after a failed attempt before the flush tries again: after the
#: first failure 1 minute, then 2, 5, 10 (then the fifth attempt is the last).
RETRY_DELAYS = (60, 120, 300, 600)
#: A fresh row is left to its own on-commit task for this long before the
#: flush sends it too (the claim would make a double send harmless; this
#: only spares the queue a duplicate message).
FLUSH_GRACE_SECONDS = 30
#: The most rows one flush hands to celery, per outbox model.
FLUSH_BATCH = 500
#: A row "sending" for longer than this was abandoned by a dead worker.
STUCK_AFTER = dt.timedelta(minutes=10)

#: Publishing to the broker: one quick reconnection (for a pooled connection
#: that a Redis restart broke), no 2-second pauses. With the broker down the
#: caller gets an error within milliseconds (refused) or two connect timeouts.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
#: After a failed publish this process leaves new messages to the flush for a
#: while instead of trying the dead broker on every request.
BROKER_RETRY_AFTER_SECONDS = 30
_broker_down_until = 0.0


def broker_state_reset() -> None:
    """Forget that the broker was down (tests start each case afresh)."""
    global _broker_down_until
    _broker_down_until = 0.0


# --- The registry ----------------------------------------------------------------------


def outbox_models() -> list[type[OutboxMessage]]:
    """Every concrete outbox model of the installed apps."""
    return [model for model in apps.get_models() if issubclass(model, OutboxMessage)]


def model_for(label: str) -> type[OutboxMessage]:
    """The outbox model ``label`` ("meetings.Notification"); LookupError for
    anything else (a task must not be turned on another table)."""
    model = apps.get_model(label)
    if not issubclass(model, OutboxMessage):
        raise LookupError(f"{label} is not an outbox model")
    return model


def _label(model: type[OutboxMessage]) -> str:
    return model._meta.label


# --- Writing ---------------------------------------------------------------------------


def write(
    model: type[OutboxMessage],
    messages: Iterable[dict],
    *,
    on_commit: Callable[[list[int]], None] | None = None,
) -> list[OutboxMessage]:
    """Write ``messages`` (dicts of the model's fields, each with a
    ``dedupe_key``) as pending rows in the caller's transaction and hand the
    new ones to celery after the commit (``on_commit(ids)``, by default
    ``enqueue(model, ids)``). A message whose key exists is skipped, even
    from two processes at once (the key is unique in the database). Returns
    the rows written now."""
    created = []
    for message in messages:
        values = dict(message)
        key = values.pop("dedupe_key")
        row, was_created = model.objects.get_or_create(dedupe_key=key, defaults=values)
        if was_created:
            created.append(row)
    ids = [row.pk for row in created]
    if ids:
        hand_on = on_commit or (lambda pks: enqueue(model, pks))
        transaction.on_commit(lambda: hand_on(ids))
    return created


# --- Handing on to celery ----------------------------------------------------------------


def enqueue(model: type[OutboxMessage], ids: list[int]) -> None:
    """Hand rows to celery (called after the commit). Never raises and never
    waits long: with the broker down the rows stay pending and the flush
    sends them when it is back."""
    global _broker_down_until
    from scheduling.tasks import send_outbox_message

    if not ids:
        return
    label = _label(model)
    eager = send_outbox_message.app.conf.task_always_eager
    if not eager and time.monotonic() < _broker_down_until:
        logger.warning("broker down; %s %s stay pending for the flush", label, ids)
        return
    for pk in ids:
        try:
            send_outbox_message.apply_async((label, pk), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except Exception as error:  # kombu and redis raise many kinds; none may fail the caller
            if eager:  # the task itself failed in-process; its row says why
                logger.exception("%s %s failed", label, pk)
                continue
            _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
            logger.warning("broker unavailable (%s); %s %s stay pending for the flush", error, label, ids)
            return


# --- Sending -------------------------------------------------------------------------------


def _deliver(message: OutboxMessage) -> tuple[str, str]:
    """Send one message through its channel; return the gateway's id and
    the channel it went by (``OutboxMessage.Via``: an 알림톡 when the row has
    a template and the backend sends 알림톡, else SMS/LMS or e-mail)."""
    from django.core.mail import send_mail

    from scheduling import alimtalk_templates
    from scheduling.sms import SendResult, SMSMessage, send_sms

    if message.channel == Channel.SMS:
        alimtalk = {"reference": f"{_label(type(message))}:{message.pk}"}
        template = alimtalk_templates.by_code(message.template_code) if message.template_code else None
        if template is not None:
            alimtalk.update(
                template_code=template.code,
                variables=dict(message.variables),
                buttons=template.render_buttons(message.variables),
            )
        result = send_sms(message.recipient, message.body, **alimtalk)
        if isinstance(result, SendResult):
            return result.id, result.via
        return result or "", SMSMessage(to=message.recipient, body=message.body).kind.lower()
    send_mail(message.subject, message.body, None, [message.recipient])
    return "", OutboxMessage.Via.EMAIL


def send(model: type[OutboxMessage], pk: int) -> bool:
    """Send one pending row, at most once. Returns True when this call sent
    it.

    The row is claimed by a conditional update (pending → sending, attempts
    + 1); a second run of the same task, or a second worker, finds nothing
    to claim. A failure puts the row back to pending for the flush (or marks
    it failed after ``MAX_ATTEMPTS``) and is not raised for a gateway or
    network error: the outbox, not celery, retries. A worker that dies after
    the claim leaves the row "sending" for an operator: sending it again
    could give the citizen the same SMS twice.
    """
    from scheduling.sms import SMSError, SMSOutcomeUnknown

    label = _label(model)
    now = timezone.now()
    claimed = model.objects.filter(pk=pk, status=Status.PENDING).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        row = model.objects.filter(pk=pk).values("status", "claimed_at").first()
        if row and row["status"] == Status.SENDING and row["claimed_at"] < now - dt.timedelta(seconds=60):
            logger.warning(
                "%s %s has been sending since %s (a worker died?); not sent again, see the admin",
                label,
                pk,
                row["claimed_at"],
            )
        return False
    message = model.objects.get(pk=pk)
    kind = getattr(message, "kind", "")
    if kind in model.SAME_DAY_ONLY_KINDS and timezone.localdate(now) != timezone.localdate(message.created_at):
        model.objects.filter(pk=pk).update(status=Status.FAILED, last_error="expired: its day has passed")
        logger.warning("%s %s (%s) expired before it could be sent", label, pk, kind)
        return False
    if model.SEND_WITHIN is not None and now - message.created_at > model.SEND_WITHIN:
        model.objects.filter(pk=pk).update(status=Status.FAILED, last_error="expired: too late to be of use")
        logger.warning("%s %s (%s) expired before it could be sent", label, pk, kind)
        return False
    try:
        gateway_id, via = _deliver(message)
    except SMSOutcomeUnknown as error:
        # The provider may have taken it: never sent again by itself. Its
        # delivery report (matched by the row's reference) or an operator
        # settles the row, which stays "sending" meanwhile.
        model.objects.filter(pk=pk).update(last_error=f"outcome unknown: {error}"[:500])
        logger.error("%s %s: the provider's answer was lost (%s); not sent again, see the admin", label, pk, error)
        return False
    except Exception as error:
        failed = message.attempts >= MAX_ATTEMPTS
        model.objects.filter(pk=pk).update(
            status=Status.FAILED if failed else Status.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        logger.log(
            logging.ERROR if failed else logging.WARNING,
            "%s %s attempt %s/%s failed%s: %s",
            label,
            pk,
            message.attempts,
            MAX_ATTEMPTS,
            "; giving up" if failed else "; the flush retries it",
            error,
        )
        if isinstance(error, SMSError | OSError):  # the gateway or the network (SMTP errors are OSErrors)
            return False
        raise  # a bug: let the worker log show it
    model.objects.filter(pk=pk).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        gateway_id=str(gateway_id)[:100],
        via=via,
        last_error="",
        body=model.redact(message.body),
        variables=model.redact_variables(message.variables),
    )
    return True


# --- The flush ------------------------------------------------------------------------------


def pending_ids(
    model: type[OutboxMessage], *, older_than_seconds: int = FLUSH_GRACE_SECONDS, now: dt.datetime | None = None
) -> list[int]:
    """What the flush hands to celery: pending rows older than the grace
    period whose back-off after their last failed attempt has passed."""
    now = now or timezone.now()
    due = Q(attempts=0) | Q(claimed_at__isnull=True)
    for attempt, delay in enumerate(RETRY_DELAYS, start=1):
        due |= Q(attempts=attempt, claimed_at__lte=now - dt.timedelta(seconds=delay))
    due |= Q(attempts__gt=len(RETRY_DELAYS), claimed_at__lte=now - dt.timedelta(seconds=RETRY_DELAYS[-1]))
    return list(
        model.objects.filter(status=Status.PENDING, created_at__lte=now - dt.timedelta(seconds=older_than_seconds))
        .filter(due)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:FLUSH_BATCH]
    )


def stuck(model: type[OutboxMessage], *, now: dt.datetime | None = None) -> QuerySet:
    """Rows a dead worker left "sending": an operator decides (see
    ``mark_sent`` and ``requeue``)."""
    now = now or timezone.now()
    return model.objects.filter(status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER).order_by("claimed_at")


def flush_model(
    model: type[OutboxMessage],
    *,
    now: dt.datetime | None = None,
    hand_on: Callable[[list[int]], None] | None = None,
) -> int:
    """Hand celery whatever of ``model`` is pending and due, and report rows
    stuck in "sending". Returns how many were handed on."""
    ids = pending_ids(model, now=now)
    (hand_on or (lambda pks: enqueue(model, pks)))(ids)
    count = stuck(model, now=now).count()
    if count:
        logger.error("%s %s row(s) stuck in 'sending'; an operator must check them in the admin", count, _label(model))
    return len(ids)


def flush(*, now: dt.datetime | None = None) -> int:
    """Celery beat, every minute: ``flush_model`` for every outbox model.
    Returns how many rows were handed on in all."""
    return sum(flush_model(model, now=now) for model in outbox_models())


# --- An operator's actions ---------------------------------------------------------------


def _operator_note(actor, action: str) -> str:
    who = (staff_label(actor) if actor is not None else "") or "system"
    return f"{action} by {who} at {timezone.localtime():%Y-%m-%d %H:%M}"[:500]


def requeue(model: type[OutboxMessage], *, ids: list[int], actor=None) -> int:
    """An operator sends stuck ("sending") or failed rows again, after
    checking the gateway's log that they did not go out (or fixing the
    gateway). Their attempts start again from zero. Returns how many."""
    with transaction.atomic():
        rows = list(
            model.objects.select_for_update()
            .filter(pk__in=ids, status__in=[Status.SENDING, Status.FAILED])
            .values_list("pk", flat=True)
        )
        model.objects.filter(pk__in=rows).update(
            status=Status.PENDING, attempts=0, claimed_at=None, last_error=_operator_note(actor, "requeued")
        )
        if rows:
            transaction.on_commit(lambda: enqueue(model, rows))
    return len(rows)


def mark_sent(model: type[OutboxMessage], *, ids: list[int], actor=None) -> int:
    """An operator records that stuck ("sending") rows did go out (the
    gateway's log shows them). Returns how many."""
    marked = 0
    note = _operator_note(actor, "marked sent")
    rows = model.objects.filter(pk__in=ids, status=Status.SENDING).values_list("pk", "body", "variables")
    for pk, body, variables in rows:
        marked += model.objects.filter(pk=pk, status=Status.SENDING).update(
            status=Status.SENT,
            sent_at=timezone.now(),
            last_error=note,
            body=model.redact(body),
            variables=model.redact_variables(variables),
        )
    return marked
