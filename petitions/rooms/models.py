"""The consultation room (직소민원 상담실, seed 002): rooms near the mayor's
office for walk-ins and group visits, each a django-scheduler calendar, and
their bookings, each mirrored as an event on the room's calendar
(``scheduling.calendars`` writes them).

Imported at the end of ``petitions/models.py`` (app label ``petitions``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from scheduling.models import OutboxMessage


class ConsultationRoom(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"))
    is_active = models.BooleanField(_("active"), default=True)
    calendar = models.OneToOneField(
        "schedule.Calendar", on_delete=models.PROTECT, null=True, blank=True, related_name="consultation_room"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consultation room")
        verbose_name_plural = _("consultation rooms")
        ordering = ["name", "pk"]
        constraints = [models.CheckConstraint(condition=Q(capacity__gte=1), name="room_holds_someone")]

    def __str__(self):
        return self.name


class RoomBooking(models.Model):
    """A room held for a walk-in counselling (방문 상담) or a group visit
    (집단민원, with its headcount). No two bookings of a room overlap: the
    booking services check under a row lock on the room."""

    class Kind(models.TextChoices):
        WALK_IN = "walk_in", _("Walk-in counselling")
        GROUP_VISIT = "group_visit", _("Group visit")

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    room = models.ForeignKey(
        ConsultationRoom, verbose_name=_("room"), on_delete=models.PROTECT, related_name="bookings"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WALK_IN)
    headcount = models.PositiveSmallIntegerField(_("number of people"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("petition"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="room_bookings",
    )
    meeting_request = models.ForeignKey(
        "meetings.MeetingRequest",
        verbose_name=_("meeting request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    citizen_name = models.CharField(_("citizen's name"), max_length=50, blank=True)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    event = models.OneToOneField(
        "schedule.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="room_booking"
    )
    #: Rises each time the booking is moved: building security is warned of
    #: a group visit once per time it is held for.
    sequence = models.PositiveIntegerField(default=0)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("room booking")
        verbose_name_plural = _("room bookings")
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["room", "status", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="room_booking_ends_after_start"),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="room_booking_has_someone"),
        ]

    def __str__(self):
        return f"{self.room} {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_group_visit(self) -> bool:
        return self.kind == self.Kind.GROUP_VISIT


class RoomNotification(OutboxMessage):
    """The rooms' outbox: the warning to building security (청사방호) of a group visit."""

    booking = models.ForeignKey(
        RoomBooking, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40)

    class Meta(OutboxMessage.Meta):
        pass
