"""The forms of the management-card back office: recording a suggestion and
one small form per action on it. They only parse what staff typed; the
rules (a reason for "not feasible", both coordinates or neither, consent
for a contact, who may act) are checked by ``visits.cards.services``, whose
Korean message the page shows in the form, with everything typed kept."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scheduling.categories import Category
from scheduling.forms import KrdsFormMixin, ModelMultipleChoiceField
from scheduling.models import Department, Neighborhood
from visits.models import FieldVisit, JointReviewOpinion, Suggestion, ThemedTour


def _textarea(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _departments():
    return Department.objects.filter(is_active=True).order_by("name")


class _VisitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, visit):
        start = timezone.localtime(visit.start)
        return f"{start:%Y-%m-%d} {visit.neighborhood.name}"


class _TourChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, tour):
        return f"{timezone.localtime(tour.start):%Y-%m-%d} {tour.title}"


WON_HELP = _("In won, digits only (e.g. 3000000).")
COORDINATE_HELP = _("Optional; give both latitude and longitude, or neither.")
PUBLIC_HELP = _("Residents read this on the public card.")
INTERNAL_HELP = _("Internal: never shown on the public card.")


class SuggestionDetailsFields(forms.Form):
    """What describes a suggestion (recording and correcting it)."""

    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False, max_length=3000, widget=_textarea(4))
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("Choose")), *Category.choices])
    raised_by = forms.CharField(
        label=_("Raised by"), required=False, max_length=100, help_text=_("A group or 'residents'; no personal data.")
    )
    location_text = forms.CharField(label=_("Location"), required=False, max_length=200)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        help_text=COORDINATE_HELP,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180
    )
    estimated_cost = forms.IntegerField(
        label=_("Estimated cost (won)"), required=False, min_value=0, help_text=WON_HELP
    )
    co_departments = ModelMultipleChoiceField(
        label=_("Co-departments"),
        queryset=_departments(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )


class SuggestionForm(KrdsFormMixin, SuggestionDetailsFields):
    """Record a suggestion: where it was heard, what it is, who leads it,
    and (with consent) how to tell whoever raised it."""

    prefix = "suggestion"
    field_order = [
        "neighborhood",
        "source",
        "visit",
        "tour",
        "meeting_reference",
        "title",
        "description",
        "category",
        "lead_department",
        "co_departments",
        "location_text",
        "latitude",
        "longitude",
        "raised_by",
        "estimated_cost",
        "contact_phone",
        "contact_email",
        "contact_consent",
    ]

    neighborhood = forms.ModelChoiceField(
        label=_("Neighborhood"), queryset=Neighborhood.objects.all(), empty_label=_("Choose")
    )
    source = forms.ChoiceField(label=_("Heard at"), choices=Suggestion.Source.choices, widget=forms.RadioSelect)
    visit = _VisitChoiceField(
        label=_("Field visit"),
        queryset=FieldVisit.objects.exclude(status=FieldVisit.Status.CANCELLED)
        .select_related("neighborhood")
        .order_by("-start"),
        required=False,
        empty_label=_("Choose"),
        help_text=_("When it was heard on a field visit."),
    )
    tour = _TourChoiceField(
        label=_("Themed tour"),
        queryset=ThemedTour.objects.exclude(status=ThemedTour.Status.CANCELLED).order_by("-start"),
        required=False,
        empty_label=_("Choose"),
        help_text=_("When it was heard on a themed tour."),
    )
    meeting_reference = forms.CharField(
        label=_("Meeting request reference"),
        required=False,
        max_length=20,
        help_text=_("When it was heard at a citizen meeting, e.g. 2026-0012."),
    )
    lead_department = forms.ModelChoiceField(
        label=_("Lead department"),
        queryset=_departments(),
        required=False,
        empty_label=_("Not decided yet"),
        help_text=_("With a lead department the suggestion is assigned at once."),
    )
    contact_phone = forms.CharField(label=_("Contact mobile number"), required=False, max_length=20)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_consent = forms.BooleanField(
        label=_("The resident agreed that this contact is used to tell them how the suggestion goes"),
        required=False,
        help_text=_(
            "Only to tell them of each public status change and ask whether it is resolved; "
            "deleted when the suggestion is closed and the retention period ends."
        ),
    )

    def clean(self):
        data = super().clean()
        source = data.get("source")
        if source == Suggestion.Source.FIELD_VISIT and not data.get("visit"):
            self.add_error("visit", _("Choose the field visit where it was heard."))
        if source == Suggestion.Source.THEMED_TOUR and not data.get("tour"):
            self.add_error("tour", _("Choose the themed tour where it was heard."))
        if source == Suggestion.Source.MEETING and not (data.get("meeting_reference") or "").strip():
            self.add_error("meeting_reference", _("Give the meeting request's reference."))
        return data


class DetailsForm(KrdsFormMixin, SuggestionDetailsFields):
    prefix = "details"

    public_answer = forms.CharField(
        label=_("Public answer"), required=False, max_length=2000, widget=_textarea(3), help_text=PUBLIC_HELP
    )

    @classmethod
    def initial_for(cls, suggestion: Suggestion) -> dict:
        return {
            "title": suggestion.title,
            "description": suggestion.description,
            "category": suggestion.category,
            "raised_by": suggestion.raised_by,
            "location_text": suggestion.location_text,
            "latitude": suggestion.latitude,
            "longitude": suggestion.longitude,
            "estimated_cost": suggestion.estimated_cost,
            "co_departments": [d.pk for d in suggestion.co_departments.all()],
            "public_answer": suggestion.public_answer,
        }


class AssignForm(KrdsFormMixin, forms.Form):
    prefix = "assign"

    lead_department = forms.ModelChoiceField(
        label=_("Lead department"), queryset=_departments(), empty_label=_("Choose")
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=_textarea(2), help_text=INTERNAL_HELP
    )


class ReviewForm(KrdsFormMixin, forms.Form):
    prefix = "review"

    feasibility = forms.ChoiceField(
        label=_("Feasibility"), choices=Suggestion.Feasibility.choices, widget=forms.RadioSelect
    )
    opinion = forms.CharField(
        label=_("The department's opinion"), max_length=3000, widget=_textarea(4), help_text=INTERNAL_HELP
    )
    estimated_cost = forms.IntegerField(
        label=_("Estimated cost (won)"), required=False, min_value=0, help_text=WON_HELP
    )
    estimated_period = forms.CharField(
        label=_("Estimated period"), required=False, max_length=100, help_text=_("e.g. 3 months")
    )
    public_answer = forms.CharField(
        label=_("Public answer"), required=False, max_length=2000, widget=_textarea(3), help_text=PUBLIC_HELP
    )


class OpinionForm(KrdsFormMixin, forms.Form):
    prefix = "opinion"

    party = forms.ChoiceField(label=_("Written for"), choices=JointReviewOpinion.Party.choices)
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=JointReviewOpinion.Recommendation.choices, widget=forms.RadioSelect
    )
    score = forms.DecimalField(
        label=_("Score (0–100)"), required=False, max_digits=5, decimal_places=1, min_value=0, max_value=100
    )
    opinion = forms.CharField(label=_("Opinion"), max_length=3000, widget=_textarea(4), help_text=INTERNAL_HELP)

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parties is not None:
            self.fields["party"].choices = [
                (value, label) for value, label in JointReviewOpinion.Party.choices if value in parties
            ]


DECISIONS = (
    ("select", _("Select")),
    ("long_term", _("Keep for long-term review")),
    ("reject", _("Answer not feasible")),
)


class DecideForm(KrdsFormMixin, forms.Form):
    prefix = "decide"

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    priority_score = forms.DecimalField(
        label=_("Priority score (0–100)"),
        required=False,
        max_digits=5,
        decimal_places=1,
        min_value=0,
        max_value=100,
        help_text=_("Required to select."),
    )
    priority_rank = forms.IntegerField(
        label=_("Priority rank"), required=False, min_value=1, help_text=_("Empty: after the last selected one.")
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=_textarea(3),
        help_text=_("Required for “not feasible”; residents read it."),
    )
    public_answer = forms.CharField(
        label=_("Public answer"), required=False, max_length=2000, widget=_textarea(3), help_text=PUBLIC_HELP
    )

    def __init__(self, *args, decisions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if decisions is not None:
            self.fields["decision"].choices = [(v, label) for v, label in DECISIONS if v in decisions]


class NoteForm(KrdsFormMixin, forms.Form):
    """A move that needs only an optional internal note (return to joint review)."""

    prefix = "rereview"

    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=_textarea(2), help_text=INTERNAL_HELP
    )


class PostponeForm(KrdsFormMixin, forms.Form):
    prefix = "postpone"

    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=_textarea(3))
    public_answer = forms.CharField(
        label=_("Public answer"), required=False, max_length=2000, widget=_textarea(3), help_text=PUBLIC_HELP
    )


class BudgetForm(KrdsFormMixin, forms.Form):
    prefix = "budget"

    fiscal_year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    amount = forms.IntegerField(label=_("Budget amount (won)"), min_value=1, help_text=WON_HELP)
    budget_line = forms.CharField(label=_("Budget line"), max_length=150)
    public_note = forms.CharField(
        label=_("Note for residents"), required=False, max_length=2000, widget=_textarea(2), help_text=PUBLIC_HELP
    )


class StartForm(KrdsFormMixin, forms.Form):
    prefix = "start"

    public_note = forms.CharField(
        label=_("Note for residents"), required=False, max_length=2000, widget=_textarea(2), help_text=PUBLIC_HELP
    )


class ProgressForm(KrdsFormMixin, forms.Form):
    prefix = "progress"

    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    happened_on = forms.DateField(
        label=_("Date of the update"), required=False, widget=_date_input(), help_text=_("Empty: today.")
    )
    public_note = forms.CharField(label=_("What was done"), max_length=2000, widget=_textarea(2), help_text=PUBLIC_HELP)
    note = forms.CharField(
        label=_("Internal note"), required=False, max_length=3000, widget=_textarea(2), help_text=INTERNAL_HELP
    )


class CompleteForm(KrdsFormMixin, forms.Form):
    prefix = "complete"

    completed_on = forms.DateField(label=_("Completed on"), widget=_date_input())
    result = forms.CharField(label=_("Result"), max_length=2000, widget=_textarea(3), help_text=PUBLIC_HELP)
    photo = forms.FileField(
        label=_("Photo of the result"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 5 MB. The location and camera data are removed."),
    )


class ReopenForm(KrdsFormMixin, forms.Form):
    prefix = "reopen"

    reason = forms.CharField(label=_("Reason for reopening"), max_length=2000, widget=_textarea(3))


class PhotoForm(KrdsFormMixin, forms.Form):
    prefix = "photo"

    image = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 5 MB. The location and camera data are removed."),
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


#: The form of each action of the suggestion page (the URL's ``action``).
ACTION_FORMS: dict[str, type[forms.Form]] = {
    "assign": AssignForm,
    "review": ReviewForm,
    "opinion": OpinionForm,
    "decide": DecideForm,
    "rereview": NoteForm,
    "postpone": PostponeForm,
    "budget": BudgetForm,
    "start": StartForm,
    "progress": ProgressForm,
    "complete": CompleteForm,
    "reopen": ReopenForm,
    "details": DetailsForm,
    "photo": PhotoForm,
}
