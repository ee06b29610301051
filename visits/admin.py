"""Field visits and themed tours in the admin.

The citizen groups (``MonitorGroup``) and the blackout periods are edited
here. Everything else is read-only: visits, tours and their calendar events,
photos (stored only after their metadata is stripped) and suggestions change
only through the services, from the back office under /staff/visits/.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from visits.models import (
    BlackoutPeriod,
    FieldVisit,
    MonitorGroup,
    RotationCycle,
    Suggestion,
    ThemedTour,
    VisitPhoto,
)


class ReadOnlyAdminMixin:
    """View only: the services are the one way to change these rows."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BlackoutInline(admin.TabularInline):
    model = BlackoutPeriod
    extra = 0


@admin.register(RotationCycle)
class RotationCycleAdmin(admin.ModelAdmin):
    list_display = ("name", "official", "start", "end", "status", "weekdays", "max_per_week")
    list_filter = ("status", "official")
    search_fields = ("name", "official__name", "official__title")
    date_hierarchy = "start"
    inlines = [BlackoutInline]

    def has_add_permission(self, request):
        # A cycle is planned from the back office (or plan_rotation), which
        # also writes its calendar events.
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in RotationCycle._meta.fields]


@admin.register(BlackoutPeriod)
class BlackoutPeriodAdmin(admin.ModelAdmin):
    list_display = ("cycle", "start", "end", "reason")
    list_filter = ("cycle",)
    search_fields = ("reason", "cycle__name")
    date_hierarchy = "start"


@admin.register(MonitorGroup)
class MonitorGroupAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(FieldVisit)
class FieldVisitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("neighborhood", "official", "start", "status", "is_priority", "attendance", "is_published")
    list_filter = ("status", "is_priority", "is_published", "cycle", "official")
    search_fields = ("neighborhood__name", "neighborhood__code", "plan_reason", "notes", "public_summary")
    date_hierarchy = "start"
    list_select_related = ("neighborhood", "official")


@admin.register(VisitPhoto)
class VisitPhotoAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "visit", "tour", "uploaded_at", "uploaded_by")
    list_filter = ("uploaded_at",)
    search_fields = ("caption", "visit__neighborhood__name", "tour__title")
    list_select_related = ("visit__neighborhood", "tour", "uploaded_by")

    def has_delete_permission(self, request, obj=None):
        # Deleting a photo that should not be there is allowed here too.
        return request.user.has_perm("visits.delete_visitphoto")


@admin.register(ThemedTour)
class ThemedTourAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "group", "theme", "official", "start", "status", "is_published")
    list_filter = ("status", "group", "theme", "is_published", "official")
    search_fields = ("title", "sites", "notes", "public_summary")
    date_hierarchy = "start"
    list_select_related = ("official",)


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "neighborhood", "category", "source", "lead_department", "status", "created_at")
    list_filter = ("source", "category", "status", "lead_department")
    search_fields = ("title", "description", "raised_by", "neighborhood__name")
    date_hierarchy = "created_at"
    list_select_related = ("neighborhood", "lead_department")
    fieldsets = (
        (None, {"fields": ("title", "description", "category", "raised_by")}),
        (_("Where it was heard"), {"fields": ("neighborhood", "source", "visit", "tour")}),
        (_("Follow-up"), {"fields": ("lead_department", "status", "created_at", "created_by")}),
    )
    readonly_fields = ("created_at",)
