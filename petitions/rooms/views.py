"""The consultation rooms' back office, at /staff/rooms/: a week of each
room's bookings, booking a room (prefilled from ``?petition=`` or
``?meeting_request=``), a booking's page (move, cancel) and adding a room.
The secretariat only. Views parse, call one service, redirect; a
``RoomError`` is shown in its form with what was typed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from petitions.rooms import forms, selectors, services
from petitions.rooms.models import RoomBooking
from scheduling import params
from scheduling.access import require
from scheduling.audit import record_access
from scheduling.clock import SEOUL
from scheduling.decorators import staff_required
from scheduling.errors import TongtongError


def _linked_model(field: str):
    """The other app's model behind one of our foreign keys (no import of the app)."""
    return RoomBooking._meta.get_field(field).related_model


def _by_reference(field: str, reference: str):
    reference = (reference or "").strip()
    if not reference:
        return None
    found = _linked_model(field)._default_manager.filter(reference=reference).first()
    if found is None:
        raise services.RoomError(
            _("No petition or meeting request has the number %(reference)s.") % {"reference": reference}
        )
    return found


@staff_required
def week(request):
    require(request.user, selectors.VIEW)
    day = params.optional_date(request.GET.get("week")) or timezone.localdate()
    monday = selectors.week_start(day)
    return render(
        request,
        "petitions/rooms/week.html",
        {
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "previous": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "weeks": selectors.rooms_week(monday),
            "days": [monday + dt.timedelta(days=n) for n in range(7)],
            "can_manage": request.user.has_perm(selectors.MANAGE),
        },
    )


def _prefill(request) -> dict:
    initial = {"kind": RoomBooking.Kind.WALK_IN, "headcount": 1, "day": timezone.localdate()}
    for parameter, field, form_field in (
        ("petition", "petition", "petition_reference"),
        ("meeting_request", "meeting_request", "meeting_reference"),
    ):
        pk = params.optional_id(request.GET.get(parameter))
        if pk is None:
            continue
        linked = _linked_model(field)._default_manager.filter(pk=pk).first()
        if linked is not None:
            initial[form_field] = linked.reference
            initial.setdefault("citizen_name", getattr(linked, "name", ""))
            size = getattr(linked, "group_size", 1) or 1
            if size > 1:
                initial.update(kind=RoomBooking.Kind.GROUP_VISIT, headcount=size)
    return initial


@staff_required
def book(request):
    require(request.user, selectors.MANAGE)
    if request.method == "POST":
        form = forms.BookingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            start, end = form.times()
            try:
                booking = services.booking_make(
                    room=data["room"],
                    start=start,
                    end=end,
                    kind=data["kind"],
                    headcount=data["headcount"],
                    petition=_by_reference("petition", data["petition_reference"]),
                    meeting_request=_by_reference("meeting_request", data["meeting_reference"]),
                    citizen_name=data["citizen_name"],
                    organisation=data["organisation"],
                    notes=data["notes"],
                    actor=request.user,
                )
            except TongtongError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The room was booked."))
                return redirect("staff_rooms:booking", pk=booking.pk)
    else:
        form = forms.BookingForm(initial=_prefill(request))
    return render(request, "petitions/rooms/book.html", {"form": form})


def _booking_page(request, booking: RoomBooking, bound: dict | None = None):
    bound = bound or {}
    can_manage = request.user.has_perm(selectors.MANAGE)
    forms_shown = {}
    if can_manage and booking.status == RoomBooking.Status.BOOKED:
        start = booking.start.astimezone(SEOUL)
        forms_shown["move"] = bound.get("move") or forms.MoveForm(
            initial={
                "room": booking.room_id,
                "day": start.date(),
                "start_time": start.time(),
                "end_time": booking.end.astimezone(SEOUL).time(),
                "headcount": booking.headcount,
            }
        )
        forms_shown["cancel"] = bound.get("cancel") or forms.CancelForm()
    if booking.citizen_name:
        record_access(request, booking, "view")
    return render(
        request,
        "petitions/rooms/booking.html",
        {
            "b": booking,
            "forms": forms_shown,
            "failed": next(iter(bound), None),
            "notifications": list(booking.notifications.order_by("created_at", "pk")),
        },
    )


@staff_required
def booking_detail(request, pk):
    require(request.user, selectors.VIEW)
    return _booking_page(request, get_object_or_404(selectors.booking_scope(), pk=pk))


@staff_required
@require_POST
def booking_move(request, pk):
    require(request.user, selectors.MANAGE)
    booking = get_object_or_404(selectors.booking_scope(), pk=pk)
    form = forms.MoveForm(request.POST)
    if form.is_valid():
        start, end = form.times()
        try:
            services.booking_move(
                booking=booking,
                room=form.cleaned_data["room"],
                start=start,
                end=end,
                headcount=form.cleaned_data["headcount"],
                actor=request.user,
            )
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The booking was moved."))
            return redirect("staff_rooms:booking", pk=booking.pk)
    return _booking_page(request, get_object_or_404(selectors.booking_scope(), pk=pk), bound={"move": form})


@staff_required
@require_POST
def booking_cancel(request, pk):
    require(request.user, selectors.MANAGE)
    booking = get_object_or_404(selectors.booking_scope(), pk=pk)
    form = forms.CancelForm(request.POST)
    if form.is_valid():
        try:
            services.booking_cancel(booking=booking, reason=form.cleaned_data["reason"], actor=request.user)
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The booking was cancelled."))
            return redirect("staff_rooms:week")
    return _booking_page(request, get_object_or_404(selectors.booking_scope(), pk=pk), bound={"cancel": form})


@staff_required
def room_new(request):
    require(request.user, selectors.MANAGE)
    form = forms.RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_create(actor=request.user, **form.cleaned_data)
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The room was added."))
            return redirect("staff_rooms:week")
    return render(request, "petitions/rooms/room_new.html", {"form": form})
