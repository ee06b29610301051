"""The direct-petition office (직소민원실): every petition to the mayor, from
every channel, as one record followed until it is closed.

A petition's status moves only along ``petitions.rules.TRANSITIONS``,
through ``petitions.services``; every move is a ``PetitionEvent``. Links to
the other apps' rows (the meeting request it became, the visit or meeting it
came from, the suggestion it became) are plain foreign keys: the models
depend on each other's tables, the code does not import the other apps.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from petitions import rules
from petitions.categories import PetitionCategory
from scheduling.audit import history_user
from scheduling.models import OutboxMessage
from scheduling.private_files import private_storage, unguessable_name


class PetitionCounter(models.Model):
    """The last reference number given in a year (P2026-00001, …), taken
    under a row lock so that two petitions never share a number."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


def _resolution_photo_path(instance, filename):
    return unguessable_name("photos/petitions", filename)


class Petition(models.Model):
    """One petition (민원) to the mayor, whatever the channel it came by."""

    Kind = models.TextChoices("Kind", [(key.upper(), (key, label)) for key, label in rules.KIND_LABELS.items()])
    Channel = models.TextChoices(
        "Channel", [(key.upper(), (key, label)) for key, label in rules.CHANNEL_LABELS.items()]
    )
    Status = models.TextChoices("Status", [(key.upper(), (key, label)) for key, label in rules.STATUS_LABELS.items()])

    class AnswerVia(models.TextChoices):
        SMS = "sms", _("Text message")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")
        EPEOPLE = "epeople", _("Through the e-People portal")

    reference = models.CharField(_("reference number"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=rules.GENERAL)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=rules.RECEIVED)
    category = models.CharField(_("category"), max_length=30, choices=PetitionCategory.choices, default="other")
    neighborhood = models.ForeignKey(
        "scheduling.Neighborhood",
        verbose_name=_("neighborhood"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("petition"), max_length=4000)

    # The citizen: only what the answer needs (see the consent text).
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    phone_verified_at = models.DateTimeField(_("phone verified"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language of the messages"), max_length=10, default="ko")
    #: When the citizen consented to the collection of their contact (the
    #: board's form, or staff asking on the phone or at the desk). Empty for a
    #: text to the mayor's phone or a 국민신문고 petition: the portal holds the consent.
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)

    # 국민신문고: the portal's own number and dates, beside ours.
    epeople_number = models.CharField(_("e-People number"), max_length=30, blank=True)
    epeople_received_on = models.DateField(_("received by e-People on"), null=True, blank=True)
    epeople_due_on = models.DateField(_("e-People due date"), null=True, blank=True)

    received_at = models.DateTimeField(_("received at"))
    answer_due_at = models.DateTimeField(_("answer due"))
    extended_due_at = models.DateTimeField(_("extended due"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=300, blank=True)

    department = models.ForeignKey(
        "scheduling.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)

    answer = models.TextField(_("answer"), blank=True)
    answer_via = models.CharField(_("answer sent by"), max_length=10, choices=AnswerVia.choices, blank=True)
    drafted_at = models.DateTimeField(_("answer drafted at"), null=True, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    closing_note = models.TextField(_("note on closing"), blank=True)

    # 이첩: the agency it went to and the portal's reference when sent there.
    transfer_agency = models.CharField(_("transferred to"), max_length=100, blank=True)
    transfer_epeople_number = models.CharField(_("e-People number of the transfer"), max_length=30, blank=True)
    # 반복 민원: the petition this one repeats.
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.PROTECT, null=True, blank=True, related_name="repeats"
    )

    # 생활불편 신속처리: the field team and the photo of the fix.
    field_team = models.CharField(_("field team"), max_length=100, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    resolution_photo = models.ImageField(
        _("photo of the fix"), upload_to=_resolution_photo_path, storage=private_storage, blank=True
    )

    # One office, many outcomes: where it came from and what it became.
    origin_visit = models.ForeignKey(
        "visits.FieldVisit",
        verbose_name=_("heard on the visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    origin_meeting_request = models.ForeignKey(
        "meetings.MeetingRequest",
        verbose_name=_("heard at the meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting_request = models.ForeignKey(
        "meetings.MeetingRequest",
        verbose_name=_("became the meeting request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    suggestion = models.ForeignKey(
        "visits.Suggestion",
        verbose_name=_("became the suggestion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    #: Answers the same submission (a double tap, a redelivered webhook) once.
    submission_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    purged_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True, db_index=True)

    audit_history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "answer_due_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["department", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["epeople_number"], condition=~Q(epeople_number=""), name="petition_epeople_number_once"
            ),
            models.CheckConstraint(
                condition=~Q(status=rules.TRANSFERRED) | ~Q(transfer_agency=""), name="transferred_petition_has_agency"
            ),
            models.CheckConstraint(
                condition=~Q(status=rules.MERGED) | Q(merged_into__isnull=False), name="merged_petition_has_original"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    @property
    def due_at(self):
        return self.extended_due_at or self.answer_due_at

    @property
    def is_closed(self) -> bool:
        return self.status in rules.CLOSED


class PetitionEvent(models.Model):
    """One step in a petition's history: who did what, when, from which
    status to which."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.petition_id} {self.action}"


class InboundMessage(models.Model):
    """A text message to the mayor's SMS phone, as the provider's inbound
    webhook delivered it. The provider's id is unique: a redelivery is
    recognised and answered without a second row or petition."""

    provider = models.CharField(max_length=20)
    message_id = models.CharField(max_length=100)
    phone = models.CharField(_("from"), max_length=20)
    text = models.TextField(_("text"))
    received_at = models.DateTimeField(_("received at"))
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="inbound_messages")

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "message_id"], name="inbound_message_once"),
        ]

    def __str__(self):
        return f"{self.provider}:{self.message_id}"


class PetitionNotification(OutboxMessage):
    """The petition office's outbox: the receipt, the answer, the field team's
    dispatch, the department's notice (see ``scheduling.outbox``)."""

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40)

    class Meta(OutboxMessage.Meta):
        pass


# --- Instructions and consultation rooms (petitions/instructions/, petitions/rooms/) ---

from petitions.instructions.models import (  # noqa: E402, F401
    Instruction,
    InstructionCounter,
    InstructionEvent,
    InstructionNotification,
)
from petitions.rooms.models import ConsultationRoom, RoomBooking, RoomNotification  # noqa: E402, F401

# --- Reports: the satisfaction survey (petitions/surveys/models.py) ---
from petitions.surveys.models import (  # noqa: E402, F401
    SurveyInvitation,
    SurveyNotification,
    SurveyOptOut,
    SurveyRound,
)
