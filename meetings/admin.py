"""TongTong Day in the admin.

One thing is edited here: the meeting-day series' settings (saved through
``series_configure``, so that its calendar event follows); which department
owns a category is part of the organisation (``scheduling.CategoryOwner``). Everything else is
read-only: requests, days and bookings change only through the services,
from the back office under /staff/meetings/, so that every change is checked
and recorded and the citizen is told. Phone numbers and e-mail addresses are
masked, in lists, in titles, on a request's page and in its history; the
full contact is on the request's staff page only, where each view is logged
(docs/privacy.md). Requests, appointments and meeting days
show their change history (who, when, what) to superusers and auditors.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from meetings.models import (
    Appointment,
    MeetingDay,
    MeetingRequest,
    MeetingSeries,
    Notification,
    PreferredDay,
    RequestEvent,
    ReviewRequest,
    Slot,
    WaitlistEntry,
)
from meetings.services.notifications import format_when
from meetings.services.series import series_configure
from scheduling.admin import HistoryAdminMixin, OutboxMessageAdmin
from scheduling.admin import ReadOnlyAdminMixin as BaseReadOnlyAdminMixin
from scheduling.phones import mask_email, mask_phone


class ReadOnlyAdminMixin(BaseReadOnlyAdminMixin):
    """The back office keeps each role to its own rows (an official sees the
    requests they meet, a department its own reviews); the admin cannot, so
    it shows these lists to the secretariat only."""

    view_permission = "meetings.change_meetingrequest"


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "official", "start_time", "duration_minutes", "slot_minutes", "holiday_policy", "location"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "official",
                    "start_time",
                    "duration_minutes",
                    "slot_minutes",
                    "holiday_policy",
                    "location",
                    "is_active",
                    "event",
                ],
                "description": _(
                    "Meeting days already in the calendar keep their time and slots; the new settings apply to the "
                    "days built from now on. To move or cancel one day, use the TongTong Days page of the staff area."
                ),
            },
        )
    ]
    readonly_fields = ["name", "is_active", "event"]
    autocomplete_fields = ["official"]
    list_select_related = ["official"]

    def has_add_permission(self, request):
        return False  # made on first use by series_get_or_create

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        series_configure(
            series=obj,
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            slot_minutes=data["slot_minutes"],
            holiday_policy=data["holiday_policy"],
            official=data["official"],
            location=data["location"],
        )


class SlotInline(ReadOnlyInline):
    model = Slot
    fields = ["index", "start", "end"]


@admin.register(MeetingDay)
class MeetingDayAdmin(ReadOnlyAdminMixin, HistoryAdminMixin):
    list_display = ["when", "original_date", "status", "reason", "bookings"]
    list_filter = ["status", "series"]
    search_fields = ["reason"]
    date_hierarchy = "original_date"
    inlines = [SlotInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                booked=Count("slots__appointments", filter=Q(slots__appointments__status="active"), distinct=True),
                total=Count("slots", distinct=True),
            )
        )

    @admin.display(description=_("date and time"), ordering="start")
    def when(self, obj):
        return format_when(obj.start)

    @admin.display(description=_("slots booked"))
    def bookings(self, obj):
        return f"{obj.booked} / {obj.total}"


class PreferredDayInline(ReadOnlyInline):
    model = PreferredDay
    fields = ["rank", "meeting_day"]


class AppointmentInline(ReadOnlyInline):
    model = Appointment
    fields = ["official", "start", "location", "is_substitution", "status"]


class ReviewInline(ReadOnlyInline):
    model = ReviewRequest
    fields = ["department", "question", "asked_at", "due_on", "opinion", "answered_at"]
    readonly_fields = ["asked_at"]


class EventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ["at", "actor", "action", "from_status", "to_status", "note", "public"]
    readonly_fields = ["at"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(ReadOnlyAdminMixin, HistoryAdminMixin):
    list_display = [
        "reference",
        "submitted_at",
        "name",
        "masked_phone",
        "neighborhood",
        "category",
        "status",
        "channel",
        "answer_due_at",
    ]
    list_filter = ["status", "category", "channel", "neighborhood"]
    search_fields = ["reference", "name", "subject"]
    list_select_related = ["neighborhood"]
    date_hierarchy = "submitted_at"
    exclude = ["token_hash", "submission_key", "phone", "email"]
    readonly_fields = ["masked_phone", "masked_email"]
    inlines = [PreferredDayInline, AppointmentInline, ReviewInline, EventInline]
    masked_history_fields = {"phone": mask_phone, "email": mask_email}

    @admin.display(description=_("mobile number"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    @admin.display(description=_("e-mail"))
    def masked_email(self, obj):
        return mask_email(obj.email) or "-"


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, HistoryAdminMixin):
    list_display = ["when", "request_reference", "official", "location", "is_substitution", "status"]
    list_filter = ["status", "is_substitution", "official"]
    search_fields = ["request__reference", "request__name", "official__name", "official__title"]
    list_select_related = ["request", "official"]
    exclude = ["event"]

    @admin.display(description=_("date and time"), ordering="start")
    def when(self, obj):
        return format_when(obj.start)

    @admin.display(description=_("reference number"), ordering="request__reference")
    def request_reference(self, obj):
        return obj.request.reference


@admin.register(ReviewRequest)
class ReviewRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["request_reference", "department", "asked_at", "due_on", "answered_at"]
    list_filter = ["department", ("answered_at", admin.EmptyFieldListFilter)]
    search_fields = ["request__reference", "request__subject", "department__name"]
    list_select_related = ["request", "department"]

    @admin.display(description=_("reference number"), ordering="request__reference")
    def request_reference(self, obj):
        return obj.request.reference


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["request_reference", "meeting_day", "status", "created_at", "offer_expires_at"]
    list_filter = ["status"]
    search_fields = ["request__reference"]
    list_select_related = ["request", "meeting_day__series"]

    @admin.display(description=_("reference number"), ordering="request__reference")
    def request_reference(self, obj):
        return obj.request.reference


@admin.register(Notification)
class NotificationAdmin(OutboxMessageAdmin):
    view_permission = "meetings.change_meetingrequest"
    search_fields = ["request__reference", "kind"]
    list_select_related = ["request"]
    fields = ["request", *OutboxMessageAdmin.outbox_fields]
    readonly_fields = fields
