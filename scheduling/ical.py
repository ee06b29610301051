"""The one place that writes iCalendar (RFC 5545).

Every .ics the product serves — a citizen's appointment, an official's
feed, the meeting-day calendar — is built here with the ``icalendar``
library, never by joining strings: it folds long lines, escapes commas,
semicolons and backslashes, and writes line breaks as ``\\n``, so text a
citizen typed can never add a property or a component.

Callers turn their rows into :class:`IcalEvent` and call
:func:`build_calendar`. Times are written in Asia/Seoul with its
``VTIMEZONE``; ``DTSTAMP`` and ``LAST-MODIFIED`` in UTC as the RFC asks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

SEOUL = ZoneInfo("Asia/Seoul")
PRODID = "-//Tongtong//TongTong Day//KO"
CONFIRMED = "CONFIRMED"
CANCELLED = "CANCELLED"
TENTATIVE = "TENTATIVE"
STATUSES = {CONFIRMED, CANCELLED, TENTATIVE}
#: The range the VTIMEZONE is computed for (Korea has kept +09:00 since 1988).
_TZ_FIRST = dt.date(2000, 1, 1)
_TZ_LAST = dt.date(2100, 1, 1)


@dataclass(frozen=True)
class IcalEvent:
    """One VEVENT. ``uid`` must stay the same across exports of the same
    thing (use a stored UUID); ``sequence`` must rise whenever it changes."""

    uid: str
    start: dt.datetime
    end: dt.datetime
    summary: str
    sequence: int = 0
    location: str = ""
    description: str = ""
    status: str = CONFIRMED
    last_modified: dt.datetime | None = None
    url: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"unknown iCalendar STATUS {self.status!r}")
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("iCalendar events need timezone-aware start and end")
        if not self.uid:
            raise ValueError("an iCalendar event needs a UID")


def clean_text(value: str) -> str:
    """Text as an iCalendar TEXT value may hold it: CRLF and lone CR become
    LF (written as ``\\n``); other control characters are dropped."""
    value = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)


#: Unicode category Cc (U+0000–U+001F, U+007F–U+009F) except TAB and LF.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@cache
def _seoul_vtimezone() -> Timezone:
    """The Asia/Seoul VTIMEZONE, computed once (about 30 ms) and only ever
    serialised, never changed, by the calendars that hold it."""
    return Timezone.from_tzid("Asia/Seoul", first_date=_TZ_FIRST, last_date=_TZ_LAST)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _vevent(item: IcalEvent, now: dt.datetime) -> Event:
    event = Event()
    event.add("uid", clean_text(item.uid).replace("\n", " "))
    event.add("sequence", max(int(item.sequence), 0))
    event.add("dtstamp", _utc(now))
    event.add("last-modified", _utc(item.last_modified or now))
    event.add("dtstart", item.start.astimezone(SEOUL))
    event.add("dtend", item.end.astimezone(SEOUL))
    event.add("summary", clean_text(item.summary))
    if item.location:
        event.add("location", clean_text(item.location))
    if item.description:
        event.add("description", clean_text(item.description))
    if item.url:
        event.add("url", clean_text(item.url).replace("\n", ""))
    event.add("status", item.status)
    event.add("transp", "TRANSPARENT" if item.status == CANCELLED else "OPAQUE")
    return event


def build_calendar(
    name: str, events: Iterable[IcalEvent], *, now: dt.datetime | None = None, method: str = "PUBLISH"
) -> bytes:
    """A whole VCALENDAR named ``name`` (``X-WR-CALNAME``) holding ``events``,
    with the Asia/Seoul VTIMEZONE, as the bytes of a .ics file (UTF-8, CRLF,
    folded at 75 octets)."""
    now = now or dt.datetime.now(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", clean_text(name).replace("\n", " "))
    calendar.add("x-wr-timezone", "Asia/Seoul")
    calendar.add_component(_seoul_vtimezone())
    for item in events:
        calendar.add_component(_vevent(item, now))
    return calendar.to_ical()


@dataclass(frozen=True)
class Feed:
    """A rendered feed and the moment it last changed (for Last-Modified)."""

    body: bytes
    last_modified: dt.datetime
