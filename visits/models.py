"""Field visits (동방문): the two-year rotation, each visit's record, themed
tours (민생탐방) and the suggestions heard in the field.

Time lives in django-scheduler: every visit and tour is an ``Event`` in the
"field-visits" calendar and another in the official's own calendar, so the
official's schedule (and the planner's busy times) see it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from scheduling.audit import history_user
from scheduling.categories import Category
from scheduling.models import OutboxMessage
from scheduling.private_files import private_storage, unguessable_name


class RotationCycle(models.Model):
    """A planning window in which every neighborhood is visited once: a
    two-year cycle, or any window (all 39 in the first half-year of a term,
    as in 2018). Holds the rules the planner follows."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # "확정" in a city's words, not the "수락" of an accepted offer.
        ACCEPTED = "accepted", pgettext_lazy("rotation plan", "Accepted")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=100)
    official = models.ForeignKey(
        "scheduling.Official", verbose_name=_("official"), on_delete=models.PROTECT, related_name="rotation_cycles"
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    #: ISO weekdays allowed for visits, e.g. "2,3" for Tuesday and Wednesday.
    weekdays = models.CharField(_("weekdays"), max_length=20, default="2,3,4")
    day_start = models.TimeField(_("visits start at"), default="10:00")
    day_end = models.TimeField(_("visits end by"), default="12:00")
    max_per_week = models.PositiveSmallIntegerField(
        _("visits a week at most"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("rotation cycle")
        verbose_name_plural = _("rotation cycles")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="cycle_ends_after_start"),
            models.UniqueConstraint(
                fields=["official", "start", "end"],
                condition=~Q(status="closed"),
                name="one_open_cycle_per_official_window",
            ),
            models.CheckConstraint(condition=Q(day_end__gt=F("day_start")), name="cycle_day_window"),
        ]

    def __str__(self):
        return self.name

    def weekday_numbers(self) -> list[int]:
        return sorted({int(p) for p in self.weekdays.split(",") if p.strip()})


class BlackoutPeriod(models.Model):
    """A period with no visits (e.g. an election period)."""

    cycle = models.ForeignKey(RotationCycle, on_delete=models.CASCADE, related_name="blackouts")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=100)

    class Meta:
        verbose_name = _("blackout period")
        verbose_name_plural = _("blackout periods")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=F("start")), name="blackout_end_after_start")]

    def __str__(self):
        return f"{self.start}–{self.end} {self.reason}"


