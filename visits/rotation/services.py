"""Every write about field visits goes through here: the rotation plan, its
acceptance, moving a visit, a visit's status and re-planning a cycle.

Time lives in django-scheduler: each visit has one ``Event`` in the
"field-visits" calendar and one in its official's calendar, written and read
through ``scheduling.calendars``. The planner
(``visits.rotation.planner``) is pure; ``planner_input_for`` gathers its plain input
from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from scheduling import calendars
from scheduling.dates import korean_date, korean_datetime
from scheduling.models import Neighborhood, Official
from scheduling.reserved_days import MEETING_DAY, reserved_days
from scheduling.workdays import working_calendar
from visits.errors import VisitConflict, VisitError
from visits.models import BlackoutPeriod, FieldVisit, RotationCycle
from visits.rotation.planner import PlannedVisit, PlannerError, PlannerInput, PlannerNeighborhood, PlannerRules, plan

SEOUL = ZoneInfo("Asia/Seoul")
#: Statuses that hold a date (and the official's time).
ACTIVE_STATUSES = (FieldVisit.Status.PLANNED, FieldVisit.Status.HELD)


# --- Time helpers ---------------------------------------------------------------


def _aware(value: dt.datetime) -> dt.datetime:
    """A naive local (Asia/Seoul) datetime made aware; aware ones converted."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=SEOUL)
    return value.astimezone(SEOUL)


def _naive_local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(SEOUL).replace(tzinfo=None)


def _local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(SEOUL).date()


