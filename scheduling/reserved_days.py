"""Reserved days: dates on which officials are not free for field visits.

The core must not import the apps, yet the field-visit planner (``visits``)
must keep off the TongTong Days, which belong to ``meetings``. As with the
staff sections, the feed sources and the report sources, each app registers
a source per kind of reserved day from its ``AppConfig.ready``; a source
takes a window of local dates (both included) and returns the dates in it.

A source is a read: it must work for any window, on a fresh install too, and
write nothing (a dry-run plan must save nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

#: The kinds of reserved day the core knows of.
MEETING_DAY = "meeting_day"  # 통통데이: the meetings app registers it

ReservedDaysSource = Callable[[dt.date, dt.date], Iterable[dt.date]]

_sources: dict[str, list[ReservedDaysSource]] = {}


def register_reserved_days(kind: str, source: ReservedDaysSource) -> None:
    if source not in _sources.setdefault(kind, []):
        _sources[kind].append(source)


def reserved_days(kind: str, start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """The reserved days of ``kind`` from ``start`` to ``end`` (both
    included), from every registered source; none when no source is."""
    days: set[dt.date] = set()
    for source in _sources.get(kind, []):
        days.update(day for day in source(start, end) if start <= day <= end)
    return frozenset(days)
