"""Reads of the consultation rooms: the permission, which bookings overlap
(the one rule the booking services check under the room's lock), a week of
each room's bookings (the staff page), and the run sheet's notes (the room
booked for a meeting request). Never writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from petitions.rooms.models import ConsultationRoom, RoomBooking
from scheduling.clock import SEOUL
from scheduling.dates import local_span
from scheduling.page_parts import RowNote

#: The secretariat books the rooms.
MANAGE = "petitions.change_roombooking"
VIEW = "petitions.view_roombooking"

BOOKED = RoomBooking.Status.BOOKED


def overlapping(room: ConsultationRoom, start: dt.datetime, end: dt.datetime, *, exclude: int | None = None):
    """The room's live bookings that overlap [start, end)."""
    found = RoomBooking.objects.filter(room=room, status=BOOKED, start__lt=end, end__gt=start)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.order_by("start")


def event_title(booking: RoomBooking) -> str:
    """The calendar's title of a booking: its kind and headcount, no name."""
    if booking.is_group_visit:
        return _("Group visit (%(count)s people)") % {"count": booking.headcount}
    return str(RoomBooking.Kind.WALK_IN.label)


# --- A week of the rooms --------------------------------------------------------------


@dataclass
class RoomDay:
    day: dt.date
    bookings: list[RoomBooking] = field(default_factory=list)


@dataclass
class RoomWeek:
    room: ConsultationRoom
    days: list[RoomDay]


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def rooms_week(monday: dt.date, *, include_inactive: bool = False) -> list[RoomWeek]:
    """Each room's live bookings of the week from ``monday`` (Monday to
    Sunday), by day. Two queries whatever the number of bookings."""
    rooms = ConsultationRoom.objects.all() if include_inactive else ConsultationRoom.objects.filter(is_active=True)
    rooms = list(rooms.order_by("name"))
    since = dt.datetime.combine(monday, dt.time.min, tzinfo=SEOUL)
    until = since + dt.timedelta(days=7)
    bookings = (
        RoomBooking.objects.filter(room__in=rooms, status=BOOKED, start__lt=until, end__gt=since)
        .select_related("petition", "meeting_request")
        .order_by("start", "pk")
    )
    weeks = {room.pk: RoomWeek(room, [RoomDay(monday + dt.timedelta(days=n)) for n in range(7)]) for room in rooms}
    for booking in bookings:
        day = booking.start.astimezone(SEOUL).date()
        index = max(0, min(6, (day - monday).days))
        weeks[booking.room_id].days[index].bookings.append(booking)
    return [weeks[room.pk] for room in rooms]


def booking_scope() -> QuerySet[RoomBooking]:
    return RoomBooking.objects.select_related("room", "petition", "meeting_request", "created_by")


# --- The run sheet's notes ----------------------------------------------------------------


def run_sheet_notes(request_ids: list[int]) -> dict[int, list[RowNote]]:
    """The consultation room booked for each meeting request (live bookings), one query."""
    notes: dict[int, list[RowNote]] = {}
    bookings = (
        RoomBooking.objects.filter(meeting_request_id__in=request_ids, status=BOOKED)
        .select_related("room")
        .order_by("start", "pk")
    )
    for booking in bookings:
        notes.setdefault(booking.meeting_request_id, []).append(
            RowNote(
                label=_("Consultation room"), text=f"{booking.room.name} · {local_span(booking.start, booking.end)}"
            )
        )
    return notes
