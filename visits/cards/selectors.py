"""Read queries of the management-card back office (동 관리카드).

Every function here runs a CONSTANT number of queries whatever the number
of suggestions: related rows come with ``select_related`` /
``prefetch_related`` (``Prefetch`` with ``to_attr`` where the page needs a
filtered set), figures with ``annotate`` / ``aggregate``. Templates only
read what is returned; they never reach back into the database per row.

Who sees what (``suggestions_visible_to``): the secretariat, budget &
policy reviewers, officials and superusers see every suggestion; a
department's staff see those led by their department or where it is a
co-department; anyone else sees none. The pages, the photos and the PDFs
all ask this one rule. Who acts (``actor_roles``, ``opinion_parties``) is
here too: the services check it, the pages offer only what it allows.

Overdue (``overdue_q``, ``with_deadlines``) is one query rule too: the
inbox, the staff pages, the dashboard, the reports and the weekly reminder
use it.

Imports point one way: ``workflow`` ← ``selectors`` ← ``notifications`` ←
``services``; this module imports neither of the other two.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from scheduling import roles
from scheduling.access import user_department, user_department_id
from scheduling.models import Department, Neighborhood
from scheduling.people import label_related
from scheduling.permissions import user_roles
from visits.cards import workflow
from visits.models import BudgetEnvelope, JointReviewOpinion, Suggestion, SuggestionEvent

#: Roles that see every suggestion.
SEE_ALL_ROLES = frozenset({roles.SECRETARIAT, roles.BUDGET_POLICY_REVIEWER, roles.OFFICIAL})
Party = JointReviewOpinion.Party


# --- Who sees what ----------------------------------------------------------------


def _group_names(user) -> frozenset[str]:
    return user_roles(user)


def _active(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def sees_all(user) -> bool:
    """Whether ``user`` sees every suggestion (one query for the groups)."""
    if not _active(user):
        return False
    return user.is_superuser or bool(_group_names(user) & SEE_ALL_ROLES)


def _of_department(department_id: int) -> Q:
    co = Suggestion.co_departments.through.objects.filter(department_id=department_id).values("suggestion_id")
    return Q(lead_department_id=department_id) | Q(pk__in=co)


def suggestions_visible_to(user) -> QuerySet[Suggestion]:
    """The suggestions ``user`` may see (see the module's docstring)."""
    if not _active(user):
        return Suggestion.objects.none()
    if user.is_superuser:
        return Suggestion.objects.all()
    groups = _group_names(user)
    if groups & SEE_ALL_ROLES:
        return Suggestion.objects.all()
    department_id = user_department_id(user)
    if department_id and roles.DEPARTMENT_STAFF in groups:
        return Suggestion.objects.filter(_of_department(department_id))
    return Suggestion.objects.none()


# --- Who acts ---------------------------------------------------------------------


def actor_roles(user, suggestion: Suggestion) -> frozenset[str]:
    """The workflow roles (``workflow.SECRETARIAT`` …) ``user`` holds for
    ``suggestion``: the secretariat by role, budget & policy by role, the
    lead department by working there. A superuser holds them all."""
    if not _active(user):
        return frozenset()
    if user.is_superuser:
        return frozenset({workflow.SECRETARIAT, workflow.BUDGET_POLICY, workflow.LEAD_DEPARTMENT})
    groups = _group_names(user)
    held = set()
    if roles.SECRETARIAT in groups:
        held.add(workflow.SECRETARIAT)
    if roles.BUDGET_POLICY_REVIEWER in groups:
        held.add(workflow.BUDGET_POLICY)
    department_id = user_department_id(user)
    if department_id and department_id == suggestion.lead_department_id:
        held.add(workflow.LEAD_DEPARTMENT)
    return frozenset(held)


def opinion_parties(user, suggestion: Suggestion) -> list[str]:
    """Which joint-review opinions ``user`` may write on ``suggestion``: the
    budget & legal department's staff write its opinion, the policy
    officer's staff theirs, the lead department's staff the department's."""
    if not (user and getattr(user, "is_authenticated", False)):
        return []
    if user.is_superuser:
        return list(Party.values)
    parties = []
    department = user_department(user)
    if department is not None:
        if department.kind == Department.Kind.BUDGET_LEGAL:
            parties.append(Party.BUDGET_LEGAL)
        elif department.kind == Department.Kind.POLICY_OFFICER:
            parties.append(Party.POLICY_OFFICER)
        if department.pk == suggestion.lead_department_id:
            parties.append(Party.LEAD_DEPARTMENT)
    return parties


def missing_opinions(suggestion: Suggestion) -> list[str]:
    """The parties whose opinion of the current round is still missing."""
    written = set(
        JointReviewOpinion.objects.filter(suggestion=suggestion, review_round=suggestion.review_round).values_list(
            "party", flat=True
        )
    )
    return [party for party in Party.values if party not in written]


# --- The index ----------------------------------------------------------------------


@dataclass
class NeighborhoodCount:
    neighborhood: Neighborhood
    by_status: dict[str, int]
    total: int
    open: int


def card_index_counts(visible: QuerySet[Suggestion]) -> list[NeighborhoodCount]:
    """Every neighborhood with its visible suggestions counted by status
    (two queries)."""
    counts: dict[int, dict[str, int]] = {}
    for row in visible.order_by().values("neighborhood_id", "status").annotate(n=Count("pk")):
        counts.setdefault(row["neighborhood_id"], {})[row["status"]] = row["n"]
    result = []
    for neighborhood in Neighborhood.objects.all():
        by_status = counts.get(neighborhood.pk, {})
        total = sum(by_status.values())
        closed = sum(n for status, n in by_status.items() if status in workflow.CLOSED)
        result.append(NeighborhoodCount(neighborhood, by_status, total, total - closed))
    return result


# --- The department inbox -------------------------------------------------------------


def stale_before(now: dt.datetime | None = None) -> dt.datetime:
    """Open suggestions with no activity since this moment are overdue
    (``SUGGESTION_STALE_DAYS`` before ``now``)."""
    return (now or timezone.now()) - dt.timedelta(days=settings.SUGGESTION_STALE_DAYS)


def late_answer_q(now: dt.datetime | None = None) -> Q:
    """Still assigned, and the first answer was due before today."""
    return Q(status=workflow.ASSIGNED, first_answer_due__lt=timezone.localdate(now or timezone.now()))


def stale_q(now: dt.datetime | None = None) -> Q:
    """Open (not completed nor answered "not feasible"), and no activity
    since ``stale_before(now)``."""
    return ~Q(status__in=workflow.CLOSED) & Q(last_activity_at__lt=stale_before(now))


def overdue_q(now: dt.datetime | None = None) -> Q:
    """The one rule of "overdue": a first answer past its due date while
    still assigned, or an open suggestion with no activity for
    ``SUGGESTION_STALE_DAYS``; a closed suggestion never is. The inbox, the
    staff pages, the dashboard, the reports and the weekly reminder all use
    it."""
    return late_answer_q(now) | stale_q(now)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def with_deadlines(queryset: QuerySet[Suggestion], now: dt.datetime | None = None) -> QuerySet[Suggestion]:
    """``queryset`` with ``is_overdue``, ``is_late_answer`` and ``is_stale``
    annotated by ``overdue_q``'s parts (no extra query)."""
    now = now or timezone.now()
    return queryset.annotate(
        is_overdue=_flag(overdue_q(now)), is_late_answer=_flag(late_answer_q(now)), is_stale=_flag(stale_q(now))
    )


def overdue(queryset: QuerySet[Suggestion], now: dt.datetime | None = None) -> QuerySet[Suggestion]:
    """The overdue suggestions of ``queryset``, with their deadline flags."""
    return with_deadlines(queryset.filter(overdue_q(now)), now)


def department_inbox(department: Department | int, *, now: dt.datetime | None = None) -> list[Suggestion]:
    """The open suggestions led by ``department`` (where it owes the next
    step, or that are still on their way), OVERDUE FIRST: a first answer
    past ``first_answer_due`` while still assigned, or no activity since
    ``stale_before()``; then by due date, then the longest
    untouched. Each has ``is_overdue``, ``is_late_answer``, ``is_stale``
    (``with_deadlines``) and ``owes_next_step``."""
    department_id = department.pk if isinstance(department, Department) else department
    queryset = Suggestion.objects.filter(lead_department_id=department_id).exclude(status__in=workflow.CLOSED)
    rows = list(
        with_deadlines(queryset, now)
        .select_related("neighborhood", "lead_department")
        .order_by("-is_overdue", F("first_answer_due").asc(nulls_last=True), "last_activity_at", "pk")
    )
    for row in rows:
        row.owes_next_step = row.status in workflow.DEPARTMENT_OWES
    return rows


# --- The joint-review board --------------------------------------------------------------


def _current_opinions() -> Prefetch:
    return Prefetch(
        "opinions",
        queryset=JointReviewOpinion.objects.filter(review_round=F("suggestion__review_round")).select_related(
            *label_related("author")
        ),
        to_attr="current_opinions",
    )


def _mean_score() -> Subquery:
    return Subquery(
        JointReviewOpinion.objects.filter(
            suggestion=OuterRef("pk"), review_round=OuterRef("review_round"), score__isnull=False
        )
        .order_by()
        .values("suggestion")
        .annotate(mean=Avg("score"))
        .values("mean"),
        output_field=DecimalField(max_digits=6, decimal_places=2),
    )


@dataclass
class BoardRow:
    suggestion: Suggestion
    score: object  # Decimal | None
    cost: int | None
    #: Estimated cost of this row and every row above it.
    running_total: int
    #: Already committed that year plus ``running_total``.
    with_committed: int
    #: What the envelope has left after this row (None without an envelope).
    remaining: int | None

    @property
    def fits(self) -> bool:
        return self.remaining is None or self.remaining >= 0


@dataclass
class Board:
    fiscal_year: int
    order: str
    envelope: BudgetEnvelope | None
    #: Selected, budgeted, in progress or completed that year.
    committed: int
    committed_count: int
    rows: list[BoardRow] = field(default_factory=list)

    @property
    def envelope_amount(self) -> int | None:
        return self.envelope.amount if self.envelope else None

    @property
    def available(self) -> int | None:
        return None if self.envelope is None else self.envelope.amount - self.committed

    @property
    def total(self) -> int:
        return self.rows[-1].running_total if self.rows else 0

    @property
    def over_envelope(self) -> bool:
        return bool(self.rows) and not self.rows[-1].fits


BOARD_ORDERS = ("score", "cost")


def default_fiscal_year(today: dt.date | None = None) -> int:
    """The first fiscal year from this one that has an envelope, else next
    year (the small works of the cards are budgeted for the coming year)."""
    today = today or timezone.localdate()
    year = (
        BudgetEnvelope.objects.filter(fiscal_year__gte=today.year)
        .order_by("fiscal_year")
        .values_list("fiscal_year", flat=True)
        .first()
    )
    return year or today.year + 1


def committed_in(fiscal_year: int) -> tuple[int, int]:
    """What is already committed against ``fiscal_year``: suggestions
    budgeted that year (their budget amount) and those selected but not yet
    budgeted (their estimated cost: they will take from the year being
    decided). Returns (won, count); one query."""
    amount = Coalesce("budget_amount", "estimated_cost", Value(0))
    totals = Suggestion.objects.filter(
        Q(status__in=workflow.COMMITTED, budget_fiscal_year=fiscal_year)
        | Q(status=workflow.SELECTED, budget_fiscal_year__isnull=True)
    ).aggregate(total=Sum(amount), count=Count("pk"))
    return int(totals["total"] or 0), totals["count"]


def joint_review_board(fiscal_year: int, order: str = "score", *, visible: QuerySet | None = None) -> Board:
    """Everything awaiting the joint review's decision
    (``workflow.AWAITING_DECISION``) with its current round's opinions,
    sorted by priority score (the mean of the current round's scores, or
    the decided score) or by estimated cost, with the running total of
    estimated cost down the list against the fiscal year's envelope plus
    what that year already holds. Four queries."""
    order = order if order in BOARD_ORDERS else "score"
    envelope = BudgetEnvelope.objects.filter(fiscal_year=fiscal_year).first()
    committed, committed_count = committed_in(fiscal_year)
    queryset = (visible if visible is not None else Suggestion.objects.all()).filter(
        status__in=workflow.AWAITING_DECISION
    )
    queryset = (
        with_deadlines(queryset)
        .select_related("neighborhood", "lead_department")
        .prefetch_related(_current_opinions())
        .annotate(board_score=Coalesce(_mean_score(), "priority_score", output_field=DecimalField()))
    )
    if order == "cost":
        queryset = queryset.order_by(
            F("estimated_cost").asc(nulls_last=True), F("board_score").desc(nulls_last=True), "pk"
        )
    else:
        queryset = queryset.order_by(
            F("board_score").desc(nulls_last=True), F("estimated_cost").asc(nulls_last=True), "pk"
        )
    board = Board(
        fiscal_year=fiscal_year, order=order, envelope=envelope, committed=committed, committed_count=committed_count
    )
    running = 0
    for suggestion in queryset:
        running += suggestion.estimated_cost or 0
        with_committed = committed + running
        board.rows.append(
            BoardRow(
                suggestion=suggestion,
                score=suggestion.board_score,
                cost=suggestion.estimated_cost,
                running_total=running,
                with_committed=with_committed,
                remaining=None if envelope is None else envelope.amount - with_committed,
            )
        )
    return board


# --- The priority ranking ---------------------------------------------------------------


def priority_ranking(fiscal_year: int | None = None, *, visible: QuerySet | None = None) -> list[Suggestion]:
    """Selected, budgeted, in-progress and completed suggestions by the
    joint review's rank then score, each with its place (``rank``) in this
    list: two suggestions with the same rank and score share a place. With
    ``fiscal_year``: those budgeted that year and those selected but not
    budgeted yet."""
    queryset = (visible if visible is not None else Suggestion.objects.all()).filter(status__in=workflow.COMMITTED)
    if fiscal_year:
        queryset = queryset.filter(
            Q(budget_fiscal_year=fiscal_year) | Q(status=workflow.SELECTED, budget_fiscal_year__isnull=True)
        )
    rows = list(
        with_deadlines(queryset)
        .select_related("neighborhood", "lead_department")
        .order_by(F("priority_rank").asc(nulls_last=True), F("priority_score").desc(nulls_last=True), "pk")
    )
    for row, place in zip(rows, competition_ranks([(r.priority_rank, r.priority_score) for r in rows]), strict=True):
        row.rank = place
    return rows


def competition_ranks(keys: list) -> list[int]:
    """The place of each of ``keys`` (already in order): equal keys share a
    place and the next one skips as many ("1, 2, 2, 4"), as a city ranks
    suggestions the joint review scored the same."""
    places: list[int] = []
    for index, key in enumerate(keys):
        places.append(places[-1] if index and key == keys[index - 1] else index + 1)
    return places


# --- One neighborhood's card, and one suggestion ------------------------------------------


def _with_everything(queryset: QuerySet[Suggestion]) -> QuerySet[Suggestion]:
    return (
        with_deadlines(queryset)
        .select_related("neighborhood", "lead_department", "visit", "tour", *label_related("created_by"))
        .prefetch_related(
            Prefetch(
                "events",
                queryset=SuggestionEvent.objects.select_related(*label_related("actor")).order_by("created_at", "pk"),
            ),
            Prefetch(
                "opinions",
                queryset=JointReviewOpinion.objects.select_related(*label_related("author")).order_by(
                    "-review_round", "party"
                ),
            ),
            "photos",
            "co_departments",
        )
    )


@dataclass
class StaffCard:
    neighborhood: Neighborhood
    suggestions: list[Suggestion]
    by_status: dict[str, int]


def neighborhood_card_staff(code: str, *, visible: QuerySet | None = None) -> StaffCard:
    """A neighborhood's card with everything: its suggestions (those in
    ``visible``, every one by default) with their events, opinions, photos
    and departments. Raises ``Neighborhood.DoesNotExist``. Seven queries."""
    neighborhood = Neighborhood.objects.get(code=code)
    queryset = (visible if visible is not None else Suggestion.objects.all()).filter(neighborhood=neighborhood)
    suggestions = list(_with_everything(queryset).order_by("-created_at", "-pk"))
    by_status: dict[str, int] = {}
    for suggestion in suggestions:
        by_status[suggestion.status] = by_status.get(suggestion.status, 0) + 1
        suggestion.current_opinions = [
            o for o in suggestion.opinions.all() if o.review_round == suggestion.review_round
        ]
    return StaffCard(neighborhood, suggestions, by_status)


def suggestion_for_page(visible: QuerySet[Suggestion], pk: int) -> Suggestion:
    """One suggestion with everything its page shows; raises
    ``Suggestion.DoesNotExist`` if ``visible`` does not hold it."""
    suggestion = _with_everything(visible).get(pk=pk)
    opinions = list(suggestion.opinions.all())
    suggestion.current_opinions = [o for o in opinions if o.review_round == suggestion.review_round]
    suggestion.earlier_opinions = [o for o in opinions if o.review_round != suggestion.review_round]
    return suggestion
