"""The forms of the instructions' back office. They only parse what staff
typed; the rules (a working day, a report to complete, a reason to cancel,
who may act) are ``petitions.instructions.services``'s, whose Korean message
the page shows in the form it came from."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from scheduling.forms import KrdsFormMixin
from scheduling.models import Department, Neighborhood


def _textarea(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _departments():
    return Department.objects.filter(is_active=True).order_by("name")


class InstructionForm(KrdsFormMixin, forms.Form):
    """Recording an instruction; where it came from rides along as hidden ids."""

    title = forms.CharField(
        label=_("Instruction"), max_length=200, help_text=_("What the mayor instructed, in one line.")
    )
    text = forms.CharField(label=_("Details"), required=False, max_length=4000, widget=_textarea(4))
    instructed_on = forms.DateField(label=_("Instructed on"), widget=_date_input())
    department = forms.ModelChoiceField(label=_("Department"), queryset=_departments())
    due_on = forms.DateField(label=_("Due date"), widget=_date_input(), help_text=_("A working day."))
    neighborhood = forms.ModelChoiceField(
        label=_("Neighborhood"),
        queryset=Neighborhood.objects.order_by("sort_order", "name"),
        required=False,
        help_text=_("If the instruction concerns a neighborhood, it shows on its management card."),
    )
    visit = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    meeting_request = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    petition = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class StartForm(KrdsFormMixin, forms.Form):
    prefix = "start"

    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=_textarea(2))


class NoteForm(KrdsFormMixin, forms.Form):
    prefix = "note"

    note = forms.CharField(label=_("Progress note"), max_length=2000, widget=_textarea(3))


class CompleteForm(KrdsFormMixin, forms.Form):
    prefix = "complete"

    report = forms.CharField(
        label=_("Completion report"), max_length=4000, widget=_textarea(5), help_text=_("What was done, and where.")
    )


class ReasonForm(KrdsFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=_textarea(2))


class ReturnForm(ReasonForm):
    prefix = "return"


class CancelForm(ReasonForm):
    prefix = "cancel"


class AssignForm(KrdsFormMixin, forms.Form):
    prefix = "assign"

    department = forms.ModelChoiceField(label=_("Department"), queryset=_departments())
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class DueForm(KrdsFormMixin, forms.Form):
    prefix = "due"

    due_on = forms.DateField(label=_("New due date"), widget=_date_input(), help_text=_("A working day."))
    reason = forms.CharField(label=_("Reason"), max_length=300)
