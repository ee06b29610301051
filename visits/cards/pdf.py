"""The management cards as PDFs (through ``scheduling.pdf``): one
neighborhood's staff card, every neighborhood's card in one file (a celery
job with progress on ``CardBatch``), and the briefing an official reads
before a field visit.

Reads are a constant number of queries whatever the number of suggestions
(``card_data`` prefetches everything a card shows). The staff card holds
internal fields (department opinion, joint-review opinions, decision
reasons); it is never shown to the public. Contact details of residents are
left out of every PDF: a printed card travels.

Who sees what: the secretariat, budget & policy reviewers, officials and
superusers see every suggestion (``sees_all_suggestions``); a department's
staff get the same documents restricted to the suggestions their
department leads or co-leads.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from scheduling import pdf
from scheduling.dates import headcount, korean_date, local_date, local_when
from scheduling.dates import won as format_won
from scheduling.models import Neighborhood
from scheduling.permissions import user_roles
from visits.models import CardBatch, FieldVisit, JointReviewOpinion, Suggestion, SuggestionEvent

logger = logging.getLogger(__name__)

Status = Suggestion.Status

#: Statuses in the order of the workflow, for the counts on a card.
STATUS_ORDER = [
    Status.RECEIVED,
    Status.ASSIGNED,
    Status.JOINT_REVIEW,
    Status.SELECTED,
    Status.BUDGETED,
    Status.IN_PROGRESS,
    Status.COMPLETED,
    Status.LONG_TERM,
    Status.NOT_FEASIBLE,
]
#: Not decided yet: the briefing's "open suggestions".
UNDECIDED = frozenset({Status.RECEIVED, Status.ASSIGNED, Status.JOINT_REVIEW})
#: How many dated updates a card shows per suggestion (the newest).
UPDATES_SHOWN = 3
#: A batch still pending or running after this long is taken for dead and a
#: new request starts another.
BATCH_STALE_SECONDS = 3600
#: Publishing the job to the broker: a bounded retry, never a long wait.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


# --- Who sees what ----------------------------------------------------------------


def sees_all_suggestions(user) -> bool:
    """The secretariat, budget & policy, officials and superusers see every
    suggestion; a department's staff only their department's."""
    from scheduling import roles

    if not (user and getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.is_superuser:
        return True
    wanted = {roles.SECRETARIAT, roles.BUDGET_POLICY_REVIEWER, roles.OFFICIAL}
    return not user_roles(user).isdisjoint(wanted)


def department_scope(user) -> int | None:
    """``None`` when ``user`` sees everything, else the id of the department
    whose suggestions they see (0 when they belong to none: they see none)."""
    if sees_all_suggestions(user):
        return None
    profile = getattr(user, "staff_profile", None)
    return (profile.department_id if profile else None) or 0


# --- Reading a card --------------------------------------------------------------


def won(amount: int | None) -> str:
    return format_won(amount, empty="")


@dataclass
class CardLine:
    """One suggestion as a card shows it."""

    number: int
    suggestion: Suggestion
    co_departments: list[str]
    opinions: list[JointReviewOpinion]
    updates: list[SuggestionEvent]
    photo_count: int

    @property
    def heard_at(self) -> str:
        s = self.suggestion
        if s.visit_id and s.visit is not None:
            return f"{s.get_source_display()} {korean_date(timezone.localtime(s.visit.start).date())}"
        if s.tour_id and s.tour is not None:
            return f"{s.get_source_display()}: {s.tour.title}"
        if s.meeting_reference:
            return f"{s.get_source_display()} {s.meeting_reference}"
        return s.get_source_display()

    @property
    def estimated_cost(self) -> str:
        return won(self.suggestion.estimated_cost)

    @property
    def dated_updates(self) -> list[tuple[str, SuggestionEvent]]:
        """The latest updates with their dates as the city writes them."""
        return [(local_date(event.happened_on) if event.happened_on else "", event) for event in self.updates]

    @property
    def budget(self) -> str:
        s = self.suggestion
        if not s.budget_fiscal_year:
            return ""
        parts = [_("FY %(year)s") % {"year": s.budget_fiscal_year}]
        if s.budget_amount is not None:
            parts.append(won(s.budget_amount))
        if s.budget_line:
            parts.append(s.budget_line)
        return " · ".join(parts)

    @property
    def decision(self) -> str:
        s = self.suggestion
        parts = []
        if s.priority_rank:
            parts.append(_("rank %(rank)s") % {"rank": s.priority_rank})
        if s.priority_score is not None:
            parts.append(_("score %(score)s") % {"score": s.priority_score})
        return " · ".join(parts)

    @property
    def completed_on(self) -> str:
        return korean_date(self.suggestion.completed_on) if self.suggestion.completed_on else ""

    @property
    def first_answer_due(self) -> str:
        s = self.suggestion
        return korean_date(s.first_answer_due) if s.first_answer_due and not s.first_answered_at else ""


@dataclass
class Card:
    """A neighborhood's card: its flags, its last visit and its suggestions."""

    neighborhood: Neighborhood
    last_visit: FieldVisit | None
    lines: list[CardLine] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[str, int]]:
        counter = Counter(line.suggestion.status for line in self.lines)
        return [(Status(status).label, counter[status]) for status in STATUS_ORDER if counter[status]]

    @property
    def population_text(self) -> str:
        """ "26,880명" """
        return headcount(self.neighborhood.population)

    @property
    def last_visit_when(self) -> str:
        if self.last_visit is not None:
            return korean_date(timezone.localtime(self.last_visit.start).date())
        if self.neighborhood.last_visited_on:
            return korean_date(self.neighborhood.last_visited_on)
        return ""

    @property
    def open_lines(self) -> list[CardLine]:
        return [line for line in self.lines if line.suggestion.status in UNDECIDED]

    @property
    def decided_lines(self) -> list[CardLine]:
        order = {status: index for index, status in enumerate(STATUS_ORDER)}
        decided = [line for line in self.lines if line.suggestion.status not in UNDECIDED]
        return sorted(decided, key=lambda line: (order[line.suggestion.status], line.number))


