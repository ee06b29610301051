"""The forms of a visit's or a tour's record page and of the tours. They only
parse what staff typed; the rules (a reason for a postponement, a real photo,
a tour that ends after it starts) are checked by ``visits.records.services``,
so that its Korean message is the one staff see."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from scheduling.categories import Category
from scheduling.forms import KrdsFormMixin, ModelMultipleChoiceField
from scheduling.models import Department, Neighborhood, Official
from visits.models import FieldVisit, MonitorGroup, ThemedTour


def _textarea(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


class _StatusFields(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=FieldVisit.Status.choices, widget=forms.RadioSelect)
    status_reason = forms.CharField(
        label=_("Reason for the status"),
        required=False,
        max_length=300,
        help_text=_("Required when the visit is postponed or cancelled."),
    )


class VisitRecordForm(KrdsFormMixin, _StatusFields):
    prefix = "record"

    agenda_dialogue = forms.BooleanField(label=_("dialogue with residents"), required=False)
    agenda_current_issues = forms.BooleanField(label=_("current issues heard"), required=False)
    agenda_encourage_staff = forms.BooleanField(label=_("encouraging the staff"), required=False)
    agenda_site_tour = forms.BooleanField(label=_("site tour"), required=False)
    officials = ModelMultipleChoiceField(
        label=_("Officials along"),
        queryset=Official.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    departments = ModelMultipleChoiceField(
        label=_("Departments along"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    monitor_groups = ModelMultipleChoiceField(
        label=_("Citizen groups along"),
        queryset=MonitorGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendance = forms.IntegerField(label=_("Residents attending"), required=False, min_value=0)
    notes = forms.CharField(label=_("Notes"), required=False, widget=_textarea(5))
    public_summary = forms.CharField(
        label=_("Public summary"),
        required=False,
        max_length=1000,
        widget=_textarea(4),
        help_text=_("A short result citizens may read, ready to share on social media."),
    )
    is_published = forms.BooleanField(
        label=_("Show this visit on the public pages"),
        required=False,
        help_text=_("Its date, neighborhood and purpose, once the plan is accepted."),
    )
    record_complete = forms.BooleanField(
        label=_("The record is complete: publish the results"),
        required=False,
        help_text=_("The public summary then appears on the visits page, in the calendar and on social media."),
    )

    @classmethod
    def for_visit(cls, visit: FieldVisit, data=None):
        initial = {
            "status": visit.status,
            "status_reason": visit.status_reason,
            "agenda_dialogue": visit.agenda_dialogue,
            "agenda_current_issues": visit.agenda_current_issues,
            "agenda_encourage_staff": visit.agenda_encourage_staff,
            "agenda_site_tour": visit.agenda_site_tour,
            "officials": list(visit.officials.all()),
            "departments": list(visit.departments.all()),
            "monitor_groups": list(visit.monitor_groups.all()),
            "attendance": visit.attendance,
            "notes": visit.notes,
            "public_summary": visit.public_summary,
            "is_published": visit.is_published,
            "record_complete": visit.results_published_at is not None,
        }
        return cls(data=data, initial=initial)


class TourRecordForm(KrdsFormMixin, _StatusFields):
    prefix = "record"

    notes = forms.CharField(label=_("Notes"), required=False, widget=_textarea(5))
    public_summary = forms.CharField(
        label=_("Public summary"),
        required=False,
        max_length=1000,
        widget=_textarea(4),
        help_text=_("A short result citizens may read, ready to share on social media."),
    )
    is_published = forms.BooleanField(label=_("Publish the summary"), required=False)

    @classmethod
    def for_tour(cls, tour: ThemedTour, data=None):
        initial = {
            "status": tour.status,
            "status_reason": tour.status_reason,
            "notes": tour.notes,
            "public_summary": tour.public_summary,
            "is_published": tour.is_published,
        }
        return cls(data=data, initial=initial)


class PhotoForm(KrdsFormMixin, forms.Form):
    prefix = "photo"

    # A plain file field: the service checks that it really is a photo, with
    # its own message.
    image = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, at most 5 MB. The location and camera data are removed."),
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


class SuggestionForm(KrdsFormMixin, forms.Form):
    prefix = "suggestion"

    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(label=_("Description"), required=False, max_length=3000, widget=_textarea(4))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    raised_by = forms.CharField(
        label=_("Raised by"),
        required=False,
        max_length=100,
        help_text=_("A group or 'residents'; no personal data."),
    )
    neighborhood = forms.ModelChoiceField(label=_("Neighborhood"), queryset=Neighborhood.objects.all())
    lead_department = forms.ModelChoiceField(
        label=_("Lead department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        empty_label=_("Not decided yet"),
    )


class TourForm(KrdsFormMixin, forms.Form):
    prefix = "tour"

    title = forms.CharField(label=_("Title"), max_length=150)
    group = forms.ChoiceField(label=_("Group"), choices=ThemedTour.Group.choices, widget=forms.RadioSelect)
    theme = forms.ChoiceField(label=_("Theme"), choices=ThemedTour.Theme.choices)
    official = forms.ModelChoiceField(
        label=_("Official"), queryset=Official.objects.filter(is_active=True), empty_label=_("Choose")
    )
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    neighborhoods = ModelMultipleChoiceField(
        label=_("Neighborhoods"),
        queryset=Neighborhood.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sites = forms.CharField(label=_("Sites"), required=False, widget=_textarea(4), help_text=_("One site a line."))
    departments = ModelMultipleChoiceField(
        label=_("Related departments"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )

    @classmethod
    def for_tour(cls, tour: ThemedTour, data=None):
        from django.utils import timezone

        start, end = timezone.localtime(tour.start), timezone.localtime(tour.end)
        initial = {
            "title": tour.title,
            "group": tour.group,
            "theme": tour.theme,
            "official": tour.official,
            "day": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "neighborhoods": list(tour.neighborhoods.all()),
            "sites": tour.sites,
            "departments": list(tour.departments.all()),
        }
        return cls(data=data, initial=initial)
