"""The back office's small forms: one per action on a request or a meeting
day. They only parse what staff typed; every rule (a reason is required, the
slot is free, the move is allowed) is checked by the service the view calls,
so that its Korean message is the one staff see.

Each form has a ``prefix`` because a request's page shows them all at once.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.models import MeetingRequest, ReviewRequest, Slot
from meetings.public.forms import StaffIntakeForm
from scheduling import params
from scheduling.clock import SEOUL, WORKING_PERIODS
from scheduling.forms import KrdsFormMixin
from scheduling.models import Department, Official


def _reason_widget(rows: int = 2):
    # Marked as required for the person typing (the forms are novalidate);
    # the service refuses an empty reason with its Korean message.
    return forms.Textarea(attrs={"rows": rows, "required": True, "aria-required": "true"})


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReviewAskForm(KrdsFormMixin, forms.Form):
    prefix = "review"

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True), empty_label=_("Choose")
    )
    question = forms.CharField(
        label=_("What should the department look at?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_on = forms.DateField(
        label=_("Answer by (optional)"),
        required=False,
        widget=_date_widget(),
        help_text=_("Left empty: the review period in working days, counted from today."),
    )


class ReviewOverrideForm(KrdsFormMixin, forms.Form):
    """Book without the department head's opinion, saying why (kept in the history)."""

    prefix = "override"

    reason = forms.CharField(
        label=_("Why book without the department head's review?"),
        required=False,
        max_length=300,
        widget=_reason_widget(),
    )


class SlotBookForm(KrdsFormMixin, forms.Form):
    """Any slot id is accepted here: whether it is still free, in the future
    and on a day that is held is the booking service's question, so that a
    slot taken a second ago gets its own message."""

    prefix = "book"

    slot = forms.ModelChoiceField(
        label=_("Slot"),
        queryset=Slot.objects.all(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a free slot."),
            "invalid_choice": _("This slot does not exist any more. Choose another one."),
        },
    )


class SubstituteForm(KrdsFormMixin, forms.Form):
    """The chosen official and time come as one radio value,
    ``<official id>|<ISO start>``, from the proposals on the page."""

    prefix = "substitute"

    choice = forms.CharField(
        label=_("Who and when"),
        error_messages={"required": _("Choose who will meet the citizen, and when.")},
    )
    reason = forms.CharField(
        label=_("Reason for the substitution (the citizen reads it)"),
        required=False,
        max_length=300,
        widget=_reason_widget(),
    )
    location = forms.CharField(
        label=_("Place (optional)"),
        required=False,
        max_length=200,
        help_text=_("Leave empty for the official's office."),
    )

    def clean_choice(self):
        raw = self.cleaned_data["choice"]
        official_id, _sep, start = raw.partition("|")
        try:
            moment = dt.datetime.fromisoformat(start)
            official = Official.objects.select_related("department").get(
                pk=params.object_id(official_id), is_active=True
            )
        except (ValueError, Official.DoesNotExist):
            raise forms.ValidationError(_("Choose one of the proposed times.")) from None
        if moment.tzinfo is None:
            raise forms.ValidationError(_("Choose one of the proposed times."))
        self.cleaned_data["official"] = official
        self.cleaned_data["start"] = moment
        return raw

    @staticmethod
    def value_for(official: Official, start: dt.datetime) -> str:
        return f"{official.pk}|{start.isoformat()}"


class AnswerForm(KrdsFormMixin, forms.Form):
    prefix = "answer"

    answer = forms.CharField(
        label=_("Written answer (the citizen reads it)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "required": True, "aria-required": "true"}),
    )


class DeclineForm(KrdsFormMixin, forms.Form):
    prefix = "decline"

    reason = forms.CharField(
        label=_("Reason for declining (the citizen reads it)"),
        required=False,
        max_length=300,
        widget=_reason_widget(3),
    )


class ExtendForm(KrdsFormMixin, forms.Form):
    prefix = "extend"

    new_due = forms.DateField(
        label=_("New due date"),
        widget=_date_widget(),
        help_text=_("The answer is then due at the end of that working day (18:00)."),
        error_messages={"required": _("Choose the new due date.")},
    )
    reason = forms.CharField(
        label=_("Reason for the extension (the citizen reads it)"),
        required=False,
        max_length=300,
        widget=_reason_widget(),
    )

    def new_due_at(self) -> dt.datetime:
        return dt.datetime.combine(self.cleaned_data["new_due"], WORKING_PERIODS[-1][1], tzinfo=SEOUL)


class OutcomeForm(KrdsFormMixin, forms.Form):
    prefix = "outcome"

    outcome = forms.ChoiceField(
        label=_("How did it go?"),
        choices=MeetingRequest.Outcome.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes (internal)"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class CloseForm(KrdsFormMixin, forms.Form):
    prefix = "close"

    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class DayMoveForm(KrdsFormMixin, forms.Form):
    prefix = "move"

    date = forms.DateField(
        label=_("New date"), widget=_date_widget(), error_messages={"required": _("Choose the new date.")}
    )
    time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Choose the start time.")},
    )
    reason = forms.CharField(
        label=_("Reason (citizens read it)"), required=False, max_length=200, widget=_reason_widget()
    )

    def new_start(self) -> dt.datetime:
        return dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"], tzinfo=SEOUL)


class DayCancelForm(KrdsFormMixin, forms.Form):
    prefix = "cancel"

    reason = forms.CharField(
        label=_("Reason (citizens read it)"), required=False, max_length=200, widget=_reason_widget()
    )


class ReviewAnswerForm(KrdsFormMixin, forms.Form):
    """The department head's review opinion (소관부서장 검토): three short
    answers the secretariat acts on, then the opinion in words."""

    prefix = "opinion"

    meeting_needed = forms.ChoiceField(
        label=_("Is a meeting with the mayor needed?"),
        choices=ReviewRequest.MeetingNeeded.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether a meeting is needed.")},
    )
    department_can_resolve = forms.TypedChoiceField(
        label=_("Can the department solve it?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether the department can solve it.")},
    )
    recommended_official = forms.ModelChoiceField(
        label=_("Who should meet the citizen? (optional)"),
        queryset=Official.objects.filter(is_active=True).exclude(rank=Official.Rank.DEPARTMENT_HEAD),
        required=False,
        empty_label=_("No recommendation"),
    )
    opinion = forms.CharField(
        label=_("The department's opinion"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "required": True, "aria-required": "true"}),
    )


class IntakeForm(KrdsFormMixin, StaffIntakeForm):
    """``StaffIntakeForm`` with the back office's look, channel first."""

    field_order = ["channel"]
