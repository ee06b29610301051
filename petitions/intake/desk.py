"""Petitions the secretariat enters by hand at ``/staff/petitions/intake/``:
a phone call, a walk-in at the office, or a 국민신문고 petition registered
with the portal's number and dates.

- Phone and walk-in: staff ask for the citizen's consent (the text is read
  out, ``templates/petitions/intake/intake.html``) and record it; a contact
  (name, mobile number or e-mail) is kept only with it. The receipt goes to
  the citizen by text message (or e-mail) through the outbox.
- 국민신문고: the portal holds the consent and tells the citizen; we keep its
  number (once: registering it again gives back the petition already
  there), its received date (our ``received_at`` is that day, 09:00 Seoul,
  so that a month's figures count it where the portal does) and its due
  date (the answer is due that day at 18:00; without one, the kind's limit
  counts from the received date).

Whoever entered it is ``created_by``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions import rules
from petitions.errors import PetitionError
from petitions.models import Petition
from petitions.notifications import notify
from petitions.services.core import petition_receive

#: The channels entered by staff.
DESK_CHANNELS = (rules.EPEOPLE, rules.PHONE, rules.VISIT)
#: When a 국민신문고 petition counts as received on its day, and when its due date ends.
EPEOPLE_RECEIVED_TIME = dt.time(9, 0)
EPEOPLE_DUE_TIME = dt.time(18, 0)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_default_timezone())


def epeople_check(*, number: str, received_on: dt.date | None, due_on: dt.date | None, today: dt.date) -> str | None:
    """What is wrong with a 국민신문고 petition's number and dates, or None."""
    if not (number or "").strip():
        return _("Enter the e-People number.")
    if len(number.strip()) > 30:
        return _("The e-People number is at most 30 characters.")
    if received_on is None:
        return _("Enter the date e-People received it.")
    if received_on > today:
        return _("The received date cannot be in the future.")
    if due_on is not None and due_on < received_on:
        return _("The due date cannot be before the received date.")
    return None


@transaction.atomic
def petition_take(
    *,
    channel: str,
    subject: str,
    text: str,
    category: str = "other",
    kind: str = rules.GENERAL,
    neighborhood=None,
    name: str = "",
    phone: str = "",
    email: str = "",
    language: str = "ko",
    consent: bool = False,
    epeople_number: str = "",
    epeople_received_on: dt.date | None = None,
    epeople_due_on: dt.date | None = None,
    submission_key: str | None = None,
    actor=None,
    now: dt.datetime | None = None,
) -> tuple[Petition, bool]:
    """Record a petition taken by phone, at the desk or from 국민신문고 (see
    the module); returns it and whether it is new."""
    if channel not in DESK_CHANNELS:
        raise PetitionError(_("Choose how the petition came in."))
    now = now or timezone.now()
    has_contact = any((value or "").strip() for value in (name, phone, email))
    received_at, due_at = now, None
    if channel == rules.EPEOPLE:
        problem = epeople_check(
            number=epeople_number, received_on=epeople_received_on, due_on=epeople_due_on, today=timezone.localdate(now)
        )
        if problem:
            raise PetitionError(problem)
        received_at = min(_at(epeople_received_on, EPEOPLE_RECEIVED_TIME), now)
        due_at = _at(epeople_due_on, EPEOPLE_DUE_TIME) if epeople_due_on else None
        consent_at = None  # the portal holds the consent
    else:
        epeople_number, epeople_received_on, epeople_due_on = "", None, None
        if has_contact and not consent:
            raise PetitionError(
                _("Ask for the citizen's consent before recording their contact, or leave the contact empty.")
            )
        consent_at = now if consent and has_contact else None
    petition, created = petition_receive(
        channel=channel,
        subject=subject,
        body=text,
        category=category,
        kind=kind,
        neighborhood=neighborhood,
        name=name,
        phone=phone,
        email=email,
        language=language or "ko",
        consent_at=consent_at,
        received_at=received_at,
        epeople_number=epeople_number,
        epeople_received_on=epeople_received_on,
        epeople_due_on=epeople_due_on,
        submission_key=str(submission_key) if submission_key else None,
        created_by=actor,
    )
    if not created:
        return petition, False
    if due_at is not None:
        petition.answer_due_at = due_at
        petition.save(update_fields=["answer_due_at", "updated_at"])
    if channel != rules.EPEOPLE:
        notify(petition, "receipt", once=True, due=petition.due_at)
    return petition, True
