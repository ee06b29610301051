"""The one place that writes iCalendar (RFC 5545).

Every .ics the product serves — a citizen's appointment, an official's
feed, the meeting-day calendar — is built here with the ``icalendar``
library, never by joining strings: it folds long lines, escapes commas,
semicolons and backslashes, and writes line breaks as ``\\n``, so text a
citizen typed can never add a property or a component.

Callers turn their rows into :class:`IcalEvent` and make a :class:`Feed`
(or call :func:`build_calendar`). Times are written in Asia/Seoul with its
``VTIMEZONE``; ``DTSTAMP`` and ``LAST-MODIFIED`` in UTC as the RFC asks.

``DTSTAMP`` is the moment the item last changed (the same as
``LAST-MODIFIED``): RFC 5545 §3.8.7.2 lets a published object carry the
time its information was last revised, and it makes every VEVENT a
function of its item alone. That is what lets a feed be assembled from
cached blocks: each VEVENT is rendered once by icalendar, kept in Django's
cache under a hash of everything that goes into it, and reused until the
item changes. A changed item — any field, SEQUENCE or not — has another
key, so a stale block can never be served; the VCALENDAR wrapper and the
VTIMEZONE are rendered by icalendar too, and the assembled bytes are the
same, byte for byte, as icalendar rendering the whole calendar at once
(``cache=None``; tested).

No ``METHOD`` property: a feed is a plain iCalendar object (RFC 5545), not
an iTIP message. ``METHOD:PUBLISH`` would make it one, and RFC 5546 §3.2.1
then requires an ORGANIZER, which libical's strict check enforces; nothing
reads the METHOD of a subscribed or downloaded file (docs/calendar.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from zoneinfo import ZoneInfo

import icalendar
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from icalendar import Calendar, Event, Timezone

logger = logging.getLogger(__name__)

SEOUL = ZoneInfo("Asia/Seoul")
PRODID = "-//Tongtong//TongTong Day//KO"
CONFIRMED = "CONFIRMED"
CANCELLED = "CANCELLED"
TENTATIVE = "TENTATIVE"
STATUSES = {CONFIRMED, CANCELLED, TENTATIVE}
#: The range the VTIMEZONE is computed for (Korea has kept +09:00 since 1988).
_TZ_FIRST = dt.date(2000, 1, 1)
_TZ_LAST = dt.date(2100, 1, 1)
_END = b"END:VCALENDAR\r\n"

#: Part of every block's cache key: raise it whenever ``_vevent`` writes
#: something else for the same item, so no block of the old shape is served.
BLOCK_FORMAT = 1
#: Part of every feed's ETag: raise it whenever the VCALENDAR head (its
#: properties, the VTIMEZONE) changes, so that clients fetch the new file.
#: 2: no METHOD, no COMMENT in the VTIMEZONE (issue 14).
HEAD_FORMAT = 2
#: Seconds a rendered VEVENT stays cached; an item's old versions (and items
#: no feed shows any more) simply expire.
BLOCK_TIMEOUT = 30 * 24 * 3600
#: Blocks kept per process when the project's cache is local memory (Django's
#: own default of 300 entries would never hold a 1,000-event feed).
LOCAL_BLOCKS = 20_000
#: Use the project's cache (see :func:`block_cache`).
DEFAULT_CACHE = "default"


@dataclass(frozen=True)
class IcalEvent:
    """One VEVENT. ``uid`` must stay the same across exports of the same
    thing (use a stored UUID); ``sequence`` must rise whenever it changes;
    ``last_modified`` is the moment it last changed (DTSTAMP and
    LAST-MODIFIED; the feed's ``now`` when not given)."""

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
    LF (written as ``\\n``); other control characters are dropped; a literal
    backslash-N becomes LF, as icalendar writes it (RFC 5545 reads ``\\N`` as
    a line break), so that what is written is what a reader gets back."""
    value = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).replace("\\N", "\n")


#: Unicode category Cc (U+0000–U+001F, U+007F–U+009F) except TAB and LF.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@cache
def _seoul_vtimezone() -> Timezone:
    """The Asia/Seoul VTIMEZONE, computed once (about 30 ms) and only ever
    serialised, never changed, by the calendars that hold it. icalendar puts
    a COMMENT ("only works from … to …") on the VTIMEZONE itself, where RFC
    5545 §3.6.5 has none (COMMENT belongs in STANDARD/DAYLIGHT) and libical
    reports an error: it is left out."""
    timezone = Timezone.from_tzid("Asia/Seoul", first_date=_TZ_FIRST, last_date=_TZ_LAST)
    timezone.pop("COMMENT", None)
    return timezone


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", clean_text(name).replace("\n", " "))
    calendar.add("x-wr-timezone", "Asia/Seoul")
    calendar.add_component(_seoul_vtimezone())
    return calendar


@lru_cache(maxsize=256)
def _head(name: str) -> bytes:
    """The VCALENDAR with its properties and the VTIMEZONE, as icalendar
    writes it, up to (not including) ``END:VCALENDAR``."""
    data = _calendar(name).to_ical()
    if not data.endswith(_END):  # pragma: no cover - icalendar always ends so
        raise ValueError("icalendar wrote a calendar that does not end with END:VCALENDAR")
    return data[: -len(_END)]


def _vevent(item: IcalEvent, now: dt.datetime) -> Event:
    changed = _utc(item.last_modified or now)
    event = Event()
    event.add("uid", clean_text(item.uid).replace("\n", " "))
    event.add("sequence", max(int(item.sequence), 0))
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
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


def _block_key(item: IcalEvent, now: dt.datetime) -> str:
    """The cache key of ``item``'s VEVENT: a hash of every value it is
    written from (so of UID, SEQUENCE and LAST-MODIFIED, and of all the
    text), of the block format and of the icalendar version."""
    values = (
        BLOCK_FORMAT,
        icalendar.__version__,
        item.uid,
        item.sequence,
        (item.last_modified or now).isoformat(),
        item.start.isoformat(),
        item.end.isoformat(),
        item.summary,
        item.location,
        item.description,
        item.url,
        item.status,
    )
    return "ical:" + hashlib.sha256(repr(values).encode()).hexdigest()


@cache
def _local_block_cache() -> LocMemCache:
    return LocMemCache(
        "tongtong-ical-blocks",
        {"TIMEOUT": BLOCK_TIMEOUT, "OPTIONS": {"MAX_ENTRIES": LOCAL_BLOCKS, "CULL_FREQUENCY": 4}},
    )


def block_cache() -> BaseCache:
    """Where rendered VEVENTs are kept: the project's cache (Redis in
    production, shared by every process), or, when that is local memory, a
    local-memory cache of this module's own with room for
    :data:`LOCAL_BLOCKS` events."""
    default = caches["default"]
    return _local_block_cache() if isinstance(default, LocMemCache) else default


class Feed:
    """A calendar file: its name, its events and the moment it last changed
    (for ``Last-Modified``).

    :attr:`etag` is computed from the events' block keys without rendering
    anything, so a client that already has the file gets its 304 cheaply;
    :attr:`body` is rendered (from cached blocks where possible) on first use.
    ``cache=None`` renders the whole calendar with icalendar in one go and
    caches nothing (the reference the cached bytes are tested against).
    """

    def __init__(
        self,
        name: str,
        events: Iterable[IcalEvent],
        *,
        last_modified: dt.datetime | None = None,
        now: dt.datetime | None = None,
        cache: BaseCache | str | None = DEFAULT_CACHE,
    ):
        self.name = name
        self.events = list(events)
        self.now = _utc(now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        self.cache = cache
        changes = [e.last_modified or self.now for e in self.events]
        self.last_modified = _utc(last_modified or max(changes, default=self.now))

    @cached_property
    def keys(self) -> list[str]:
        return [_block_key(item, self.now) for item in self.events]

    @cached_property
    def etag(self) -> str:
        """A strong validator of :attr:`body`: the body is a function of the
        name and the block keys, so this hash is one of it (the head's
        format is part of :data:`HEAD_FORMAT`)."""
        values = (BLOCK_FORMAT, HEAD_FORMAT, icalendar.__version__, PRODID, self.name, self.keys)
        return hashlib.sha256(repr(values).encode()).hexdigest()[:32]

    @cached_property
    def body(self) -> bytes:
        """The .ics file: UTF-8, CRLF, folded at 75 octets."""
        if self.cache is None:
            calendar = _calendar(self.name)
            for item in self.events:
                calendar.add_component(_vevent(item, self.now))
            return calendar.to_ical()
        blocks = self._cached_blocks()
        rendered = {}
        for key, item in zip(self.keys, self.events, strict=True):
            if key not in blocks:
                blocks[key] = rendered[key] = _vevent(item, self.now).to_ical()
        if rendered:
            self._store(rendered)
        return b"".join([_head(self.name), *(blocks[k] for k in self.keys), _END])

    def rendered(self) -> RenderedFeed:
        """What a response needs of this feed, rendered, small enough to keep."""
        return RenderedFeed(etag=self.etag, body=self.body, last_modified=self.last_modified)

    def _backend(self) -> BaseCache:
        return block_cache() if self.cache == DEFAULT_CACHE else self.cache

    def _cached_blocks(self) -> dict[str, bytes]:
        if not self.keys:
            return {}
        try:
            return self._backend().get_many(self.keys)
        except Exception:  # a cache outage must not take the calendars down
            logger.warning("iCal block cache unavailable; rendering every event", exc_info=True)
            return {}

    def _store(self, blocks: dict[str, bytes]) -> None:
        try:
            self._backend().set_many(blocks, timeout=BLOCK_TIMEOUT)
        except Exception:
            logger.warning("iCal block cache unavailable; rendered events not kept", exc_info=True)


@dataclass(frozen=True)
class RenderedFeed:
    """A :class:`Feed` once rendered (``Feed.rendered()``): its validator,
    its bytes and its stamp, as a page keeps it (``scheduling/versions.py``)."""

    etag: str
    body: bytes
    last_modified: dt.datetime


def build_calendar(
    name: str,
    events: Iterable[IcalEvent],
    *,
    now: dt.datetime | None = None,
    cache: BaseCache | str | None = DEFAULT_CACHE,
) -> bytes:
    """A whole VCALENDAR named ``name`` (``X-WR-CALNAME``) holding ``events``,
    with the Asia/Seoul VTIMEZONE, as the bytes of a .ics file (UTF-8, CRLF,
    folded at 75 octets). ``now`` stands in for an item's missing
    ``last_modified``."""
    return Feed(name, events, now=now, cache=cache).body
