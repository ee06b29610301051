"""Read queries the meeting pages share."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Case, Count, Prefetch, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meetings.models import Appointment, MeetingDay, MeetingRequest, MeetingSeries, WaitlistEntry
from meetings.rules import (
    CANCEL,
    OPEN_STATUSES,
    RULE_PARAMS,
    SERIES_START,
    closed_because,
    due_expression,
    late_q,
    moved_reason,
    regular_meeting_dates,
    resolve_new_days,
)
from scheduling.clock import SEOUL
from scheduling.models import Official
from scheduling.versions import CLOSURES, kept
from scheduling.workdays import working_calendar

#: The data version (scheduling/versions.py) of the series, its days, their
#: slots and appointments: every service writing them calls
#: ``versions.changed(MEETING_DAYS)`` (registered in ``MeetingsConfig.ready``).
MEETING_DAYS = "meeting-days"


def active_series() -> MeetingSeries | None:
    """The active series. Before anything has created it (the sync does:
    celery beat, ``manage.py meeting_days``, the first request that chooses
    a day), the series it will be, unsaved: the mayor's, with the default
    settings. None while there is no active mayor."""
    series = MeetingSeries.objects.select_related("event__rule").filter(is_active=True).first()
    if series is not None:
        return series
    mayor = Official.objects.filter(rank=Official.Rank.MAYOR, is_active=True).first()
    return MeetingSeries(official=mayor) if mayor is not None else None


def day_key(day: MeetingDay) -> str:
    """How a form names a meeting day, saved or not: its rule date (one day
    per rule date in the active series)."""
    return day.original_date.isoformat()


def with_free_slots(days):
    """Annotate ``total_slots`` and ``booked_slots`` on a MeetingDay queryset
    (free = total - booked)."""
    return days.annotate(
        total_slots=Count("slots", distinct=True),
        booked_slots=Count(
            "slots__appointments", filter=Q(slots__appointments__status=Appointment.Status.ACTIVE), distinct=True
        ),
    )


def meeting_days_between(
    start: dt.date, end: dt.date, *, series: MeetingSeries | None = None, waiting: bool = False
) -> list[MeetingDay]:
    """Every meeting day whose rule date is from ``start`` to ``end`` (and
    any day moved into those dates), in order, with ``total_slots`` and
    ``booked_slots`` (and ``waiting``, the waiting list, when asked).

    The saved days as they are; a rule date the sync has not reached yet
    as the unsaved day the sync would build (``pk`` None, every slot free):
    what a page shows does not depend on how far a sync has run. Writes
    nothing; a service saves a day when someone chooses it
    (``meetings.services.series.meeting_days_saved``).

    Without ``series`` and ``waiting`` (the public pages' read, the same for
    every visitor), kept until the series, a day, a slot, an appointment or
    a city closure changes (``scheduling/versions.py``)."""
    if series is None and not waiting:
        _saved, days = kept(
            f"meeting-days:{start}:{end}",
            (MEETING_DAYS, CLOSURES),
            lambda: _days_of_active_series(start, end),
            keep=lambda read: read[0],
        )
        return list(days)
    return _meeting_days_between(start, end, series=series or active_series(), waiting=waiting)


def _days_of_active_series(start: dt.date, end: dt.date) -> tuple[bool, tuple[MeetingDay, ...]]:
    """Whether the active series is saved, and its days. Before it is saved
    the days are not kept: the series it will be depends on the officials,
    which ``MEETING_DAYS`` does not cover."""
    series = active_series()
    return series is not None and series.pk is not None, tuple(_meeting_days_between(start, end, series=series))


def _meeting_days_between(
    start: dt.date, end: dt.date, *, series: MeetingSeries | None, waiting: bool = False
) -> list[MeetingDay]:
    if series is None:
        return []
    local_window = (
        dt.datetime.combine(start, dt.time.min, tzinfo=SEOUL),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=SEOUL),
    )
    rows = with_free_slots(
        MeetingDay.objects.filter(pk__in=[])
        if series.pk is None
        else MeetingDay.objects.filter(
            Q(original_date__range=(start, end)) | Q(start__gte=local_window[0], start__lt=local_window[1]),
            series=series,
        )
    )
    if waiting:
        rows = rows.annotate(
            waiting=Count("waitlist", filter=Q(waitlist__status=WaitlistEntry.Status.WAITING), distinct=True)
        )
    days = {day.original_date: day for day in rows}
    for day in days.values():
        day.series = series  # the one already read: no query per day
    planned = days_as_planned(series, start=start, end=end, rule_dates=_rule_dates(series, start, end), saved=days)
    for original, day in planned.items():
        day.total_slots = 0 if day.is_cancelled else series.slots_per_day
        day.booked_slots = day.waiting = 0
        days[original] = day
    return sorted(days.values(), key=lambda day: day.start)


def upcoming_meeting_days(*, count: int = 4, now: dt.datetime | None = None) -> list[MeetingDay]:
    """The next ``count`` meeting days from today, moved and cancelled ones
    included (they are shown with their reason)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = meeting_days_between(today, today + dt.timedelta(days=31 * ((count + 1) // 2 + 1)))
    return [day for day in days if day.end > now][:count]


def bookable_meeting_days(*, now: dt.datetime | None = None) -> list[MeetingDay]:
    """The days a citizen may choose: not cancelled, far enough ahead for the
    notice period, within the booking horizon; each with ``total_slots`` and
    ``booked_slots``. Saved or not (see ``meeting_days_between``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=settings.MEETING_BOOKING_HORIZON_DAYS)
    return [day for day in meeting_days_between(today, horizon) if is_bookable(day, now=now)]


def is_bookable(day: MeetingDay, *, now: dt.datetime) -> bool:
    """Whether a citizen may choose ``day`` at ``now`` (the rule of
    ``bookable_meeting_days``): a page that has read the days already asks
    this instead of reading them again."""
    horizon = timezone.localdate(now) + dt.timedelta(days=settings.MEETING_BOOKING_HORIZON_DAYS)
    earliest = now + dt.timedelta(hours=settings.MEETING_CHANGE_NOTICE_HOURS)
    return not day.is_cancelled and day.start > earliest and timezone.localdate(day.start) <= horizon


def free_slots(day: MeetingDay):
    return day.slots.exclude(appointments__status=Appointment.Status.ACTIVE).order_by("start")


def request_queue(*, now: dt.datetime | None = None):
    """Open requests for the secretariat, the late ones first."""
    now = now or timezone.now()
    return (
        MeetingRequest.objects.filter(status__in=OPEN_STATUSES)
        .select_related("neighborhood")
        .annotate(due=due_expression(), is_late=Case(When(late_q(now), then=Value(True)), default=Value(False)))
        .order_by("-is_late", "due", "submitted_at")
    )


# --- Meeting dates from the rule, for any window ------------------------------------
#
# Field visits must keep off the TongTong Days of any window (a two-year
# rotation reaches far beyond the synced days), so the dates come from the
# series' rule and the persisted days, never from how far a sync has run.


def meeting_day_dates(*, start: dt.date, end: dt.date) -> dict[dt.date, dt.date | None]:
    """For every meeting day whose rule date is from ``start`` to ``end``:
    rule date -> the local date it actually falls on (None: cancelled).

    The read-only twin of ``meeting_days_sync`` for the same window: a
    persisted day gives its own date (moved or cancelled by the secretariat
    or by the holiday policy); a rule date without a row yet is resolved by
    the series' holiday policy exactly as the sync would build it. Before any
    series exists (a fresh install), the rule and policy the series would be
    created with. Writes nothing."""
    series = MeetingSeries.objects.select_related("event__rule").filter(is_active=True).first()
    if series is None:
        policy = MeetingSeries._meta.get_field("holiday_policy").get_default()
        rule_dates = regular_meeting_dates(max(start, SERIES_START), end) if end >= SERIES_START else []
        rows = []
    else:
        policy = series.holiday_policy
        rule_dates = _rule_dates(series, start, end)
        rows = MeetingDay.objects.filter(series=series, original_date__range=(start, end))
        rows = rows.values_list("original_date", "start", "status")
    dates: dict[dt.date, dt.date | None] = {}
    taken = set(rule_dates)
    for original, day_start, status in rows:
        local = day_start.astimezone(SEOUL).date()
        taken.add(local)
        dates[original] = None if status == MeetingDay.Status.CANCELLED else local
    missing = [day for day in rule_dates if day not in dates]
    if missing:
        dates.update(resolve_new_days(missing, calendar=holiday_calendar(start, end), policy=policy, taken=taken))
    return dict(sorted(dates.items()))


def _rule_dates(series: MeetingSeries, start: dt.date, end: dt.date) -> list[dt.date]:
    """The series' rule dates from ``start`` to ``end``, as
    ``regular_occurrences`` has django-scheduler expand them; for the rule
    the series is created with, by the pure rule (the same dates,
    tests/meetings/test_rules.py, in a twentieth of the time)."""
    if series.pk is None:  # not created yet: the rule it will have, from its first day
        return regular_meeting_dates(max(start, SERIES_START), end) if end >= SERIES_START else []
    event, rule = series.event, series.event.rule
    standard = rule is not None and (rule.frequency, rule.params) == ("MONTHLY", RULE_PARAMS)
    if not standard or event.end_recurring_period is not None:
        return regular_occurrences(series, start, end)
    first = max(start, event.start.astimezone(SEOUL).date())
    return regular_meeting_dates(first, end) if first <= end else []


def regular_occurrences(series: MeetingSeries, start: dt.date, end: dt.date) -> list[dt.date]:
    """The rule's dates from django-scheduler (persisted moves ignored)."""
    occurrences = series.event._get_occurrence_list(
        dt.datetime.combine(start, dt.time.min, tzinfo=SEOUL),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=SEOUL),
    )
    return sorted({occ.original_start.astimezone(SEOUL).date() for occ in occurrences})


def holiday_calendar(start: dt.date, end: dt.date):
    """The working calendar the holiday policy reads for days from ``start``
    to ``end``: the city's closures a month either side (a day may move
    out of the window)."""
    return working_calendar(start - dt.timedelta(days=31), end + dt.timedelta(days=31))


def days_as_planned(
    series: MeetingSeries, *, start: dt.date, end: dt.date, rule_dates: list[dt.date], saved: dict
) -> dict[dt.date, MeetingDay]:
    """The days of ``rule_dates`` not in ``saved`` (rule date → saved day),
    as the rule and the holiday policy give them, not saved: what the sync
    saves (``meetings.services.series.meeting_days_sync``) and what the
    pages show beyond it (one rule for both)."""
    missing = [d for d in rule_dates if d not in saved]
    if not missing:
        return {}
    calendar = holiday_calendar(start, end)
    taken = set(rule_dates) | {d.start.astimezone(SEOUL).date() for d in saved.values()}
    actual = resolve_new_days(missing, calendar=calendar, policy=series.holiday_policy, taken=taken)
    return {original: day_as_planned(series, original, actual[original], calendar) for original in missing}


def day_as_planned(series: MeetingSeries, original: dt.date, actual: dt.date | None, calendar) -> MeetingDay:
    """The meeting day the rule and the holiday policy give for the rule
    date ``original`` (``actual``: where the policy puts it, None when it is
    cancelled), not saved: what the sync builds, and what the pages show for a
    day the sync has not reached yet (``meeting_days_between``)."""
    length = dt.timedelta(minutes=series.duration_minutes)
    day = MeetingDay(
        series=series, original_date=original, start=dt.datetime.combine(original, series.start_time, tzinfo=SEOUL)
    )
    day.end = day.start + length
    if actual != original:
        with translation.override("ko"):  # the reason is stored, and shown, in Korean
            because = closed_because(calendar, original)
            if series.holiday_policy == CANCEL or actual is None:
                day.status = MeetingDay.Status.CANCELLED
                day.reason = _("Cancelled because of %(because)s.") % {"because": because}
            else:
                day.start = dt.datetime.combine(actual, series.start_time, tzinfo=SEOUL)
                day.end = day.start + length
                day.status = MeetingDay.Status.MOVED
                day.reason = moved_reason(because, day.start)
    return day


#: How far the holiday policy may move a day (the sync reads closures a
#: month either side): rule dates this far outside a window are read too.
POLICY_REACH = dt.timedelta(days=31)


def meeting_dates(start: dt.date, end: dt.date) -> frozenset[dt.date]:
    """The local dates from ``start`` to ``end`` on which a TongTong Day
    takes place: the rule's dates with the holiday policy applied, each
    replaced by its persisted day where there is one (moved: its new date;
    cancelled: none), for any window, before any sync or series too.
    Writes nothing. Registered as the core's ``MEETING_DAY`` reserved days."""
    dates = {
        actual
        for actual in meeting_day_dates(start=start - POLICY_REACH, end=end + POLICY_REACH).values()
        if actual is not None and start <= actual <= end
    }
    # A day the secretariat moved here from further away than the policy reaches.
    moved_here = MeetingDay.objects.filter(
        series__is_active=True,
        start__gte=dt.datetime.combine(start, dt.time.min, tzinfo=SEOUL),
        start__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=SEOUL),
    ).exclude(status=MeetingDay.Status.CANCELLED)
    dates.update(day_start.astimezone(SEOUL).date() for day_start in moved_here.values_list("start", flat=True))
    return frozenset(dates)


def requests_of_phone(phone: str):
    """Every request made with ``phone`` (normalised), newest first, with its
    active appointment ("my requests")."""
    active = Prefetch(
        "appointments",
        queryset=Appointment.objects.filter(status=Appointment.Status.ACTIVE).select_related("official"),
        to_attr="active_appointments",
    )
    return (
        MeetingRequest.objects.filter(phone=phone)
        .select_related("neighborhood")
        .prefetch_related(active)
        .order_by("-submitted_at", "-pk")
    )
