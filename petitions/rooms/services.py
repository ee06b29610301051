"""Writes for the consultation rooms (직소민원 상담실): rooms (each with its
django-scheduler calendar, made by ``scheduling.calendars``) and their
bookings. A booking holds the room's row lock while it checks that no other
booking of the room overlaps, so of two overlapping bookings made at once
one wins and the other gets a Korean message; its event on the room's
calendar follows it (``scheduling.calendars.events_mirror`` / ``events_drop``).
A group visit (집단민원) warns building security once per time it is held
for (``petitions.rooms.notifications``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions.errors import PetitionError
from petitions.rooms import notifications, selectors
from petitions.rooms.models import ConsultationRoom, RoomBooking
from scheduling import calendars
from scheduling.dates import local_span

#: The longest a room is booked for at once.
MAX_HOURS = 10


class RoomError(PetitionError):
    """Anything staff can get wrong about a room or a booking; shown as it is."""


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _may_manage(actor) -> None:
    if actor is not None and not actor.has_perm(selectors.MANAGE):
        raise PermissionDenied


# --- Rooms ------------------------------------------------------------------------------


@transaction.atomic
def room_create(*, name: str, place: str, capacity: int, actor) -> ConsultationRoom:
    """A new consultation room with its own calendar."""
    _may_manage(actor)
    name, place = " ".join((name or "").split()), " ".join((place or "").split())
    if not name or not place:
        raise RoomError(_("Give the room a name and say where it is."))
    if not capacity or capacity < 1:
        raise RoomError(_("A room holds at least one person."))
    if ConsultationRoom.objects.filter(name=name).exists():
        raise RoomError(_("There is already a room named “%(name)s”.") % {"name": name})
    calendar = calendars.room_calendar_create(name=name)
    return ConsultationRoom.objects.create(name=name[:100], place=place[:200], capacity=capacity, calendar=calendar)


@transaction.atomic
def room_change(
    *, room: ConsultationRoom, name: str, place: str, capacity: int, is_active: bool, actor
) -> ConsultationRoom:
    """Correct a room; a room taken out of use keeps its bookings."""
    _may_manage(actor)
    room = ConsultationRoom.objects.select_for_update().get(pk=room.pk)
    name, place = " ".join((name or "").split()), " ".join((place or "").split())
    if not name or not place:
        raise RoomError(_("Give the room a name and say where it is."))
    if not capacity or capacity < 1:
        raise RoomError(_("A room holds at least one person."))
    if ConsultationRoom.objects.filter(name=name).exclude(pk=room.pk).exists():
        raise RoomError(_("There is already a room named “%(name)s”.") % {"name": name})
    room.name, room.place, room.capacity, room.is_active = name[:100], place[:200], capacity, is_active
    room.save()
    if room.calendar_id is None:
        room.calendar = calendars.room_calendar_create(name=room.name)
        room.save(update_fields=["calendar", "updated_at"])
    else:
        calendars.room_calendar_rename(room.calendar, name=room.name)
    return room


# --- Bookings -----------------------------------------------------------------------------


def _check_time(start: dt.datetime | None, end: dt.datetime | None) -> None:
    if start is None or end is None:
        raise RoomError(_("Give the start and the end of the booking."))
    if end <= start:
        raise RoomError(_("The booking must end after it starts."))
    if end - start > dt.timedelta(hours=MAX_HOURS):
        raise RoomError(_("A booking lasts at most %(hours)s hours.") % {"hours": MAX_HOURS})
    if end <= timezone.now():
        raise RoomError(_("This time is already over; choose a time to come."))


def _check_room(room: ConsultationRoom, headcount: int) -> None:
    if not room.is_active:
        raise RoomError(_("The room “%(name)s” is not in use.") % {"name": room.name})
    if headcount < 1:
        raise RoomError(_("A booking is for at least one person."))
    if headcount > room.capacity:
        raise RoomError(
            _("The room “%(name)s” holds %(capacity)s people; %(headcount)s are expected. Choose a larger room.")
            % {"name": room.name, "capacity": room.capacity, "headcount": headcount}
        )


def _check_free(room: ConsultationRoom, start, end, *, exclude: int | None = None) -> None:
    """Under the room's row lock: no other booking of the room overlaps."""
    clash = selectors.overlapping(room, start, end, exclude=exclude).first()
    if clash is not None:
        raise RoomError(
            _("The room “%(name)s” is already booked %(when)s. Choose another time or another room.")
            % {"name": room.name, "when": local_span(clash.start, clash.end)}
        )


