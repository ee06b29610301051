"""The rules of TongTong Day, each written once: the meeting-day rule, the
moves a request may make, the status sets the pages, services and reports
share, and when a request is late.

No queries here (plain values and query expressions in, plain values out),
so that the rules are fast and property-testable. Everything else in
``meetings`` imports them from here (the module map: docs/meetings.md).

The meeting-day rule (2nd and 4th Thursday) is what django-scheduler stores
(``byweekday:TH;bysetpos:2,4``); note that ``TH(+2)`` would be silently
dropped there and make the rule daily.
"""

from __future__ import annotations

import datetime as dt
import functools

from dateutil.rrule import MONTHLY, TH, rrule
from django.db.models import DateTimeField, F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from meetings.models import MeetingRequest, WaitlistEntry
from scheduling.clock import SEOUL
from scheduling.dates import korean_date

# --- Meeting days -------------------------------------------------------------------

RULE_PARAMS = "byweekday:TH;bysetpos:2,4"
SERIES_START = dt.date(2018, 7, 1)  # the first TongTong Day plan (seed 002)


def regular_meeting_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every 2nd and 4th Thursday from ``start`` to ``end`` (both included),
    before any holiday handling."""
    return list(_regular_meeting_dates(start, end))


@functools.lru_cache(maxsize=64)
def _regular_meeting_dates(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """Kept per window: the pages and feeds ask for the same few windows on
    every request (a day's worth of them), and the rule never changes."""
    first_of_month = start.replace(day=1)
    rule = rrule(MONTHLY, dtstart=first_of_month, byweekday=TH, bysetpos=(2, 4))
    return tuple(
        d.date()
        for d in rule.between(dt.datetime.combine(start, dt.time.min), dt.datetime.combine(end, dt.time.max), inc=True)
    )


LATER, EARLIER, CANCEL = "later", "earlier", "cancel"
POLICIES = (LATER, EARLIER, CANCEL)


def resolve_meeting_date(
    original: dt.date, *, calendar, policy: str, taken: set[dt.date] | frozenset = frozenset()
) -> dt.date | None:
    """Where a regular meeting date actually falls.

    A date that is a public holiday or city closure is never kept: with
    ``later`` it moves to the next working day, with ``earlier`` to the
    previous one, skipping dates in ``taken`` (the other meeting days); with
    ``cancel`` it is dropped (None). ``calendar`` is a
    ``scheduling.workdays.WorkingCalendar``. An unknown policy is refused
    (ValueError) rather than read as "earlier".
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown holiday policy {policy!r}")
    if not calendar.is_holiday_or_closure(original):
        return original
    if policy == CANCEL:
        return None
    step = calendar.next_working_day if policy == LATER else calendar.previous_working_day
    day = step(original)
    while day in taken:
        day = step(day)
    return day


def resolve_new_days(
    originals: list[dt.date], *, calendar, policy: str, taken: set[dt.date]
) -> dict[dt.date, dt.date | None]:
    """Where each of ``originals`` (rule dates without a meeting day yet, in
    order) actually falls, resolved one after the other as
    ``meeting_days_sync`` builds them: a day that moves takes its new date,
    which the later ones then skip. ``taken`` holds the dates that are
    already meeting days (the window's rule dates and the existing days'
    dates); it grows with each move."""
    resolved = {}
    for original in originals:
        actual = resolve_meeting_date(original, calendar=calendar, policy=policy, taken=taken)
        if actual is not None and actual != original:
            taken.add(actual)
        resolved[original] = actual
    return resolved


def closed_because(calendar, day: dt.date) -> str:
    """Why ``day`` is no meeting day as planned: the holiday or the city's
    closure (``calendar``: a ``scheduling.workdays.WorkingCalendar``)."""
    name = calendar.non_working_reason(day)
    if day in calendar.closures:
        return _("%(name)s (city office closed)") % {"name": name}
    return _("%(name)s (public holiday)") % {"name": name}


def moved_reason(because: str, new_start: dt.datetime) -> str:
    """The reason stored with a day the holiday policy moved, with its new date."""
    local = new_start.astimezone(SEOUL)
    return _("Moved because of %(because)s. New date: %(date)s %(time)s") % {
        "because": because,
        "date": korean_date(local.date()),
        "time": f"{local:%H:%M}",
    }


# --- A request's statuses -----------------------------------------------------------

S = MeetingRequest.Status

#: The legal moves of a request. Anything else is refused
#: (``meetings.services.transitions.transition``).
TRANSITIONS: dict[str, set[str]] = {
    S.SUBMITTED: {S.UNDER_REVIEW, S.SCHEDULED, S.SUBSTITUTED, S.WAITLISTED, S.ANSWERED, S.DECLINED, S.CANCELLED},
    S.UNDER_REVIEW: {S.SCHEDULED, S.SUBSTITUTED, S.WAITLISTED, S.ANSWERED, S.DECLINED, S.CANCELLED},
    S.WAITLISTED: {S.UNDER_REVIEW, S.SCHEDULED, S.SUBSTITUTED, S.ANSWERED, S.DECLINED, S.CANCELLED},
    S.SCHEDULED: {S.SCHEDULED, S.SUBSTITUTED, S.UNDER_REVIEW, S.HELD, S.NO_SHOW, S.CANCELLED},
    S.SUBSTITUTED: {S.SUBSTITUTED, S.SCHEDULED, S.UNDER_REVIEW, S.HELD, S.NO_SHOW, S.CANCELLED},
    S.ANSWERED: {S.CLOSED},
    S.DECLINED: {S.CLOSED},
    S.HELD: {S.CLOSED},
    S.NO_SHOW: {S.CLOSED},
    S.CANCELLED: {S.CLOSED},
    S.CLOSED: set(),
}

#: Waiting for the secretariat: neither booked nor answered yet.
WAITING_STATUSES = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED})
#: Booked: with the mayor, or with a substitute.
BOOKED_STATUSES = frozenset({S.SCHEDULED, S.SUBSTITUTED})
#: Open: waiting or booked. The secretariat's queue lists these, the citizen
#: may still cancel or move them, the department head may still be asked.
OPEN_STATUSES = WAITING_STATUSES | BOOKED_STATUSES
#: Ended: every other status (its last change starts the retention period).
ENDED_STATUSES = frozenset(S.values) - OPEN_STATUSES
#: The statuses that answer a request: the answer clock stops at the first.
FIRST_ANSWERS = BOOKED_STATUSES | {S.ANSWERED, S.DECLINED}

#: A waiting-list entry still in line: waiting, or offered a freed slot.
WAITLIST_IN_LINE = frozenset({WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED})


# --- Late requests ------------------------------------------------------------------


def due_expression() -> Coalesce:
    """A request's due time in a query: the extended one when the
    secretariat extended it (``MeetingRequest.due_at`` for a row read)."""
    return Coalesce(F("extended_due_at"), F("answer_due_at"), output_field=DateTimeField())


def late_q(now: dt.datetime) -> Q:
    """A request not answered by its due time (the extended one when the
    secretariat extended it), as a query condition."""
    due_passed = Q(extended_due_at__lt=now) | Q(extended_due_at__isnull=True, answer_due_at__lt=now)
    return Q(first_answered_at__isnull=True) & due_passed


def is_late(request: MeetingRequest, now: dt.datetime) -> bool:
    """``late_q`` for a request already read."""
    return request.first_answered_at is None and request.due_at < now
