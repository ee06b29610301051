"""Text messages to the mayor's SMS phone (소통문자폰), as the provider's
inbound webhook delivers them (``petitions.intake.webhook``).

- One ``InboundMessage`` per provider message id (unique in the database):
  a redelivery — the provider retrying, two deliveries racing — records
  nothing new.
- A conversation is one petition: every message from the same number on
  the same Seoul calendar day (00:00–24:00 Asia/Seoul) joins the petition
  its first message opened, as long as that petition is still open; the
  petition's text grows by each message. The conversation's submission key
  (``sms:<number>:<date>``) is unique, so two first messages racing open
  one petition. A message after that petition was closed the same day
  opens a new one.
- The first message of a petition gets the receipt by text message
  (SMS/알림톡 through the outbox): once per petition, never per message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions import rules
from petitions.intake.web import MAX_TEXT
from petitions.models import InboundMessage, Petition
from petitions.notifications import notify
from petitions.services.core import lock, petition_receive
from scheduling.phones import InvalidPhoneNumber, mask_phone, normalize_mobile

SOLAPI = "solapi"
#: A subject is the message's first words.
SUBJECT_LENGTH = 40
#: What the petition's text says when the conversation outgrew it; every
#: message stays whole in its ``InboundMessage``.
CUT = "…"

NEW = "new"  # opened a petition
JOINED = "joined"  # joined the day's open petition
DUPLICATE = "duplicate"  # delivered before: nothing recorded
IGNORED = "ignored"  # not from a mobile number: nothing recorded


@dataclass(frozen=True)
class Inbound:
    outcome: str
    petition: Petition | None = None


class _Redelivered(Exception):
    """The message id was recorded by a concurrent delivery: undo this one."""


def conversation_key(phone: str, day: dt.date, suffix: str = "") -> str:
    return f"sms:{phone}:{day.isoformat()}{suffix}"


def _subject(text: str, phone: str) -> str:
    first = " ".join(text.split())
    if not first:
        return _("Text message from %(phone)s") % {"phone": mask_phone(phone)}
    return first if len(first) <= SUBJECT_LENGTH else first[: SUBJECT_LENGTH - 1] + CUT


def _appended(body: str, text: str, received_at: dt.datetime) -> str:
    line = f"[{timezone.localtime(received_at):%H:%M}] {text}"
    grown = f"{body}\n{line}"
    if len(grown) <= MAX_TEXT:
        return grown
    if body.endswith(CUT):
        return body
    return body[: MAX_TEXT - len(CUT) - 1] + "\n" + CUT


def inbound_receive(
    *, provider: str, message_id: str, phone: str, text: str, received_at: dt.datetime | None = None
) -> Inbound:
    """Record one inbound text message (see the module); what became of it."""
    received_at = received_at or timezone.now()
    try:
        phone = normalize_mobile(phone)
    except InvalidPhoneNumber:
        return Inbound(IGNORED)
    text = (text or "").strip()
    if InboundMessage.objects.filter(provider=provider, message_id=message_id).exists():
        return Inbound(DUPLICATE)
    try:
        with transaction.atomic():
            return _record(provider, message_id, phone, text, received_at)
    except _Redelivered:
        return Inbound(DUPLICATE)


def _record(provider: str, message_id: str, phone: str, text: str, received_at: dt.datetime) -> Inbound:
    day = timezone.localtime(received_at).date()
    key = conversation_key(phone, day)
    petition, created = _open_conversation(key, phone, text, received_at)
    if not created and petition.is_closed:
        # The day's petition was answered already: this message opens another.
        petition, created = _open_conversation(conversation_key(phone, day, f":{message_id}"), phone, text, received_at)
    if not created:
        petition = lock(petition)
    try:
        with transaction.atomic():
            InboundMessage.objects.create(
                provider=provider,
                message_id=message_id,
                phone=phone,
                text=text,
                received_at=received_at,
                petition=petition,
            )
    except IntegrityError as error:
        raise _Redelivered from error
    if created:
        notify(petition, "receipt", once=True, due=petition.due_at)
        return Inbound(NEW, petition)
    petition.body = _appended(petition.body, text, received_at)
    petition.save(update_fields=["body", "updated_at"])
    return Inbound(JOINED, petition)


def _open_conversation(key: str, phone: str, text: str, received_at: dt.datetime) -> tuple[Petition, bool]:
    line = f"[{timezone.localtime(received_at):%H:%M}] {text or '-'}"
    return petition_receive(
        channel=rules.SMS,
        subject=_subject(text, phone),
        body=line[:MAX_TEXT],
        phone=phone,
        received_at=received_at,
        submission_key=key,
    )