def _day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of ``first`` to the end of ``last``, aware."""
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=SEOUL),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=SEOUL),
    )


def _as_time(value) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(str(value))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Reading the calendars --------------------------------------------------------


def meeting_days_between(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """Local dates of the meeting days (통통데이) from ``start`` to ``end``,
    asked of the core (``visits`` never imports ``meetings``): the series'
    rule with the persisted moves and cancellations and the holiday policy,
    for any window, whether or not its days were ever synced."""
    return reserved_days(MEETING_DAY, start, end)


def _own_event_ids(cycle: RotationCycle | None) -> list[int]:
    if cycle is None or cycle.pk is None:
        return []
    ids = []
    for event_id, official_event_id in cycle.visits.values_list("event_id", "official_event_id"):
        ids += [event_id, official_event_id]
    return [pk for pk in ids if pk]


def rules_of(cycle: RotationCycle) -> PlannerRules:
    """The planner rules a cycle holds, its blackout periods included."""
    return PlannerRules(
        weekdays=tuple(cycle.weekday_numbers()),
        day_start=_as_time(cycle.day_start),
        day_end=_as_time(cycle.day_end),
        max_per_week=cycle.max_per_week,
        blackouts=_cycle_blackouts(cycle),
    )


def _cycle_blackouts(cycle: RotationCycle | None) -> tuple[tuple[dt.date, dt.date, str], ...]:
    if cycle is None or cycle.pk is None:
        return ()
    return tuple(cycle.blackouts.order_by("start", "pk").values_list("start", "end", "reason"))


def _planner_neighborhood(row: Neighborhood) -> PlannerNeighborhood:
    return PlannerNeighborhood(
        code=row.code,
        name=row.name,
        is_current_issue_area=row.is_current_issue_area,
        is_natural_village=row.is_natural_village,
        is_outlying_area=row.is_outlying_area,
        last_visited=row.last_visited_on,
    )


def planner_input_for(
    *,
    cycle: RotationCycle | None = None,
    official: Official,
    start: dt.date,
    end: dt.date,
    neighborhoods: Sequence[str | Neighborhood] | None = None,
    rules: PlannerRules | None = None,
    fixed: Iterable[tuple[str, dt.date]] = (),
) -> PlannerInput:
    """The planner's plain input from the database.

    ``neighborhoods`` are codes (or rows); all of the city's when None.
    ``rules`` default to the cycle's (or the planner's defaults); the cycle's
    blackout periods are always added. Busy times are the occurrences of the
    official's calendar in the window, except this cycle's own visits, so
    that re-planning does not block itself.
    """
    calendar = calendars.official_calendar(official)
    if end < start:
        raise VisitError(
            _("The planning window ends (%(end)s) before it starts (%(start)s).")
            % {"start": korean_date(start), "end": korean_date(end)}
        )
    if neighborhoods is None:
        rows = list(Neighborhood.objects.order_by("sort_order", "name", "code"))
    else:
        codes = list(dict.fromkeys(n.code if isinstance(n, Neighborhood) else str(n) for n in neighborhoods))
        found = {row.code: row for row in Neighborhood.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise VisitError(_("Unknown neighborhood: %(codes)s.") % {"codes": ", ".join(unknown)})
        rows = [found[code] for code in codes]
    if not rows:
        raise VisitError(_("There are no neighborhoods to visit. Import the neighborhoods first."))

    if rules is None:
        rules = rules_of(cycle) if cycle is not None and cycle.pk else PlannerRules()
    else:
        extra = tuple(b for b in _cycle_blackouts(cycle) if b not in rules.blackouts)
        rules = replace(rules, blackouts=tuple(rules.blackouts) + extra)

    working = working_calendar(start, end)
    days_off = {}
    day = start
    while day <= end:
        if working.is_holiday_or_closure(day):
            days_off[day] = working.non_working_reason(day)
        day += dt.timedelta(days=1)

    busy = calendars.busy_times(calendar, start, end, exclude_events=_own_event_ids(cycle))
    # What is over of today is not free: a plan made "from today" at 16:00
    # puts no visit at 10:00 this morning.
    now = timezone.now().astimezone(SEOUL)
    if start <= now.date() <= end:
        busy = tuple(sorted((*busy, (dt.datetime.combine(now.date(), dt.time.min), _naive_local(now)))))

    return PlannerInput(
        neighborhoods=tuple(_planner_neighborhood(row) for row in rows),
        start=start,
        end=end,
        rules=rules,
        days_off=days_off,
        meeting_days=meeting_days_between(start, end),
        busy=busy,
        fixed=tuple(fixed),
    )


def _plan(data: PlannerInput) -> list[PlannedVisit]:
    try:
        return plan(data)
    except PlannerError as error:
        raise VisitError(str(error)) from error


# --- Saving a plan ---------------------------------------------------------------


def _event_title(visit: FieldVisit) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Field visit: %(neighborhood)s") % {"neighborhood": visit.neighborhood.name}


def _sync_events(visit: FieldVisit, actor=None) -> None:
    """Create or update the visit's two events (field-visits calendar and
    the official's calendar) to its time."""
    calendars.events_mirror(
        visit,
        (("event", calendars.field_visits_calendar()), ("official_event", calendars.official_calendar(visit.official))),
        title=_event_title(visit),
        description=visit.plan_reason,
        start=visit.start,
        end=visit.end,
        actor=actor,
    )


def _drop_events(visit: FieldVisit) -> None:
    """A postponed or cancelled visit no longer holds anyone's time."""
    calendars.events_drop(visit)


def _apply_plan(cycle: RotationCycle, planned: list[PlannedVisit], actor=None) -> None:
    """Put the cycle's visits on the planned dates: new ones created, the
    others (never a held one) moved and planned again."""
    visits = {
        v.neighborhood.code: v
        for v in cycle.visits.select_related("neighborhood", "official", "event", "official_event")
    }
    missing = [p.neighborhood for p in planned if p.neighborhood not in visits]
    neighborhoods = {n.code: n for n in Neighborhood.objects.filter(code__in=missing)}
    for item in planned:
        start, end = _aware(item.start), _aware(item.end)
        visit = visits.get(item.neighborhood)
        if visit is None:
            visit = FieldVisit(cycle=cycle, neighborhood=neighborhoods[item.neighborhood], official=cycle.official)
            visit.start, visit.end = start, end
        elif visit.status == FieldVisit.Status.HELD:
            continue
        else:
            changed = (visit.start, visit.end, visit.status) != (start, end, FieldVisit.Status.PLANNED)
            if changed:
                visit.sequence += 1
            visit.start, visit.end = start, end
            visit.status, visit.status_reason = FieldVisit.Status.PLANNED, ""
            if not changed and (visit.plan_reason, visit.is_priority) == (item.reason[:300], item.priority):
                _sync_events(visit, actor)
                continue
        visit.plan_reason = item.reason[:300]
        visit.is_priority = item.priority
        visit.full_clean()
        visit.save()
        _sync_events(visit, actor)


