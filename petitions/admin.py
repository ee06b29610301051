"""The petition office in the admin: read only, like ``meetings/admin.py``.
Petitions change only through the services, from the back office under
/staff/petitions/, so that every change is checked, recorded and told to
the citizen. Mobile numbers and e-mail addresses are masked in lists, in
titles, on a petition's page and in its history; the full contact is on
the petition's staff page only, where each view is logged. The lists are
the secretariat's: a department sees its own petitions in the back office.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from petitions.models import InboundMessage, Petition, PetitionEvent, PetitionNotification
from scheduling.admin import HistoryAdminMixin, OutboxMessageAdmin
from scheduling.admin import ReadOnlyAdminMixin as BaseReadOnlyAdminMixin
from scheduling.phones import mask_email, mask_phone

MANAGE = "petitions.change_petition"


class ReadOnlyAdminMixin(BaseReadOnlyAdminMixin):
    view_permission = MANAGE


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class EventInline(ReadOnlyInline):
    model = PetitionEvent
    fields = ["at", "actor", "action", "from_status", "to_status", "note"]
    readonly_fields = ["at"]


class InboundInline(ReadOnlyInline):
    model = InboundMessage
    fields = ["received_at", "provider", "masked_phone", "text"]
    readonly_fields = ["masked_phone"]

    @admin.display(description=_("from"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(Petition)
class PetitionAdmin(ReadOnlyAdminMixin, HistoryAdminMixin):
    list_display = [
        "reference",
        "received_at",
        "channel",
        "kind",
        "category",
        "subject",
        "masked_phone",
        "department",
        "status",
        "answer_due_at",
    ]
    list_filter = ["status", "channel", "kind", "category", "department"]
    search_fields = ["reference", "epeople_number", "subject"]
    list_select_related = ["department"]
    date_hierarchy = "received_at"
    exclude = ["submission_key", "phone", "email", "resolution_photo"]
    readonly_fields = ["masked_phone", "masked_email"]
    inlines = [InboundInline, EventInline]
    masked_history_fields = {"phone": mask_phone, "email": mask_email}

    @admin.display(description=_("mobile number"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone) or "-"

    @admin.display(description=_("e-mail"))
    def masked_email(self, obj):
        return mask_email(obj.email) or "-"


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["received_at", "provider", "message_id", "masked_phone", "petition_reference"]
    search_fields = ["message_id", "petition__reference"]
    list_select_related = ["petition"]
    exclude = ["phone"]
    readonly_fields = ["masked_phone"]

    @admin.display(description=_("from"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("reference number"), ordering="petition__reference")
    def petition_reference(self, obj):
        return obj.petition.reference


@admin.register(PetitionNotification)
class PetitionNotificationAdmin(OutboxMessageAdmin):
    view_permission = MANAGE
    search_fields = ["petition__reference", "kind"]
    list_select_related = ["petition"]
    fields = ["petition", *OutboxMessageAdmin.outbox_fields]
    readonly_fields = fields
