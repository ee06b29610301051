"""The citizen's request form (also used by staff for phone and walk-in
requests). Forms parse and check what was typed; the rules across rows live
in ``meetings.services``."""

from __future__ import annotations

import re
import uuid

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from meetings.models import Category, InterpreterLanguage, MeetingDay, MeetingRequest
from meetings.selectors import day_key
from meetings.services.requests import MAX_PREFERRED_DAYS
from scheduling.dates import korean_date, local_when
from scheduling.models import Neighborhood
from scheduling.phones import InvalidPhoneNumber, normalize_mobile

#: Text that looks like an HTML tag or comment: ``<b``, ``</``, ``<!--``.
HTML_TAG = re.compile(r"<\s*[/!?a-zA-Z]")
FREE_TEXT_FIELDS = ("name", "subject", "description", "foreign_language_other", "other_needs")
#: Each interpreter language also in its own script, so that a citizen finds
#: theirs whatever language the page is in.
NATIVE_LANGUAGE_NAMES = {
    "zh": "中文",
    "vi": "Tiếng Việt",
    "en": "English",
    "ja": "日本語",
    "ru": "Русский",
    "th": "ภาษาไทย",
    "mn": "Монгол хэл",
    "uz": "Oʻzbekcha",
    "fil": "Filipino",
    "km": "ភាសាខ្មែរ",
    "ne": "नेपाली",
    "id": "Bahasa Indonesia",
}


def interpreter_language_choices() -> list[tuple[str, str]]:
    """The list in the page's language, each with its own name: 베트남어 (Tiếng Việt)."""
    choices = [("", _("Choose"))]
    for code, label in InterpreterLanguage.choices:
        native = NATIVE_LANGUAGE_NAMES.get(code)
        label = str(label)
        choices.append((code, f"{label} ({native})" if native and native != label else label))
    return choices


def _staff_day_label(day: MeetingDay) -> str:
    local = timezone.localtime(day.start)
    label = f"{korean_date(local.date())} {local:%H:%M}"
    free = free_slot_count(day)
    if free > 0:
        return str(_("%(day)s — %(free)s of %(total)s slots left")) % {
            "day": label,
            "free": free,
            "total": day.total_slots,
        }
    return str(_("%(day)s — full (join the waiting list)")) % {"day": label}


class _MeetingDays:
    """A choice among meeting days, saved or still only in the rule
    (``meetings.selectors.meeting_days_between``), named by their rule date
    (``day_key``); cleans to the ``MeetingDay`` objects."""

    def set_days(self, days, label) -> None:
        self.days = {day_key(day): day for day in days}
        self.choices = [(key, label(day)) for key, day in self.days.items()]

    def _day(self, key):
        return self.days[key]


class MeetingDaysField(_MeetingDays, forms.MultipleChoiceField):
    def clean(self, value):
        return [self._day(key) for key in super().clean(value)]


