"""Field visits (동방문): the two-year rotation, each visit's record, themed
tours (민생탐방) and the suggestions heard in the field.

Time lives in django-scheduler: every visit and tour is an ``Event`` in the
"field-visits" calendar and another in the official's own calendar, so the
official's schedule (and the planner's busy times) see it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from scheduling.categories import Category


class RotationCycle(models.Model):
    """A planning window in which every neighborhood is visited once: a
    two-year cycle, or any window (all 39 in the first half-year of a term,
    as in 2018). Holds the rules the planner follows."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACCEPTED = "accepted", _("Accepted")
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
    is_published = models.BooleanField(_("published"), default=False)

    event = models.OneToOneField(
        "schedule.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="field_visit"
    )
    official_event = models.OneToOneField(
        "schedule.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="field_visit_for_official"
    )
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

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


def _photo_path(instance, filename):
    return f"visits/{instance.visit_id or 'tour'}/{filename}"


class VisitPhoto(models.Model):
    """A photo of a visit or tour; stored without location metadata."""

    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="photos", null=True, blank=True)
    tour = models.ForeignKey("ThemedTour", on_delete=models.CASCADE, related_name="photos", null=True, blank=True)
    image = models.ImageField(_("photo"), upload_to=_photo_path)
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

    class Meta:
        verbose_name = _("themed tour")
        verbose_name_plural = _("themed tours")
        ordering = ["start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="tour_ends_after_start")]

    def __str__(self):
        return self.title


class Suggestion(models.Model):
    """Something residents asked for, heard on a visit, a tour or at a
    meeting; the neighborhood management card (동 관리카드) follows it until
    it is done. This issue records it; the card's workflow builds on it."""

    class Source(models.TextChoices):
        FIELD_VISIT = "field_visit", _("Field visit")
        THEMED_TOUR = "themed_tour", _("Themed tour")
        MEETING = "meeting", _("Citizen meeting")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")

    neighborhood = models.ForeignKey(
        "scheduling.Neighborhood", verbose_name=_("neighborhood"), on_delete=models.PROTECT, related_name="suggestions"
    )
    source = models.CharField(_("heard at"), max_length=20, choices=Source.choices)
    visit = models.ForeignKey(FieldVisit, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions")
    tour = models.ForeignKey(ThemedTour, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=3000)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    raised_by = models.CharField(
        _("raised by"), max_length=100, blank=True, help_text=_("A group or 'residents'; no personal data.")
    )
    lead_department = models.ForeignKey(
        "scheduling.Department",
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_suggestions",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title
