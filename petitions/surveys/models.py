"""The satisfaction survey (만족도 조사, seed 003): twice a year a sample of
the citizens whose petition closed in the half-year just ended gets a
private link to five questions (친절도, 업무처리, 편리성, 민원실 환경, 1–5, and
a comment). Imported at the end of ``petitions/models.py`` (app label
``petitions``).

A citizen is known here only by a hash of their mobile number (one
invitation per number and round; the opt-out list); the number itself
stays on the petition and in the outbox row that carries the text. The
link's token is stored only as its SHA-256, like the meeting status links.
"""

from __future__ import annotations

import re

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from petitions.surveys.questions import QUESTION_FIELDS, QUESTIONS  # noqa: F401  (one list)
from scheduling.models import OutboxMessage


def _score(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class SurveyRound(models.Model):
    """One survey of one half-year (``period_key`` "2026-H1"), started once
    (the unique key: a second beat, or a second day of the survey month,
    starts nothing)."""

    period_key = models.CharField(_("half-year"), max_length=7, unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    started_at = models.DateTimeField(_("started at"))
    #: Distinct mobile numbers that could be asked (closed petitions, not
    #: purged, not opted out).
    eligible = models.PositiveIntegerField(_("citizens who could be asked"), default=0)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-period_start"]

    def __str__(self):
        return self.period_key


class SurveyInvitation(models.Model):
    """One citizen asked in one round, by a private link, answered at most once."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phone_hash = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=10, default="ko")
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("link expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, db_index=True)
    kindness = _score(_("kindness"))
    handling = _score(_("handling"))
    convenience = _score(_("convenience"))
    environment = _score(_("environment"))
    comment = models.TextField(_("comment"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "phone_hash"], name="survey_one_invitation_per_phone"),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | Q(
                    kindness__isnull=False,
                    handling__isnull=False,
                    convenience__isnull=False,
                    environment__isnull=False,
                ),
                name="survey_answer_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.round_id}:{self.pk}"


class SurveyOptOut(models.Model):
    """A mobile number (as its hash) that asked not to be surveyed again."""

    phone_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey opt-out")
        verbose_name_plural = _("survey opt-outs")

    def __str__(self):
        return self.phone_hash[:8]


class SurveyNotification(OutboxMessage):
    """The survey's outbox: the invitation by SMS/알림톡 (``scheduling.outbox``).
    Once sent, the stored copy keeps only ``/survey/…``."""

    PRIVATE_LINKS = re.compile(r"(/survey/)[^/\s]+")

    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=40, default="invitation")

    class Meta(OutboxMessage.Meta):
        pass