def _lock(room: ConsultationRoom) -> ConsultationRoom:
    return ConsultationRoom.objects.select_for_update().get(pk=room.pk)


def _mirror(booking: RoomBooking, actor) -> None:
    room = booking.room
    if room.calendar_id is None:
        room.calendar = calendars.room_calendar_create(name=room.name)
        room.save(update_fields=["calendar", "updated_at"])
    calendars.events_mirror(
        booking,
        [("event", room.calendar)],
        title=selectors.event_title(booking),
        description=booking.notes[:500],
        start=booking.start,
        end=booking.end,
        actor=actor,
    )


@transaction.atomic
def booking_make(
    *,
    room: ConsultationRoom,
    start: dt.datetime,
    end: dt.datetime,
    kind: str,
    headcount: int = 1,
    petition=None,
    meeting_request=None,
    citizen_name: str = "",
    organisation: str = "",
    notes: str = "",
    actor,
) -> RoomBooking:
    """Book ``room`` from ``start`` to ``end`` for a walk-in counselling or a
    group visit; a group visit warns building security."""
    _may_manage(actor)
    if kind not in RoomBooking.Kind.values:
        raise RoomError(_("Choose a walk-in counselling or a group visit."))
    headcount = headcount or 1
    _check_time(start, end)
    room = _lock(room)
    _check_room(room, headcount)
    _check_free(room, start, end)
    booking = RoomBooking.objects.create(
        room=room,
        start=start,
        end=end,
        kind=kind,
        headcount=headcount,
        petition=petition,
        meeting_request=meeting_request,
        citizen_name=" ".join((citizen_name or "").split())[:50],
        organisation=" ".join((organisation or "").split())[:100],
        notes=(notes or "").strip(),
        created_by=_user(actor),
    )
    _mirror(booking, actor)
    if booking.is_group_visit:
        notifications.warn_security(booking)
    return booking


@transaction.atomic
def booking_move(
    *,
    booking: RoomBooking,
    start: dt.datetime,
    end: dt.datetime,
    room: ConsultationRoom | None = None,
    headcount: int | None = None,
    actor,
) -> RoomBooking:
    """Move a booking to another time (and room); a group visit warns
    building security again."""
    _may_manage(actor)
    _check_time(start, end)
    current = RoomBooking.objects.get(pk=booking.pk)
    target = room or current.room
    # Lock the rooms in one order (two moves crossing between rooms never deadlock).
    locked = {r.pk: r for r in (_lock(r) for r in sorted({current.room, target}, key=lambda r: r.pk))}
    booking = RoomBooking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != RoomBooking.Status.BOOKED:
        raise RoomError(_("A cancelled booking cannot be moved; make a new one."))
    target = locked[target.pk]
    headcount = headcount or booking.headcount
    _check_room(target, headcount)
    _check_free(target, start, end, exclude=booking.pk)
    if (booking.room_id, booking.start, booking.end, booking.headcount) == (target.pk, start, end, headcount):
        raise RoomError(_("The booking is already at this time in this room."))
    booking.room, booking.start, booking.end, booking.headcount = target, start, end, headcount
    booking.sequence += 1
    booking.save()
    _mirror(booking, actor)
    if booking.is_group_visit:
        notifications.warn_security(booking)
    return booking


@transaction.atomic
def booking_cancel(*, booking: RoomBooking, reason: str, actor) -> RoomBooking:
    """Free the room; the event leaves its calendar."""
    _may_manage(actor)
    reason = (reason or "").strip()
    if not reason:
        raise RoomError(_("Say why the booking is cancelled."))
    booking = RoomBooking.objects.select_for_update().get(pk=booking.pk)
    if booking.status != RoomBooking.Status.BOOKED:
        raise RoomError(_("This booking is already cancelled."))
    booking.status = RoomBooking.Status.CANCELLED
    booking.cancel_reason = reason[:300]
    booking.save()
    calendars.events_drop(booking, ("event",))
    return booking