@transaction.atomic
def rotation_plan(
    *,
    official: Official,
    start: dt.date,
    years: int = 2,
    end: dt.date | None = None,
    name: str | None = None,
    rules: PlannerRules | None = None,
    dry_run: bool = False,
    actor=None,
) -> tuple[RotationCycle | None, list[PlannedVisit]]:
    """Plan every neighborhood once from ``start`` for ``years`` years (or to
    ``end``, included) and, unless ``dry_run``, save it as a draft cycle with
    one visit per neighborhood and its two events.

    Idempotent: for the same official and window the draft cycle is reused
    and its visits updated (held ones never move). All or nothing.
    """
    if end is None:
        if years < 1:
            raise VisitError(_("A rotation lasts at least one year (or give its last day)."))
        end = _add_years(start, years) - dt.timedelta(days=1)
    if end <= start:
        raise VisitError(
            _("The planning window ends (%(end)s) before it starts (%(start)s).")
            % {"start": korean_date(start), "end": korean_date(end)}
        )
    cycle = (
        RotationCycle.objects.select_for_update(of=("self",))
        .filter(official=official, start=start, end=end)
        .exclude(status=RotationCycle.Status.CLOSED)
        .order_by("pk")
        .first()
    )
    if cycle is not None and cycle.status == RotationCycle.Status.ACCEPTED and not dry_run:
        raise VisitError(
            _("The rotation %(name)s for this window is already accepted: re-plan it from its page instead.")
            % {"name": cycle.name}
        )
    fixed = ()
    if cycle is not None:
        held = cycle.visits.filter(status=FieldVisit.Status.HELD).select_related("neighborhood")
        fixed = tuple((v.neighborhood.code, _local_date(v.start)) for v in held)
    data = planner_input_for(cycle=cycle, official=official, start=start, end=end, rules=rules, fixed=fixed)
    planned = _plan(data)
    if dry_run:
        return None, planned

    if cycle is None:
        cycle = RotationCycle(
            official=official,
            start=start,
            end=end,
            name=name
            or _("%(official)s field visits %(first)s–%(last)s")
            % {"official": official, "first": start.isoformat(), "last": end.isoformat()},
        )
    elif name:
        cycle.name = name
    rules = data.rules
    cycle.weekdays = ",".join(str(d) for d in sorted(set(rules.weekdays)))
    cycle.day_start, cycle.day_end, cycle.max_per_week = rules.day_start, rules.day_end, rules.max_per_week
    cycle.full_clean()
    cycle.save()
    existing = set(_cycle_blackouts(cycle))
    for first, last, reason in rules.blackouts:
        if (first, last, reason) not in existing:
            blackout = BlackoutPeriod(cycle=cycle, start=first, end=last, reason=reason)
            blackout.full_clean()
            blackout.save()
            existing.add((first, last, reason))
    _apply_plan(cycle, planned, actor)
    return cycle, planned


@transaction.atomic
def cycle_accept(*, cycle: RotationCycle, actor) -> RotationCycle:
    """The secretariat accepts a draft plan, which publishes its visits (date,
    neighborhood, purpose) on /visits/, the public calendars and the
    neighborhoods' cards, except those kept off them
    (``visit_publish_set``); see ``visits.rotation.selectors.public_visits``."""
    cycle = RotationCycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    if cycle.status != RotationCycle.Status.DRAFT:
        raise VisitError(_("Only a draft rotation can be accepted."))
    if not cycle.visits.exists():
        raise VisitError(_("This rotation has no visits to accept."))
    cycle.status = RotationCycle.Status.ACCEPTED
    cycle.accepted_at = timezone.now()
    cycle.accepted_by = _user(actor)
    cycle.full_clean()
    cycle.save()
    return cycle


# --- One visit ---------------------------------------------------------------------


