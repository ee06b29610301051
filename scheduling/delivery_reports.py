"""Delivery reports: what the provider says became of a sent message.

SOLAPI posts a "single report" (메시지 리포트) for each message once the
carrier or Kakao has answered: a JSON list of ``{eventDataId, data:
{messageId, type, statusCode, statusMessage, customFields, …}}`` (read with
the SDK's own model, ``solapi.model.webhook.single_report``). The webhook
(``scheduling.solapi_webhook``) checks the secret and hands the reports
here; ``reports_apply`` updates each outbox row:

- status code 4000 (발송 완료): ``sent`` → ``delivered``, and ``via`` the
  channel that carried it (``ATA``, or ``SMS``/``LMS`` when SOLAPI fell
  back to a text message);
- 2000 / 3000 (accepted, handed to the carrier): nothing yet;
- any other code: ``sent`` → ``failed`` with the code in ``last_error`` —
  except a failed *알림톡* that SOLAPI replaces by a text message (the row
  had a template, so ``disableSms`` was false): that is noted, and the
  replacement's own report settles the row.

A row is found by its provider id (``gateway_id``), or, when the send's
answer was lost (the row is still "sending"), by the reference the backend
put into ``customFields`` ("meetings.Notification:42"). Updates are
conditional (``status`` in sent/sending), so a report that comes twice, or
two at once, changes a row once; a report for a message we do not know is
counted and ignored (SOLAPI would otherwise retry it and, after repeated
failures, switch the webhook off).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from scheduling import outbox
from scheduling.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status
Via = OutboxMessage.Via

DELIVERED = "4000"
#: Accepted by SOLAPI (2000) / handed to the carrier or Kakao (3000): not final.
NOT_FINAL = frozenset({"2000", "3000"})
#: SOLAPI's message types → the channel that carried it.
VIA_BY_TYPE = {"ATA": Via.ALIMTALK, "SMS": Via.SMS, "LMS": Via.LMS}


def _find(message_id: str, custom_fields: dict | None) -> tuple[type[OutboxMessage], OutboxMessage] | None:
    """The outbox row a report is about, or None."""
    if message_id:
        for model in outbox.outbox_models():
            row = model.objects.filter(gateway_id=message_id).first()
            if row is not None:
                return model, row
    reference = str((custom_fields or {}).get("outbox", ""))
    label, _sep, pk = reference.rpartition(":")
    if not (label and pk.isascii() and pk.isdigit()):
        return None
    try:
        model = outbox.model_for(label)
    except (LookupError, ValueError):
        return None
    row = model.objects.filter(pk=int(pk)).first()
    if row is None or (row.gateway_id and message_id and row.gateway_id != message_id):
        return None
    return model, row


def report_apply(
    *, message_id: str, message_type: str, status_code: str, status_message: str = "", custom_fields=None, now=None
) -> str:
    """Apply one report. Returns what it did: "delivered", "failed",
    "fallback" (an 알림톡 that SOLAPI sends as SMS/LMS instead), "pending"
    (not final), "duplicate" (the row was settled already) or "unknown"."""
    now = now or timezone.now()
    found = _find(message_id or "", custom_fields)
    if found is None:
        logger.info("delivery report for unknown message %s (%s) ignored", message_id, status_code)
        return "unknown"
    model, row = found
    code = str(status_code or "")
    if not code or code in NOT_FINAL:
        return "pending"
    via = VIA_BY_TYPE.get(str(message_type or "").upper(), "")
    open_rows = model.objects.filter(pk=row.pk, status__in=[Status.SENT, Status.SENDING])
    settled = {
        "report_code": code[:20],
        "reported_at": now,
        "gateway_id": row.gateway_id or (message_id or "")[:100],
        # A row whose send answer was lost is settled here: keep no secret.
        "body": model.redact(row.body),
        "variables": model.redact_variables(row.variables),
    }
    if via:
        settled["via"] = via
    if code == DELIVERED:
        changed = open_rows.update(status=Status.DELIVERED, last_error="", sent_at=row.sent_at or now, **settled)
        return "delivered" if changed else "duplicate"
    if via == Via.ALIMTALK and row.template_code:
        # SOLAPI replaces an undelivered 알림톡 by an SMS/LMS (disableSms
        # false); that replacement's report settles the row.
        changed = open_rows.filter(~Q(report_code=code)).update(
            report_code=code[:20],
            reported_at=now,
            last_error=f"알림톡 not delivered ({code} {status_message}); SOLAPI sends it as SMS/LMS"[:500],
        )
        return "fallback" if changed else "duplicate"
    changed = open_rows.update(
        status=Status.FAILED,
        last_error=f"delivery report {code}: {status_message}"[:500],
        sent_at=row.sent_at or now,
        **settled,
    )
    if changed:
        logger.warning("%s %s not delivered: %s %s", model._meta.label, row.pk, code, status_message)
    return "failed" if changed else "duplicate"


def reports_apply(reports: Iterable) -> dict[str, int]:
    """Apply SOLAPI single reports (``SingleReport`` objects of the SDK).
    Returns how many had each outcome."""
    outcomes: Counter[str] = Counter()
    now = timezone.now()
    for report in reports:
        data = report.data
        outcomes[
            report_apply(
                message_id=data.message_id or "",
                message_type=data.type or "",
                status_code=data.status_code or "",
                status_message=data.status_message or "",
                custom_fields=data.custom_fields,
                now=now,
            )
        ] += 1
    return dict(outcomes)
