"""The TongTong Day panels of the staff dashboard (``/staff/``).

Registered from ``MeetingsConfig.ready`` through ``scheduling.staff``
(``register_panels``). Each panel's context runs a CONSTANT number of
queries whatever the number of slots, bookings or requests (see
docs/dashboard.md and tests/meetings/staff/test_dashboard.py).

- "Meeting days": today's meeting day if there is one, and the next one
  (and, when the next one is cancelled, the one after it), with its status
  and reason, every slot with its booking and the free slots counted. Who
  may view meeting requests sees it; a booking's name and masked phone are
  shown only to whom may see that request (the secretariat all of them, an
  official those they meet, as on ``/staff/meetings/``). An official with
  an account also sees their own next appointments.
- "Waiting longest": the open requests not yet booked or answered, the
  oldest first, those past their answer date marked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from meetings.access import PERM_MANAGE_REQUESTS, PERM_VIEW_DAYS, PERM_VIEW_REQUESTS, request_scope
from meetings.models import Appointment, MeetingDay, MeetingRequest, Slot
from meetings.rules import WAITING_STATUSES
from meetings.selectors import request_queue, upcoming_meeting_days
from meetings.staff.views import DAY_BADGES, STATUS_BADGES
from scheduling.access import official_of
from scheduling.clock import working_days_between
from scheduling.dates import korean_date, local_when
from scheduling.phones import mask_phone
from scheduling.staff import DashboardPanel, register_panel
from scheduling.workdays import working_calendar

ACTIVE = Appointment.Status.ACTIVE
WAITING_SHOWN = 5
OWN_APPOINTMENTS_SHOWN = 5


# --- Meeting days -------------------------------------------------------------------


@dataclass
class SlotRow:
    """A booked slot, or a run of consecutive free slots (``free_count``
    of them, from ``time`` until ``until``)."""

    time: str
    appointment: Appointment | None
    #: Whether this user may see who booked (name, masked phone, link).
    shows_who: bool = False
    phone: str = ""
    free_count: int = 0
    until: str = ""


@dataclass
class DayRow:
    day: MeetingDay
    label: str
    original: str
    badge: str
    is_today: bool
    slots: list[SlotRow] = field(default_factory=list)
    total: int = 0
    booked: int = 0
    day_url: str = ""
    run_sheet_url: str = ""

    @property
    def free(self) -> int:
        return self.total - self.booked


def _local_midnight(now: dt.datetime) -> dt.datetime:
    today = timezone.localdate(now)
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min), timezone.get_current_timezone())


def _days_shown(days: list[MeetingDay], today: dt.date) -> list[MeetingDay]:
    """Today's day if any, then the next one; when that one is cancelled,
    the one after it too (so the page always names a day that happens)."""
    shown = [d for d in days if timezone.localtime(d.start).date() == today]
    for day in days:
        if timezone.localtime(day.start).date() <= today:
            continue
        shown.append(day)
        if not day.is_cancelled or len(shown) >= 3:
            break
    return shown


def _slots_by_day(days: list[MeetingDay]) -> dict[dt.date, list[Slot]]:
    """The slots of ``days`` with their active booking (two queries), by
    the day's rule date. A day not saved yet (shown from the rule) has its
    slots as the sync will build them, all free."""
    by_day: dict[dt.date, list[Slot]] = {day.original_date: [] for day in days}
    saved = {day.pk: day.original_date for day in days if day.pk is not None}
    for day in days:
        if day.pk is None and not day.is_cancelled:
            step = dt.timedelta(minutes=day.series.slot_minutes)
            by_day[day.original_date] = [
                Slot(index=i, start=day.start + i * step, end=day.start + (i + 1) * step)
                for i in range(day.series.slots_per_day)
            ]
            for slot in by_day[day.original_date]:
                slot.active = []
    if not saved:
        return by_day
    slots = (
        Slot.objects.filter(meeting_day__in=list(saved))
        .prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.filter(status=ACTIVE).select_related("request", "official"),
                to_attr="active",
            )
        )
        .order_by("start", "pk")
    )
    for slot in slots:
        by_day[saved[slot.meeting_day_id]].append(slot)
    return by_day


def _slot_rows(slots: list[Slot], shows_who) -> list[SlotRow]:
    """Each booked slot on its own row; consecutive free slots as one row
    (a day of many short slots stays readable)."""
    rows: list[SlotRow] = []
    for slot in slots:
        start, end = (f"{timezone.localtime(moment):%H:%M}" for moment in (slot.start, slot.end))
        appointment = slot.active[0] if slot.active else None
        if appointment is None:
            if rows and rows[-1].free_count:
                rows[-1].free_count += 1
                rows[-1].until = end
            else:
                rows.append(SlotRow(time=start, appointment=None, free_count=1, until=end))
            continue
        visible = shows_who(appointment)
        rows.append(
            SlotRow(
                time=start,
                appointment=appointment,
                shows_who=visible,
                phone=mask_phone(appointment.request.phone) if visible else "",
            )
        )
    return rows


def meeting_days_context(user, *, now: dt.datetime | None = None) -> dict:
    """Today's and the next meeting day with slots and bookings. Constant
    queries: the days (synced, with their slot counts), their slots and
    bookings, and the official's own appointments."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # From midnight, so that today's day is shown after it ended too.
    days = upcoming_meeting_days(count=4, now=_local_midnight(now))
    shown = _days_shown(days, today)
    slots = _slots_by_day(shown)
    sees_all = user.has_perm(PERM_MANAGE_REQUESTS)
    official = None if sees_all else official_of(user)
    can_open_days = user.has_perm(PERM_VIEW_DAYS)

    def shows_who(appointment: Appointment) -> bool:
        return sees_all or (official is not None and appointment.official_id == official.pk)

    rows = []
    for day in shown:
        row = DayRow(
            day=day,
            label=local_when(day.start),
            original=korean_date(day.original_date),
            badge=DAY_BADGES[day.status],
            is_today=timezone.localtime(day.start).date() == today,
        )
        row.slots = _slot_rows(slots[day.original_date], shows_who)
        row.total = len(slots[day.original_date])
        row.booked = sum(1 for slot in slots[day.original_date] if slot.active)
        if can_open_days and day.pk is not None:  # a day not saved yet has no page
            row.day_url = reverse("staff_meetings:day", args=[day.pk])
            if not day.is_cancelled:
                row.run_sheet_url = reverse("staff_meetings:run_sheet", args=[day.pk])
        rows.append(row)

    own = []
    if official is not None:
        own = [
            {"appointment": a, "when": local_when(a.start)}
            for a in Appointment.objects.filter(official=official, status=ACTIVE, end__gt=now)
            .select_related("request")
            .order_by("start", "pk")[:OWN_APPOINTMENTS_SHOWN]
        ]
    return {
        "days": rows,
        "has_series": bool(days),
        "own_appointments": own,
        "is_official": official is not None,
        "days_url": reverse("staff_meetings:days") if can_open_days else "",
    }


