"""A citizen's meeting request: submission, reference number, status link."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.errors import MeetingError
from meetings.models import (
    InterpreterLanguage,
    MeetingDay,
    MeetingRequest,
    PreferredDay,
    ReferenceCounter,
    WaitlistEntry,
)
from meetings.services.notifications import notify
from meetings.services.series import meeting_days_saved
from meetings.services.transitions import record
from scheduling.clock import answer_due
from scheduling.dates import korean_date
from scheduling.languages import message_language
from scheduling.models import PhoneVerification
from scheduling.phones import InvalidPhoneNumber, normalize_mobile
from scheduling.verification import verification_done, verification_start
from scheduling.workdays import working_calendar

MAX_PREFERRED_DAYS = 3


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def status_url(token: str) -> str:
    return settings.SITE_URL + reverse("meetings:status", args=[token])


def next_reference(year: int) -> str:
    """The next ``YYYY-NNNN`` of ``year``. Must run inside the transaction that
    saves the request: the counter row stays locked until it commits, so two
    submissions never share a number, and a rollback leaves no gap."""
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{year}-{counter.last_number:04d}"


def bookable_error(day: MeetingDay, *, now: dt.datetime | None = None) -> str | None:
    """Why a citizen cannot choose ``day``, or None if they can."""
    now = now or timezone.now()
    if day.status == MeetingDay.Status.CANCELLED:
        return _("%(day)s is cancelled: %(reason)s") % {"day": _day_label(day), "reason": day.reason}
    if day.start <= now + dt.timedelta(hours=settings.MEETING_CHANGE_NOTICE_HOURS):
        return _("%(day)s is too soon or already past.") % {"day": _day_label(day)}
    # The horizon is counted in whole days, as the days offered are
    # (meetings.selectors.bookable_meeting_days): a day offered is never refused.
    horizon = timezone.localdate(now) + dt.timedelta(days=settings.MEETING_BOOKING_HORIZON_DAYS)
    if timezone.localtime(day.start).date() > horizon:
        return _("%(day)s is not open for requests yet.") % {"day": _day_label(day)}
    calendar = working_calendar(day.start.date(), day.start.date())
    local = timezone.localtime(day.start).date()
    if calendar.is_holiday_or_closure(local):
        return _("%(day)s is a holiday.") % {"day": _day_label(day)}
    return None


def _day_label(day: MeetingDay) -> str:
    return korean_date(timezone.localtime(day.start).date())


@dataclass
class Submission:
    request: MeetingRequest
    token: str | None  # None when the same form was submitted before
    created: bool


def meeting_request_check(
    *,
    phone: str,
    consent: bool,
    preferred_days: list[MeetingDay] = (),
    needs_foreign_language: bool = False,
    foreign_language: str = "",
    foreign_language_other: str = "",
    now: dt.datetime | None = None,
    **_other_fields,
) -> None:
    """What ``meeting_request_submit`` would refuse, checked before the
    citizen is asked for a code (so that nobody verifies a phone to learn
    that their day is a holiday). Raises ``MeetingError``."""
    _checked(
        phone=phone,
        consent=consent,
        preferred_days=preferred_days,
        needs_foreign_language=needs_foreign_language,
        foreign_language=foreign_language,
        foreign_language_other=foreign_language_other,
        now=now,
    )


def meeting_request_code_send(*, arguments: dict, typed: dict, client_address: str = "") -> PhoneVerification:
    """The public form's first step: check what ``meeting_request_submit``
    would refuse (``MeetingError``), then text the code to the phone
    (``VerificationError`` when a limit is reached). ``typed`` — the form as
    posted — waits with the code until it is right; nothing else is saved."""
    meeting_request_check(**arguments)
    return verification_start(
        purpose=PhoneVerification.Purpose.MEETING_REQUEST,
        phone=arguments["phone"],
        client_address=client_address,
        payload=typed,
    )


def _checked(*, phone, consent, preferred_days, needs_foreign_language, foreign_language, foreign_language_other, now):
    """The submission's own checks; the normalised phone and the preferred
    days, one per rule date."""
    if not consent:
        raise MeetingError(_("Please agree to the collection and use of personal information."))
    try:
        phone = normalize_mobile(phone)
    except InvalidPhoneNumber:
        raise MeetingError(_("Enter a mobile number that can receive text messages, e.g. 010-1234-5678.")) from None
    # One per rule date; a day the page showed before the sync reached it is unsaved (no pk yet).
    preferred_days = list({day.original_date: day for day in preferred_days}.values())
    if len(preferred_days) > MAX_PREFERRED_DAYS:
        raise MeetingError(_("Choose at most three preferred days."))
    for day in preferred_days:
        error = bookable_error(day, now=now)
        if error:
            raise MeetingError(error)
    if needs_foreign_language and foreign_language not in InterpreterLanguage.values:
        raise MeetingError(_("Tell us which language the interpreter should speak."))
    if needs_foreign_language and foreign_language == InterpreterLanguage.OTHER and not foreign_language_other.strip():
        raise MeetingError(_("Write which language the interpreter should speak."))

    return phone, preferred_days


def meeting_request_submit(
    *,
    name: str,
    phone: str,
    neighborhood,
    category: str,
    subject: str,
    description: str,
    consent: bool,
    submission_key: uuid.UUID,
    email: str = "",
    group_size: int = 1,
    preferred_days: list[MeetingDay] = (),
    needs_sign_language: bool = False,
    needs_foreign_language: bool = False,
    foreign_language: str = "",
    foreign_language_other: str = "",
    needs_wheelchair: bool = False,
    other_needs: str = "",
    channel: str = MeetingRequest.Channel.WEB,
    language: str = "",
    actor=None,
    verification: PhoneVerification | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Save a citizen's request (from the public form, or entered by staff
    for a phone or walk-in request), give it its reference number and
    private status link, and tell the citizen. The same ``submission_key``
    twice makes one request. ``verification``, from the public form, is the
    citizen's verified phone (``scheduling.verification``): the request keeps
    when it was verified, and must be for that number."""
    existing = MeetingRequest.objects.filter(submission_key=submission_key).first()
    if existing:
        return Submission(existing, None, False)
    phone, preferred_days = _checked(
        phone=phone,
        consent=consent,
        preferred_days=preferred_days,
        needs_foreign_language=needs_foreign_language,
        foreign_language=foreign_language,
        foreign_language_other=foreign_language_other,
        now=now,
    )
    if verification is not None and (verification.verified_at is None or verification.phone != phone):
        raise MeetingError(_("This mobile number has not been verified. Please ask for a code again."))

    now = now or timezone.now()
    token = secrets.token_urlsafe(24)
    try:
        with transaction.atomic():
            local_now = timezone.localtime(now)
            request = MeetingRequest(
                reference="",
                channel=channel,
                name=name.strip(),
                phone=phone,
                email=email.strip(),
                neighborhood=neighborhood,
                category=category,
                subject=subject.strip(),
                description=description.strip(),
                group_size=group_size,
                needs_sign_language=needs_sign_language,
                needs_foreign_language=needs_foreign_language,
                foreign_language=foreign_language if needs_foreign_language else "",
                foreign_language_other=(
                    foreign_language_other.strip()
                    if needs_foreign_language and foreign_language == InterpreterLanguage.OTHER
                    else ""
                ),
                language=message_language(language),
                needs_wheelchair=needs_wheelchair,
                other_needs=other_needs.strip(),
                consent_at=now,
                token_hash=hash_token(token),
                submission_key=submission_key,
                submitted_at=now,
                answer_due_at=answer_due(
                    now,
                    settings.MEETING_ANSWER_DAYS,
                    calendar=working_calendar(local_now.date(), local_now.date() + dt.timedelta(days=120)),
                ),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                phone_verified_at=verification.verified_at if verification else None,
            )
            request.reference = "0000-0000"  # placeholder for full_clean; the number is taken last
            request.full_clean(exclude=["reference"])
            request.reference = next_reference(local_now.year)
            request.save()
            preferred_days = meeting_days_saved(preferred_days)
            PreferredDay.objects.bulk_create(
                PreferredDay(request=request, meeting_day=day, rank=rank) for rank, day in enumerate(preferred_days, 1)
            )
            for day in preferred_days:
                if not day.slots.exclude(appointments__status="active").exists():
                    WaitlistEntry.objects.create(request=request, meeting_day=day)
            record(request, "submitted", actor=actor)
            notify(request, "submitted", link=status_url(token))
            if verification is not None:
                verification_done(verification, result=request.reference)
    except (IntegrityError, ValidationError):
        # The same form submitted twice at once: the other submission won the
        # race for the unique ``submission_key`` and this one rolled back,
        # giving its reference number back. Answer as for any resubmission.
        existing = MeetingRequest.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return Submission(existing, None, False)
    return Submission(request, token, True)


