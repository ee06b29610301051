"""The public reads of the neighborhood management cards (/neighborhoods/).

What leaves this module is plain data holding ONLY public fields: title,
category, status, the public answer, progress and dated public notes, the
budget's fiscal year, the completion date, result and result photos, who
raised it (a group by design) and the resident's yes/no answer. Never the
contact, who recorded it, the department's opinion, joint-review opinions,
decision reasons or internal notes: the templates cannot show what they are
not given. Each page runs a constant number of queries, however many
suggestions there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core import signing
from django.db.models import Count, F, Q
from django.utils import timezone

from scheduling.dates import public_date
from scheduling.models import Neighborhood
from visits.cards import notifications as card_notifications
from visits.cards import workflow
from visits.models import Suggestion, SuggestionEvent, SuggestionPhoto

Status = Suggestion.Status

#: The order of the groups on a card: what is moving first, then what is
#: waiting, then how things ended.
CARD_ORDER = (
    Status.IN_PROGRESS,
    Status.BUDGETED,
    Status.SELECTED,
    Status.JOINT_REVIEW,
    Status.ASSIGNED,
    Status.RECEIVED,
    Status.LONG_TERM,
    Status.COMPLETED,
    Status.NOT_FEASIBLE,
)

#: Only these fields of a suggestion are read for the public.
PUBLIC_FIELDS = (
    "pk",
    "neighborhood_id",
    "title",
    "category",
    "status",
    "raised_by",
    "public_answer",
    "progress",
    "budget_fiscal_year",
    "completed_on",
    "result",
    "resolved_answer",
    "resolved_answered_at",
    "created_at",
)


# --- The list -------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class NeighborhoodSummary:
    code: str
    name: str
    total: int
    open: int
    counts: tuple[StatusCount, ...]  # the non-zero ones, in workflow.STATUS_ORDER


@dataclass(frozen=True)
class CityOverview:
    neighborhoods: list[NeighborhoodSummary]
    totals: tuple[StatusCount, ...]  # every status, in workflow.STATUS_ORDER
    total: int


def _alias(status: str) -> str:
    return f"n_{status}"


def neighborhood_overview() -> CityOverview:
    """Every neighborhood with its suggestions counted by status, and the
    city's totals: ONE aggregate query."""
    rows = Neighborhood.objects.annotate(
        **{
            _alias(status): Count("suggestions", filter=Q(suggestions__status=status))
            for status in workflow.STATUS_ORDER
        }
    ).values("code", "name", *(_alias(status) for status in workflow.STATUS_ORDER))
    labels = {status: str(Status(status).label) for status in workflow.STATUS_ORDER}
    totals = dict.fromkeys(workflow.STATUS_ORDER, 0)
    neighborhoods = []
    for row in rows:
        counts = tuple(
            StatusCount(status, labels[status], row[_alias(status)])
            for status in workflow.STATUS_ORDER
            if row[_alias(status)]
        )
        for item in counts:
            totals[item.status] += item.count
        total = sum(item.count for item in counts)
        closed = sum(item.count for item in counts if item.status in workflow.CLOSED)
        neighborhoods.append(NeighborhoodSummary(row["code"], row["name"], total, total - closed, counts))
    return CityOverview(
        neighborhoods=neighborhoods,
        totals=tuple(StatusCount(status, labels[status], totals[status]) for status in workflow.STATUS_ORDER),
        total=sum(totals.values()),
    )


# --- The card -------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicUpdate:
    """One dated line of a suggestion's public history."""

    day: dt.date
    date: str  # in Korean
    status_label: str  # for a status change
    progress: int | None  # for a progress update
    text: str  # the public note


@dataclass(frozen=True)
class PublicPhoto:
    url: str
    caption: str


@dataclass
class PublicSuggestion:
    pk: int
    title: str
    category_label: str
    status: str
    status_label: str
    raised_by: str
    public_answer: str
    progress: int
    budget_fiscal_year: int | None
    completed_on: str  # in Korean, or ""
    result: str
    resolved_answer: str  # "yes" / "no" / ""
    resolved_label: str
    resolved_on: str
    recorded_on: str
    updates: list[PublicUpdate] = field(default_factory=list)
    result_photos: list[PublicPhoto] = field(default_factory=list)

    @property
    def shows_progress(self) -> bool:
        return self.status in (Status.IN_PROGRESS, Status.COMPLETED) or self.progress > 0


@dataclass(frozen=True)
class StatusGroup:
    status: str
    label: str
    suggestions: list[PublicSuggestion]


@dataclass(frozen=True)
class PublicCard:
    code: str
    name: str
    total: int
    open: int
    groups: list[StatusGroup]
    last_update: str  # in Korean, or ""


def _korean(day) -> str:
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = timezone.localdate(day)
    return public_date(day)


