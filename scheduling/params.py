"""One parser for the values a request carries in its path and query
(issue 14, point 2): ids, years, months, dates, pages and short text.

Every value from outside passes through here before it reaches ``int()``,
``datetime`` or the database. The rules:

- ASCII digits only (``'²'.isdigit()`` and ``'٣'.isdigit()`` are true, and
  ``int('٣')`` is 3; a regex ``\\d`` matches them too);
- ranges checked: an id fits a database bigint, a year is 2000–2100, a
  month 1–12, a page 1–10,000;
- no NUL byte (PostgreSQL refuses it in a string; see also
  ``scheduling.middleware.refuse_nul_bytes``).

A bad value raises :class:`BadParameter`, which is both a ``ValueError``
(so a view may fall back to a default) and Django's ``BadRequest`` (so a
value nobody catches answers 400 with the Korean error page, never 500).
The ``optional_*`` helpers answer ``None`` instead, for links that prefill
a form. :class:`IdConverter` is the URL converter ``<id:pk>`` for the same
ids in paths: a number too large is no match (404), not an overflow.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import BadRequest

MAX_ID = 2**63 - 1  # a bigint, the largest key the database holds
FIRST_YEAR = 2000
LAST_YEAR = 2100
MAX_PAGE = 10_000

_DIGITS = re.compile(r"[0-9]{1,19}")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class BadParameter(BadRequest, ValueError):
    """A path or query value that is not what the page takes."""


def text(raw, *, max_length: int = 200) -> str:
    """``raw`` as a string, refused if it holds a NUL or is too long."""
    value = "" if raw is None else str(raw)
    if "\x00" in value:
        raise BadParameter("NUL byte in a parameter")
    if len(value) > max_length:
        raise BadParameter("parameter too long")
    return value


def integer(raw, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """A whole number written in ASCII digits (an optional leading ``-``
    only if ``minimum`` is negative), within ``minimum``–``maximum``."""
    value = text(raw, max_length=20).strip()
    negative = value.startswith("-") and minimum < 0
    digits = value[1:] if negative else value
    if not _DIGITS.fullmatch(digits):
        raise BadParameter("not a number")
    number = -int(digits) if negative else int(digits)
    if not minimum <= number <= maximum:
        raise BadParameter("number out of range")
    return number


def object_id(raw) -> int:
    """A database id: 1 to the largest bigint."""
    return integer(raw, minimum=1, maximum=MAX_ID)


def year(raw) -> int:
    return integer(raw, minimum=FIRST_YEAR, maximum=LAST_YEAR)


def month(raw) -> dt.date:
    """``"2026-10"`` → 2026-10-01."""
    match = _MONTH.fullmatch(text(raw, max_length=7).strip())
    if not match:
        raise BadParameter("not a month (YYYY-MM)")
    return dt.date(year(match[1]), integer(match[2], minimum=1, maximum=12), 1)


def date(raw) -> dt.date:
    """``"2026-10-08"`` → that date, within the years above."""
    match = _DATE.fullmatch(text(raw, max_length=10).strip())
    if not match:
        raise BadParameter("not a date (YYYY-MM-DD)")
    try:
        return dt.date(year(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise BadParameter("no such date") from None


def page(raw) -> int:
    """A page number; empty is the first page."""
    if raw is None or str(raw).strip() == "":
        return 1
    return integer(raw, minimum=1, maximum=MAX_PAGE)


def _optional(parse, raw):
    if raw is None or str(raw).strip() == "":
        return None
    try:
        return parse(raw)
    except BadParameter:
        return None


def optional_id(raw) -> int | None:
    """An id, or ``None`` when empty or not one (a prefill link)."""
    return _optional(object_id, raw)


def optional_year(raw) -> int | None:
    return _optional(year, raw)


def optional_month(raw) -> dt.date | None:
    return _optional(month, raw)


def optional_date(raw) -> dt.date | None:
    return _optional(date, raw)


class IdConverter:
    """``<id:pk>``: ASCII digits that fit a bigint (``<int:>`` lets
    ``10**23`` through to the database, which overflows)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
