"""The public web board "시장에게 바란다": a citizen's petition, recorded
only once the code texted to their phone is typed (``scheduling.verification``,
as the meeting request form does it).

1. ``petition_code_send`` checks what the petition would be refused for,
   then texts the code; what the citizen typed waits with the code
   (``PhoneVerification.payload``), nothing else is saved.
2. ``petition_web_submit`` records the petition with the verified phone and
   the verification's key as its submission key: a second tap on "verify"
   (or a reload) gives back the same petition, never a second one. The
   receipt goes out in the language of the page the citizen used.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions import rules
from petitions.categories import PetitionCategory
from petitions.errors import PetitionError
from petitions.models import Petition
from petitions.notifications import notify
from petitions.services.core import petition_receive
from scheduling.languages import message_language
from scheduling.models import PhoneVerification
from scheduling.phones import InvalidPhoneNumber, normalize_mobile
from scheduling.verification import verification_done, verification_start

#: The longest petition the board takes (the model's limit).
MAX_TEXT = 4000


def petition_check(*, name: str, phone: str, subject: str, text: str, category: str, consent: bool) -> str:
    """What a board petition would be refused for (``PetitionError``); the
    normalised mobile number."""
    if not consent:
        raise PetitionError(_("Please agree to the collection and use of personal information."))
    if not (name or "").strip():
        raise PetitionError(_("Please write your name."))
    try:
        phone = normalize_mobile(phone)
    except InvalidPhoneNumber:
        raise PetitionError(_("Enter a mobile number that can receive text messages, e.g. 010-1234-5678.")) from None
    if not (subject or "").strip() or not (text or "").strip():
        raise PetitionError(_("A petition needs a subject and its text."))
    if len(text) > MAX_TEXT:
        raise PetitionError(_("The petition is too long: at most %(max)d characters.") % {"max": MAX_TEXT})
    if category not in PetitionCategory.values:
        raise PetitionError(_("Choose a category from the list."))
    return phone


def petition_code_send(*, arguments: dict, typed: dict, client_address: str = "") -> PhoneVerification:
    """The board's first step: check the petition, then text the code to the
    phone (``VerificationError`` when a limit is reached). ``typed`` — the
    form as posted — waits with the code until it is right."""
    phone = petition_check(**_check_arguments(arguments))
    return verification_start(
        purpose=PhoneVerification.Purpose.PETITION, phone=phone, client_address=client_address, payload=typed
    )


def _check_arguments(arguments: dict) -> dict:
    return {key: arguments.get(key) for key in ("name", "phone", "subject", "text", "category", "consent")}


@transaction.atomic
def petition_web_submit(
    *,
    name: str,
    phone: str,
    subject: str,
    text: str,
    category: str,
    consent: bool,
    submission_key: str,
    email: str = "",
    neighborhood=None,
    language: str = "",
    verification: PhoneVerification | None = None,
    now: dt.datetime | None = None,
) -> tuple[Petition, bool]:
    """Record a petition from the board; returns it and whether it is new.
    With ``verification`` (the board's code page) the phone must be the
    verified one, and the verification's key is the submission key."""
    phone = petition_check(name=name, phone=phone, subject=subject, text=text, category=category, consent=consent)
    if verification is not None:
        if verification.verified_at is None or verification.phone != phone:
            raise PetitionError(_("This mobile number has not been verified. Please ask for a code again."))
        submission_key = str(verification.key)
    now = now or timezone.now()
    petition, created = petition_receive(
        channel=rules.WEB,
        subject=subject,
        body=text,
        category=category,
        neighborhood=neighborhood,
        name=name,
        phone=phone,
        email=email or "",
        language=message_language(language),
        consent_at=now,
        phone_verified_at=verification.verified_at if verification is not None else None,
        received_at=now,
        submission_key=str(submission_key),
    )
    if created:
        notify(petition, "receipt", once=True, due=petition.due_at)
        if verification is not None:
            verification_done(verification, result=petition.reference)
    return petition, created
