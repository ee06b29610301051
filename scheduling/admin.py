from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from scheduling.models import CityClosure, Department, Neighborhood, Official, OutboxMessage, StaffProfile
from scheduling.phones import mask_phone


class ReadOnlyAdminMixin:
    """View only: the services are the one way to change these rows.
    ``view_permission`` (optional) narrows who may see them at all."""

    view_permission: str | None = None

    def has_view_permission(self, request, obj=None):
        if self.view_permission and not request.user.has_perm(self.view_permission):
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """An outbox (``scheduling.models.OutboxMessage``), read only, with the
    recipient masked and private links cut. A message stuck in "sending"
    (its worker died after claiming it) shows here; it is not sent twice by
    itself (see docs/notifications.md)."""

    list_display = ["created_at", "kind", "channel", "masked_recipient", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "kind"]
    outbox_fields = [
        "kind",
        "channel",
        "masked_recipient",
        "subject",
        "redacted_body",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
        "gateway_id",
    ]

    @admin.display(description=_("recipient"))
    def masked_recipient(self, obj: OutboxMessage):
        if obj.channel == OutboxMessage.Channel.SMS:
            return mask_phone(obj.recipient)
        name, _at, domain = obj.recipient.partition("@")
        return f"{name[:2]}***@{domain}" if domain else "***"

    @admin.display(description=_("message"))
    def redacted_body(self, obj: OutboxMessage):
        # A message not sent yet may still carry a citizen's private link.
        return type(obj).redact(obj.body)


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
