"""The outbox every message to a citizen goes through.

1. ``notify`` writes the message as ``Notification`` rows (one per channel:
   SMS, and e-mail if the citizen gave an address) inside the caller's
   transaction, so a change and its message commit together or not at all.
2. Once the transaction commits, ``enqueue`` hands the row ids to celery.
   It never fails the caller and never waits long for a dead broker: the
   rows simply stay pending.
3. ``notification_send`` (the task ``meetings.send_notification``) claims a
   row by a conditional update (pending → sending) and sends it. A second
   run of the same task, a redelivered message or a second worker finds
   nothing to claim, so a message goes out at most once.
4. ``notifications_flush`` (the task ``meetings.flush_notifications``, celery
   beat every minute) hands celery whatever is pending: rows written while
   the broker was down, and failed attempts whose back-off has passed. After
   ``MAX_ATTEMPTS`` a row is marked failed; retries are counted on the row,
   so they stay bounded across worker deaths and re-enqueues.

A worker that dies after the claim leaves its row "sending": it is never sent
again automatically (the SMS may have left the gateway). ``notifications_stuck``
lists such rows for an operator, who checks the gateway's log and then calls
``notifications_mark_sent`` or ``notifications_requeue`` (see
docs/notifications.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.models import MeetingRequest, Notification
from scheduling.dates import korean_datetime

logger = logging.getLogger(__name__)

Status = Notification.Status

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
#: The most rows one flush hands to celery.
FLUSH_BATCH = 500
#: A row "sending" for longer than this was abandoned by a dead worker.
STUCK_AFTER = dt.timedelta(minutes=10)
#: Messages that are wrong once late: a reminder says "tomorrow", so one that
#: could not leave on the day it was written is dropped (marked failed).
SAME_DAY_ONLY = {"reminder"}

#: Publishing to the broker: one quick reconnection (for a pooled connection
#: that a Redis restart broke), no 2-second pauses. With the broker down the
#: caller gets an error within milliseconds (refused) or two connect timeouts.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
#: After a failed publish this process leaves new messages to the flush for a
#: while instead of trying the dead broker on every request.
BROKER_RETRY_AFTER_SECONDS = 30
_broker_down_until = 0.0

#: What each kind of message says. ``{city}``, ``{reference}``, ``{subject}``
#: and ``{when}`` / ``{who}`` / ``{where}`` / ``{reason}`` / ``{link}`` /
#: ``{deadline}`` are filled in. Sent in Korean; 90 bytes go as an SMS, longer
#: as an LMS (scheduling.sms). The confirmation carries the private status
#: link (an LMS); the others are short and point to "the link you received".
MESSAGES = {
    "submitted": gettext_lazy("[{city}] Your meeting request {reference} was received. Follow it here: {link}"),
    "under_review": gettext_lazy("[{city}] Your meeting request {reference} is being reviewed."),
    "scheduled": gettext_lazy(
        "[{city}] Meeting {reference}: {when}, {where}, with {who}. To cancel or move it, use the link you received."
    ),
    "substituted": gettext_lazy(
        "[{city}] Meeting {reference}: {when}, {where}, with {who} on behalf of the mayor. Reason: {reason}"
    ),
    "answered": gettext_lazy("[{city}] Your request {reference} was answered in writing. See the link you received."),
    "declined": gettext_lazy("[{city}] Your request {reference} could not be accepted. Reason: {reason}"),
    "extended": gettext_lazy("[{city}] The answer to {reference} is extended to {when}. Reason: {reason}"),
    "cancelled": gettext_lazy("[{city}] Your meeting {reference} is cancelled."),
    "meeting_day_moved": gettext_lazy(
        "[{city}] The meeting day of {reference} moved to {when}. Reason: {reason}. "
        "If that does not suit you, ask for another day with your link."
    ),
    "meeting_day_cancelled": gettext_lazy(
        "[{city}] The meeting day of {reference} is cancelled. Reason: {reason}. "
        "Your request stays open: choose another day with your link."
    ),
    "waitlist_offer": gettext_lazy(
        "[{city}] A slot is free for {reference}: {when}. Confirm it with your link before {deadline}."
    ),
    "reminder": gettext_lazy("[{city}] Reminder: meeting {reference} tomorrow, {when}, {where}."),
    "satisfaction": gettext_lazy("[{city}] How was your meeting ({reference})? Tell us in one minute: {link}"),
    "moved_by_citizen": gettext_lazy("[{city}] Your request {reference} asks for another day; we will confirm it."),
}


#: The private links some messages carry. Once sent, the stored copy keeps
#: only their path: the status token is stored hashed everywhere else.
_PRIVATE_LINK = re.compile(r"(/meetings/(?:status|feedback)/)[^/\s]+")


def redact_links(text: str) -> str:
    """``text`` with the secret part of its private links replaced by "…"."""
    return _PRIVATE_LINK.sub(r"\1…", text)


#: 2026. 12. 10.(목) 14:15 — messages to citizens are in Korean.
format_when = korean_datetime


def render(kind: str, request: MeetingRequest, **context) -> str:
    """The text of message ``kind`` about ``request`` in the active language.
    ``when`` / ``who`` / ``where`` come from the active appointment unless
    ``context`` gives them. Values are inserted on one line and as they are
    (a ``{`` in a reason is not a placeholder)."""
    values = dict.fromkeys(("link", "reason", "when", "who", "where", "deadline"), "")
    values.update(city=settings.CITY_NAME, reference=request.reference, subject=request.subject)
    appointment = request.active_appointment
    if appointment:
        values.update(when=format_when(appointment.start), who=str(appointment.official), where=appointment.location)
    values.update({key: " ".join(str(value).split()) for key, value in context.items()})
    return str(MESSAGES[kind]).format(**values)


def _email_body(body: str) -> str:
    footer = _("This address does not take replies. Questions: %(phone)s") % {"phone": settings.CITY_PHONE}
    return f"{body}\n\n--\n{footer}\n"


def notify(request: MeetingRequest, kind: str, *, dedupe: str | None = None, **context) -> list[Notification]:
    """Queue the message ``kind`` for the citizen of ``request``: by SMS, and
    by e-mail too if they gave one. Call it inside the transaction of the
    change it tells of; it is sent after the commit. ``dedupe`` makes a
    repeated call a no-op (e.g. one reminder per appointment version), even
    from two processes at once (the key is unique in the database)."""
    key = dedupe or uuid.uuid4().hex
    with translation.override("ko"):
        body = render(kind, request, **context)
        subject = _("[%(city)s] TongTong Day %(reference)s") % {
            "city": settings.CITY_NAME,
            "reference": request.reference,
        }
        targets = [(Notification.Channel.SMS, request.phone, body)]
        if request.email:
            targets.append((Notification.Channel.EMAIL, request.email, _email_body(body)))
    created = []
    for channel, recipient, text in targets:
        notification, was_created = Notification.objects.get_or_create(
            dedupe_key=f"{kind}:{request.pk}:{channel}:{key}",
            defaults={
                "request": request,
                "kind": kind,
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": text,
            },
        )
        if was_created:
            created.append(notification)
    ids = [n.pk for n in created]
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
    return created


def enqueue(ids: list[int]) -> None:
    """Hand notifications to celery (called after the commit). Never raises
    and never waits long: with the broker down the rows stay pending and
    the flush sends them when it is back."""
    global _broker_down_until
    from meetings.tasks import send_notification

    if not ids:
        return
    eager = send_notification.app.conf.task_always_eager
    if not eager and time.monotonic() < _broker_down_until:
        logger.warning("broker down; notifications %s stay pending for the flush", ids)
        return
    for pk in ids:
        try:
            send_notification.apply_async((pk,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except Exception as error:  # kombu and redis raise many kinds; none may fail the caller
            if eager:  # the task itself failed in-process; its row says why
                logger.exception("notification %s failed", pk)
                continue
            _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
            logger.warning("broker unavailable (%s); notifications %s stay pending for the flush", error, ids)
            return


def _deliver(notification: Notification) -> str:
    """Send one message through its channel; return the gateway's id."""
    from django.core.mail import send_mail

    from scheduling.sms import send_sms

    if notification.channel == Notification.Channel.SMS:
        return send_sms(notification.recipient, notification.body) or ""
    send_mail(notification.subject, notification.body, None, [notification.recipient])
    return ""


def notification_send(*, notification_id: int) -> bool:
    """Send one pending notification, at most once. Returns True when this
    call sent it.

    The row is claimed by a conditional update (pending → sending, attempts
    + 1); a second run of the same task, or a second worker, finds nothing
    to claim. A failure puts the row back to pending for the flush (or marks
    it failed after ``MAX_ATTEMPTS``) and is not raised for a gateway or
    network error: the outbox, not celery, retries. A worker that dies after
    the claim leaves the row "sending" for an operator: sending it again
    could give the citizen the same SMS twice.
    """
    from scheduling.sms import SMSError

    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, status=Status.PENDING).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        row = Notification.objects.filter(pk=notification_id).values("status", "claimed_at").first()
        if row and row["status"] == Status.SENDING and row["claimed_at"] < now - dt.timedelta(seconds=60):
            logger.warning(
                "notification %s has been sending since %s (a worker died?); not sent again, see the admin",
                notification_id,
                row["claimed_at"],
            )
        return False
    notification = Notification.objects.get(pk=notification_id)
    if notification.kind in SAME_DAY_ONLY and timezone.localdate(now) != timezone.localdate(notification.created_at):
        Notification.objects.filter(pk=notification_id).update(
            status=Status.FAILED, last_error="expired: its day has passed"
        )
        logger.warning("notification %s (%s) expired before it could be sent", notification_id, notification.kind)
        return False
    try:
        gateway_id = _deliver(notification)
    except Exception as error:
        failed = notification.attempts >= MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            status=Status.FAILED if failed else Status.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        logger.log(
            logging.ERROR if failed else logging.WARNING,
            "notification %s attempt %s/%s failed%s: %s",
            notification_id,
            notification.attempts,
            MAX_ATTEMPTS,
            "; giving up" if failed else "; the flush retries it",
            error,
        )
        if isinstance(error, SMSError | OSError):  # the gateway or the network (SMTP errors are OSErrors)
            return False
        raise  # a bug: let the worker log show it
    Notification.objects.filter(pk=notification_id).update(
        status=Status.SENT,
        sent_at=timezone.now(),
        gateway_id=str(gateway_id)[:100],
        last_error="",
        body=redact_links(notification.body),
    )
    return True