# --- Requests waiting longest ---------------------------------------------------------


@dataclass
class WaitingRow:
    request: MeetingRequest
    submitted: str
    days_waiting: int
    due: str
    is_late: bool
    badge: str


def waiting_requests_context(user, *, now: dt.datetime | None = None) -> dict | None:
    """The open requests not yet booked or answered, the oldest first (the
    queue's rows and its "late" rule, ``meetings.selectors.request_queue``).
    Three queries: the counts, the rows, the city's closures."""
    now = now or timezone.now()
    waiting = request_queue(now=now).filter(status__in=WAITING_STATUSES)
    scope = request_scope(user)
    if scope is not None:
        # An official sees only the requests they meet, which are booked:
        # nothing of theirs waits on the secretariat.
        waiting = waiting.filter(pk__in=scope.values("pk"))
    counts = waiting.aggregate(total=Count("pk"), late=Count("pk", filter=Q(is_late=True)))
    total, late = counts["total"], counts["late"]
    if scope is not None and not total:
        return None
    oldest = list(waiting.order_by("submitted_at", "pk")[:WAITING_SHOWN])
    today = timezone.localdate(now)
    earliest = min((timezone.localtime(r.submitted_at).date() for r in oldest), default=today)
    calendar = working_calendar(earliest, today)
    rows = [
        WaitingRow(
            request=r,
            submitted=korean_date(timezone.localtime(r.submitted_at).date()),
            days_waiting=working_days_between(timezone.localtime(r.submitted_at).date(), today, calendar=calendar),
            due=local_when(r.due),
            is_late=r.is_late,
            badge=STATUS_BADGES.get(r.status, "bg-light-gray"),
        )
        for r in oldest
    ]
    return {"rows": rows, "total": total, "late": late, "queue_url": reverse("staff_meetings:queue")}


# --- Registration ----------------------------------------------------------------------


def _meeting_days(user):
    return meeting_days_context(user)


def _waiting(user):
    return waiting_requests_context(user)


def register_panels() -> None:
    register_panel(
        DashboardPanel(
            key="meetings.days",
            title=gettext_lazy("TongTong Days: today and next"),
            template="meetings/dashboard_days.html",
            context=_meeting_days,
            permission=PERM_VIEW_REQUESTS,
            order=10,
        )
    )
    register_panel(
        DashboardPanel(
            key="meetings.waiting",
            title=gettext_lazy("Requests waiting longest"),
            template="meetings/dashboard_waiting.html",
            context=_waiting,
            permission=PERM_VIEW_REQUESTS,
            order=11,
        )
    )
