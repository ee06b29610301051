"""Private calendar feeds: the sources apps register, and the cut-off for
cancelled items that every feed applies.

The core must not import ``meetings`` or ``visits``, yet an official's feed
holds their citizen meetings and their visits. Each app registers a source
per feed kind from its ``AppConfig.ready``; a source takes the user and
returns ``scheduling.ical.IcalEvent``s. This is the second documented plugin
point of the core (beside the staff sections).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from scheduling.ical import Feed, IcalEvent

FeedSource = Callable[[object], list[IcalEvent]]

_sources: dict[str, list[FeedSource]] = {}


def register_feed_source(kind: str, source: FeedSource) -> None:
    """``kind`` is a ``CalendarFeedToken.Kind`` value."""
    if source not in _sources.setdefault(kind, []):
        _sources[kind].append(source)


#: The view of the public feeds (and of the citizen's own .ics): its UIDs
#: carry no suffix, as they always have.
PUBLIC_VIEW = "public"


def view_uid(thing: str, key: object, view: str) -> str:
    """The UID of ``thing`` number ``key`` (``"field-visit"``, 12) as the
    feed ``view`` shows it: ``field-visit-12@tongtong`` in the public feeds,
    ``field-visit-12.official@tongtong`` in an official's private feed (the
    view is the ``CalendarFeedToken.Kind``).

    One thing is written differently in each view (the public feed has no
    internal text, the department's has no subject), and a person may
    subscribe to several views at once. Calendar apps that key events by UID
    across calendars would then merge two views into one event, or show one
    and drop the other: every view gets a UID of its own, the same in every
    render of that view."""
    suffix = "" if view == PUBLIC_VIEW else f".{view}"
    return f"{thing}-{key}{suffix}@tongtong"


def feed_events(kind: str, user) -> list[IcalEvent]:
    events: list[IcalEvent] = []
    for source in _sources.get(kind, []):
        events.extend(source(user))
    return sorted(events, key=lambda e: (e.start, e.uid))


# --- How long cancelled items stay ----------------------------------------------


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def cancelled_cutoff(today: dt.date | None = None) -> dt.datetime:
    """Feeds keep a cancelled item while it starts at or after this moment:
    local midnight ``FEED_CANCELLED_KEEP_DAYS`` days before today. An item
    of day D is so shown through day D + N and gone from day D + N + 1."""
    today = today or timezone.localdate()
    return _midnight(today - dt.timedelta(days=settings.FEED_CANCELLED_KEEP_DAYS))


def cancelled_dropped_at(start: dt.datetime | None) -> dt.datetime | None:
    """The moment a cancelled item starting at ``start`` left the feeds (for
    a feed's Last-Modified: dropping an item changes the file)."""
    if start is None:
        return None
    day = timezone.localtime(start).date()
    return _midnight(day + dt.timedelta(days=settings.FEED_CANCELLED_KEEP_DAYS + 1))


#: The stamp of a feed with nothing in it; fixed so that its bytes are stable.
FEED_EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def private_feed(kind: str, user, name: str) -> Feed:
    """``user``'s private feed of ``kind`` named ``name``, ready for
    ``scheduling.http.calendar_response`` (which answers a 304 from its ETag
    without rendering it). Its Last-Modified is the latest change of an item,
    or today's local midnight if later: cancelled items leave the feed at a
    midnight (:func:`cancelled_cutoff`) and no row records it."""
    events = feed_events(kind, user)
    stamps = [e.last_modified for e in events if e.last_modified]
    stamp = max([FEED_EPOCH, _midnight(timezone.localdate()), *stamps]).astimezone(dt.UTC)
    return Feed(name, events, last_modified=stamp, now=stamp)
