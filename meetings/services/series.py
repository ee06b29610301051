"""The meeting-day series on django-scheduler, its days and their slots."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schedule.models import Event, Occurrence, Rule

from meetings.errors import MeetingError
from meetings.models import Appointment, MeetingDay, MeetingSeries, Slot
from meetings.rules import RULE_PARAMS, SERIES_START
from meetings.selectors import MEETING_DAYS, days_as_planned, regular_occurrences
from meetings.services.notifications import notify
from meetings.services.transitions import appointment_release, record
from scheduling.calendars import meeting_days_calendar
from scheduling.clock import SEOUL
from scheduling.dates import korean_date
from scheduling.models import Official
from scheduling.versions import changed
from scheduling.workdays import working_calendar


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=SEOUL)


@transaction.atomic
def series_get_or_create(*, official: Official | None = None) -> MeetingSeries:
    """The active series, created on first use for the mayor: an Event with
    the Rule MONTHLY ``byweekday:TH;bysetpos:2,4`` at 14:00 for 60 minutes in
    the "meeting days" calendar."""
    series = MeetingSeries.objects.select_related("event", "official").filter(is_active=True).first()
    if series:
        return series
    official = official or Official.objects.filter(rank=Official.Rank.MAYOR, is_active=True).first()
    if official is None:
        raise MeetingError(_("There is no active mayor to hold TongTong Day. Add one in the admin first."))
    calendar = meeting_days_calendar()
    rule, _created = Rule.objects.get_or_create(
        name="통통데이 (매월 둘째·넷째 목요일)",
        defaults={"description": "2nd and 4th Thursday", "frequency": "MONTHLY", "params": RULE_PARAMS},
    )
    start = _aware(SERIES_START, dt.time(14, 0))
    event = Event.objects.create(
        calendar=calendar,
        title="통통데이",
        description="시민과 시장의 정기 면담일",
        start=start,
        end=start + dt.timedelta(minutes=60),
        rule=rule,
    )
    series = MeetingSeries(official=official, event=event)
    series.full_clean()
    series.save()
    changed(MEETING_DAYS)
    return series


@transaction.atomic
def series_configure(
    *,
    series: MeetingSeries,
    start_time: dt.time | None = None,
    duration_minutes: int | None = None,
    slot_minutes: int | None = None,
    holiday_policy: str | None = None,
    official: Official | None = None,
    location: str | None = None,
) -> MeetingSeries:
    """Change the series' settings. Days already built keep their slots; the
    new settings apply to days built from now on."""
    for field, value in (
        ("start_time", start_time),
        ("duration_minutes", duration_minutes),
        ("slot_minutes", slot_minutes),
        ("holiday_policy", holiday_policy),
        ("official", official),
        ("location", location),
    ):
        if value is not None:
            setattr(series, field, value)
    series.full_clean()
    series.save()
    event = series.event
    event.start = _aware(SERIES_START, series.start_time)
    event.end = event.start + dt.timedelta(minutes=series.duration_minutes)
    event.save()
    changed(MEETING_DAYS)
    return series


@transaction.atomic
def meeting_days_sync(*, start: dt.date, end: dt.date, series: MeetingSeries | None = None) -> list[MeetingDay]:
    """Make sure every meeting day of the rule between ``start`` and ``end``
    has its row and slots, applying the holiday policy to new ones. Days that
    exist already (perhaps moved or cancelled by the secretariat) are left as
    they are. Returns the days in the range, in order."""
    # The days come from ``meetings.selectors.days_as_planned``, which the
    # pages read too; ``meetings.selectors.meeting_day_dates`` reads the same
    # dates without building anything: keep the two in step
    # (tests/meetings/test_meeting_dates.py).
    series = series or series_get_or_create()
    existing = {d.original_date: d for d in MeetingDay.objects.filter(series=series, original_date__range=(start, end))}
    planned = days_as_planned(
        series, start=start, end=end, rule_dates=regular_occurrences(series, start, end), saved=existing
    )
    for original, day in planned.items():
        existing[original] = _save_day(series, day)
    return sorted(existing.values(), key=lambda d: d.start)


def _save_day(series: MeetingSeries, day: MeetingDay) -> MeetingDay:
    """Save a day of ``days_as_planned`` with its slots."""
    original = day.original_date
    if day.status != MeetingDay.Status.REGULAR:
        # The move or cancellation, persisted in django-scheduler too.
        original_start = _aware(original, series.event.start.astimezone(SEOUL).time())
        event_length = series.event.end - series.event.start
        occurrence = Occurrence(
            event=series.event,
            title=series.event.title,
            original_start=original_start,
            original_end=original_start + event_length,
            start=original_start,
            end=original_start + event_length,
        )
        if day.is_cancelled:
            occurrence.cancelled = True
        else:
            occurrence.start, occurrence.end = day.start, day.end
        occurrence.save()
        day.occurrence = occurrence
    day.save()
    if not day.is_cancelled:
        _build_slots(series, day)
    changed(MEETING_DAYS)
    return day


def meeting_days_saved(days: list[MeetingDay]) -> list[MeetingDay]:
    """``days`` as saved rows, in the same order: a day the pages showed
    from the rule before the sync reached it (no ``pk``) is built now, by
    the sync over the days' window. Called by the services a citizen's or
    the secretariat's POST runs (a request's preferred days, another day),
    never by a page."""
    missing = [day.original_date for day in days if day.pk is None]
    if not missing:
        return list(days)
    series = days[0].series if days[0].series.pk is not None else None  # None: created now
    synced = meeting_days_sync(start=min(missing), end=max(missing), series=series)
    by_rule_date = {day.original_date: day for day in synced}
    return [day if day.pk is not None else by_rule_date[day.original_date] for day in days]


def _build_slots(series: MeetingSeries, day: MeetingDay) -> None:
    step = dt.timedelta(minutes=series.slot_minutes)
    Slot.objects.bulk_create(
        Slot(meeting_day=day, index=i, start=day.start + i * step, end=day.start + (i + 1) * step)
        for i in range(series.slots_per_day)
    )


def _persisted_occurrence(day: MeetingDay) -> Occurrence:
    if day.occurrence_id:
        return day.occurrence
    series = day.series
    original_start = _aware(day.original_date, series.event.start.astimezone(SEOUL).time())
    original_end = original_start + (series.event.end - series.event.start)
    occurrence = Occurrence.objects.create(
        event=series.event,
        title=series.event.title,
        original_start=original_start,
        original_end=original_end,
        start=day.start,
        end=day.end,
    )
    day.occurrence = occurrence
    return occurrence


@transaction.atomic
def meeting_day_move(*, day: MeetingDay, new_start: dt.datetime, reason: str, actor=None) -> list[Appointment]:
    """Move a meeting day (the secretariat's decision), keeping its slots and
    bookings; every booked citizen is told and may ask for another day.
    Returns the appointments that moved."""
    day = MeetingDay.objects.select_for_update().select_related("series__event").get(pk=day.pk)
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("Give the reason for moving the meeting day; citizens will see it."))
    if day.is_cancelled:
        raise MeetingError(_("A cancelled meeting day cannot be moved."))
    if new_start <= timezone.now():
        raise MeetingError(_("A meeting day can only move to a time in the future."))
    calendar = working_calendar(new_start.date(), new_start.date())
    local_day = new_start.astimezone(SEOUL).date()
    if not calendar.is_working_day(local_day):
        raise MeetingError(
            _("%(date)s is not a working day (%(reason)s).")
            % {"date": korean_date(local_day), "reason": calendar.non_working_reason(local_day)}
        )
    clash = MeetingDay.objects.filter(series=day.series, start__date=local_day).exclude(pk=day.pk)
    if clash.exclude(status=MeetingDay.Status.CANCELLED).exists():
        raise MeetingError(_("There is already a meeting day on %(date)s.") % {"date": korean_date(local_day)})
    shift = new_start - day.start
    occurrence = _persisted_occurrence(day)
    occurrence.start, occurrence.end = occurrence.start + shift, occurrence.end + shift
    occurrence.cancelled = False
    occurrence.save()
    day.start, day.end = day.start + shift, day.end + shift
    day.status = MeetingDay.Status.MOVED
    day.reason = reason
    day.changed_by, day.changed_at = actor, timezone.now()
    day.sequence += 1
    day.full_clean()
    day.save()
    moved = []
    for slot in day.slots.all():
        slot.start, slot.end = slot.start + shift, slot.end + shift
        slot.save(update_fields=["start", "end"])
    for appointment in Appointment.objects.filter(
        slot__meeting_day=day, status=Appointment.Status.ACTIVE
    ).select_related("request", "event"):
        appointment.start, appointment.end = appointment.start + shift, appointment.end + shift
        appointment.sequence += 1
        appointment.save(update_fields=["start", "end", "sequence", "updated_at"])
        if appointment.event_id:
            appointment.event.start, appointment.event.end = appointment.start, appointment.end
            appointment.event.save()
        record(
            appointment.request,
            "meeting_day_moved",
            actor=actor,
            from_status=appointment.request.status,
            note=f"{reason} ({korean_date(timezone.localtime(day.start).date())})",
        )
        notify(appointment.request, "meeting_day_moved", reason=reason)
        moved.append(appointment)
    changed(MEETING_DAYS)
    return moved


@transaction.atomic
def meeting_day_cancel(*, day: MeetingDay, reason: str, actor=None) -> list:
    """Cancel a meeting day. Its bookings are cancelled but their requests
    are never lost: each goes back to review, and the citizen is told and
    invited to ask for another day. Returns the affected requests."""
    day = MeetingDay.objects.select_for_update().select_related("series__event").get(pk=day.pk)
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("Give the reason for cancelling the meeting day; citizens will see it."))
    if day.is_cancelled:
        raise MeetingError(_("This meeting day is already cancelled."))
    occurrence = _persisted_occurrence(day)
    occurrence.cancelled = True
    occurrence.save()
    day.status = MeetingDay.Status.CANCELLED
    day.reason = reason
    day.changed_by, day.changed_at = actor, timezone.now()
    day.sequence += 1
    day.save()
    affected = []
    for appointment in Appointment.objects.filter(
        slot__meeting_day=day, status=Appointment.Status.ACTIVE
    ).select_related("request"):
        appointment_release(appointment=appointment, actor=actor, reason=reason, kind="meeting_day_cancelled")
        affected.append(appointment.request)
    changed(MEETING_DAYS)
    return affected
