"""The petition page's small forms: one per action. They only parse what
staff typed, named as the service's keyword arguments; every rule (a reason
is required, the deadline moves once, the petition is of the quick kind) is
the service's, so that its Korean message is the one staff see. Each has a
``prefix``: the page shows several at once."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from petitions.categories import PetitionCategory
from petitions.models import Petition
from scheduling.forms import KrdsFormMixin
from scheduling.models import Department, Neighborhood

ANSWER_MAX = 4000


def _textarea(rows: int = 3, required: bool = False):
    attrs = {"rows": rows}
    if required:  # marked for the person typing (the forms are novalidate); the service refuses an empty one
        attrs.update(required=True, **{"aria-required": "true"})
    return forms.Textarea(attrs=attrs)


def _departments():
    return Department.objects.filter(is_active=True).order_by("name")


class _ActionForm(KrdsFormMixin, forms.Form):
    def __init__(self, *args, petition: Petition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.petition = petition


class AssignForm(_ActionForm):
    prefix = "assign"

    department = forms.ModelChoiceField(label=_("Department"), queryset=_departments(), empty_label=_("Choose"))
    note = forms.CharField(
        label=_("Note to the department (optional)"), required=False, max_length=1000, widget=_textarea(2)
    )


class ReassignForm(_ActionForm):
    prefix = "reassign"

    department = forms.ModelChoiceField(label=_("Department"), queryset=_departments(), empty_label=_("Choose"))
    note = forms.CharField(
        label=_("Why another department?"), required=False, max_length=1000, widget=_textarea(2, True)
    )


class ExtendForm(_ActionForm):
    prefix = "extend"

    reason = forms.CharField(
        label=_("Reason for the extension"),
        required=False,
        max_length=300,
        widget=_textarea(2, True),
        help_text=_("The citizen is told the reason and the new deadline. The deadline can be extended only once."),
    )


class DraftForm(_ActionForm):
    prefix = "draft"

    answer = forms.CharField(
        label=_("The answer to the citizen"),
        required=False,
        max_length=ANSWER_MAX,
        widget=_textarea(8, True),
        help_text=_("The secretariat reads it, may correct it, and sends it."),
    )


class ReturnForm(_ActionForm):
    prefix = "return"

    note = forms.CharField(
        label=_("What should the department change?"), required=False, max_length=1000, widget=_textarea(3, True)
    )


class _SendForm(_ActionForm):
    answer_via = forms.ChoiceField(
        label=_("Send the answer by"),
        choices=Petition.AnswerVia.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A long answer goes as a long text message (LMS). A letter is printed from this page; "
            "a 국민신문고 petition is answered in the portal and only recorded here."
        ),
    )

    def __init__(self, *args, petition: Petition | None = None, **kwargs):
        super().__init__(*args, petition=petition, **kwargs)
        if petition is not None and not self.is_bound:
            self.initial.setdefault("answer_via", default_answer_via(petition))


def default_answer_via(petition: Petition) -> str:
    """The way a petition's answer goes unless staff choose another: the
    portal's petitions through the portal, else as the citizen can be reached."""
    if petition.epeople_number:
        return Petition.AnswerVia.EPEOPLE
    if petition.phone:
        return Petition.AnswerVia.SMS
    if petition.email:
        return Petition.AnswerVia.EMAIL
    return Petition.AnswerVia.LETTER


class ApproveForm(_SendForm):
    prefix = "approve"

    answer = forms.CharField(
        label=_("The answer (correct it if needed)"), required=False, max_length=ANSWER_MAX, widget=_textarea(8)
    )
    field_order = ["answer", "answer_via"]

    def __init__(self, *args, petition: Petition | None = None, **kwargs):
        super().__init__(*args, petition=petition, **kwargs)
        if petition is not None and not self.is_bound:
            self.initial.setdefault("answer", petition.answer)


class AnswerForm(_SendForm):
    prefix = "answer"

    answer = forms.CharField(
        label=_("The answer to the citizen"), required=False, max_length=ANSWER_MAX, widget=_textarea(6, True)
    )
    field_order = ["answer", "answer_via"]


class GuideForm(_SendForm):
    prefix = "guide"

    answer = forms.CharField(
        label=_("The guidance (where to go, what to do)"),
        required=False,
        max_length=ANSWER_MAX,
        widget=_textarea(4, True),
    )
    field_order = ["answer", "answer_via"]


class TransferForm(_ActionForm):
    prefix = "transfer"

    agency = forms.CharField(label=_("Agency in charge"), required=False, max_length=100)
    epeople_number = forms.CharField(
        label=_("국민신문고 number of the transfer (if sent there)"), required=False, max_length=30
    )
    note = forms.CharField(label=_("Note (internal)"), required=False, max_length=1000, widget=_textarea(2))


class MergeForm(_ActionForm):
    prefix = "merge"

    into_reference = forms.CharField(
        label=_("Reference of the petition it repeats"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"placeholder": "P2026-00001"}),
        help_text=_("An earlier petition of the same citizen on the same matter, open or closed."),
    )
    note = forms.CharField(label=_("Note (internal)"), required=False, max_length=1000, widget=_textarea(2))


class ThankForm(_ActionForm):
    prefix = "thank"

    message = forms.CharField(
        label=_("A word of thanks (optional; added to the text message)"),
        required=False,
        max_length=300,
        widget=_textarea(2),
    )


class DispatchForm(_ActionForm):
    prefix = "dispatch"

    note = forms.CharField(
        label=_("For the field team (optional)"),
        required=False,
        max_length=300,
        widget=_textarea(2),
        help_text=_("The field team gets the petition by text message, without the citizen's contact."),
    )


class ResolveForm(_ActionForm):
    prefix = "resolve"

    photo = forms.FileField(
        label=_("Photo of the fix"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 5 MB. The location and camera data are removed."),
    )
    note = forms.CharField(label=_("What was done"), required=False, max_length=1000, widget=_textarea(2))


class ToMeetingForm(_ActionForm):
    prefix = "to_meeting"

    neighborhood = forms.ModelChoiceField(
        label=_("Neighborhood"),
        queryset=Neighborhood.objects.order_by("sort_order", "name"),
        required=False,
        empty_label=_("As in the petition"),
    )
    consent = forms.BooleanField(
        label=_("The citizen agreed that their details are used for the meeting request (read out to them)."),
        required=False,
    )
    note = forms.CharField(label=_("Note (internal)"), required=False, max_length=1000, widget=_textarea(2))


class ToSuggestionForm(_ActionForm):
    prefix = "to_suggestion"

    neighborhood = forms.ModelChoiceField(
        label=_("Neighborhood"),
        queryset=Neighborhood.objects.order_by("sort_order", "name"),
        required=False,
        empty_label=_("As in the petition"),
    )


class FromOriginForm(KrdsFormMixin, forms.Form):
    """A petition heard at a meeting or on a field visit."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("The petition"), max_length=4000, widget=_textarea(5))
    category = forms.ChoiceField(label=_("Category"), choices=PetitionCategory.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Petition.Kind.choices, initial="general")
    neighborhood = forms.ModelChoiceField(
        label=_("Neighborhood"),
        queryset=Neighborhood.objects.order_by("sort_order", "name"),
        required=False,
        empty_label=_("None"),
    )
    name = forms.CharField(label=_("Name (optional)"), max_length=50, required=False)
    phone = forms.CharField(label=_("Mobile number (optional)"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)
    consent = forms.BooleanField(
        label=_("The citizen agreed to the collection and use of their contact for the answer."), required=False
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
