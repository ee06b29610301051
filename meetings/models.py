"""TongTong Day (통통데이): the meeting-day series, its days and slots, and the
citizens' meeting requests with their appointments, reviews, history and
notifications.

Time lives in django-scheduler: the series is an ``Event`` with a ``Rule``;
a moved or cancelled day is a persisted ``Occurrence``; an appointment with
an official is an ``Event`` in that official's calendar. The rows here hold
what the calendar cannot: slots, bookings, the citizen's request.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scheduling.audit import history_user
from scheduling.categories import Category
from scheduling.models import OutboxMessage


class MeetingSeries(models.Model):
    """The configuration of the meeting-day series and its django-scheduler
    event (MONTHLY, ``byweekday:TH;bysetpos:2,4``)."""

    class HolidayPolicy(models.TextChoices):
        LATER = "later", _("Move to the next working day")
        EARLIER = "earlier", _("Move to the previous working day")
        CANCEL = "cancel", _("Cancel")

    name = models.CharField(_("name"), max_length=100, default="통통데이")
    official = models.ForeignKey(
        "scheduling.Official", verbose_name=_("official"), on_delete=models.PROTECT, related_name="meeting_series"
    )
    event = models.OneToOneField(
        "schedule.Event", verbose_name=_("calendar event"), on_delete=models.PROTECT, related_name="meeting_series"
    )
    start_time = models.TimeField(_("start time"), default=dt.time(14, 0))
    duration_minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=15, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    holiday_policy = models.CharField(
        _("on a holiday"), max_length=10, choices=HolidayPolicy.choices, default=HolidayPolicy.LATER
    )
    location = models.CharField(_("place"), max_length=200, default="시청 본관 3층 시장실")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("meeting-day series")
        verbose_name_plural = _("meeting-day series")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_meeting_series"
            ),
            models.CheckConstraint(condition=Q(slot_minutes__lte=F("duration_minutes")), name="slot_fits_meeting_day"),
        ]

    def __str__(self):
        return self.name

    @property
    def slots_per_day(self) -> int:
        return self.duration_minutes // self.slot_minutes


class MeetingDay(models.Model):
    """One occurrence of the series: regular, moved (with the new date) or
    cancelled, always with the reason citizens see."""

    class Status(models.TextChoices):
        REGULAR = "regular", _("Regular")
        MOVED = "moved", _("Moved")
        CANCELLED = "cancelled", _("Cancelled")

    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="days")
    original_date = models.DateField(_("regular date"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REGULAR)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    occurrence = models.OneToOneField(
        "schedule.Occurrence", on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_day"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    #: Rises on every change; the iCal SEQUENCE.
    sequence = models.PositiveIntegerField(default=0)

    #: Every change, with who made it (scheduling/audit.py).
    audit_history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("meeting day")
        verbose_name_plural = _("meeting days")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["series", "original_date"], name="one_meeting_day_per_rule_date"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="meeting_day_ends_after_start"),
            models.CheckConstraint(
                condition=Q(status="regular") | ~Q(reason=""), name="moved_or_cancelled_day_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["status", "start"])]

    def __str__(self):
        return f"{self.series} {self.start:%Y-%m-%d}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Slot(models.Model):
    """A bookable part of a meeting day. It holds at most one active
    appointment (a group is one appointment); see ``Appointment``."""

    meeting_day = models.ForeignKey(MeetingDay, on_delete=models.CASCADE, related_name="slots")
    index = models.PositiveSmallIntegerField()
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["meeting_day", "index"], name="one_slot_per_index"),
        ]

    def __str__(self):
        return f"{self.start:%Y-%m-%d %H:%M}"


class ReferenceCounter(models.Model):
    """The last reference number given out per year. Taken with a row lock in
    the same transaction as the request, so numbers have no gaps and no
    duplicates under races (a rolled-back request returns its number)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class InterpreterLanguage(models.TextChoices):
    """The spoken languages an interpreter can be asked for (issue 15): the
    languages of the city's largest foreign-resident groups, then "other"
    with the language written in ``foreign_language_other``. Korean Sign
    Language (수어) is its own box (``needs_sign_language``): it can be needed
    beside a spoken language. Codes are ISO 639."""

    CHINESE = "zh", _("Chinese")
    VIETNAMESE = "vi", _("Vietnamese")
    ENGLISH = "en", _("English")
    JAPANESE = "ja", _("Japanese")
    RUSSIAN = "ru", _("Russian")
    THAI = "th", _("Thai")
    MONGOLIAN = "mn", _("Mongolian")
    UZBEK = "uz", _("Uzbek")
    FILIPINO = "fil", _("Filipino (Tagalog)")
    KHMER = "km", _("Khmer (Cambodian)")
    NEPALI = "ne", _("Nepali")
    INDONESIAN = "id", _("Indonesian")
    OTHER = "other", _("Other language")


