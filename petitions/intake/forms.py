"""The secretariat's intake forms: a petition taken by phone, at the desk
or registered from 국민신문고, and the 국민신문고 CSV file."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from petitions import rules
from petitions.categories import PetitionCategory
from petitions.intake.web import MAX_TEXT
from scheduling.forms import KrdsFormMixin
from scheduling.models import Neighborhood


class IntakeForm(KrdsFormMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(value, rules.CHANNEL_LABELS[value]) for value in (rules.PHONE, rules.VISIT, rules.EPEOPLE)],
        widget=forms.RadioSelect,
        initial=rules.PHONE,
    )
    epeople_number = forms.CharField(
        label=_("e-People number"),
        max_length=30,
        required=False,
        help_text=_("국민신문고 only: the portal's number, e.g. 1AA-2611-0123456."),
    )
    epeople_received_on = forms.DateField(
        label=_("Received by e-People on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("국민신문고 only."),
    )
    epeople_due_on = forms.DateField(
        label=_("e-People due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("국민신문고 only. Empty: the kind's limit counts from the received date."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=list(rules.KIND_LABELS.items()), initial=rules.GENERAL)
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("Choose")), *PetitionCategory.choices])
    neighborhood = forms.ModelChoiceField(
        label=_("Neighborhood (optional)"), queryset=Neighborhood.objects.all(), required=False, empty_label=_("None")
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(label=_("The petition"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8}))
    name = forms.CharField(label=_("Name (optional)"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Mobile number (optional)"),
        max_length=30,
        required=False,
        help_text=_("The receipt and the answer go there by text message."),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    language = forms.ChoiceField(
        label=_("Language of the text messages"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,
    )
    consent = forms.BooleanField(
        label=_("The citizen agreed to the collection and use of personal information (read out to them)."),
        required=False,
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        expired = _("This form has expired. Check the fields and save again.")
        self.fields["submission_key"].error_messages.update(required=expired, invalid=expired)

    def clean(self):
        data = super().clean()
        if data.get("channel") == rules.EPEOPLE:
            if not data.get("epeople_number"):
                self.add_error("epeople_number", _("Enter the e-People number."))
            if not data.get("epeople_received_on") and "epeople_received_on" not in self.errors:
                self.add_error("epeople_received_on", _("Enter the date e-People received it."))
        elif any(data.get(name) for name in ("name", "phone", "email")) and not data.get("consent"):
            self.add_error(
                "consent",
                _("Ask for the citizen's consent before recording their contact, or leave the contact empty."),
            )
        if "submission_key" in self.errors:
            self.data = self.data.copy()
            self.data[self.add_prefix("submission_key")] = str(uuid.uuid4())
        return data

    def service_arguments(self) -> dict:
        return dict(self.cleaned_data)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file from 국민신문고"))