def status_link_renew(request: MeetingRequest) -> str:
    """A new private status link for ``request`` (from "my requests", to a
    citizen who verified its phone): the old link stops working, as a lost
    link should. Returns the new token."""
    token = secrets.token_urlsafe(24)
    MeetingRequest.objects.filter(pk=request.pk).update(token_hash=hash_token(token), token_revoked=False)
    record(request, "link_renewed")
    return token


def request_for_token(token: str) -> MeetingRequest | None:
    """The request behind a status link, or None for a wrong, revoked or
    expired token (all three look the same to the visitor: a 404)."""
    if not token or len(token) > 100:
        return None
    request = (
        MeetingRequest.objects.select_related("neighborhood")
        .filter(token_hash=hash_token(token), token_revoked=False)
        .first()
    )
    if request is None:
        return None
    if request.closed_at and timezone.now() > request.closed_at + dt.timedelta(
        days=settings.MEETING_STATUS_LINK_DAYS_AFTER_CLOSE
    ):
        return None
    return request


def meeting_request_from_petition(
    *,
    petition_reference: str,
    name: str,
    phone: str,
    neighborhood,
    category: str,
    subject: str,
    description: str,
    consent: bool,
    email: str = "",
    language: str = "",
    channel: str = MeetingRequest.Channel.PHONE,
    actor=None,
) -> MeetingRequest:
    """A meeting request for a citizen whose petition (``petition_reference``,
    of the petition office) is best answered by a meeting: their details
    carried over, entered as the staff intake enters a request (through
    ``meeting_request_submit``: same checks, the citizen gets their status
    link by text message). The same petition twice makes one request: the
    submission key is derived from its reference. The petition office calls
    this; meetings does not know petitions (docs/petitions.md)."""
    note = _("From petition %(reference)s.") % {"reference": petition_reference}
    submission = meeting_request_submit(
        name=name,
        phone=phone,
        email=email,
        neighborhood=neighborhood,
        category=category,
        subject=subject[:100],
        description=f"{note}\n{description}"[:2000],
        consent=consent,
        submission_key=uuid.uuid5(uuid.NAMESPACE_URL, f"tongtong:petition:{petition_reference}"),
        channel=channel,
        language=language,
        actor=actor,
    )
    return submission.request
