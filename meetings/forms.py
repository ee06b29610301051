"""The citizen's request form (also used by staff for phone and walk-in
requests). Forms parse and check what was typed; the rules across rows live
in ``meetings.services``."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Category, MeetingDay, MeetingRequest
from meetings.services.requests import MAX_PREFERRED_DAYS
from meetings.services.series import korean_date
from scheduling.models import Neighborhood
from scheduling.phones import InvalidPhoneNumber, normalize_mobile


class MeetingDayChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, day: MeetingDay) -> str:
        local = timezone.localtime(day.start)
        label = f"{korean_date(local.date())} {local:%H:%M}"
        free = getattr(day, "total_slots", 0) - getattr(day, "booked_slots", 0)
        if free > 0:
            return str(_("%(day)s — %(free)s of %(total)s slots left")) % {
                "day": label,
                "free": free,
                "total": day.total_slots,
            }
        return str(_("%(day)s — full (join the waiting list)")) % {"day": label}


class MeetingRequestForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        help_text=_("We send the confirmation and changes by text message, e.g. 010-1234-5678."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    neighborhood = forms.ModelChoiceField(
        label=_("Your neighborhood"), queryset=Neighborhood.objects.all(), empty_label=_("Choose")
    )
    category = forms.ChoiceField(label=_("Topic"), choices=[("", _("Choose")), *Category.choices])
    subject = forms.CharField(label=_("Subject"), max_length=100)
    description = forms.CharField(
        label=_("What would you like to talk about?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 6})
    )
    group_size = forms.IntegerField(
        label=_("Number of people coming"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("A group is one booking."),
    )
    preferred_days = MeetingDayChoiceField(
        label=_("Preferred meeting days (up to three)"),
        queryset=MeetingDay.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    needs_sign_language = forms.BooleanField(label=_("Sign-language interpreter"), required=False)
    needs_foreign_language = forms.BooleanField(label=_("Foreign-language interpreter"), required=False)
    foreign_language = forms.CharField(label=_("Which language?"), max_length=50, required=False)
    needs_wheelchair = forms.BooleanField(label=_("Wheelchair access"), required=False)
    other_needs = forms.CharField(label=_("Other help you need"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=_("I agree to the collection and use of my personal information as described above."),
        required=True,
        error_messages={"required": _("Please agree to the collection and use of personal information.")},
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, bookable_days=None, **kwargs):
        super().__init__(*args, **kwargs)
        if bookable_days is not None:
            self.fields["preferred_days"].queryset = bookable_days

    def clean_phone(self):
        try:
            return normalize_mobile(self.cleaned_data["phone"])
        except InvalidPhoneNumber:
            raise forms.ValidationError(
                _("Enter a mobile number that can receive text messages, e.g. 010-1234-5678.")
            ) from None

    def clean_preferred_days(self):
        days = self.cleaned_data["preferred_days"]
        if len(days) > MAX_PREFERRED_DAYS:
            raise forms.ValidationError(_("Choose at most three preferred days."))
        return days

    def clean(self):
        data = super().clean()
        if data.get("needs_foreign_language") and not (data.get("foreign_language") or "").strip():
            self.add_error("foreign_language", _("Tell us which language the interpreter should speak."))
        return data

    def service_arguments(self) -> dict:
        """The cleaned data as ``meeting_request_submit``'s keyword arguments."""
        data = dict(self.cleaned_data)
        data["preferred_days"] = list(data["preferred_days"])
        return data


class StaffIntakeForm(MeetingRequestForm):
    """A request taken by phone or at the counter, entered by staff through
    the same service as the public form."""

    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(MeetingRequest.Channel.PHONE, _("Phone")), (MeetingRequest.Channel.WALK_IN, _("Walk-in"))],
    )
    consent = forms.BooleanField(
        label=_("The citizen agreed to the collection and use of personal information (read out to them)."),
        required=True,
        error_messages={"required": _("Please agree to the collection and use of personal information.")},
    )
