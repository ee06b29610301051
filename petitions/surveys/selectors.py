"""Reads of the satisfaction survey: a round's results (the half-year
report) and the citizens' comments (the staff page). Each is a fixed
number of queries, whatever the number of answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q

from petitions.surveys.models import QUESTION_FIELDS, SurveyInvitation, SurveyRound

#: The most comments the staff page lists (newest first).
COMMENTS_SHOWN = 500


@dataclass
class RoundResults:
    period_key: str
    eligible: int = 0
    asked: int = 0
    answered: int = 0
    #: {question: mean 1–5, two decimals} (None: no answer yet)
    means: dict[str, float | None] = field(default_factory=dict)

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.answered / self.asked, 1) if self.asked else None

    @property
    def overall(self) -> float | None:
        values = [value for value in self.means.values() if value is not None]
        return round(sum(values) / len(values), 2) if values else None


def round_results(period_key: str) -> RoundResults | None:
    """The results of the round of ``period_key`` ("2026-H1"), or None if
    it was not started (two queries)."""
    survey = SurveyRound.objects.filter(period_key=period_key).first()
    if survey is None:
        return None
    answered = Q(answered_at__isnull=False)
    aggregates = {"asked": Count("pk"), "answered": Count("pk", filter=answered)}
    for name in QUESTION_FIELDS:
        aggregates[name] = Avg(name, filter=answered)
    counts = SurveyInvitation.objects.filter(round=survey).aggregate(**aggregates)
    return RoundResults(
        period_key=period_key,
        eligible=survey.eligible,
        asked=counts["asked"],
        answered=counts["answered"],
        means={name: None if counts[name] is None else round(float(counts[name]), 2) for name in QUESTION_FIELDS},
    )


def rounds_with_results() -> list[RoundResults]:
    """Every round, newest first, with its results (two queries)."""
    answered = Q(invitations__answered_at__isnull=False)
    aggregates = {"asked": Count("invitations"), "answered": Count("invitations", filter=answered)}
    for name in QUESTION_FIELDS:
        aggregates[f"mean_{name}"] = Avg(f"invitations__{name}", filter=answered)
    rows = SurveyRound.objects.order_by("-period_start").annotate(**aggregates)
    return [
        RoundResults(
            period_key=row.period_key,
            eligible=row.eligible,
            asked=row.asked,
            answered=row.answered,
            means={
                name: None if getattr(row, f"mean_{name}") is None else round(float(getattr(row, f"mean_{name}")), 2)
                for name in QUESTION_FIELDS
            },
        )
        for row in rows
    ]


def comments():
    """The answers with a comment, newest first: no name, no number; the
    petition's reference so that staff can look the matter up."""
    return (
        SurveyInvitation.objects.filter(answered_at__isnull=False)
        .exclude(comment="")
        .select_related("round", "petition")
        .only("answered_at", "comment", *QUESTION_FIELDS, "round__period_key", "petition__reference")
        .order_by("-answered_at", "-pk")[:COMMENTS_SHOWN]
    )