@transaction.atomic
def visit_publish_set(*, visit: FieldVisit, publish: bool, actor=None) -> FieldVisit:
    """Show a visit on the public pages or keep it off them (the per-visit
    opt-out), before or after its plan is accepted. Its results still wait
    for the completed record."""
    visit = FieldVisit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    if visit.is_published != publish:
        visit.is_published = publish
        visit.save(update_fields=["is_published", "updated_at"])
    return visit


def visit_move_conflict(*, visit: FieldVisit, start: dt.datetime, end: dt.datetime) -> str | None:
    """Why ``visit`` cannot take place from ``start`` to ``end``, or None."""
    start, end = _aware(start), _aware(end)
    day = _local_date(start)
    cycle = visit.cycle
    when = korean_date(day)
    if cycle is not None and not cycle.start <= day <= cycle.end:
        return _("%(date)s is outside the rotation (%(first)s – %(last)s).") % {
            "date": when,
            "first": korean_date(cycle.start),
            "last": korean_date(cycle.end),
        }
    reason = working_calendar(day, day).non_working_reason(day)
    if reason:
        return _("%(date)s is not a working day (%(reason)s).") % {"date": when, "reason": reason}
    if day in meeting_days_between(day, day):
        return _("%(date)s is a TongTong Day (citizen meeting day).") % {"date": when}
    if cycle is not None:
        blackout = cycle.blackouts.filter(start__lte=day, end__gte=day).first()
        if blackout:
            return _("%(date)s falls in a period without visits: %(reason)s (%(first)s – %(last)s).") % {
                "date": when,
                "reason": blackout.reason,
                "first": korean_date(blackout.start),
                "last": korean_date(blackout.end),
            }
    monday = day - dt.timedelta(days=day.weekday())
    week_start, week_end = _day_bounds(monday, monday + dt.timedelta(days=6))
    same_week = list(
        FieldVisit.objects.filter(
            official=visit.official, status__in=ACTIVE_STATUSES, start__gte=week_start, start__lt=week_end
        )
        .exclude(pk=visit.pk)
        .select_related("neighborhood")
        .order_by("start")
    )
    max_per_week = cycle.max_per_week if cycle is not None else 1
    if len(same_week) >= max_per_week:
        return _("The week of %(date)s already has %(count)s visit(s) (at most %(max)s a week): %(visits)s.") % {
            "date": when,
            "count": len(same_week),
            "max": max_per_week,
            "visits": ", ".join(f"{v.neighborhood.name} {korean_date(_local_date(v.start))}" for v in same_week),
        }
    calendar = calendars.official_calendar(visit.official)
    busy = calendars.first_busy(calendar, start, end, exclude_events=(visit.official_event_id, visit.event_id))
    if busy is not None:
        event, occurrence = busy
        return _("%(official)s is busy at that time: %(event)s (%(when)s).") % {
            "official": visit.official,
            "event": event.title,
            "when": korean_datetime(occurrence.start),
        }
    return None


@transaction.atomic
def visit_move(*, visit: FieldVisit, start: dt.datetime, actor) -> FieldVisit:
    """Move a visit (keeping its length) after checking for conflicts; both
    its events move with it. A postponed or cancelled visit moved to a new
    date is planned again. A held visit never moves."""
    visit = (
        FieldVisit.objects.select_for_update(of=("self",))
        .select_related("cycle", "official", "neighborhood", "event", "official_event")
        .get(pk=visit.pk)
    )
    if visit.status == FieldVisit.Status.HELD:
        raise VisitConflict(_("A visit that was held cannot move."))
    if visit.cycle is not None and visit.cycle.status == RotationCycle.Status.CLOSED:
        raise VisitError(_("This rotation is closed."))
    start = _aware(start)
    end = start + (visit.end - visit.start)
    conflict = visit_move_conflict(visit=visit, start=start, end=end)
    if conflict:
        raise VisitConflict(conflict)
    visit.start, visit.end = start, end
    visit.status, visit.status_reason = FieldVisit.Status.PLANNED, ""
    visit.sequence += 1
    visit.full_clean()
    visit.save()
    _sync_events(visit, actor)
    return visit


