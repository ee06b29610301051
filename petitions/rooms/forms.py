"""The forms of the consultation rooms' back office: they parse; the rules
(no overlap, the room's capacity, a time to come) are
``petitions.rooms.services``'s."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from petitions.rooms.models import ConsultationRoom, RoomBooking
from scheduling.clock import SEOUL
from scheduling.forms import KrdsFormMixin


def _active_rooms():
    return ConsultationRoom.objects.filter(is_active=True).order_by("name")


class _RoomChoice(forms.ModelChoiceField):
    def label_from_instance(self, room):
        return _("%(name)s (%(place)s, up to %(capacity)s people)") % {
            "name": room.name,
            "place": room.place,
            "capacity": room.capacity,
        }


class _TimeFields(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        start = dt.datetime.combine(data["day"], data["start_time"], tzinfo=SEOUL)
        end = dt.datetime.combine(data["day"], data["end_time"], tzinfo=SEOUL)
        return start, end


class BookingForm(KrdsFormMixin, _TimeFields):
    room = _RoomChoice(label=_("Room"), queryset=_active_rooms())
    field_order = ["room", "day", "start_time", "end_time"]
    kind = forms.ChoiceField(label=_("Kind"), choices=RoomBooking.Kind.choices, widget=forms.RadioSelect)
    headcount = forms.IntegerField(
        label=_("Number of people"), min_value=1, max_value=500, initial=1, help_text=_("A group visit: how many come.")
    )
    citizen_name = forms.CharField(label=_("Citizen's name"), max_length=50, required=False)
    organisation = forms.CharField(
        label=_("Organisation"), max_length=100, required=False, help_text=_("The group, for a group visit.")
    )
    petition_reference = forms.CharField(
        label=_("Petition number"), max_length=12, required=False, help_text=_("e.g. P2026-00012; optional.")
    )
    meeting_reference = forms.CharField(
        label=_("Meeting request number"), max_length=12, required=False, help_text=_("e.g. 2026-0012; optional.")
    )
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MoveForm(KrdsFormMixin, _TimeFields):
    prefix = "move"

    room = _RoomChoice(label=_("Room"), queryset=_active_rooms())
    field_order = ["room", "day", "start_time", "end_time", "headcount"]
    headcount = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=500)


class CancelForm(KrdsFormMixin, forms.Form):
    prefix = "cancel"

    reason = forms.CharField(label=_("Reason"), max_length=300)


class RoomForm(KrdsFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    place = forms.CharField(label=_("Place"), max_length=200)
    capacity = forms.IntegerField(label=_("Capacity (people)"), min_value=1, max_value=500)
