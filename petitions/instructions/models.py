"""The mayor's instructions (지시사항): what the mayor instructed on a visit,
at a TongTong Day meeting or on a petition, the department that carries it
out by a due date, its progress notes and its completion report.

Imported at the end of ``petitions/models.py`` (app label ``petitions``).
Links to the other apps' rows are plain foreign keys: the tables depend on
each other, the code does not import the other apps.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from petitions.instructions import rules
from scheduling.models import OutboxMessage


class InstructionCounter(models.Model):
    """The last instruction number of a year (I2026-0001, …), under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Instruction(models.Model):
    """One instruction of the mayor (지시사항), followed until it is done."""

    Status = models.TextChoices("Status", [(key.upper(), (key, label)) for key, label in rules.STATUS_LABELS.items()])

    class Source(models.TextChoices):
        VISIT = "visit", _("Field visit")
        MEETING = "meeting", _("TongTong Day meeting")
        PETITION = "petition", _("Petition")
        OTHER = "other", _("Other")

    reference = models.CharField(_("reference number"), max_length=12, unique=True)
    title = models.CharField(_("instruction"), max_length=200)
    text = models.TextField(_("what the mayor instructed"), max_length=4000, blank=True)
    source = models.CharField(_("given at"), max_length=10, choices=Source.choices, default=Source.OTHER)
    instructed_on = models.DateField(_("instructed on"))
    origin_visit = models.ForeignKey(
        "visits.FieldVisit",
        verbose_name=_("field visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    origin_meeting_request = models.ForeignKey(
        "meetings.MeetingRequest",
        verbose_name=_("meeting request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    origin_petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("petition"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="instructions",
    )
    neighborhood = models.ForeignKey(
        "scheduling.Neighborhood",
        verbose_name=_("neighborhood"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "scheduling.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=rules.ISSUED)
    completion_report = models.TextField(_("completion report"), max_length=4000, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["neighborhood", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=rules.COMPLETED) | (Q(completed_at__isnull=False) & ~Q(completion_report="")),
                name="completed_instruction_has_report",
            ),
            models.CheckConstraint(
                condition=~Q(status=rules.CANCELLED) | ~Q(cancel_reason=""),
                name="cancelled_instruction_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN


class InstructionEvent(models.Model):
    """One step of an instruction's history: a move, a reassignment, a new
    due date, or a progress note (``action == "note"``), with who and when."""

    instruction = models.ForeignKey(Instruction, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.instruction_id} {self.action}"


class InstructionNotification(OutboxMessage):
    """The instructions' outbox: the daily overdue reminder to the department."""

    instruction = models.ForeignKey(
        Instruction, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40)

    class Meta(OutboxMessage.Meta):
        pass
