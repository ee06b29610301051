"""Import an official's busy times from an .ics file (issue 6, point 6).

Staff upload the official's calendar as exported from the city's groupware.
Every busy occurrence between ``now`` and ``now + horizon_days`` becomes one
django-scheduler ``Event`` in the official's calendar, so the rotation planner
and substitution proposals, which treat every event there as busy, avoid it.

Privacy: SUMMARY, DESCRIPTION and LOCATION are never copied; each event is
titled "일정 있음 (가져옴)". Its description carries a marker
(``imported-busy:<hash>``) so that the next import replaces this one.
A bad file raises ``TongtongError`` and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schedule.models import Event

from scheduling.errors import TongtongError
from scheduling.models import Official

SEOUL = ZoneInfo("Asia/Seoul")
MAX_BYTES = 2 * 1024 * 1024
MAX_OCCURRENCES = 5000
MARKER_PREFIX = "imported-busy:"


@dataclass(frozen=True)
class ImportResult:
    created: int
    removed: int


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and b"\x00" in data[:200]):
        encoding = "UTF-16"
    else:
        encoding = _("another encoding (e.g. EUC-KR or Latin-1)")
    raise TongtongError(
        _("The file is not UTF-8 text; it seems to be in %(encoding)s. Export it again as UTF-8.")
        % {"encoding": encoding}
    )


def _aware(value, *, end_of_day: bool = False) -> dt.datetime:
    """A DTSTART/DTEND value as an aware datetime; dates and floating times
    are in Seoul."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=SEOUL)
        return value
    # A date: all-day, 00:00 Seoul (DTEND of an all-day event is exclusive).
    return dt.datetime.combine(value, dt.time.min, tzinfo=SEOUL)


def _is_busy(component) -> bool:
    if str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return False
    return True


def _occurrence_span(component) -> tuple[dt.datetime, dt.datetime] | None:
    start_prop = component.get("DTSTART")
    if start_prop is None:
        return None
    raw_start = start_prop.dt
    start = _aware(raw_start)
    end_prop = component.get("DTEND")
    if end_prop is not None:
        end = _aware(end_prop.dt)
    elif component.get("DURATION") is not None:
        end = start + component.get("DURATION").dt
    elif isinstance(raw_start, dt.datetime):
        end = start
    else:
        end = start + dt.timedelta(days=1)
    if end <= start:
        if isinstance(raw_start, dt.datetime):
            return None  # A zero-length point in time blocks nothing.
        end = start + dt.timedelta(days=1)
    return start, end


def parse_busy_times(
    data: bytes, *, now: dt.datetime, horizon_days: int = 730
) -> list[tuple[dt.datetime, dt.datetime, str]]:
    """The busy spans in ``data`` between ``now`` and ``now + horizon_days``,
    or ``TongtongError``."""
    if len(data) > MAX_BYTES:
        raise TongtongError(_("The file is too large: at most 2 MB can be imported."))
    text = _decode(data)
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except Exception as error:  # icalendar raises ValueError and others
        raise TongtongError(_("The file is not an iCalendar (.ics) file.")) from error
    if not isinstance(calendar, icalendar.Calendar) or calendar.name != "VCALENDAR":
        raise TongtongError(_("The file is not an iCalendar (.ics) file."))
    if not calendar.walk("VEVENT"):
        raise TongtongError(_("The file contains no events (VEVENT)."))
    window_end = now + dt.timedelta(days=horizon_days)
    try:
        occurrences = recurring_ical_events.of(calendar, components=["VEVENT"]).between(now, window_end)
    except Exception as error:
        raise TongtongError(_("The events in the file could not be read (e.g. a broken repeat rule).")) from error
    spans = set()
    for occurrence in occurrences:
        if not _is_busy(occurrence):
            continue
        span = _occurrence_span(occurrence)
        if span is None or span[1] <= now or span[0] >= window_end:
            continue
        spans.add((*span, str(occurrence.get("UID", ""))))
        if len(spans) > MAX_OCCURRENCES:
            raise TongtongError(
                _("The file has more than %(limit)s busy times in the next two years; import a shorter period.")
                % {"limit": f"{MAX_OCCURRENCES:,}"}
            )
    return sorted(spans)


def imported_events(official: Official):
    return Event.objects.filter(calendar=official.calendar, description__startswith=MARKER_PREFIX)


def busy_times_import(
    *, official: Official, data: bytes, actor=None, now: dt.datetime | None = None, horizon_days: int = 730
) -> ImportResult:
    """Replace the official's imported busy times with those in ``data``."""
    now = now or timezone.now()
    spans = parse_busy_times(data, now=now, horizon_days=horizon_days)
    title = _("Busy (imported)")
    creator = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        _total, deleted = imported_events(official).delete()
        removed = deleted.get(Event._meta.label, 0)
        Event.objects.bulk_create(
            [
                Event(
                    calendar=official.calendar,
                    title=title,
                    description=MARKER_PREFIX + hashlib.sha256(uid.encode()).hexdigest()[:16],
                    start=start,
                    end=end,
                    creator=creator,
                )
                for start, end, uid in spans
            ]
        )
    return ImportResult(created=len(spans), removed=removed)