class MonitorGroup(models.Model):
    """A citizen group invited along (주부시정모니터, 소셜기자단, ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("citizen group")
        verbose_name_plural = _("citizen groups")
        ordering = ["name"]

    def __str__(self):
        return self.name


class FieldVisit(models.Model):
    """One visit of an official to a neighborhood, and its record."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    cycle = models.ForeignKey(RotationCycle, on_delete=models.CASCADE, related_name="visits", null=True, blank=True)
    neighborhood = models.ForeignKey(
        "scheduling.Neighborhood", verbose_name=_("neighborhood"), on_delete=models.PROTECT, related_name="visits"
    )
    official = models.ForeignKey(
        "scheduling.Official", verbose_name=_("official"), on_delete=models.PROTECT, related_name="field_visits"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.CharField(_("reason for the status"), max_length=300, blank=True)
    #: Why the planner chose this date, e.g. "우선: 외곽지역; 추석 이후 첫 화요일".
    plan_reason = models.CharField(_("why this date"), max_length=300, blank=True)
    is_priority = models.BooleanField(_("priority area"), default=False)

    # The record (seed 002: dialogue, current issues, encouraging staff, site tour).
    agenda_dialogue = models.BooleanField(_("dialogue with residents"), default=True)
    agenda_current_issues = models.BooleanField(_("current issues heard"), default=True)
    agenda_encourage_staff = models.BooleanField(_("encouraging the staff"), default=True)
    agenda_site_tour = models.BooleanField(_("site tour"), default=False)
    officials = models.ManyToManyField(
        "scheduling.Official", verbose_name=_("officials along"), blank=True, related_name="+"
    )
    departments = models.ManyToManyField(
        "scheduling.Department", verbose_name=_("departments along"), blank=True, related_name="+"
    )
    monitor_groups = models.ManyToManyField(MonitorGroup, verbose_name=_("citizen groups"), blank=True)
    attendance = models.PositiveIntegerField(_("residents attending"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    #: A short public result, ready to share on social media.
    public_summary = models.TextField(_("public summary"), blank=True, max_length=1000)
    #: The per-visit opt-out: a visit of an accepted plan is on the public
    #: pages (/visits/, the public calendars, its neighborhood's card) unless
    #: the secretariat unticks this, before or after accepting. A draft
    #: plan's visits are never public (``visits.rotation.selectors.public_visits``).
    is_published = models.BooleanField(
        _("shown on the public pages"),
        default=True,
        help_text=_("Untick to keep this visit off the public pages and calendars."),
    )
    #: When the record was completed, which publishes its results (the public
    #: summary); None while the record is still being written.
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True)

    event = models.OneToOneField(
        "schedule.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="field_visit"
    )
    official_event = models.OneToOneField(
        "schedule.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="field_visit_for_official"
    )
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    #: Every change, with who made it (scheduling/audit.py).
    audit_history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["start"]
        constraints = [
            # Every neighborhood exactly once per cycle.
            models.UniqueConstraint(fields=["cycle", "neighborhood"], name="one_visit_per_neighborhood_per_cycle"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="visit_ends_after_start"),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "held"]) | ~Q(status_reason=""),
                name="postponed_or_cancelled_visit_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "start"])]

    def __str__(self):
        return f"{self.neighborhood} {self.start:%Y-%m-%d}"

    def purpose_labels(self) -> list[str]:
        """What the visit is for, as published: its agenda (seed 002)."""
        agenda = (
            (self.agenda_dialogue, _("Dialogue with residents")),
            (self.agenda_current_issues, _("Hearing current issues")),
            (self.agenda_encourage_staff, _("Encouraging the staff")),
            (self.agenda_site_tour, _("Site tour")),
        )
        return [str(label) for wanted, label in agenda if wanted]


def _photo_path(instance, filename):
    return unguessable_name("photos/visits", filename)


class VisitPhoto(models.Model):
    """A photo of a visit or tour; stored without location metadata.

    Every photo is a private file (issue 14, docs/security.md): it leaves
    only through ``photo_views.visit_photo``, to anyone once its visit or
    tour is published, else to staff who may read the record."""

    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="photos", null=True, blank=True)
    tour = models.ForeignKey("ThemedTour", on_delete=models.CASCADE, related_name="photos", null=True, blank=True)
    image = models.ImageField(_("photo"), upload_to=_photo_path, storage=private_storage)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(visit__isnull=False) | Q(tour__isnull=False), name="photo_belongs_to_visit_or_tour"
            )
        ]

    def __str__(self):
        return self.caption or self.image.name

    def get_absolute_url(self) -> str:
        return reverse("visits:visit_photo", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        """Published with its record's results: a visit's once the visit is
        shown on the public pages and its record is completed (which
        publishes the results), a tour's once its record is published."""
        if self.visit_id:
            return bool(self.visit.is_published and self.visit.results_published_at)
        return bool(self.tour and self.tour.is_published)


class ThemedTour(models.Model):
    """A themed field tour (민생탐방), grouped by issue, season or field
    (seed 002), visited together with the related departments."""

    class Group(models.TextChoices):
        ISSUE = "issue", _("By issue")
        SEASON = "season", _("By season")
        FIELD = "field", _("By field")

    class Theme(models.TextChoices):
        COLLECTIVE_COMPLAINTS = "collective_complaints", _("Collective complaints")
        HOT_SPOTS = "hot_spots", _("Current hot spots")
        SNOW = "snow", _("Snow removal preparation")
        HEAVY_RAIN = "heavy_rain", _("Heavy rain preparation")
        HEAT = "heat", _("Heat-wave preparation")
        HOLIDAY_VULNERABLE = "holiday_vulnerable", _("Holiday visits to vulnerable groups")
        ECONOMY_JOBS = "economy_jobs", _("Economy and jobs")
        YOUTH_EDUCATION = "youth_education", _("Youth and education")
        WELFARE_ELDERLY = "welfare_elderly", _("Welfare: the elderly")
        WELFARE_DISABLED = "welfare_disabled", _("Welfare: people with disabilities")
        WELFARE_CHILDCARE = "welfare_childcare", _("Welfare: childcare")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=150)
    group = models.CharField(_("group"), max_length=10, choices=Group.choices)
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices)
    official = models.ForeignKey(
        "scheduling.Official", verbose_name=_("official"), on_delete=models.PROTECT, related_name="themed_tours"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    neighborhoods = models.ManyToManyField("scheduling.Neighborhood", verbose_name=_("neighborhoods"), blank=True)
    sites = models.TextField(_("sites"), blank=True, help_text=_("One site a line."))
    departments = models.ManyToManyField(
        "scheduling.Department", verbose_name=_("related departments"), blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.CharField(_("reason for the status"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    public_summary = models.TextField(_("public summary"), blank=True, max_length=1000)
    is_published = models.BooleanField(_("published"), default=False)
    event = models.OneToOneField(
        "schedule.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="themed_tour"
    )
    official_event = models.OneToOneField(
        "schedule.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="themed_tour_for_official"
    )
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    #: Every change, with who made it (scheduling/audit.py).
    audit_history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("themed tour")
        verbose_name_plural = _("themed tours")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="tour_ends_after_start")]

    def __str__(self):
        return self.title


class Suggestion(models.Model):
    """Something residents asked for, heard on a visit, a tour or at a
    meeting: one line of the neighborhood management card (동 관리카드),
    followed until it is done or answered.

    Its status moves only along ``visits.cards.workflow.TRANSITIONS``, through
    ``visits.cards.services``; every move is a ``SuggestionEvent``. Fields
    marked internal never reach the public card.
    """

    class Source(models.TextChoices):
        FIELD_VISIT = "field_visit", _("Field visit")
        THEMED_TOUR = "themed_tour", _("Themed tour")
        MEETING = "meeting", _("Citizen meeting")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        ASSIGNED = "assigned", _("Assigned to a department")
        JOINT_REVIEW = "joint_review", _("In joint review")
        SELECTED = "selected", _("Selected")
        LONG_TERM = "long_term", _("Long-term review")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")
        BUDGETED = "budgeted", _("Reflected in the budget")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    class Feasibility(models.TextChoices):
        FEASIBLE = "feasible", _("Feasible")
        PARTLY = "partly", _("Partly feasible")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    class Resolved(models.TextChoices):
        YES = "yes", _("Resolved")
        NO = "no", _("Not resolved")

    neighborhood = models.ForeignKey(
        "scheduling.Neighborhood", verbose_name=_("neighborhood"), on_delete=models.PROTECT, related_name="suggestions"
    )
    source = models.CharField(_("heard at"), max_length=20, choices=Source.choices)
    visit = models.ForeignKey(FieldVisit, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions")
    tour = models.ForeignKey(ThemedTour, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions")
    #: The meeting request's reference (e.g. 2026-0012); a reference, not a
    #: key, because ``visits`` does not depend on ``meetings``.
    meeting_reference = models.CharField(_("meeting request"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=3000)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    raised_by = models.CharField(
        _("raised by"), max_length=100, blank=True, help_text=_("A group or 'residents'; no personal data.")
    )
    location_text = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    lead_department = models.ForeignKey(
        "scheduling.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_suggestions",
    )
    co_departments = models.ManyToManyField(
        "scheduling.Department", verbose_name=_("co-departments"), blank=True, related_name="co_suggestions"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)

    # The department's review (internal, except the public answer).
    feasibility = models.CharField(_("feasibility"), max_length=20, choices=Feasibility.choices, blank=True)
    estimated_cost = models.PositiveBigIntegerField(_("estimated cost (won)"), null=True, blank=True)
    estimated_period = models.CharField(_("estimated period"), max_length=100, blank=True)
    department_opinion = models.TextField(_("department's opinion"), blank=True, max_length=3000)
    #: The first answer is due this many working days after assignment.
    first_answer_due = models.DateField(_("first answer due"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    #: Each return to joint review starts a new round of opinions.
    review_round = models.PositiveSmallIntegerField(default=0)

    # The decision.
    priority_rank = models.PositiveIntegerField(_("priority rank"), null=True, blank=True)
    priority_score = models.DecimalField(
        _("priority score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True, max_length=2000)
    #: What the public card says about it; written by staff for residents.
    public_answer = models.TextField(_("public answer"), blank=True, max_length=2000)

    # The budget.
    budget_fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    budget_amount = models.PositiveBigIntegerField(_("budget amount (won)"), null=True, blank=True)
    budget_line = models.CharField(_("budget line"), max_length=150, blank=True)

    # The works.
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True, max_length=2000)

    # Closing the loop: a contact left with consent, and their answer.
    contact_phone = models.CharField(_("contact mobile number"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_consent_at = models.DateTimeField(_("consent to be told given"), null=True, blank=True)
    resolved_answer = models.CharField(_("is it resolved?"), max_length=3, choices=Resolved.choices, blank=True)
    resolved_comment = models.TextField(_("comment on the result"), blank=True, max_length=1000)
    resolved_answered_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: The last thing anyone did with it (status, opinion, progress); a
    #: suggestion untouched for SUGGESTION_STALE_DAYS is "overdue".
    last_activity_at = models.DateTimeField(default=timezone.now)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: When the retention purge removed the resident's contact
    #: (``visits.cards.services.suggestion_contacts_purge``).
    contact_purged_at = models.DateTimeField(_("contact removed at"), null=True, blank=True)

    #: Every change, with who made it (scheduling/audit.py).
    audit_history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="not_feasible") | ~Q(decision_reason=""),
                name="not_feasible_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="received") | Q(lead_department__isnull=False),
                name="assigned_suggestion_has_lead_department",
            ),
            models.CheckConstraint(
                condition=(Q(contact_phone="") & Q(contact_email="")) | Q(contact_consent_at__isnull=False),
                name="suggestion_contact_needs_consent",
            ),
        ]
        indexes = [
            models.Index(fields=["neighborhood", "status"]),
            models.Index(fields=["lead_department", "status"]),
            models.Index(fields=["status", "priority_score"]),
        ]

    def __str__(self):
        return self.title

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_consent_at and (self.contact_phone or self.contact_email))


class SuggestionEvent(models.Model):
    """One thing that happened to a suggestion: a status change, an opinion,
    a progress update, a reminder, the resident's answer. ``public_note`` is
    what the public card may show; ``note`` stays internal."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Recorded")
        TRANSITION = "transition", _("Status changed")
        OPINION = "opinion", _("Opinion recorded")
        PROGRESS = "progress", _("Progress update")
        EDITED = "edited", _("Details edited")
        REMINDER = "reminder", _("Reminder sent")
        RESIDENT_ANSWER = "resident_answer", _("Resident's answer")

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Suggestion.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Suggestion.Status.choices, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    #: The day the update reports on (a works update may be written later).
    happened_on = models.DateField(default=timezone.localdate)
    note = models.TextField(blank=True, max_length=3000)
    public_note = models.TextField(blank=True, max_length=2000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("suggestion event")
        verbose_name_plural = _("suggestion events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["suggestion", "created_at"])]

    def __str__(self):
        return f"{self.suggestion_id} {self.kind} {self.to_status}"


class JointReviewOpinion(models.Model):
    """One party's opinion in the joint review (공동 검토): the budget & legal
    department, the policy officer and the lead department each write one per
    review round. Internal: never on the public card."""

    class Party(models.TextChoices):
        BUDGET_LEGAL = "budget_legal", _("Budget & legal affairs")
        POLICY_OFFICER = "policy_officer", _("Policy officer")
        LEAD_DEPARTMENT = "lead_department", _("Lead department")

    class Recommendation(models.TextChoices):
        SELECT = "select", _("Select")
        LONG_TERM = "long_term", _("Long-term review")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="opinions")
    review_round = models.PositiveSmallIntegerField()
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    opinion = models.TextField(_("opinion"), max_length=3000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    written_at = models.DateTimeField(default=timezone.now)

    #: Every change, with who made it (scheduling/audit.py).
    audit_history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("joint-review opinion")
        verbose_name_plural = _("joint-review opinions")
        ordering = ["review_round", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "review_round", "party"], name="one_opinion_per_party_per_round"
            )
        ]

    def __str__(self):
        return f"{self.suggestion_id} #{self.review_round} {self.party}"


def _suggestion_photo_path(instance, filename):
    return unguessable_name("photos/suggestions", filename)


class SuggestionPhoto(models.Model):
    """A photo of the place, or of the finished works; stored without
    location metadata (re-encoded like visit photos).

    A private file like every photo: the photos of the finished works are
    public (the neighborhood's public card shows them), the photos of the
    place (people, cars, houses) only for staff who may see the suggestion
    (``photo_views.suggestion_photo``)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=_suggestion_photo_path, storage=private_storage)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    #: A photo of the finished works, shown with the result.
    is_result = models.BooleanField(_("photo of the result"), default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("suggestion photo")
        verbose_name_plural = _("suggestion photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.caption or self.image.name

    def get_absolute_url(self) -> str:
        return reverse("visits:suggestion_photo", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        """Shown on the public card: a photo of the finished works."""
        return self.is_result


class BudgetEnvelope(models.Model):
    """What a fiscal year has for the small local works of the cards; the
    joint-review board totals its selections against it."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), unique=True)
    amount = models.PositiveBigIntegerField(_("envelope (won)"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("budget envelope")
        verbose_name_plural = _("budget envelopes")
        ordering = ["-fiscal_year"]

    def __str__(self):
        return f"{self.fiscal_year}: {self.amount:,}"


def _card_batch_path(instance, filename):
    return unguessable_name("cards", filename)


class CardBatch(models.Model):
    """A PDF of every neighborhood's card, built by a celery task; the page
    polls ``done``/``total`` for progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    #: In the private storage, under an unguessable name; sent only by
    #: ``card_pdf_views.batch_download`` (scheduling/private_files.py).
    pdf = models.FileField(upload_to=_card_batch_path, storage=private_storage, blank=True)
    error = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("all-cards PDF")
        verbose_name_plural = _("all-cards PDFs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.status}"


class SuggestionNotification(OutboxMessage):
    """The visits app's outbox (``scheduling.outbox``): what a resident who
    left a contact is told about their suggestion, and the e-mails to a lead
    department (a reopening, the weekly overdue list). A department's weekly
    list is about several suggestions: its ``suggestion`` is empty."""

    #: The "is it resolved?" link is signed; once sent, the stored copy keeps
    #: only its path.
    PRIVATE_LINKS = re.compile(r"(/neighborhoods/answer/)[^/\s]+")

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40)

    class Meta(OutboxMessage.Meta):
        verbose_name = _("suggestion notification")
        verbose_name_plural = _("suggestion notifications")