def _suggestions(neighborhood_ids: list[int], department_id: int | None) -> QuerySet[Suggestion]:
    queryset = (
        Suggestion.objects.filter(neighborhood_id__in=neighborhood_ids)
        .select_related("lead_department", "visit", "tour")
        .prefetch_related(
            Prefetch("co_departments"),
            Prefetch(
                "events",
                queryset=SuggestionEvent.objects.filter(kind=SuggestionEvent.Kind.PROGRESS).order_by(
                    "-happened_on", "-created_at", "-pk"
                ),
                to_attr="progress_events",
            ),
            Prefetch("opinions", queryset=JointReviewOpinion.objects.order_by("party"), to_attr="all_opinions"),
        )
        .annotate(photo_count=Count("photos"))
        .order_by("neighborhood_id", "created_at", "pk")
    )
    if department_id is not None:
        co_led = Suggestion.co_departments.through.objects.filter(department_id=department_id)
        queryset = queryset.filter(Q(lead_department_id=department_id) | Q(pk__in=co_led.values("suggestion_id")))
    return queryset


def _line(number: int, suggestion: Suggestion) -> CardLine:
    return CardLine(
        number=number,
        suggestion=suggestion,
        co_departments=[d.name for d in suggestion.co_departments.all()],
        opinions=[o for o in suggestion.all_opinions if o.review_round == suggestion.review_round],
        updates=suggestion.progress_events[:UPDATES_SHOWN],
        photo_count=suggestion.photo_count,
    )


def card_data(neighborhoods: list[Neighborhood], *, department_id: int | None = None) -> list[Card]:
    """The cards of ``neighborhoods``, in their order, in a fixed number of
    queries. ``department_id`` restricts them to that department's
    suggestions (lead or co-department)."""
    ids = [n.pk for n in neighborhoods]
    last_visits: dict[int, FieldVisit] = {}
    held = (
        FieldVisit.objects.filter(neighborhood_id__in=ids, status=FieldVisit.Status.HELD)
        .select_related("official")
        .order_by("neighborhood_id", "-start")
    )
    for visit in held:
        last_visits.setdefault(visit.neighborhood_id, visit)
    cards = {n.pk: Card(neighborhood=n, last_visit=last_visits.get(n.pk)) for n in neighborhoods}
    for suggestion in _suggestions(ids, department_id):
        card = cards[suggestion.neighborhood_id]
        card.lines.append(_line(len(card.lines) + 1, suggestion))
    return [cards[n.pk] for n in neighborhoods]


def card_title(neighborhood: Neighborhood) -> str:
    return _("%(name)s management card") % {"name": neighborhood.name}


def card_pdf_render(*, neighborhood: Neighborhood, department_id: int | None = None, request=None) -> bytes:
    """The staff card of ``neighborhood`` as a PDF (everything, internal
    opinions too; ``department_id`` restricts it to one department's)."""
    (card,) = card_data([neighborhood], department_id=department_id)
    return pdf.render_pdf("visits/cards/card_pdf.html", _card_context(card, department_id), request=request)


def _card_context(card: Card, department_id: int | None) -> dict:
    return {"card": card, "title": card_title(card.neighborhood), "restricted": department_id is not None}


# --- Every card in one file ---------------------------------------------------------


def all_cards_title() -> str:
    """The all-cards file's title (its PDF title and download name)."""
    return _("All management cards")