def pending_notification_ids(
    *, older_than_seconds: int = FLUSH_GRACE_SECONDS, now: dt.datetime | None = None
) -> list[int]:
    """What the flush hands to celery: pending rows older than the grace
    period whose back-off after their last failed attempt has passed."""
    now = now or timezone.now()
    due = Q(attempts=0) | Q(claimed_at__isnull=True)
    for attempt, delay in enumerate(RETRY_DELAYS, start=1):
        due |= Q(attempts=attempt, claimed_at__lte=now - dt.timedelta(seconds=delay))
    due |= Q(attempts__gt=len(RETRY_DELAYS), claimed_at__lte=now - dt.timedelta(seconds=RETRY_DELAYS[-1]))
    return list(
        Notification.objects.filter(
            status=Status.PENDING, created_at__lte=now - dt.timedelta(seconds=older_than_seconds)
        )
        .filter(due)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:FLUSH_BATCH]
    )


def notifications_stuck(*, now: dt.datetime | None = None) -> QuerySet[Notification]:
    """Rows a dead worker left "sending": an operator decides (see
    ``notifications_mark_sent`` and ``notifications_requeue``)."""
    now = now or timezone.now()
    return Notification.objects.filter(status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER).order_by("claimed_at")


def notifications_flush(*, now: dt.datetime | None = None) -> int:
    """Celery beat, every minute: hand celery whatever is pending and due,
    and report rows stuck in "sending". Returns how many were handed on."""
    ids = pending_notification_ids(now=now)
    enqueue(ids)
    stuck = notifications_stuck(now=now).count()
    if stuck:
        logger.error("%s notification(s) stuck in 'sending'; an operator must check them in the admin", stuck)
    return len(ids)


