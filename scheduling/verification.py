"""Phone verification (본인확인): a 6-digit code by SMS before a citizen's
submission counts.

The rules (``config/settings.py``, "Phone verification"):

- a code is valid ``VERIFICATION_CODE_MINUTES`` (5) and is stored only as a
  keyed hash, compared in constant time;
- ``VERIFICATION_MAX_WRONG`` (5) wrong codes are answered with the tries
  left; the next try is refused, and the phone is locked for
  ``VERIFICATION_LOCK_MINUTES`` (30) — no code is sent to it, none accepted;
- a new code no sooner than ``VERIFICATION_RESEND_SECONDS`` (60) after the
  last, and at most ``VERIFICATION_CODES_PER_PHONE_HOUR`` (6: the first and
  five resends) to one phone in an hour, however many forms ask;
- one client address may have codes sent to at most
  ``VERIFICATION_PHONES_PER_ADDRESS_HOUR`` (3) phones and
  ``VERIFICATION_CODES_PER_ADDRESS_HOUR`` (10) codes in an hour, so that
  switching numbers does not get round the phone's limits.

``RATELIMIT_ENABLE=0`` (the load benchmark only) lifts the hourly counts
like every other rate limit; the lock after wrong codes stays.

Counts come from the ``PhoneVerification`` rows themselves (the database is
shared by every web process; no cache to lose). The code goes out through
the outbox (``VerificationMessage``), written in the same transaction as
the row, and sent by the web process itself right after the commit (the
citizen is waiting for it; no broker involved); a gateway error leaves it
to the flush, and a code that could not leave while valid is dropped
rather than sent late.

A wrong code must count even though the caller gets an error: the checks
run in their own transaction, commit, and only then raise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scheduling import outbox
from scheduling.errors import TongtongError
from scheduling.models import PhoneVerification, VerificationMessage
from scheduling.phones import InvalidPhoneNumber, normalize_mobile

Purpose = PhoneVerification.Purpose
logger = logging.getLogger(__name__)


class VerificationError(TongtongError):
    """A code that cannot be sent or accepted, with what to do, in Korean."""


def _keyed_hash(*parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def client_hash(client_address: str) -> str:
    """What is kept of the client address: enough to count, not to know it."""
    return _keyed_hash("verification-client", client_address) if client_address else ""


def _code_hash(verification_key: uuid.UUID, code: str) -> str:
    # Keyed by the row: the same code on two rows hashes differently.
    return _keyed_hash("verification-code", str(verification_key), code)


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _local_time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _hour_ago(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(hours=1)


def _phone_locked_until(phone: str, now: dt.datetime) -> dt.datetime | None:
    return (
        PhoneVerification.objects.filter(phone=phone, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )


def _refuse_if_limited(phone: str, client: str, now: dt.datetime, *, new_phone: bool) -> None:
    """The phone's lock and hourly codes, and the address's phones and codes."""
    locked_until = _phone_locked_until(phone, now)
    if locked_until:
        raise VerificationError(
            _("Too many wrong codes were typed for this number. To protect it, try again after %(time)s.")
            % {"time": _local_time(locked_until)}
        )
    if not settings.RATELIMIT_ENABLE:  # the load benchmark: every rate limit off (not the lock)
        return
    recent = PhoneVerification.objects.filter(created_at__gt=_hour_ago(now))
    by_phone = recent.filter(phone=phone).aggregate(codes=Sum("sends"))
    if (by_phone["codes"] or 0) >= settings.VERIFICATION_CODES_PER_PHONE_HOUR:
        first = recent.filter(phone=phone).order_by("created_at").values_list("created_at", flat=True).first()
        raise VerificationError(
            _("Too many codes were sent to this number. Please try again after %(time)s.")
            % {"time": _local_time(first + dt.timedelta(hours=1))}
        )
    if not client:
        return
    by_client = recent.filter(client=client).aggregate(codes=Sum("sends"), phones=Count("phone", distinct=True))
    other_phones = not recent.filter(client=client, phone=phone).exists()
    too_many_phones = (
        new_phone and other_phones and by_client["phones"] >= settings.VERIFICATION_PHONES_PER_ADDRESS_HOUR
    )
    if too_many_phones or (by_client["codes"] or 0) >= settings.VERIFICATION_CODES_PER_ADDRESS_HOUR:
        first = recent.filter(client=client).order_by("created_at").values_list("created_at", flat=True).first()
        raise VerificationError(
            _("Too many codes were asked for from this connection. Please try again after %(time)s.")
            % {"time": _local_time(first + dt.timedelta(hours=1))}
        )


def _send_code(verification: PhoneVerification, code: str) -> None:
    body = _("[%(city)s 통통] Your verification code is %(code)s. Type it within %(minutes)d minutes.") % {
        "city": settings.CITY_NAME,
        "code": code,
        "minutes": settings.VERIFICATION_CODE_MINUTES,
    }
    outbox.write(
        VerificationMessage,
        [
            {
                "dedupe_key": f"verification:{verification.key}:{verification.sends}",
                "verification": verification,
                "channel": VerificationMessage.Channel.SMS,
                "recipient": verification.phone,
                "body": body,
            }
        ],
        on_commit=_send_now,
    )


def _send_now(ids: list[int]) -> None:
    """A code is sent by this process right after the commit, not by a
    worker: it is worth something only for minutes, and the citizen waits
    for it on the page. A broker outage does not delay it; a gateway error
    leaves the row pending for the flush (within ``SEND_WITHIN``)."""
    for pk in ids:
        try:
            outbox.send(VerificationMessage, pk)
        except Exception:  # the row says why; the citizen's page must still answer
            logger.exception("verification message %s could not be sent", pk)


def verification_start(
    *, purpose: str, phone: str, client_address: str = "", payload: dict | None = None, now: dt.datetime | None = None
) -> PhoneVerification:
    """Send a code to ``phone`` and return the verification it belongs to
    (its ``key`` is the browser's handle). ``payload`` is kept with it until
    the code is typed. Raises ``VerificationError`` when the number is not a
    mobile number or a limit is reached; nothing is sent then."""
    try:
        phone = normalize_mobile(phone)
    except InvalidPhoneNumber:
        raise VerificationError(
            _("Enter a mobile number that can receive text messages, e.g. 010-1234-5678.")
        ) from None
    now = now or timezone.now()
    client = client_hash(client_address)
    with transaction.atomic():
        _refuse_if_limited(phone, client, now, new_phone=True)
        verification = PhoneVerification(purpose=purpose, phone=phone, client=client, payload=payload or {})
        code = _new_code()
        verification.code_hash = _code_hash(verification.key, code)
        verification.code_sent_at = now
        verification.expires_at = now + dt.timedelta(minutes=settings.VERIFICATION_CODE_MINUTES)
        verification.save()
        _send_code(verification, code)
    return verification


def verification_resend(*, key, now: dt.datetime | None = None) -> PhoneVerification:
    """A new code for the same verification (the old one stops working)."""
    now = now or timezone.now()
    with transaction.atomic():
        verification = _locked(key)
        if verification.verified_at:
            return verification
        wait = verification.code_sent_at + dt.timedelta(seconds=settings.VERIFICATION_RESEND_SECONDS) - now
        if wait > dt.timedelta(0):
            seconds = int(wait.total_seconds()) + 1
            raise VerificationError(
                ngettext(
                    "Please wait %(seconds)d second before asking for a new code.",
                    "Please wait %(seconds)d seconds before asking for a new code.",
                    seconds,
                )
                % {"seconds": seconds}
            )
        _refuse_if_limited(verification.phone, verification.client, now, new_phone=False)
        code = _new_code()
        verification.code_hash = _code_hash(verification.key, code)
        verification.code_sent_at = now
        verification.expires_at = now + dt.timedelta(minutes=settings.VERIFICATION_CODE_MINUTES)
        verification.sends += 1
        verification.wrong_tries = 0
        verification.save(update_fields=["code_hash", "code_sent_at", "expires_at", "sends", "wrong_tries"])
        _send_code(verification, code)
    return verification


def _locked(key) -> PhoneVerification:
    verification = PhoneVerification.objects.select_for_update().filter(key=key).first()
    if verification is None:
        raise VerificationError(_("This verification has ended. Please start again."))
    return verification


def verification_check(*, key, code: str, now: dt.datetime | None = None) -> PhoneVerification:
    """The verification once ``code`` is right (again, if it was right
    before: a double submit gets the same answer). A wrong, expired or
    locked code raises ``VerificationError`` after the try is counted."""
    now = now or timezone.now()
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    with transaction.atomic():
        verification = _locked(key)
        problem = _check(verification, code, now)
    if problem:
        raise VerificationError(problem)
    return verification


def _check(verification: PhoneVerification, code: str, now: dt.datetime) -> str | None:
    """Count the try on the locked row; the message to show, or None."""
    locked_until = _phone_locked_until(verification.phone, now)
    if locked_until:
        return _("Too many wrong codes were typed for this number. To protect it, try again after %(time)s.") % {
            "time": _local_time(locked_until)
        }
    right = len(code) == 6 and hmac.compare_digest(verification.code_hash, _code_hash(verification.key, code))
    if right and verification.verified_at:
        return None
    if now >= verification.expires_at:
        return _("The code has expired. Ask for a new code.")
    if right:
        verification.verified_at = now
        verification.save(update_fields=["verified_at"])
        return None
    verification.wrong_tries += 1
    fields = ["wrong_tries"]
    left = settings.VERIFICATION_MAX_WRONG - verification.wrong_tries
    if left <= 0:
        verification.locked_until = now + dt.timedelta(minutes=settings.VERIFICATION_LOCK_MINUTES)
        fields.append("locked_until")
    verification.save(update_fields=fields)
    if left <= 0:
        return _("Too many wrong codes were typed for this number. To protect it, try again after %(time)s.") % {
            "time": _local_time(verification.locked_until)
        }
    return ngettext(
        "The code is not right. You can try %(left)d more time.",
        "The code is not right. You can try %(left)d more times.",
        left,
    ) % {"left": left}


def verification_done(verification: PhoneVerification, *, result: str) -> None:
    """Note what the verified phone became (in the caller's transaction) and
    drop what was typed: it now lives in the request."""
    PhoneVerification.objects.filter(pk=verification.pk).update(result=result, payload={})


def verifications_purge(*, now: dt.datetime | None = None) -> int:
    """Delete verifications older than a day (and, by the foreign key's
    SET_NULL, detach their sent messages). Returns how many."""
    now = now or timezone.now()
    day_ago = now - dt.timedelta(days=1)
    VerificationMessage.objects.filter(created_at__lt=day_ago).exclude(
        status=VerificationMessage.Status.SENDING
    ).delete()
    deleted, _by_model = PhoneVerification.objects.filter(created_at__lt=day_ago).delete()
    return deleted


# --- Reads ------------------------------------------------------------------------


def verification_for_key(key) -> PhoneVerification | None:
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return None
    return PhoneVerification.objects.filter(key=key).first()
