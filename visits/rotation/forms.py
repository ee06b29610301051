"""The rotation plan's small staff forms. They only parse what staff typed;
the rules (a free day, no conflict, a reason for a postponement) are the
services' to check, so that their Korean message is the one staff see."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scheduling.forms import KrdsFormMixin
from scheduling.models import Official
from visits.models import FieldVisit
from visits.rotation.planner import PlannerRules

WEEKDAY_CHOICES = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
]


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_widget():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PlanForm(KrdsFormMixin, forms.Form):
    """A new cycle: who, from when, for how long, and the planner's rules."""

    name = forms.CharField(label=_("Name of the cycle"), max_length=100, required=False)
    official = forms.ModelChoiceField(label=_("Official"), queryset=Official.objects.filter(is_active=True))
    start = forms.DateField(label=_("First day"), widget=_date_widget())
    years = forms.TypedChoiceField(
        label=_("Length"),
        choices=[(2, _("Two years")), (1, _("One year"))],
        coerce=int,
        initial=2,
        required=False,
    )
    end = forms.DateField(
        label=_("Last day (optional)"),
        required=False,
        widget=_date_widget(),
        help_text=_("Set a last day for a shorter window, e.g. all neighborhoods in the first half-year."),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays for visits"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        initial=[2, 3, 4],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one weekday.")},
    )
    day_start = forms.TimeField(label=_("Visits start at"), initial=dt.time(10, 0), widget=_time_widget())
    day_end = forms.TimeField(label=_("Visits end by"), initial=dt.time(12, 0), widget=_time_widget())
    max_per_week = forms.IntegerField(label=_("Visits a week at most"), min_value=1, max_value=10, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mayor = Official.objects.filter(rank=Official.Rank.MAYOR, is_active=True).first()
        if mayor and not self.is_bound:
            self.fields["official"].initial = mayor.pk

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("The last day must come after the first day."))
        if data.get("day_start") and data.get("day_end") and data["day_end"] <= data["day_start"]:
            self.add_error("day_end", _("The visits must end after they start."))
        return data

    def plan_kwargs(self) -> dict:
        data = self.cleaned_data
        rules = PlannerRules(
            weekdays=tuple(sorted(data["weekdays"])),
            day_start=data["day_start"],
            day_end=data["day_end"],
            max_per_week=data["max_per_week"],
        )
        return {
            "official": data["official"],
            "start": data["start"],
            "years": data.get("years") or 2,
            "end": data.get("end"),
            "name": data.get("name") or None,
            "rules": rules,
        }


class MoveForm(KrdsFormMixin, forms.Form):
    prefix = "move"

    date = forms.DateField(label=_("New date"), widget=_date_widget())
    time = forms.TimeField(label=_("Start time"), widget=_time_widget())

    def new_start(self) -> dt.datetime:
        naive = dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(naive, timezone.get_default_timezone())


class StatusForm(KrdsFormMixin, forms.Form):
    prefix = "status"

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (FieldVisit.Status.HELD, _("Held")),
            (FieldVisit.Status.POSTPONED, _("Postponed")),
            (FieldVisit.Status.CANCELLED, _("Cancelled")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a postponement or a cancellation."),
    )


class ReplanForm(KrdsFormMixin, forms.Form):
    prefix = "replan"

    from_date = forms.DateField(label=_("Re-plan the visits from"), widget=_date_widget())