def _operator_note(actor, action: str) -> str:
    who = getattr(actor, "get_username", lambda: "")() or "system"
    return f"{action} by {who} at {timezone.localtime():%Y-%m-%d %H:%M}"[:500]


def notifications_requeue(*, ids: list[int], actor=None) -> int:
    """An operator sends stuck ("sending") or failed notifications again,
    after checking the gateway's log that they did not go out (or fixing the
    gateway). Their attempts start again from zero. Returns how many."""
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(pk__in=ids, status__in=[Status.SENDING, Status.FAILED])
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=rows).update(
            status=Status.PENDING, attempts=0, claimed_at=None, last_error=_operator_note(actor, "requeued")
        )
        if rows:
            transaction.on_commit(lambda: enqueue(rows))
    return len(rows)


def notifications_mark_sent(*, ids: list[int], actor=None) -> int:
    """An operator records that stuck ("sending") notifications did go out
    (the gateway's log shows them). Returns how many."""
    marked = 0
    note = _operator_note(actor, "marked sent")
    for pk, body in Notification.objects.filter(pk__in=ids, status=Status.SENDING).values_list("pk", "body"):
        marked += Notification.objects.filter(pk=pk, status=Status.SENDING).update(
            status=Status.SENT, sent_at=timezone.now(), last_error=note, body=redact_links(body)
        )
    return marked
