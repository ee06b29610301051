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
#: Repeats walked from a rule's start (before the window too), summed over
#: the file: bounds the work of expanding it (issue 14, point 3).
MAX_EXPANSION = 50_000
#: A busy time repeats at most daily; anything finer is not a calendar of
#: meetings and would expand to hundreds of thousands of times.
SUB_DAILY = {"SECONDLY", "MINUTELY", "HOURLY"}
#: The most days one period of each frequency holds.
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}


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


def _rule_parts(component) -> list:
    rules = component.get("RRULE")
    if rules is None:
        return []
    return rules if isinstance(rules, list) else [rules]


def _sizes(rule, key) -> int:
    return len(rule.get(key) or [])


def _dates_per_period(rule, freq: str) -> int:
    """At most how many dates one period of ``rule`` yields (its BY parts
    expand or limit the period; RFC 5545 §3.3.10). An upper bound, cheap to
    compute: nothing is expanded."""
    byday = [str(day) for day in rule.get("BYDAY") or []]
    # "2TH" is one date per period; a bare "TH" is every Thursday in it.
    weeks = {"WEEKLY": 1, "MONTHLY": 5, "YEARLY": 53}.get(freq, 1)
    days_by_weekday = sum(1 if any(c.isdigit() for c in day) else weeks for day in byday)
    if freq == "DAILY":
        dates = 1
    elif freq == "WEEKLY":
        dates = len(byday) or 1
    elif freq == "MONTHLY":
        dates = _sizes(rule, "BYMONTHDAY") or days_by_weekday or 1
    else:  # YEARLY
        months = _sizes(rule, "BYMONTH") or 1
        if _sizes(rule, "BYYEARDAY"):
            dates = _sizes(rule, "BYYEARDAY")
        elif _sizes(rule, "BYWEEKNO"):
            dates = _sizes(rule, "BYWEEKNO") * (len(byday) or 7)
        elif _sizes(rule, "BYMONTHDAY"):
            dates = months * _sizes(rule, "BYMONTHDAY")
        elif byday:
            dates = months * (
                sum(1 if any(c.isdigit() for c in d) else 5 for d in byday)
                if _sizes(rule, "BYMONTH")
                else days_by_weekday
            )
        else:
            dates = months
    return min(dates, _PERIOD_DAYS[freq])


def _bound(first: dt.datetime, last: dt.datetime, *, period_days: int, per_period: int, count: int | None) -> int:
    """At most how many repeats fall from ``first`` to ``last``."""
    if last < first:
        return 0
    repeats = ((last - first).days // period_days + 2) * per_period
    return min(repeats, count) if count is not None else repeats


def _repeats(component, *, now: dt.datetime, window_end: dt.datetime) -> tuple[int, int]:
    """(repeats walked from the start, repeats inside the window) that the
    event's rules yield at most, or ``TongtongError`` for a rule that is
    sub-daily or broken. Computed from the rule alone, before expanding."""
    walked = inside = 0
    start_prop = component.get("DTSTART")
    rdates = component.get("RDATE")
    for rdate in rdates if isinstance(rdates, list) else [rdates] if rdates is not None else []:
        walked += len(getattr(rdate, "dts", []) or [])
    rules = _rule_parts(component)
    if not rules or start_prop is None:
        return walked, min(walked, MAX_OCCURRENCES + 1)
    start = _aware(start_prop.dt)
    for rule in rules:
        freq = str((rule.get("FREQ") or [""])[0]).upper()
        if freq in SUB_DAILY:
            raise TongtongError(
                _(
                    "The file has an event that repeats every hour or more often (%(frequency)s). "
                    "Busy times can repeat at most daily: change the event in the calendar and export it again."
                )
                % {"frequency": freq}
            )
        if freq not in _PERIOD_DAYS:
            raise TongtongError(_("The events in the file could not be read (e.g. a broken repeat rule)."))
        try:
            interval = int((rule.get("INTERVAL") or [1])[0])
            count = int(rule["COUNT"][0]) if rule.get("COUNT") else None
            until = _aware(rule["UNTIL"][0]) if rule.get("UNTIL") else None
        except (TypeError, ValueError, OverflowError):
            raise TongtongError(_("The events in the file could not be read (e.g. a broken repeat rule).")) from None
        if interval < 1 or (count is not None and count < 1):
            raise TongtongError(_("The events in the file could not be read (e.g. a broken repeat rule)."))
        per_period = _dates_per_period(rule, freq)
        per_period *= (
            max(_sizes(rule, "BYHOUR"), 1) * max(_sizes(rule, "BYMINUTE"), 1) * max(_sizes(rule, "BYSECOND"), 1)
        )
        if _sizes(rule, "BYSETPOS"):
            per_period = min(per_period, _sizes(rule, "BYSETPOS"))
        period_days = _PERIOD_DAYS[freq] * interval
        last = min(window_end, until) if until is not None else window_end
        walked += _bound(start, last, period_days=period_days, per_period=per_period, count=count)
        inside += _bound(max(start, now), last, period_days=period_days, per_period=per_period, count=count)
    return walked, inside


def _check_bounded(calendar, *, now: dt.datetime, window_end: dt.datetime) -> None:
    """Refuse, before expanding anything, a file whose repeat rules would
    yield more than ``MAX_OCCURRENCES`` busy times in the window or make
    the expansion walk more than ``MAX_EXPANSION`` repeats (a 182-byte
    ``RRULE:FREQ=MINUTELY`` held a worker for 62 s at 1.6 GB)."""
    walked = inside = 0
    for component in calendar.walk("VEVENT"):
        if not _is_busy(component):
            continue
        event_walked, event_inside = _repeats(component, now=now, window_end=window_end)
        walked += event_walked
        inside += event_inside
    if inside > MAX_OCCURRENCES or walked > MAX_EXPANSION:
        raise TongtongError(
            _("The file has more than %(limit)s busy times in the next two years; import a shorter period.")
            % {"limit": f"{MAX_OCCURRENCES:,}"}
        )


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
        _check_bounded(calendar, now=now, window_end=window_end)
    except TongtongError:
        raise
    except Exception as error:  # a DTSTART or UNTIL that is no date
        raise TongtongError(_("The events in the file could not be read (e.g. a broken repeat rule).")) from error
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