class MeetingDayField(_MeetingDays, forms.ChoiceField):
    def clean(self, value):
        key = super().clean(value)
        return self._day(key) if key else None


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
    preferred_days = MeetingDaysField(
        label=_("Preferred meeting days (up to three)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    needs_sign_language = forms.BooleanField(label=_("Sign-language interpreter"), required=False)
    needs_foreign_language = forms.BooleanField(label=_("Foreign-language interpreter"), required=False)
    foreign_language = forms.ChoiceField(
        label=_("Which language?"), choices=interpreter_language_choices, required=False
    )
    foreign_language_other = forms.CharField(label=_("Other language: which one?"), max_length=50, required=False)
    needs_wheelchair = forms.BooleanField(label=_("Wheelchair access"), required=False)
    other_needs = forms.CharField(label=_("Other help you need"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=_("I agree to the collection and use of my personal information as described above."),
        required=True,
        error_messages={"required": _("Please agree to the collection and use of personal information.")},
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    #: How a day reads in the list of preferred days.
    day_label = staticmethod(_staff_day_label)

    def __init__(self, *args, bookable_days=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_days"].set_days(bookable_days, self.day_label)

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
        # Plain text only, on the public form and at the counter alike.
        for name in FREE_TEXT_FIELDS:
            if HTML_TAG.search(data.get(name) or ""):
                self.add_error(name, _("Please write plain text: remove anything between < and >."))
        if data.get("needs_foreign_language") and not data.get("foreign_language"):
            self.add_error("foreign_language", _("Tell us which language the interpreter should speak."))
        if (
            data.get("needs_foreign_language")
            and data.get("foreign_language") == InterpreterLanguage.OTHER
            and not (data.get("foreign_language_other") or "").strip()
        ):
            self.add_error("foreign_language_other", _("Write which language the interpreter should speak."))
        return data

    def service_arguments(self) -> dict:
        """The cleaned data as ``meeting_request_submit``'s keyword arguments."""
        data = dict(self.cleaned_data)
        data["preferred_days"] = list(data["preferred_days"])
        return data


class StaffIntakeForm(MeetingRequestForm):
    """A request taken by phone or at the counter, entered by staff through
    the same service as the public form."""

    language = forms.ChoiceField(
        label=_("Language of the text messages"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,  # Korean when not given
        help_text=_("The citizen's messages are written in this language."),
    )
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(MeetingRequest.Channel.PHONE, _("Phone")), (MeetingRequest.Channel.WALK_IN, _("Walk-in"))],
    )
    consent = forms.BooleanField(
        label=_("The citizen agreed to the collection and use of personal information (read out to them)."),
        required=True,
        error_messages={"required": _("Please agree to the collection and use of personal information.")},
    )


# --- The public pages' forms --------------------------------------------------


def free_slot_count(day: MeetingDay) -> int:
    return max(getattr(day, "total_slots", 0) - getattr(day, "booked_slots", 0), 0)


# --- Home --------------------------------------------------------------------


class PublicRequestForm(MeetingRequestForm):
    """The lead's request form as the public page shows it: phone-friendly
    widgets, no HTML in free text, and a full day only with the citizen's
    explicit "put me on the waiting list"."""

    join_waitlist = forms.BooleanField(
        label=gettext_lazy("If a day I chose is full, put me on its waiting list."),
        required=False,
    )
    #: The honeypot: hidden from people (off-screen, ``aria-hidden``, out of the
    #: tab order), so only a robot fills it. An unusual name, that no browser
    #: autofill recognises; checked by the view before anything else.
    extra_memo = forms.CharField(
        label=gettext_lazy("Leave this box empty (it catches automated spam)."),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    HONEYPOT = "extra_memo"

    WIDGET_ATTRS = {
        "name": {"autocomplete": "name"},
        "phone": {"inputmode": "tel", "autocomplete": "tel", "placeholder": "010-1234-5678"},
        "email": {"inputmode": "email", "autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"},
        "group_size": {"inputmode": "numeric"},
    }
    # No autocomplete="off" on what people type: Chrome does not bring such a
    # box back when the citizen returns with the back button (after the 429
    # or the CSRF page, both of which promise that their entries are kept).

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
                # KRDS greys a select out (3:1 contrast) until its script marks it "completed".
                widget.attrs.setdefault("class", "krds-form-select completed")
            elif name == self.HONEYPOT:
                continue
            elif isinstance(widget, forms.TextInput | forms.EmailInput | forms.NumberInput | forms.Textarea):
                widget.attrs.setdefault("class", "krds-input")
            widget.attrs.update(self.WIDGET_ATTRS.get(name, {}))
        not_offered = _("This meeting day can no longer be chosen. Choose one of the days listed.")
        self.fields["preferred_days"].error_messages.update(invalid_choice=not_offered)
        self.fields["submission_key"].error_messages.update(
            required=_("This form has expired. Check your answers and send it again."),
            invalid=_("This form has expired. Check your answers and send it again."),
        )

    @staticmethod
    def day_label(day: MeetingDay) -> str:
        """The lead's label (``MeetingDayChoiceField``) with the date in the
        page's language."""
        free = free_slot_count(day)
        if free:
            return _("%(day)s — %(free)s of %(total)s slots left") % {
                "day": local_when(day.start),
                "free": free,
                "total": day.total_slots,
            }
        return _("%(day)s — full (join the waiting list)") % {"day": local_when(day.start)}

    @property
    def honeypot_filled(self) -> bool:
        """Whether the hidden box came back with anything in it: a robot."""
        return bool((self.data.get(self.add_prefix(self.HONEYPOT)) or "").strip())

    @property
    def full_days_offered(self) -> bool:
        return any(free_slot_count(day) == 0 for day in self.fields["preferred_days"].days.values())

    def clean(self):
        data = super().clean()
        if "submission_key" in self.errors:
            self.data = self.data.copy()  # a fresh key, so that sending it again works
            self.data[self.add_prefix("submission_key")] = str(uuid.uuid4())
        full = [day for day in data.get("preferred_days") or () if free_slot_count(day) == 0]
        if full and not data.get("join_waitlist"):
            self.add_error(
                "preferred_days",
                _(
                    "%(days)s is already full. Choose another day, or tick “put me on its waiting list” "
                    "to be offered the first freed slot."
                )
                % {"days": ", ".join(local_when(day.start) for day in full)},
            )
        return data

    def service_arguments(self) -> dict:
        arguments = super().service_arguments()
        arguments.pop("join_waitlist", None)
        arguments.pop(self.HONEYPOT, None)
        return arguments


class OtherDayForm(forms.Form):
    meeting_day = MeetingDayField(
        label=gettext_lazy("Which meeting day would suit you?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose a meeting day."),
            "invalid_choice": gettext_lazy("This meeting day can no longer be chosen. Choose one of the days listed."),
        },
    )

    def __init__(self, *args, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_day"].set_days(days, self.label)

    @staticmethod
    def label(day: MeetingDay) -> str:
        free = free_slot_count(day)
        if free:
            text = _("%(day)s (%(free)s of %(total)s slots free)") % {
                "day": local_when(day.start),
                "free": free,
                "total": day.total_slots,
            }
        else:
            text = _("%(day)s (full)") % {"day": local_when(day.start)}
        if getattr(day, "preferred_rank", None):  # annotated by the status page
            text = _("%(day)s · a day you chose") % {"day": text}
        return text


SCORES = [
    (5, gettext_lazy("5 – Very satisfied")),
    (4, gettext_lazy("4 – Satisfied")),
    (3, gettext_lazy("3 – Neither satisfied nor dissatisfied")),
    (2, gettext_lazy("2 – Dissatisfied")),
    (1, gettext_lazy("1 – Very dissatisfied")),
]


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied were you with the meeting?"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose a score from 1 to 5."),
            "invalid_choice": gettext_lazy("Choose a score from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "class": "krds-input"}),
    )
