"""The secretariat's queue filters (django-filter, used from Python only: the
app need not be installed)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import BooleanField, Q, Value
from django.utils.translation import gettext_lazy as _

from meetings.models import Appointment, Category, MeetingRequest
from meetings.rules import OPEN_STATUSES, due_expression
from scheduling.models import Neighborhood, Official

S = MeetingRequest.Status


def finished_requests():
    """Requests no longer in the queue (answered, declined, held, closed...),
    with the queue's ``due`` and ``is_late`` annotations: a finished request
    is never late."""
    return (
        MeetingRequest.objects.exclude(status__in=OPEN_STATUSES)
        .select_related("neighborhood")
        .annotate(
            due=due_expression(),
            is_late=Value(False, output_field=BooleanField()),
        )
        .order_by("-submitted_at")
    )


class RequestQueueFilter(django_filters.FilterSet):
    """Filters over ``request_queue()``. Choosing a finished status (held,
    closed, ...) searches the finished requests instead, so that staff can
    find a request after it left the queue."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=S.choices, empty_label=_("All open requests"), method="filter_status"
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices, empty_label=_("All"))
    neighborhood = django_filters.ModelChoiceFilter(
        label=_("Neighborhood"), queryset=Neighborhood.objects.all(), empty_label=_("All")
    )
    official = django_filters.ModelChoiceFilter(
        label=_("Meets with"),
        queryset=Official.objects.filter(is_active=True),
        empty_label=_("All"),
        method="filter_official",
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Reference, name or subject")}),
    )

    class Meta:
        model = MeetingRequest
        fields = ["status", "category", "neighborhood", "official", "q"]

    def __init__(self, *args, scope=None, **kwargs):
        """``scope``: the requests the user may see (None: all of them)."""
        super().__init__(*args, **kwargs)
        self.scope = scope
        for field in self.form.fields.values():
            css = "krds-form-select" if isinstance(field.widget, forms.Select) else "krds-input"
            field.widget.attrs.setdefault("class", css)

    def filter_status(self, queryset, name, value):
        if value in OPEN_STATUSES:
            return queryset.filter(status=value)
        finished = finished_requests().filter(status=value)
        if self.scope is not None:
            finished = finished.filter(pk__in=self.scope.values("pk"))
        return finished

    def filter_official(self, queryset, name, value):
        return queryset.filter(appointments__official=value, appointments__status=Appointment.Status.ACTIVE)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(name__icontains=value) | Q(subject__icontains=value))
