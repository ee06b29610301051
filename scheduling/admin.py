from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from scheduling.models import CityClosure, Department, Neighborhood, Official, StaffProfile


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ["title", "name", "rank", "department", "substitutes_for", "substitution_order", "is_active"]
    list_filter = ["rank", "is_active", "department"]
    search_fields = ["name", "title", "department__name", "user__username"]
    list_select_related = ["department", "substitutes_for"]
    autocomplete_fields = ["department", "substitutes_for", "user"]
    exclude = ["calendar"]

    def save_model(self, request, obj, form, change):
        # A new official made in the admin gets their calendar like any other.
        if not change and not obj.calendar_id:
            from scheduling.services import calendar_for, new_official_calendar_slug

            obj.calendar = calendar_for(name=str(obj), slug=new_official_calendar_slug())
        super().save_model(request, obj, form, change)


class PriorityFilter(admin.SimpleListFilter):
    title = _("priority")
    parameter_name = "priority"

    def lookups(self, request, model_admin):
        return [("yes", _("Priority area")), ("no", _("Not a priority area"))]

    def queryset(self, request, queryset):
        from django.db.models import Q

        priority = Q(is_current_issue_area=True) | Q(is_natural_village=True) | Q(is_outlying_area=True)
        if self.value() == "yes":
            return queryset.filter(priority)
        if self.value() == "no":
            return queryset.exclude(priority)
        return queryset


@admin.register(Neighborhood)
class NeighborhoodAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "is_current_issue_area",
        "is_natural_village",
        "is_outlying_area",
        "population",
        "last_visited_on",
    ]
    list_filter = [PriorityFilter, "is_current_issue_area", "is_natural_village", "is_outlying_area"]
    search_fields = ["name", "code"]
    ordering = ["sort_order", "name"]


@admin.register(CityClosure)
class CityClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "phone"]
    list_filter = ["department"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "department__name"]
    autocomplete_fields = ["user", "department"]
