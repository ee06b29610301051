"""Korean mobile numbers: one parser and one masking function for the whole
product (lists, PDFs, feeds, CSV, admin)."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType


class InvalidPhoneNumber(ValueError):
    pass


def normalize_mobile(raw: str) -> str:
    """A Korean mobile number in its usual form, ``010-1234-5678``.

    Accepts what people type: spaces, dots, dashes, ``+82 10 …``,
    full-width digits. Raises ``InvalidPhoneNumber`` for anything that is
    not a valid Korean mobile number (landlines cannot receive SMS).
    """
    text = (raw or "").strip()
    if not text or len(text) > 30:
        raise InvalidPhoneNumber(raw)
    try:
        number = phonenumbers.parse(text, "KR")
    except NumberParseException as error:
        raise InvalidPhoneNumber(raw) from error
    if number.country_code != 82 or not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(raw)
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        raise InvalidPhoneNumber(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def mask_phone(phone: str) -> str:
    """``010-1234-5678`` → ``010-****-5678``: the middle group hidden."""
    if not phone:
        return ""
    parts = phone.split("-")
    if len(parts) == 3:
        return f"{parts[0]}-{'*' * len(parts[1])}-{parts[2]}"
    digits = [c for c in phone if c.isdigit()]
    if len(digits) < 8:
        return "*" * len(phone)
    return "".join(digits[:3]) + "-****-" + "".join(digits[-4:])


def mask_email(address: str) -> str:
    """``gildong@example.com`` → ``gi***@example.com``: the domain says
    which mailbox it was, the name stays hidden."""
    if not address:
        return ""
    name, _at, domain = address.partition("@")
    return f"{name[:2]}***@{domain}" if domain else "***"


def mask_contact(value: str) -> str:
    """A recipient that is a mobile number or an e-mail address, masked."""
    return mask_email(value) if "@" in (value or "") else mask_phone(value)
