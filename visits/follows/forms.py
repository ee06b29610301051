"""The follow form: SMS or e-mail, the contact, and the consent."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from scheduling.phones import InvalidPhoneNumber, normalize_mobile
from visits.models import NeighborhoodFollow


class FollowForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How should we tell you?"),
        choices=NeighborhoodFollow.Channel.choices,
        widget=forms.RadioSelect,
        initial=NeighborhoodFollow.Channel.SMS,
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
    )
    consent = forms.BooleanField(
        label=_("I agree that the city keeps this number or address to send me this neighborhood's news."),
        error_messages={"required": _("Please agree, or we cannot send you the news.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = _(
            "Kept until you stop the messages (a link in every message) and for at most %(days)d days; "
            "used for nothing else. You may refuse: you can still read the news on this page."
        ) % {"days": settings.FOLLOW_RETENTION_DAYS}

    def clean(self):
        data = super().clean()
        if data.get("channel") == NeighborhoodFollow.Channel.SMS:
            try:
                data["phone"] = normalize_mobile(data.get("phone") or "")
            except InvalidPhoneNumber:
                self.add_error("phone", _("Enter a mobile number that can receive text messages, e.g. 010-1234-5678."))
        elif data.get("channel") == NeighborhoodFollow.Channel.EMAIL and not data.get("email"):
            self.add_error("email", _("Enter the e-mail address to send the news to."))
        return data
