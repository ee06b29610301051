"""The base every petition service builds on: receiving a petition from any
channel (one record, one reference) and moving it along
``petitions.rules.TRANSITIONS`` with its history. It imports no other
petition service, so intake, routing and the answer can all use it."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions import rules
from petitions.categories import PetitionCategory
from petitions.errors import IllegalTransition, PetitionError
from petitions.models import Petition, PetitionCounter, PetitionEvent
from scheduling.phones import InvalidPhoneNumber, normalize_mobile
from scheduling.workdays import working_calendar


def next_reference(year: int) -> str:
    """The next reference of ``year``, P2026-00001 and on, under a row lock."""
    PetitionCounter.objects.bulk_create([PetitionCounter(year=year)], ignore_conflicts=True)
    counter = PetitionCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"P{year}-{counter.last_number:05d}"


def due_for(received_at: dt.datetime, kind: str) -> dt.datetime:
    """When the answer to a petition of ``kind`` received at ``received_at`` is due."""
    local = timezone.localtime(received_at)
    calendar = working_calendar(local.date(), local.date() + dt.timedelta(days=60))
    return rules.answer_due(received_at, kind, calendar=calendar)


def record(petition: Petition, action: str, *, actor=None, from_status: str = "", note: str = "") -> PetitionEvent:
    """One line of the petition's history."""
    return PetitionEvent.objects.create(
        petition=petition,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=petition.status,
        note=note,
    )


def lock(petition: Petition) -> Petition:
    """``petition`` read again and locked until the transaction ends."""
    return Petition.objects.select_for_update().get(pk=petition.pk)


def transition(
    petition: Petition, action: str, *, actors, actor=None, note: str = "", now: dt.datetime | None = None
) -> Petition:
    """Move ``petition`` by ``action`` if the table allows it from its status
    and for someone acting as any of ``actors``; save it and record it. The
    caller sets the action's own fields first and holds the row lock."""
    step = rules.find(action, petition.status)
    if step is None:
        raise IllegalTransition(
            _("A petition that is “%(status)s” cannot be moved by “%(action)s”.")
            % {"status": rules.STATUS_LABELS[petition.status], "action": rules.action_label(action)}
        )
    if not step.actors & set(actors):
        raise IllegalTransition(_("You may not “%(action)s” on this petition.") % {"action": step.label})
    previous = petition.status
    petition.status = step.target
    if step.target in rules.CLOSED and petition.closed_at is None:
        petition.closed_at = now or timezone.now()
    petition.full_clean(exclude=["resolution_photo"])
    petition.save()
    record(petition, action, actor=actor, from_status=previous, note=note)
    return petition


@transaction.atomic
def petition_receive(
    *,
    channel: str,
    subject: str,
    body: str,
    category: str = "other",
    kind: str = rules.GENERAL,
    neighborhood=None,
    name: str = "",
    phone: str = "",
    email: str = "",
    language: str = "ko",
    consent_at: dt.datetime | None = None,
    phone_verified_at: dt.datetime | None = None,
    received_at: dt.datetime | None = None,
    epeople_number: str = "",
    epeople_received_on: dt.date | None = None,
    epeople_due_on: dt.date | None = None,
    submission_key: str | None = None,
    origin_visit=None,
    origin_meeting_request=None,
    created_by=None,
    note: str = "",
) -> tuple[Petition, bool]:
    """Record a petition from any channel; returns it and whether it is new.

    The same submission (``submission_key``: a double tap, a redelivered
    webhook) or the same 국민신문고 number gives back the petition already
    recorded, and nothing new is written."""
    existing = _already_received(submission_key, epeople_number)
    if existing is not None:
        return existing, False
    if channel not in rules.CHANNEL_LABELS:
        raise PetitionError(_("Unknown channel."))
    if category not in PetitionCategory.values:
        raise PetitionError(_("Choose a category from the list."))
    if kind not in rules.KIND_LABELS:
        raise PetitionError(_("Choose a kind of petition from the list."))
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise PetitionError(_("A petition needs a subject and its text."))
    if phone:
        try:
            phone = normalize_mobile(phone)
        except InvalidPhoneNumber as error:
            raise PetitionError(str(error)) from error
    received_at = received_at or timezone.now()
    petition = Petition(
        reference=next_reference(timezone.localtime(received_at).year),
        kind=kind,
        channel=channel,
        category=category,
        neighborhood=neighborhood,
        subject=subject[:200],
        body=body,
        name=name.strip(),
        phone=phone,
        email=email.strip(),
        language=language,
        consent_at=consent_at,
        phone_verified_at=phone_verified_at,
        epeople_number=epeople_number.strip(),
        epeople_received_on=epeople_received_on,
        epeople_due_on=epeople_due_on,
        received_at=received_at,
        answer_due_at=due_for(received_at, kind),
        submission_key=submission_key,
        origin_visit=origin_visit,
        origin_meeting_request=origin_meeting_request,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    petition.full_clean(exclude=["resolution_photo"], validate_unique=False)
    try:
        with transaction.atomic():
            petition.save()
    except IntegrityError:
        # Another process recorded the same submission a moment ago.
        existing = _already_received(submission_key, epeople_number)
        if existing is None:
            raise
        return existing, False
    record(petition, "receive", actor=created_by, note=note)
    return petition, True


def _already_received(submission_key: str | None, epeople_number: str) -> Petition | None:
    if submission_key:
        found = Petition.objects.filter(submission_key=submission_key).first()
        if found is not None:
            return found
    if epeople_number and epeople_number.strip():
        return Petition.objects.filter(epeople_number=epeople_number.strip()).first()
    return None