def card_batch_start(*, actor) -> CardBatch:
    """Ask for the PDF of every neighborhood's card; the celery task builds
    it after the commit. A batch already waiting or building (and not
    stale) is returned instead of starting a second one."""
    with transaction.atomic():
        recent = timezone.now() - dt.timedelta(seconds=BATCH_STALE_SECONDS)
        running = (
            CardBatch.objects.select_for_update()
            .filter(status__in=[CardBatch.Status.PENDING, CardBatch.Status.RUNNING], created_at__gte=recent)
            .first()
        )
        if running is not None:
            return running
        batch = CardBatch.objects.create(
            total=Neighborhood.objects.count(),
            requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        batch_id = batch.pk
        transaction.on_commit(lambda: _enqueue(batch_id))
    return batch


def _enqueue(batch_id: int) -> None:
    """Hand the batch to celery (after the commit). Never raises: with the
    broker down the batch is marked failed and the page says so."""
    from visits.tasks import build_all_cards

    try:
        build_all_cards.apply_async((batch_id,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as error:  # kombu and redis raise many kinds; none may fail the request
        if build_all_cards.app.conf.task_always_eager:  # the build itself raised; its row says why
            logger.exception("all-cards batch %s failed", batch_id)
            return
        logger.warning("broker unavailable (%s); all-cards batch %s not started", error, batch_id)
        CardBatch.objects.filter(pk=batch_id, status=CardBatch.Status.PENDING).update(
            status=CardBatch.Status.FAILED,
            error=_("The job queue is not available; try again in a few minutes.")[:300],
            finished_at=timezone.now(),
        )


def all_cards_build(*, batch_id: int) -> None:
    """Build the PDF of every neighborhood's card, in order, counting
    ``done`` on the batch row after each card so the page shows progress;
    save it to ``CardBatch.pdf``. Running it again is safe: a finished or
    failed batch is left as it is; a batch left "running" by a dead worker
    is built again from the start."""
    claimed = CardBatch.objects.filter(
        pk=batch_id, status__in=[CardBatch.Status.PENDING, CardBatch.Status.RUNNING]
    ).update(status=CardBatch.Status.RUNNING, done=0, error="")
    if not claimed:
        logger.info("all-cards batch %s is already finished (or gone)", batch_id)
        return
    rows = CardBatch.objects.filter(pk=batch_id)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            neighborhoods = list(Neighborhood.objects.all())
            rows.update(total=len(neighborhoods))
            if not neighborhoods:
                raise ValueError(_("There are no neighborhoods yet."))
            documents = []
            for done, card in enumerate(card_data(neighborhoods), start=1):
                documents.append(pdf.render_document("visits/cards/card_pdf.html", _card_context(card, None)))
                rows.update(done=done)
            data = pdf.join_documents(documents, title=f"{all_cards_title()} | {settings.CITY_NAME}")
            batch = rows.get()
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            batch.pdf.save(f"all-cards-{stamp}-{batch_id}.pdf", ContentFile(data), save=False)
            rows.update(
                pdf=batch.pdf.name, status=CardBatch.Status.DONE, done=len(neighborhoods), finished_at=timezone.now()
            )
    except Exception as error:
        logger.exception("all-cards batch %s failed", batch_id)
        message = _("The PDF could not be built: %(error)s") % {"error": str(error) or type(error).__name__}
        rows.update(status=CardBatch.Status.FAILED, error=message[:300], finished_at=timezone.now())


# --- The visit briefing -----------------------------------------------------------------


def last_held_visit(visit: FieldVisit) -> FieldVisit | None:
    """The neighborhood's last visit held before ``visit``."""
    return (
        FieldVisit.objects.filter(
            neighborhood_id=visit.neighborhood_id, status=FieldVisit.Status.HELD, start__lt=visit.start
        )
        .exclude(pk=visit.pk)
        .select_related("official")
        .order_by("-start")
        .first()
    )


def briefing_title(visit: FieldVisit) -> str:
    return _("Visit briefing: %(name)s") % {"name": visit.neighborhood.name}


def visit_briefing_render(*, visit: FieldVisit, department_id: int | None = None, request=None) -> bytes:
    """Before a field visit, the official's briefing: the neighborhood's
    open suggestions, what was decided, and what the last visit heard."""
    visit = (
        FieldVisit.objects.select_related("neighborhood", "official")
        .prefetch_related("officials", "departments")
        .get(pk=visit.pk)
    )
    (card,) = card_data([visit.neighborhood], department_id=department_id)
    previous = last_held_visit(visit)
    heard_before = [line for line in card.lines if previous is not None and line.suggestion.visit_id == previous.pk]
    start, end = timezone.localtime(visit.start), timezone.localtime(visit.end)
    context = {
        "visit": visit,
        "card": card,
        "title": briefing_title(visit),
        "when": f"{local_when(start)}–{end:%H:%M}",
        "previous": previous,
        "previous_when": local_when(previous.start, with_time=False) if previous else "",
        "heard_before": heard_before,
        "restricted": department_id is not None,
    }
    return pdf.render_pdf("visits/cards/briefing_pdf.html", context, request=request)
