from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_history_model_for_model

from scheduling import versions
from scheduling.calendars import calendar_for, new_official_calendar_slug
from scheduling.models import (
    AccessLog,
    Bureau,
    CategoryOwner,
    CityClosure,
    Department,
    FeedNotification,
    Neighborhood,
    Official,
    OutboxMessage,
    ReportNote,
    ReportRun,
    StaffProfile,
)
from scheduling.people import staff_label
from scheduling.phones import mask_email, mask_phone


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


class _MaskingHistoryHelper(HistoricalRecordContextHelper):
    """The changes of a history row, with the masked fields masked."""

    def __init__(self, model, record, *, masked: dict, **kwargs):
        super().__init__(model, record, **kwargs)
        self.masked = masked

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        mask = self.masked.get(change.field)
        return mask(value) if mask and value else value


class HistoryAdminMixin(SimpleHistoryAdmin):
    """The "History" button of a read-only admin (django-simple-history):
    every version of the row, who made it and what changed. Only for
    superusers and whoever holds the historical model's view permission
    (e.g. ``meetings.view_historicalmeetingrequest`` for an auditor); the
    list of the model itself keeps its own permission.

    Read only: a past version's form (which would offer to revert the row,
    bypassing the services) is refused, and fields named in
    ``masked_history_fields`` (e.g. ``{"phone": mask_phone}``) are masked in
    the changes, as everywhere else in the admin."""

    object_history_list_template = "scheduling/admin/history_list.html"
    masked_history_fields: dict = {}

    def has_view_history_permission(self, request, obj=None):
        opts = get_history_model_for_model(self.model)._meta
        return request.user.is_active and request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}")

    def has_change_history_permission(self, request, obj=None):
        return False

    def has_view_history_or_change_history_permission(self, request, obj=None):
        return self.has_view_history_permission(request, obj)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise PermissionDenied

    def get_historical_record_context_helper(self, request, historical_record):
        return _MaskingHistoryHelper(self.model, historical_record, masked=self.masked_history_fields)


class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """An outbox (``scheduling.models.OutboxMessage``), read only, with the
    recipient masked and private links cut. A message stuck in "sending"
    (its worker died after claiming it) shows here; it is not sent twice by
    itself (see docs/notifications.md)."""

    list_display = ["created_at", "kind", "channel", "via", "masked_recipient", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "via", "kind"]
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
        # KakaoTalk 알림톡 and the provider's delivery report (docs/notifications.md).
        "template_code",
        "via",
        "report_code",
        "reported_at",
    ]

    @admin.display(description=_("recipient"))
    def masked_recipient(self, obj: OutboxMessage):
        if obj.channel == OutboxMessage.Channel.SMS:
            return mask_phone(obj.recipient)
        return mask_email(obj.recipient) or "***"

    @admin.display(description=_("message"))
    def redacted_body(self, obj: OutboxMessage):
        # A message not sent yet may still carry a citizen's private link.
        return type(obj).redact(obj.body)


class OrganisationProblemsMixin:
    """Every organisation page says which categories have no path to a
    director (the same check as ``manage.py check``), so a gap is seen where
    it is made."""

    def changelist_view(self, request, extra_context=None):
        from scheduling.organisation import organisation_problems

        for problem in organisation_problems():
            messages.warning(request, problem)
        return super().changelist_view(request, extra_context)


@admin.register(Bureau)
class BureauAdmin(OrganisationProblemsMixin, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "deputy_mayor", "sort_order", "is_active"]
    list_filter = ["kind", "deputy_mayor", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["deputy_mayor"]
    autocomplete_fields = ["deputy_mayor"]


@admin.register(Department)
class DepartmentAdmin(OrganisationProblemsMixin, admin.ModelAdmin):
    list_display = ["name", "code", "bureau", "kind", "phone", "is_active"]
    list_filter = ["kind", "bureau", "is_active"]
    search_fields = ["name", "code", "bureau__name"]
    list_select_related = ["bureau"]
    autocomplete_fields = ["bureau"]


@admin.register(CategoryOwner)
class CategoryOwnerAdmin(OrganisationProblemsMixin, admin.ModelAdmin):
    """Which department owns each category: whose head is asked for the
    review, and whose bureau's director and deputy mayor are proposed."""

    list_display = ["category", "department"]
    list_editable = ["department"]
    list_display_links = ["category"]
    list_filter = ["department"]
    search_fields = ["category", "department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["department"]
    ordering = ["category"]


@admin.register(Official)
class OfficialAdmin(OrganisationProblemsMixin, admin.ModelAdmin):
    list_display = ["title", "name", "rank", "bureau", "department", "substitution_order", "is_active"]
    list_filter = ["rank", "is_active", "bureau", "department"]
    search_fields = ["name", "title", "bureau__name", "department__name", "user__username"]
    list_select_related = ["bureau", "department"]
    autocomplete_fields = ["bureau", "department", "user"]
    exclude = ["calendar"]

    def save_model(self, request, obj, form, change):
        # A new official made in the admin gets their calendar like any other.
        if not change and not obj.calendar_id:
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
    """The closures are edited only here (and by the demo seed): each change
    gives them a new data version, so the meeting days the pages keep are
    read again (scheduling/versions.py)."""

    list_display = ["date", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        versions.changed(versions.CLOSURES)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        versions.changed(versions.CLOSURES)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        versions.changed(versions.CLOSURES)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "department", "position", "shown_as", "phone"]
    list_filter = ["department"]
    list_select_related = ["user__official", "department"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "department__name", "position"]
    autocomplete_fields = ["user", "department"]
    fields = ["user", "department", "position", "phone"]

    @admin.display(description=_("shown as"))
    def shown_as(self, obj):
        """How pages, PDFs and messages name this person (scheduling.people)."""
        return staff_label(obj.user)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who viewed or exported which citizen's record (scheduling/audit.py):
    superusers only, read only."""

    list_display = ["at", "user", "action", "object_label", "path", "remote_addr"]
    list_filter = ["action", "at"]
    search_fields = ["object_label", "user__username", "remote_addr"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(FeedNotification)
class FeedNotificationAdmin(OutboxMessageAdmin):
    """The notices that a private feed address expires soon (superusers)."""

    view_permission = "scheduling.view_feednotification"
    list_select_related = ["token"]
    fields = ["token", *OutboxMessageAdmin.outbox_fields]
    readonly_fields = fields


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """The monthly report's sendings (one row per month, claimed once). A
    row stuck in "sending" after a worker died may be deleted here so the
    next run sends again (docs/reports.md)."""

    list_display = ["period_key", "kind", "status", "attempts", "claimed_at", "sent_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [
        "kind",
        "period_key",
        "status",
        "attempts",
        "recipients",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReportNote)
class ReportNoteAdmin(admin.ModelAdmin):
    list_display = ["period_key", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]
