"""Read queries the meeting pages share."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from meetings.models import Appointment, MeetingDay, MeetingRequest, MeetingSeries
from meetings.series import RULE_PARAMS, regular_meeting_dates, resolve_new_days
from scheduling.clock import SEOUL


def _synced_days(start: dt.date, end: dt.date):
    from meetings.services.series import meeting_days_sync

    meeting_days_sync(start=start, end=end)
    return MeetingDay.objects.filter(start__date__gte=start, start__date__lte=end)


def with_free_slots(days):
    """Annotate ``total_slots`` and ``booked_slots`` on a MeetingDay queryset
    (free = total - booked)."""
    return days.annotate(
        total_slots=Count("slots", distinct=True),
        booked_slots=Count(
            "slots__appointments", filter=Q(slots__appointments__status=Appointment.Status.ACTIVE), distinct=True
        ),
    )


def upcoming_meeting_days(*, count: int = 4, now: dt.datetime | None = None) -> list[MeetingDay]:
    """The next ``count`` meeting days from today, moved and cancelled ones
    included (they are shown with their reason)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = _synced_days(today, today + dt.timedelta(days=31 * ((count + 1) // 2 + 1)))
    return list(with_free_slots(days.filter(end__gt=now)).order_by("start")[:count])


def bookable_meeting_days(*, now: dt.datetime | None = None):
    """The days a citizen may choose: not cancelled, far enough ahead for the
    notice period, within the booking horizon; each with ``free_slots``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=settings.MEETING_BOOKING_HORIZON_DAYS)
    days = _synced_days(today, horizon).filter(start__gt=now + dt.timedelta(hours=settings.MEETING_CHANGE_NOTICE_HOURS))
    days = days.exclude(status=MeetingDay.Status.CANCELLED).select_related("series")
    return with_free_slots(days).order_by("start")


def free_slots(day: MeetingDay):
    return day.slots.exclude(appointments__status=Appointment.Status.ACTIVE).order_by("start")


def request_queue(*, now: dt.datetime | None = None):
    """Open requests for the secretariat, the late ones first."""
    from django.db.models import Case, DateTimeField, F, Value, When
    from django.db.models.functions import Coalesce

    now = now or timezone.now()
    open_statuses = [
        MeetingRequest.Status.SUBMITTED,
        MeetingRequest.Status.UNDER_REVIEW,
        MeetingRequest.Status.WAITLISTED,
        MeetingRequest.Status.SCHEDULED,
        MeetingRequest.Status.SUBSTITUTED,
    ]
    due = Coalesce(F("extended_due_at"), F("answer_due_at"), output_field=DateTimeField())
    return (
        MeetingRequest.objects.filter(status__in=open_statuses)
        .select_related("neighborhood")
        .annotate(
            due=due,
            is_late=Case(
                When(
                    Q(first_answered_at__isnull=True) & Q(answer_due_at__lt=now) & Q(extended_due_at__isnull=True),
                    then=Value(True),
                ),
                When(Q(first_answered_at__isnull=True) & Q(extended_due_at__lt=now), then=Value(True)),
                default=Value(False),
            ),
        )
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
    from meetings.services.series import SERIES_START, holiday_calendar

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
    tests/meetings/test_series_properties.py, in a twentieth of the time)."""
    from meetings.services.series import regular_occurrences

    event, rule = series.event, series.event.rule
    standard = rule is not None and (rule.frequency, rule.params) == ("MONTHLY", RULE_PARAMS)
    if not standard or event.end_recurring_period is not None:
        return regular_occurrences(series, start, end)
    first = max(start, event.start.astimezone(SEOUL).date())
    return regular_meeting_dates(first, end) if first <= end else []


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