@transaction.atomic
def visit_set_status(*, visit: FieldVisit, status: str, reason: str = "", actor=None) -> FieldVisit:
    """Record that a visit was held, postponed or cancelled (these two with a
    reason), or is planned again. A held visit becomes the neighborhood's
    last visit; a postponed or cancelled one frees the official's time."""
    if status not in FieldVisit.Status.values:
        raise VisitError(_("Unknown visit status: %(status)s.") % {"status": status})
    visit = (
        FieldVisit.objects.select_for_update(of=("self",))
        .select_related("official", "neighborhood", "event", "official_event")
        .get(pk=visit.pk)
    )
    reason = (reason or "").strip()
    if status in (FieldVisit.Status.POSTPONED, FieldVisit.Status.CANCELLED) and not reason:
        raise VisitError(_("Give a reason for postponing or cancelling the visit."))
    if status != visit.status:
        visit.sequence += 1
    visit.status, visit.status_reason = status, reason[:300]
    visit.full_clean()
    visit.save()
    if status == FieldVisit.Status.HELD:
        neighborhood = visit.neighborhood
        day = _local_date(visit.start)
        if neighborhood.last_visited_on is None or neighborhood.last_visited_on < day:
            neighborhood.last_visited_on = day
            neighborhood.save(update_fields=["last_visited_on"])
    if status in ACTIVE_STATUSES:
        _sync_events(visit, actor)
    else:
        _drop_events(visit)
    return visit


# --- Re-planning a cycle -----------------------------------------------------------


def _replan(cycle: RotationCycle, from_date: dt.date) -> tuple[list[FieldVisit], list[PlannedVisit]]:
    visits = list(cycle.visits.select_related("neighborhood", "official").order_by("start", "pk"))
    movable = [v for v in visits if v.status != FieldVisit.Status.HELD]
    if not movable:
        return [], []
    first = max(from_date, cycle.start)
    if first > cycle.end:
        raise VisitError(
            _("%(date)s is after the end of the rotation (%(end)s): nothing can be re-planned.")
            % {"date": korean_date(from_date), "end": korean_date(cycle.end)}
        )
    # Held visits in the window stay where they are and use their week;
    # those before it are simply left out.
    held_inside = [
        v for v in visits if v.status == FieldVisit.Status.HELD and first <= _local_date(v.start) <= cycle.end
    ]
    data = planner_input_for(
        cycle=cycle,
        official=cycle.official,
        start=first,
        end=cycle.end,
        neighborhoods=[v.neighborhood.code for v in movable + held_inside],
        fixed=[(v.neighborhood.code, _local_date(v.start)) for v in held_inside],
    )
    return movable, _plan(data)


def cycle_replan_preview(
    *, cycle: RotationCycle, from_date: dt.date
) -> list[tuple[FieldVisit, dt.datetime, dt.datetime]]:
    """What re-planning the cycle from ``from_date`` would do: (visit, old
    start, new start) for every visit not held, by new start. Saves nothing."""
    return _changes(*_replan(cycle, from_date))


def _changes(movable: list[FieldVisit], planned: list[PlannedVisit]):
    by_code = {p.neighborhood: p for p in planned}
    changes = [(v, v.start, _aware(by_code[v.neighborhood.code].start)) for v in movable]
    return sorted(changes, key=lambda change: (change[2], change[0].pk))


@transaction.atomic
def cycle_replan_apply(
    *, cycle: RotationCycle, from_date: dt.date, actor
) -> list[tuple[FieldVisit, dt.datetime, dt.datetime]]:
    """Re-plan every visit not held from ``from_date`` (the same plan as the
    preview): postponed and cancelled visits are planned again on their new
    dates; held ones never move; every neighborhood stays covered once."""
    cycle = RotationCycle.objects.select_for_update(of=("self",)).select_related("official").get(pk=cycle.pk)
    if cycle.status == RotationCycle.Status.CLOSED:
        raise VisitError(_("This rotation is closed."))
    movable, planned = _replan(cycle, from_date)
    changes = _changes(movable, planned)
    _apply_plan(cycle, planned, actor)
    return changes
