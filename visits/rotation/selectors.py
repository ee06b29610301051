"""Read queries the visits pages and commands share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from visits.models import FieldVisit, RotationCycle

SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True)
class Progress:
    """Counts of a cycle's visits: ``total`` is every visit in the period
    (the plan), ``held`` / ``planned`` / ``postponed`` / ``cancelled`` by status."""

    start: dt.date
    end: dt.date
    total: int
    held: int
    planned: int
    postponed: int
    cancelled: int

    @property
    def percent_held(self) -> int:
        return round(100 * self.held / self.total) if self.total else 0


@dataclass(frozen=True)
class CycleProgress:
    cycle: RotationCycle
    #: The whole cycle (``total`` is the number of neighborhoods in the plan).
    overall: Progress
    #: One entry per year of the cycle (a window under a year has one).
    years: list[Progress]


def _progress(statuses: list[str], start: dt.date, end: dt.date) -> Progress:
    status = FieldVisit.Status
    return Progress(
        start=start,
        end=end,
        total=len(statuses),
        held=statuses.count(status.HELD),
        planned=statuses.count(status.PLANNED),
        postponed=statuses.count(status.POSTPONED),
        cancelled=statuses.count(status.CANCELLED),
    )


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=SEOUL),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=SEOUL),
    )


def cycle_years(cycle: RotationCycle) -> list[tuple[dt.date, dt.date]]:
    """The cycle's years as (first day, last day), the last one cut at the
    cycle's end."""
    years, first = [], cycle.start
    while first <= cycle.end:
        try:
            following = first.replace(year=first.year + 1)
        except ValueError:  # 29 February
            following = first.replace(year=first.year + 1, day=28)
        years.append((first, min(following - dt.timedelta(days=1), cycle.end)))
        first = following
    return years


def cycle_progress(cycle: RotationCycle) -> CycleProgress:
    """Held / planned / total, for the whole cycle and per year (a visit
    counts in the year of its date), from the database: one query for the
    cycle's visits (a visit per neighborhood, and the few moved or
    cancelled), counted here; as SQL aggregates, fifteen filtered counts
    cost more to build than the rows to read."""
    visits = list(FieldVisit.objects.filter(cycle=cycle).values_list("status", "start"))
    years = []
    for first, last in cycle_years(cycle):
        start, end = _bounds(first, last)
        years.append(_progress([status for status, moment in visits if start <= moment < end], first, last))
    overall = _progress([status for status, _moment in visits], cycle.start, cycle.end)
    return CycleProgress(cycle=cycle, overall=overall, years=years)


# --- What the public sees -------------------------------------------------------------


def public_visits() -> QuerySet[FieldVisit]:
    """The visits on the public pages and calendars: those of an accepted (or
    closed) plan, or of none, that the secretariat has not kept off them.
    Accepting a plan is what publishes its visits: a draft is never public."""
    return (
        FieldVisit.objects.filter(is_published=True)
        .exclude(cycle__status=RotationCycle.Status.DRAFT)
        .select_related("neighborhood", "official")
    )


def upcoming_public_visits(now: dt.datetime) -> QuerySet[FieldVisit]:
    """Public visits still to come (planned, from ``now``), soonest first."""
    return public_visits().filter(status=FieldVisit.Status.PLANNED, start__gte=now).order_by("start", "pk")


def reported_visits() -> QuerySet[FieldVisit]:
    """Public visits held whose record is completed, so their results are
    published; the latest first."""
    return (
        public_visits()
        .filter(status=FieldVisit.Status.HELD, results_published_at__isnull=False)
        .order_by("-start", "-pk")
    )


def neighborhood_public_visits(code: str, now: dt.datetime) -> QuerySet[FieldVisit]:
    """One neighborhood's public visits to come and those reported (see the
    two selectors above), by start: its schedule beside its card."""
    to_come = Q(status=FieldVisit.Status.PLANNED, start__gte=now)
    reported = Q(status=FieldVisit.Status.HELD, results_published_at__isnull=False)
    return public_visits().filter(to_come | reported, neighborhood__code=code).order_by("start", "pk")