def _public_updates(neighborhood_id: int) -> dict[int, list[PublicUpdate]]:
    """The public history of every suggestion of a neighborhood (one
    query): status changes with their public note, and progress updates.
    Opinions, edits, reminders and every ``note`` stay internal."""
    events = (
        SuggestionEvent.objects.filter(suggestion__neighborhood_id=neighborhood_id)
        .filter(
            Q(kind=SuggestionEvent.Kind.PROGRESS)
            | Q(kind=SuggestionEvent.Kind.CREATED)
            | (Q(kind=SuggestionEvent.Kind.TRANSITION) & ~Q(from_status=F("to_status")))
        )
        .order_by("happened_on", "created_at", "pk")
        .values_list("suggestion_id", "kind", "to_status", "progress", "happened_on", "public_note")
    )
    result: dict[int, list[PublicUpdate]] = {}
    for suggestion_id, kind, to_status, progress, happened_on, public_note in events:
        if kind == SuggestionEvent.Kind.PROGRESS:
            label, progress_value = "", progress
        else:
            label, progress_value = str(Status(to_status or Status.RECEIVED).label), None
        result.setdefault(suggestion_id, []).append(
            PublicUpdate(happened_on, _korean(happened_on), label, progress_value, public_note)
        )
    return result


def _result_photos(neighborhood_id: int) -> dict[int, list[PublicPhoto]]:
    """Photos of the finished works (one query); photos of the place are
    not shown (people, cars, houses)."""
    photos = SuggestionPhoto.objects.filter(suggestion__neighborhood_id=neighborhood_id, is_result=True).only(
        "suggestion_id", "image", "caption"
    )
    result: dict[int, list[PublicPhoto]] = {}
    for photo in photos:
        result.setdefault(photo.suggestion_id, []).append(PublicPhoto(photo.get_absolute_url(), photo.caption))
    return result


def public_card(code: str) -> PublicCard | None:
    """The public card of neighborhood ``code``, or None: four queries."""
    neighborhood = Neighborhood.objects.filter(code=code).only("pk", "code", "name").first()
    if neighborhood is None:
        return None
    rows = list(
        Suggestion.objects.filter(neighborhood_id=neighborhood.pk).only(*PUBLIC_FIELDS).order_by("-created_at", "-pk")
    )
    updates = _public_updates(neighborhood.pk) if rows else {}
    photos = _result_photos(neighborhood.pk) if rows else {}
    by_status: dict[str, list[PublicSuggestion]] = {}
    last_day = None
    for row in rows:
        history = updates.get(row.pk, [])
        if history and (last_day is None or history[-1].day > last_day):
            last_day = history[-1].day
        by_status.setdefault(row.status, []).append(
            PublicSuggestion(
                pk=row.pk,
                title=row.title,
                category_label=str(row.get_category_display()),
                status=row.status,
                status_label=str(row.get_status_display()),
                raised_by=row.raised_by,
                public_answer=row.public_answer,
                progress=row.progress,
                budget_fiscal_year=row.budget_fiscal_year,
                completed_on=_korean(row.completed_on),
                result=row.result if row.status == Status.COMPLETED else "",
                resolved_answer=row.resolved_answer,
                resolved_label=str(row.get_resolved_answer_display()) if row.resolved_answer else "",
                resolved_on=_korean(row.resolved_answered_at),
                recorded_on=_korean(row.created_at),
                updates=history,
                result_photos=photos.get(row.pk, []),
            )
        )
    groups = [
        StatusGroup(status, str(Status(status).label), by_status[status])
        for status in CARD_ORDER
        if status in by_status
    ]
    closed = sum(len(by_status.get(status, [])) for status in workflow.CLOSED)
    return PublicCard(
        code=neighborhood.code,
        name=neighborhood.name,
        total=len(rows),
        open=len(rows) - closed,
        groups=groups,
        last_update=_korean(last_day),
    )


# --- The "is it resolved?" link --------------------------------------------------------

INVALID = "invalid"  # forged, mangled, or about nothing: 404
EXPIRED = "expired"  # older than ANSWER_MAX_AGE: 410
CLOSED = "closed"  # the question is no longer asked (reopened, completed again): 410
ANSWERED = "answered"  # the answer is on the card
OPEN = "open"  # waiting for the answer


@dataclass(frozen=True)
class AnswerLink:
    state: str
    suggestion: Suggestion | None = None


def answer_link(token: str) -> AnswerLink:
    """What the "is it resolved?" link ``token`` leads to."""
    try:
        suggestion_id, completion_id = card_notifications.answer_token_read(token)
    except signing.SignatureExpired:
        return AnswerLink(EXPIRED)
    except signing.BadSignature:
        return AnswerLink(INVALID)
    suggestion = Suggestion.objects.filter(pk=suggestion_id).select_related("neighborhood").first()
    if suggestion is None:
        return AnswerLink(INVALID)
    latest = card_notifications.latest_transition_id(suggestion, to_status=workflow.COMPLETED)
    if latest != completion_id:
        return AnswerLink(CLOSED, suggestion)
    if suggestion.resolved_answer:
        return AnswerLink(ANSWERED, suggestion)
    if suggestion.status != Status.COMPLETED:
        return AnswerLink(CLOSED, suggestion)
    return AnswerLink(OPEN, suggestion)
