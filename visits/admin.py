"""Field visits and themed tours in the admin.

The citizen groups (``MonitorGroup``) and the blackout periods are edited
here. Everything else is read-only: visits, tours and their calendar events,
photos (stored only after their metadata is stripped) and suggestions change
only through the services, from the back office under /staff/visits/.
Visits, tours and suggestions show their change history (who, when, what)
to superusers and auditors, with the resident's phone masked.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from scheduling.admin import HistoryAdminMixin, OutboxMessageAdmin, ReadOnlyAdminMixin
from scheduling.phones import mask_email, mask_phone
from visits.models import (
    BlackoutPeriod,
    BudgetEnvelope,
    CardBatch,
    FieldVisit,
    JointReviewOpinion,
    MonitorGroup,
    RotationCycle,
    Suggestion,
    SuggestionEvent,
    SuggestionNotification,
    SuggestionPhoto,
    ThemedTour,
    VisitPhoto,
)


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
class FieldVisitAdmin(ReadOnlyAdminMixin, HistoryAdminMixin):
    list_display = ("neighborhood", "official", "start", "status", "is_priority", "attendance", "is_published")
    list_filter = ("status", "is_priority", "is_published", "cycle", "official")
    search_fields = ("neighborhood__name", "neighborhood__code", "plan_reason", "notes", "public_summary")
    date_hierarchy = "start"
    list_select_related = ("neighborhood", "official")


@admin.display(description=_("photo"))
def photo_link(photo):
    """A private file has no public URL: the link goes through the view that
    checks who may see it (visits/photo_views.py)."""
    if not photo.pk:
        return "-"
    return format_html('<a href="{}">{}</a>', photo.get_absolute_url(), photo.image.name.rsplit("/", 1)[-1])


@admin.register(VisitPhoto)
class VisitPhotoAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "visit", "tour", "uploaded_at", "uploaded_by")
    fields = (photo_link, "caption", "visit", "tour", "uploaded_at", "uploaded_by")
    readonly_fields = fields
    list_filter = ("uploaded_at",)
    search_fields = ("caption", "visit__neighborhood__name", "tour__title")
    list_select_related = ("visit__neighborhood", "tour", "uploaded_by")

    def has_delete_permission(self, request, obj=None):
        # Deleting a photo that should not be there is allowed here too.
        return request.user.has_perm("visits.delete_visitphoto")


@admin.register(ThemedTour)
class ThemedTourAdmin(ReadOnlyAdminMixin, HistoryAdminMixin):
    list_display = ("title", "group", "theme", "official", "start", "status", "is_published")
    list_filter = ("status", "group", "theme", "is_published", "official")
    search_fields = ("title", "sites", "notes", "public_summary")
    date_hierarchy = "start"
    list_select_related = ("official",)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuggestionEventInline(_ReadOnlyInline):
    model = SuggestionEvent
    fields = ("created_at", "kind", "from_status", "to_status", "progress", "note", "public_note", "actor")
    readonly_fields = fields


class JointReviewOpinionInline(_ReadOnlyInline):
    model = JointReviewOpinion
    fields = ("review_round", "party", "recommendation", "score", "opinion", "author", "written_at")
    readonly_fields = fields


class SuggestionPhotoInline(_ReadOnlyInline):
    model = SuggestionPhoto
    fields = (photo_link, "caption", "is_result", "uploaded_at", "uploaded_by")
    readonly_fields = fields


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdminMixin, HistoryAdminMixin):
    """Read-only: a suggestion moves only through ``visits.cards.services``
    (the back office under /staff/cards/), which records every step."""

    list_display = (
        "title",
        "neighborhood",
        "category",
        "source",
        "lead_department",
        "status",
        "masked_contact_phone",
        "created_at",
    )
    list_filter = ("status", "source", "category", "lead_department")
    search_fields = ("title", "description", "raised_by", "neighborhood__name", "meeting_reference")
    date_hierarchy = "created_at"
    list_select_related = ("neighborhood", "lead_department")
    fieldsets = (
        (None, {"fields": ("title", "description", "category", "raised_by", "location_text", "latitude", "longitude")}),
        (_("Where it was heard"), {"fields": ("neighborhood", "source", "visit", "tour", "meeting_reference")}),
        (
            _("Follow-up"),
            {
                "fields": (
                    "status",
                    "lead_department",
                    "co_departments",
                    "first_answer_due",
                    "first_answered_at",
                    "feasibility",
                    "estimated_cost",
                    "estimated_period",
                    "department_opinion",
                    "review_round",
                    "priority_rank",
                    "priority_score",
                    "decision_reason",
                    "public_answer",
                    "budget_fiscal_year",
                    "budget_amount",
                    "budget_line",
                    "progress",
                    "completed_on",
                    "result",
                )
            },
        ),
        (
            _("Contact"),
            {
                "fields": (
                    "masked_contact_phone",
                    "masked_contact_email",
                    "contact_consent_at",
                    "resolved_answer",
                    "resolved_comment",
                )
            },
        ),
        (
            _("Record"),
            {"fields": ("created_at", "created_by", "last_activity_at", "last_reminded_at", "contact_purged_at")},
        ),
    )
    readonly_fields = ("created_at", "masked_contact_phone", "masked_contact_email")
    inlines = [SuggestionEventInline, JointReviewOpinionInline, SuggestionPhotoInline]
    masked_history_fields = {"contact_phone": mask_phone, "contact_email": mask_email}

    @admin.display(description=_("contact mobile number"))
    def masked_contact_phone(self, obj):
        return mask_phone(obj.contact_phone) or "-"

    @admin.display(description=_("contact e-mail"))
    def masked_contact_email(self, obj):
        return mask_email(obj.contact_email) or "-"


@admin.register(JointReviewOpinion)
class JointReviewOpinionAdmin(ReadOnlyAdminMixin, HistoryAdminMixin):
    """Read-only, for its change history; written in the joint review."""

    list_display = ("suggestion", "review_round", "party", "recommendation", "score", "author", "written_at")
    list_filter = ("party", "recommendation")
    search_fields = ("suggestion__title",)
    list_select_related = ("suggestion", "author")


@admin.register(BudgetEnvelope)
class BudgetEnvelopeAdmin(admin.ModelAdmin):
    """What each fiscal year has for the cards' small works; the
    joint-review board totals its selections against it."""

    list_display = ("fiscal_year", "amount", "note")
    search_fields = ("note",)


@admin.register(CardBatch)
class CardBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "status", "done", "total", "requested_by", "finished_at")
    list_filter = ("status",)
    list_select_related = ("requested_by",)


@admin.register(SuggestionNotification)
class SuggestionNotificationAdmin(OutboxMessageAdmin):
    """What residents and departments were told about suggestions."""

    view_permission = "visits.change_suggestion"
    search_fields = ["suggestion__title", "kind"]
    list_select_related = ["suggestion"]
    fields = ["suggestion", *OutboxMessageAdmin.outbox_fields]
    readonly_fields = fields
