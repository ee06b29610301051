"""Private calendar feeds: the sources apps register, the tokens.

The core must not import ``meetings`` or ``visits``, yet an official's feed
holds their citizen meetings and their visits. Each app registers a source
per feed kind from its ``AppConfig.ready``; a source takes the user and
returns ``scheduling.ical.IcalEvent``s. This is the second documented plugin
point of the core (beside the staff sections).
"""

from __future__ import annotations

from collections.abc import Callable

from scheduling.ical import IcalEvent

FeedSource = Callable[[object], list[IcalEvent]]

_sources: dict[str, list[FeedSource]] = {}


def register_feed_source(kind: str, source: FeedSource) -> None:
    """``kind`` is a ``CalendarFeedToken.Kind`` value."""
    if source not in _sources.setdefault(kind, []):
        _sources[kind].append(source)


def feed_events(kind: str, user) -> list[IcalEvent]:
    events: list[IcalEvent] = []
    for source in _sources.get(kind, []):
        events.extend(source(user))
    return sorted(events, key=lambda e: (e.start, e.uid))
