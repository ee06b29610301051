"""The board's form "시장에게 바란다". The form parses and checks what was
typed; the petition's rules live in ``petitions.intake.web``."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from petitions.categories import PetitionCategory
from petitions.intake.web import MAX_TEXT
from scheduling.models import Neighborhood
from scheduling.phones import InvalidPhoneNumber, normalize_mobile

#: Text that looks like an HTML tag or comment: ``<b``, ``</``, ``<!--``.
HTML_TAG = re.compile(r"<\s*[/!?a-zA-Z]")
FREE_TEXT_FIELDS = ("name", "subject", "text")


class PetitionForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        error_messages={"required": _("Please write your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        help_text=_("We send a code to verify it, the receipt and the answer by text message, e.g. 010-1234-5678."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"}),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        widget=forms.EmailInput(
            attrs={"inputmode": "email", "autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    neighborhood = forms.ModelChoiceField(
        label=_("Your neighborhood (optional)"),
        queryset=Neighborhood.objects.all(),
        required=False,
        empty_label=_("Choose"),
    )
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("Choose")), *PetitionCategory.choices])
    subject = forms.CharField(label=_("Subject"), max_length=100)
    text = forms.CharField(
        label=_("Your petition"),
        max_length=MAX_TEXT,
        help_text=_("At most 4,000 characters."),
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    consent = forms.BooleanField(
        label=_("I agree to the collection and use of my personal information as described above."),
        required=True,
        error_messages={"required": _("Please agree to the collection and use of personal information.")},
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    #: The honeypot: hidden from people (off-screen, ``aria-hidden``, out of
    #: the tab order), so only a robot fills it.
    extra_memo = forms.CharField(
        label=_("Leave this box empty (it catches automated spam)."),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    HONEYPOT = "extra_memo"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.Select):
                # KRDS greys a select out (3:1 contrast) until its script marks it "completed".
                widget.attrs.setdefault("class", "krds-form-select completed")
            elif name != self.HONEYPOT and isinstance(widget, forms.TextInput | forms.EmailInput | forms.Textarea):
                widget.attrs.setdefault("class", "krds-input")
        expired = _("This form has expired. Check your answers and send it again.")
        self.fields["submission_key"].error_messages.update(required=expired, invalid=expired)

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get(self.add_prefix(self.HONEYPOT)) or "").strip())

    def clean_phone(self):
        try:
            return normalize_mobile(self.cleaned_data["phone"])
        except InvalidPhoneNumber:
            raise forms.ValidationError(
                _("Enter a mobile number that can receive text messages, e.g. 010-1234-5678.")
            ) from None

    def clean(self):
        data = super().clean()
        for name in FREE_TEXT_FIELDS:
            if HTML_TAG.search(data.get(name) or ""):
                self.add_error(name, _("Please write plain text: remove anything between < and >."))
        if "submission_key" in self.errors:
            self.data = self.data.copy()  # a fresh key, so that sending it again works
            self.data[self.add_prefix("submission_key")] = str(uuid.uuid4())
        return data

    def service_arguments(self) -> dict:
        """The cleaned data as ``petition_web_submit``'s keyword arguments."""
        data = dict(self.cleaned_data)
        data.pop(self.HONEYPOT, None)
        return data
