"""The staff inbox's filters (like ``meetings/staff/filters.py``): status,
channel, kind, category, department (for whoever sees more than one),
overdue, and a search by reference or subject."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from petitions.categories import PetitionCategory
from petitions.models import Petition
from petitions.office.selectors import overdue_q
from scheduling.models import Department


class PetitionInboxFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Petition.Status.choices, empty_label=_("All"))
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Petition.Channel.choices, empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Petition.Kind.choices, empty_label=_("All"))
    category = django_filters.ChoiceFilter(label=_("Category"), choices=PetitionCategory.choices, empty_label=_("All"))
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.filter(is_active=True).order_by("name"), empty_label=_("All")
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Deadline"),
        choices=[("1", _("Overdue only"))],
        empty_label=_("All"),
        method="filter_overdue",
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Reference or subject")}),
    )

    class Meta:
        model = Petition
        fields = ["status", "channel", "kind", "category", "department", "overdue", "q"]

    def __init__(self, *args, sees_departments: bool = True, **kwargs):
        """``sees_departments``: the department filter is shown only to who
        sees more than their own department's petitions."""
        super().__init__(*args, **kwargs)
        if not sees_departments:
            del self.filters["department"]
            self.form.fields.pop("department", None)
        for field in self.form.fields.values():
            css = "krds-form-select" if isinstance(field.widget, forms.Select) else "krds-input"
            field.widget.attrs.setdefault("class", css)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(timezone.now())) if value == "1" else queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value) | Q(subject__icontains=value) | Q(epeople_number__icontains=value)
        )