class MeetingRequest(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        SCHEDULED = "scheduled", _("Scheduled with the mayor")
        SUBSTITUTED = "substituted", _("Substituted")
        WAITLISTED = "waitlisted", _("On the waiting list")
        ANSWERED = "answered", _("Answered in writing")
        DECLINED = "declined", _("Declined")
        HELD = "held", _("Held")
        NO_SHOW = "no_show", _("Did not attend")
        CANCELLED = "cancelled", _("Cancelled")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("Walk-in")

    class Outcome(models.TextChoices):
        HELD = "held", _("Held")
        NO_SHOW = "no_show", _("No-show")
        FOLLOW_UP = "follow_up", _("Held, follow-up needed")

    reference = models.CharField(_("reference number"), max_length=12, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)

    # The citizen: only what the meeting needs (see the consent text).
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile number"), max_length=20, help_text=_("Normalised, e.g. 010-1234-5678"))
    #: When the citizen typed the code sent to ``phone`` (the public form);
    #: empty for a request the secretariat took by phone or at the desk.
    phone_verified_at = models.DateTimeField(_("phone verified"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    neighborhood = models.ForeignKey(
        "scheduling.Neighborhood", verbose_name=_("neighborhood"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=100)
    description = models.TextField(_("description"), max_length=2000)
    group_size = models.PositiveSmallIntegerField(
        _("number of people"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    preferred_days = models.ManyToManyField(
        MeetingDay, through="PreferredDay", verbose_name=_("preferred days"), related_name="+", blank=True
    )

    # Accessibility needs (seed 004).
    needs_sign_language = models.BooleanField(_("sign-language interpreter"), default=False)
    needs_foreign_language = models.BooleanField(_("foreign-language interpreter"), default=False)
    foreign_language = models.CharField(
        _("interpreter's language"), max_length=50, blank=True, choices=InterpreterLanguage.choices
    )
    foreign_language_other = models.CharField(_("other language"), max_length=50, blank=True)
    needs_wheelchair = models.BooleanField(_("wheelchair access"), default=False)
    other_needs = models.CharField(_("other needs"), max_length=200, blank=True)

    #: The language the citizen used (the page's, or the one staff chose at
    #: intake): their messages go out in it (meetings.services.notifications).
    language = models.CharField(_("language of the messages"), max_length=10, default="ko")

    consent_at = models.DateTimeField(_("consent given at"))
    #: sha256 of the private status link's token; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    token_revoked = models.BooleanField(default=False)
    #: One per form rendering, so a double submit makes one request.
    submission_key = models.UUIDField(unique=True, default=uuid.uuid4)

    submitted_at = models.DateTimeField(_("submitted at"))
    answer_due_at = models.DateTimeField(_("answer due"))
    extended_due_at = models.DateTimeField(_("extended due"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=300, blank=True)
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    substitution_reason = models.CharField(_("reason for the substitution"), max_length=300, blank=True)
    #: The secretariat booked without the department head's opinion, and why
    #: (``meetings.services.review.review_override``; also in the history).
    review_override_reason = models.CharField(_("reason for booking without the review"), max_length=300, blank=True)
    written_answer = models.TextField(_("written answer"), blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(_("outcome notes"), blank=True)
    satisfaction_score = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.CharField(_("comment"), max_length=500, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: When the retention purge removed the citizen's personal data
    #: (meetings/services/retention.py); the statistics stay.
    purged_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True, db_index=True)

    #: Every change, with who made it (scheduling/audit.py). The private
    #: link's hash is a credential, not history: left out.
    audit_history = HistoricalRecords(get_user=history_user, excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "answer_due_at"]),
            models.Index(fields=["submitted_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="declined_request_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="substituted") | ~Q(substitution_reason=""), name="substituted_request_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    @property
    def due_at(self):
        return self.extended_due_at or self.answer_due_at

    def accessibility_needs(self) -> list[str]:
        """The help the citizen asked for, as short phrases (seed 004)."""
        needs = []
        if self.needs_sign_language:
            needs.append(str(_("Sign-language interpreter")))
        if self.needs_foreign_language:
            language = self.interpreter_language
            needs.append(str(_("Foreign-language interpreter (%(language)s)")) % {"language": language})
        if self.needs_wheelchair:
            needs.append(str(_("Wheelchair access")))
        if self.other_needs:
            needs.append(self.other_needs)
        return needs

    @property
    def interpreter_language(self) -> str:
        """The interpreter's language as staff read it: its name from the
        list, or what the citizen wrote under "other"."""
        if self.foreign_language == InterpreterLanguage.OTHER:
            return self.foreign_language_other
        return str(self.get_foreign_language_display())

    @property
    def active_appointment(self):
        return self.appointments.filter(status=Appointment.Status.ACTIVE).select_related("official", "slot").first()


class PreferredDay(models.Model):
    request = models.ForeignKey(MeetingRequest, on_delete=models.CASCADE, related_name="preferences")
    meeting_day = models.ForeignKey(MeetingDay, on_delete=models.CASCADE, related_name="preferences")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["request", "meeting_day"], name="preferred_day_once"),
            models.UniqueConstraint(fields=["request", "rank"], name="preferred_rank_once"),
        ]

    def __str__(self):
        return f"{self.request_id} #{self.rank}: {self.meeting_day_id}"


class Appointment(models.Model):
    """A booked meeting: with the mayor in a slot of a meeting day, or with a
    substitute at a time from their calendar. The database refuses a second
    active appointment for a slot and for a request, whatever the race."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    request = models.ForeignKey(MeetingRequest, on_delete=models.CASCADE, related_name="appointments")
    official = models.ForeignKey("scheduling.Official", on_delete=models.PROTECT, related_name="appointments")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    location = models.CharField(_("place"), max_length=200)
    is_substitution = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    event = models.OneToOneField(
        "schedule.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="appointment"
    )
    #: Stable across exports; SEQUENCE rises on every change.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    #: Every change, with who made it (scheduling/audit.py).
    audit_history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["slot"], condition=Q(status="active"), name="one_active_booking_per_slot"),
            models.UniqueConstraint(
                fields=["request"], condition=Q(status="active"), name="one_active_appointment_per_request"
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.request.reference} {self.start:%Y-%m-%d %H:%M} {self.official}"


class RequestEvent(models.Model):
    """The history of a request: every state change, who, when, from, to."""

    request = models.ForeignKey(MeetingRequest, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    #: Shown on the citizen's timeline (internal notes are not).
    public = models.BooleanField(default=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.request_id} {self.action} {self.from_status}→{self.to_status}"


class ReviewRequest(models.Model):
    """The secretariat asks the owning department's head (소관부서장) for a
    review opinion before the request is booked (seed 000): is a meeting
    needed, can the department solve it, which official should meet the
    citizen. Due on the answer clock (``MEETING_REVIEW_DAYS`` working days)."""

    class MeetingNeeded(models.TextChoices):
        YES = "yes", _("Yes, a meeting is needed")
        NO = "no", _("No, the department can answer")
        UNSURE = "unsure", _("Undecided")

    request = models.ForeignKey(MeetingRequest, on_delete=models.CASCADE, related_name="reviews")
    department = models.ForeignKey("scheduling.Department", on_delete=models.PROTECT, related_name="review_requests")
    #: The department head asked (None when the department has no head on record).
    reviewer = models.ForeignKey(
        "scheduling.Official",
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviews_asked",
    )
    question = models.TextField(_("question"), blank=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField(_("answer by"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    meeting_needed = models.CharField(
        _("is a meeting needed?"), max_length=10, choices=MeetingNeeded.choices, blank=True
    )
    department_can_resolve = models.BooleanField(_("the department can solve it"), null=True, blank=True)
    recommended_official = models.ForeignKey(
        "scheduling.Official",
        verbose_name=_("recommended official"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: When the late reminder went to the reviewer (once per review).
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        ordering = ["-asked_at"]

    def __str__(self):
        return f"{self.request_id} → {self.department_id}"


class WaitlistEntry(models.Model):
    """A request waiting for a slot on one of its full preferred days. The
    first freed slot is offered to the first in line, who confirms within a
    time limit."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    request = models.ForeignKey(MeetingRequest, on_delete=models.CASCADE, related_name="waitlist_entries")
    meeting_day = models.ForeignKey(MeetingDay, on_delete=models.CASCADE, related_name="waitlist")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    offered_slot = models.ForeignKey(Slot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    offer_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "meeting_day"], name="waitlist_once_per_day"),
        ]

    def __str__(self):
        return f"{self.request_id} @ {self.meeting_day_id} ({self.status})"


class Notification(OutboxMessage):
    """The outbox of the meetings app: every message to a citizen about their
    request is a row first (see ``scheduling.models.OutboxMessage`` and
    ``scheduling.outbox``). The SMS confirmation carries the private status
    link; once sent, the stored copy keeps only its path."""

    SAME_DAY_ONLY_KINDS = frozenset({"reminder"})
    PRIVATE_LINKS = re.compile(r"(/meetings/(?:status|feedback)/)[^/\s]+")

    request = models.ForeignKey(
        MeetingRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40)

    class Meta(OutboxMessage.Meta):
        pass
