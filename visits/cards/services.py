"""Writes for the neighborhood management card (동 관리카드): recording a
suggestion and moving it along ``visits.cards.workflow`` from received to
done.

Every move locks the suggestion's row and checks the transition against
the status it finds there, so of two simultaneous moves one wins and the
other gets a clear Korean message. Every move, opinion and progress update
is a ``SuggestionEvent``; residents who left a contact are told of each
public status change through the outbox (``visits.cards.notifications``),
in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduling.categories import Category
from scheduling.clock import answer_due, years_before
from scheduling.errors import TongtongError
from scheduling.models import Department, Neighborhood
from scheduling.permissions import user_roles
from scheduling.phones import InvalidPhoneNumber, normalize_mobile
from scheduling.workdays import working_calendar
from visits.cards import notifications as card_notifications
from visits.cards import workflow
from visits.models import (
    FieldVisit,
    JointReviewOpinion,
    Suggestion,
    SuggestionEvent,
    SuggestionPhoto,
    ThemedTour,
)

Status = Suggestion.Status
Party = JointReviewOpinion.Party
Recommendation = JointReviewOpinion.Recommendation


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Who is acting ----------------------------------------------------------------


def actor_roles(user, suggestion: Suggestion) -> frozenset[str]:
    """The workflow roles (``card_workflow.SECRETARIAT`` …) ``user`` holds
    for ``suggestion``: the secretariat by role, budget & policy by role, the
    lead department by working there. A superuser holds them all."""
    from scheduling import roles

    if not (user and getattr(user, "is_authenticated", False) and user.is_active):
        return frozenset()
    if user.is_superuser:
        return frozenset({workflow.SECRETARIAT, workflow.BUDGET_POLICY, workflow.LEAD_DEPARTMENT})
    groups = user_roles(user)
    held = set()
    if roles.SECRETARIAT in groups:
        held.add(workflow.SECRETARIAT)
    if roles.BUDGET_POLICY_REVIEWER in groups:
        held.add(workflow.BUDGET_POLICY)
    department_id = user_department_id(user)
    if department_id and department_id == suggestion.lead_department_id:
        held.add(workflow.LEAD_DEPARTMENT)
    return frozenset(held)


def user_department_id(user) -> int | None:
    profile = getattr(user, "staff_profile", None)
    return profile.department_id if profile else None


def opinion_parties(user, suggestion: Suggestion) -> list[str]:
    """Which joint-review opinions ``user`` may write on ``suggestion``: the
    budget & legal department's staff write its opinion, the policy
    officer's staff theirs, the lead department's staff the department's."""
    if not (user and getattr(user, "is_authenticated", False)):
        return []
    if user.is_superuser:
        return list(Party.values)
    parties = []
    department = getattr(getattr(user, "staff_profile", None), "department", None)
    if department is not None:
        if department.kind == Department.Kind.BUDGET_LEGAL:
            parties.append(Party.BUDGET_LEGAL)
        elif department.kind == Department.Kind.POLICY_OFFICER:
            parties.append(Party.POLICY_OFFICER)
        if department.pk == suggestion.lead_department_id:
            parties.append(Party.LEAD_DEPARTMENT)
    return parties


# --- Recording ------------------------------------------------------------------


def _clean_contact(*, phone: str, email: str, consent: bool) -> tuple[str, str, dt.datetime | None]:
    phone = (phone or "").strip()
    email = (email or "").strip()
    if not (phone or email):
        return "", "", None
    if not consent:
        raise TongtongError(_("To be told how the suggestion goes, the resident must agree to the use of the contact."))
    if phone:
        try:
            phone = normalize_mobile(phone)
        except InvalidPhoneNumber as error:
            raise TongtongError(_("Enter a mobile number such as 010-1234-5678.")) from error
    return phone, email, timezone.now()


def _check_coordinates(latitude, longitude) -> None:
    if (latitude is None) != (longitude is None):
        raise TongtongError(_("Give both latitude and longitude, or neither."))


@transaction.atomic
def suggestion_record(
    *,
    neighborhood: Neighborhood,
    source: str,
    visit: FieldVisit | None = None,
    tour: ThemedTour | None = None,
    meeting_reference: str = "",
    title: str,
    description: str = "",
    category: str,
    raised_by: str = "",
    location_text: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    estimated_cost: int | None = None,
    lead_department: Department | None = None,
    co_departments: Iterable[Department] = (),
    contact_phone: str = "",
    contact_email: str = "",
    contact_consent: bool = False,
    actor,
) -> Suggestion:
    """Record something residents asked for: the one way a suggestion is
    created (visit records, tours, meeting outcomes and the card pages call
    it). With a lead department it is assigned at once."""
    title = (title or "").strip()
    if not title:
        raise TongtongError(_("Give the suggestion a title."))
    if neighborhood is None:
        raise TongtongError(_("Choose the neighborhood the suggestion is about."))
    if source not in Suggestion.Source.values:
        raise TongtongError(_("Choose where the suggestion was heard."))
    if category not in Category.values:
        raise TongtongError(_("Choose a category for the suggestion."))
    _check_coordinates(latitude, longitude)
    phone, email, consent_at = _clean_contact(phone=contact_phone, email=contact_email, consent=contact_consent)
    suggestion = Suggestion(
        neighborhood=neighborhood,
        source=source,
        visit=visit,
        tour=tour,
        meeting_reference=(meeting_reference or "").strip()[:20],
        title=title[:150],
        description=(description or "").strip(),
        category=category,
        raised_by=(raised_by or "").strip(),
        location_text=(location_text or "").strip(),
        latitude=latitude,
        longitude=longitude,
        estimated_cost=estimated_cost,
        contact_phone=phone,
        contact_email=email,
        contact_consent_at=consent_at,
        created_by=_user(actor),
    )
    _full_clean(suggestion)
    suggestion.save()
    co = [d for d in co_departments if d != lead_department]
    if co:
        suggestion.co_departments.set(co)
    _event(suggestion, SuggestionEvent.Kind.CREATED, actor, to_status=Status.RECEIVED)
    if lead_department is not None:
        _assign(suggestion, lead_department=lead_department, actor=actor, note="", check_actor=False)
    return suggestion


def _full_clean(suggestion: Suggestion) -> None:
    try:
        suggestion.full_clean(exclude=["co_departments"])
    except ValidationError as error:
        messages = [m for field_messages in error.message_dict.values() for m in field_messages]
        raise TongtongError(messages[0], errors=messages) from error


@transaction.atomic
def suggestion_details_update(
    *,
    suggestion: Suggestion,
    actor,
    title: str,
    description: str,
    category: str,
    raised_by: str = "",
    location_text: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    estimated_cost: int | None = None,
    co_departments: Iterable[Department] | None = None,
    public_answer: str | None = None,
) -> Suggestion:
    """Correct what was recorded (the secretariat, budget & policy, or the
    lead department)."""
    suggestion = _locked(suggestion)
    if not (actor_roles(actor, suggestion) & {workflow.SECRETARIAT, workflow.BUDGET_POLICY, workflow.LEAD_DEPARTMENT}):
        raise PermissionDenied
    title = (title or "").strip()
    if not title:
        raise TongtongError(_("Give the suggestion a title."))
    if category not in Category.values:
        raise TongtongError(_("Choose a category for the suggestion."))
    _check_coordinates(latitude, longitude)
    suggestion.title = title[:150]
    suggestion.description = (description or "").strip()
    suggestion.category = category
    suggestion.raised_by = (raised_by or "").strip()
    suggestion.location_text = (location_text or "").strip()
    suggestion.latitude, suggestion.longitude = latitude, longitude
    suggestion.estimated_cost = estimated_cost
    if public_answer is not None:
        suggestion.public_answer = public_answer.strip()
    suggestion.last_activity_at = timezone.now()
    _full_clean(suggestion)
    suggestion.save()
    if co_departments is not None:
        suggestion.co_departments.set([d for d in co_departments if d.pk != suggestion.lead_department_id])
    _event(suggestion, SuggestionEvent.Kind.EDITED, actor)
    return suggestion


# --- Moving along the workflow ---------------------------------------------------------


def _locked(suggestion: Suggestion) -> Suggestion:
    """The suggestion's row, locked until the transaction ends; the status
    read here is the one every check uses (another move may have happened
    since the page was shown)."""
    return Suggestion.objects.select_for_update(of=("self",)).select_related("lead_department").get(pk=suggestion.pk)


def _transition(suggestion: Suggestion, action: str, actor, *, check_actor: bool = True) -> workflow.Transition:
    transition = workflow.find(action, suggestion.status)
    if transition is None:
        label = next((t.label for t in workflow.BY_ACTION.get(action, ())), action)
        raise TongtongError(
            _("“%(action)s” is not possible while the suggestion is “%(status)s”. Reload the page to see what changed.")
            % {"action": label, "status": suggestion.get_status_display()}
        )
    if check_actor and not (transition.actors & actor_roles(actor, suggestion)):
        raise PermissionDenied
    return transition


def _event(suggestion, kind, actor, *, from_status="", to_status="", note="", public_note="", **extra):
    return SuggestionEvent.objects.create(
        suggestion=suggestion,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=(note or "").strip(),
        public_note=(public_note or "").strip(),
        actor=_user(actor),
        **extra,
    )


def _move(
    suggestion: Suggestion, transition: workflow.Transition, actor, *, note="", public_note=""
) -> SuggestionEvent:
    """Save ``suggestion`` (already changed by the caller) in its new status,
    record the move and tell the resident if the public status changed."""
    from_status = suggestion.status
    suggestion.status = transition.target
    suggestion.last_activity_at = timezone.now()
    _full_clean(suggestion)
    suggestion.save()
    event = _event(
        suggestion,
        SuggestionEvent.Kind.TRANSITION,
        actor,
        from_status=from_status,
        to_status=transition.target,
        note=note,
        public_note=public_note,
    )
    if from_status != transition.target and transition.target in workflow.PUBLIC_STATUSES:
        card_notifications.tell_resident_of_status(suggestion, event)
    return event


def first_answer_due_for(assigned_at: dt.datetime) -> dt.date:
    """The day the lead department's first answer is due: the configured
    number of working days, counted as for meeting requests (the day of
    assignment counts; weekends, holidays and closures do not)."""
    days = settings.SUGGESTION_FIRST_ANSWER_DAYS
    start = timezone.localdate(assigned_at)
    calendar = working_calendar(start, start + dt.timedelta(days=days * 3 + 30))
    return timezone.localtime(answer_due(assigned_at, days, calendar=calendar)).date()


def _assign(suggestion, *, lead_department, actor, note, check_actor=True):
    action = "reassign" if suggestion.status == Status.ASSIGNED else "assign"
    transition = _transition(suggestion, action, actor, check_actor=check_actor)
    if lead_department is None:
        raise TongtongError(_("Choose the lead department."))
    if action == "reassign" and lead_department.pk == suggestion.lead_department_id:
        raise TongtongError(_("The suggestion is already with this department."))
    suggestion.lead_department = lead_department
    suggestion.first_answer_due = first_answer_due_for(timezone.now())
    suggestion.co_departments.remove(lead_department)
    return _move(suggestion, transition, actor, note=note)


@transaction.atomic
def suggestion_assign(*, suggestion: Suggestion, lead_department: Department, actor, note: str = "") -> Suggestion:
    """Give the suggestion to a lead department (or hand it to another one
    before it has answered); its first answer is due in
    SUGGESTION_FIRST_ANSWER_DAYS working days."""
    suggestion = _locked(suggestion)
    _assign(suggestion, lead_department=lead_department, actor=actor, note=note)
    return suggestion


@transaction.atomic
def suggestion_department_review(
    *,
    suggestion: Suggestion,
    actor,
    feasibility: str,
    opinion: str,
    estimated_cost: int | None = None,
    estimated_period: str = "",
    public_answer: str = "",
) -> Suggestion:
    """The lead department's review (its first answer): feasibility, cost,
    period and opinion; the suggestion goes to joint review."""
    suggestion = _locked(suggestion)
    transition = _transition(suggestion, "review", actor)
    if feasibility not in Suggestion.Feasibility.values:
        raise TongtongError(_("Say whether it is feasible."))
    if not (opinion or "").strip():
        raise TongtongError(_("Write the department's opinion."))
    suggestion.feasibility = feasibility
    suggestion.department_opinion = opinion.strip()
    suggestion.estimated_cost = estimated_cost
    suggestion.estimated_period = (estimated_period or "").strip()
    if public_answer.strip():
        suggestion.public_answer = public_answer.strip()
    if suggestion.first_answered_at is None:
        suggestion.first_answered_at = timezone.now()
    suggestion.review_round += 1
    _move(suggestion, transition, actor, public_note=public_answer)
    return suggestion


@transaction.atomic
def suggestion_opinion_record(
    *,
    suggestion: Suggestion,
    actor,
    party: str,
    recommendation: str,
    opinion: str,
    score: Decimal | None = None,
) -> JointReviewOpinion:
    """One party's opinion in this round of the joint review; writing again
    replaces that party's opinion of the round."""
    suggestion = _locked(suggestion)
    if suggestion.status != Status.JOINT_REVIEW:
        raise TongtongError(
            _("Opinions are written while the suggestion is in joint review; it is now “%(status)s”.")
            % {"status": suggestion.get_status_display()}
        )
    if party not in opinion_parties(actor, suggestion):
        raise PermissionDenied
    if recommendation not in Recommendation.values:
        raise TongtongError(_("Choose a recommendation."))
    if not (opinion or "").strip():
        raise TongtongError(_("Write the opinion."))
    if score is not None and not (0 <= score <= 100):
        raise TongtongError(_("A score is between 0 and 100."))
    written, _created = JointReviewOpinion.objects.update_or_create(
        suggestion=suggestion,
        review_round=suggestion.review_round,
        party=party,
        defaults={
            "recommendation": recommendation,
            "opinion": opinion.strip(),
            "score": score,
            "author": _user(actor),
            "written_at": timezone.now(),
        },
    )
    suggestion.last_activity_at = timezone.now()
    suggestion.save(update_fields=["last_activity_at", "updated_at"])
    _event(
        suggestion,
        SuggestionEvent.Kind.OPINION,
        actor,
        note=f"{JointReviewOpinion.Party(party).label}: {JointReviewOpinion.Recommendation(recommendation).label}",
    )
    return written


def missing_opinions(suggestion: Suggestion) -> list[str]:
    """The parties whose opinion of the current round is still missing."""
    written = set(
        JointReviewOpinion.objects.filter(suggestion=suggestion, review_round=suggestion.review_round).values_list(
            "party", flat=True
        )
    )
    return [party for party in Party.values if party not in written]


@transaction.atomic
def suggestion_decide(
    *,
    suggestion: Suggestion,
    actor,
    decision: str,
    reason: str = "",
    public_answer: str = "",
    priority_score: Decimal | None = None,
    priority_rank: int | None = None,
) -> Suggestion:
    """The joint review's decision: ``select`` (with a priority score, and a
    rank or the next free one), ``long_term``, or ``reject`` (not feasible,
    with a reason). All three parties must have written their opinion."""
    suggestion = _locked(suggestion)
    if decision not in ("select", "long_term", "reject"):
        raise TongtongError(_("Choose a decision."))
    transition = _transition(suggestion, decision, actor)
    missing = missing_opinions(suggestion)
    if missing:
        raise TongtongError(
            _("The joint review needs every opinion first; missing: %(parties)s.")
            % {"parties": ", ".join(str(Party(p).label) for p in missing)}
        )
    reason = (reason or "").strip()
    if decision == "reject" and not reason:
        raise TongtongError(_("Give the reason why it is not feasible; residents will read it."))
    if decision == "select":
        if priority_score is None:
            raise TongtongError(_("Give the priority score (0–100)."))
        if not (0 <= priority_score <= 100):
            raise TongtongError(_("A score is between 0 and 100."))
        if priority_rank is not None and priority_rank < 1:
            raise TongtongError(_("A priority rank starts at 1."))
        if priority_rank is None:
            # The next place after every suggestion still to be done: counting
            # only "selected" ones restarted at 1 as soon as the others were
            # budgeted, so every suggestion came out first.
            queue = (Status.SELECTED, Status.BUDGETED, Status.IN_PROGRESS)
            highest = Suggestion.objects.filter(status__in=queue).aggregate(m=Max("priority_rank"))["m"]
            priority_rank = (highest or 0) + 1
        suggestion.priority_score = priority_score
        suggestion.priority_rank = priority_rank
    suggestion.decision_reason = reason
    public_answer = (public_answer or "").strip() or (reason if decision == "reject" else "")
    if public_answer:
        suggestion.public_answer = public_answer
    _move(suggestion, transition, actor, note=reason, public_note=public_answer)
    return suggestion


@transaction.atomic
def suggestion_rereview(*, suggestion: Suggestion, actor, note: str = "") -> Suggestion:
    """A long-term suggestion returns to joint review (a new round)."""
    suggestion = _locked(suggestion)
    transition = _transition(suggestion, "rereview", actor)
    suggestion.review_round += 1
    _move(suggestion, transition, actor, note=note)
    return suggestion


@transaction.atomic
def suggestion_postpone(*, suggestion: Suggestion, actor, reason: str, public_answer: str = "") -> Suggestion:
    """A selected suggestion finds no budget this year: long-term review."""
    suggestion = _locked(suggestion)
    transition = _transition(suggestion, "postpone", actor)
    if not (reason or "").strip():
        raise TongtongError(_("Give the reason."))
    suggestion.decision_reason = reason.strip()
    if public_answer.strip():
        suggestion.public_answer = public_answer.strip()
    _move(suggestion, transition, actor, note=reason, public_note=public_answer)
    return suggestion


@transaction.atomic
def suggestion_budget(
    *, suggestion: Suggestion, actor, fiscal_year: int, amount: int, budget_line: str, public_note: str = ""
) -> Suggestion:
    """Reflect a selected suggestion in a fiscal year's budget."""
    suggestion = _locked(suggestion)
    transition = _transition(suggestion, "budget", actor)
    this_year = timezone.localdate().year
    if not fiscal_year or not (this_year - 1 <= fiscal_year <= this_year + 5):
        raise TongtongError(
            _("Give a fiscal year between %(low)s and %(high)s.") % {"low": this_year - 1, "high": this_year + 5}
        )
    if amount is None or amount <= 0:
        raise TongtongError(_("Give the budget amount in won."))
    if not (budget_line or "").strip():
        raise TongtongError(_("Give the budget line."))
    suggestion.budget_fiscal_year = fiscal_year
    suggestion.budget_amount = amount
    suggestion.budget_line = budget_line.strip()
    _move(suggestion, transition, actor, public_note=public_note)
    return suggestion


@transaction.atomic
def suggestion_start(*, suggestion: Suggestion, actor, public_note: str = "") -> Suggestion:
    """The lead department starts the works."""
    suggestion = _locked(suggestion)
    transition = _transition(suggestion, "start", actor)
    _move(suggestion, transition, actor, public_note=public_note)
    return suggestion


@transaction.atomic
def suggestion_progress(
    *,
    suggestion: Suggestion,
    actor,
    progress: int,
    public_note: str,
    note: str = "",
    happened_on: dt.date | None = None,
) -> SuggestionEvent:
    """A dated progress update while the works are in progress."""
    suggestion = _locked(suggestion)
    if suggestion.status != Status.IN_PROGRESS:
        raise TongtongError(
            _("Progress is posted while the works are in progress; the suggestion is now “%(status)s”.")
            % {"status": suggestion.get_status_display()}
        )
    if workflow.LEAD_DEPARTMENT not in actor_roles(actor, suggestion):
        raise PermissionDenied
    if progress is None or not (0 <= progress <= 100):
        raise TongtongError(_("Progress is a percentage between 0 and 100."))
    if not (public_note or "").strip():
        raise TongtongError(_("Say in a sentence what was done."))
    happened_on = happened_on or timezone.localdate()
    if happened_on > timezone.localdate():
        raise TongtongError(_("A progress update cannot be dated in the future."))
    suggestion.progress = progress
    suggestion.last_activity_at = timezone.now()
    suggestion.save(update_fields=["progress", "last_activity_at", "updated_at"])
    return _event(
        suggestion,
        SuggestionEvent.Kind.PROGRESS,
        actor,
        progress=progress,
        happened_on=happened_on,
        note=note,
        public_note=public_note,
    )


@transaction.atomic
def suggestion_complete(
    *,
    suggestion: Suggestion,
    actor,
    completed_on: dt.date,
    result: str,
    photo=None,
) -> Suggestion:
    """Record the finished works (date, result, optionally a photo); the
    resident who left a contact is asked whether it is resolved."""
    suggestion = _locked(suggestion)
    transition = _transition(suggestion, "complete", actor)
    if completed_on is None:
        raise TongtongError(_("Give the day the works were completed."))
    if completed_on > timezone.localdate():
        raise TongtongError(_("The completion date cannot be in the future."))
    if not (result or "").strip():
        raise TongtongError(_("Describe the result for residents."))
    if photo is not None:
        _photo_save(suggestion, photo, caption=_("Result"), is_result=True, actor=actor)
    suggestion.completed_on = completed_on
    suggestion.result = result.strip()
    suggestion.progress = 100
    suggestion.resolved_answer = ""
    suggestion.resolved_comment = ""
    suggestion.resolved_answered_at = None
    _move(suggestion, transition, actor, public_note=result)
    card_notifications.ask_if_resolved(suggestion)
    return suggestion


@transaction.atomic
def suggestion_reopen(*, suggestion: Suggestion, actor, reason: str) -> Suggestion:
    """Reopen completed works for the lead department (the secretariat, e.g.
    after a phone call)."""
    suggestion = _locked(suggestion)
    transition = _transition(suggestion, "reopen", actor)
    if not (reason or "").strip():
        raise TongtongError(_("Give the reason for reopening."))
    _reopen(suggestion, transition, actor, reason)
    return suggestion


def _reopen(suggestion, transition, actor, reason):
    suggestion.completed_on = None
    suggestion.progress = min(suggestion.progress, 90)
    _move(suggestion, transition, actor, note=reason)
    card_notifications.tell_department_of_reopening(suggestion, reason)


@transaction.atomic
def suggestion_resident_answer(*, suggestion: Suggestion, resolved: bool, comment: str = "") -> Suggestion:
    """The resident's answer to "is it resolved?"; it stays on the card. A
    "not resolved" reopens the works for the lead department. Only the
    first answer to each completion counts."""
    suggestion = _locked(suggestion)
    if suggestion.status != Status.COMPLETED:
        raise TongtongError(_("This suggestion is not waiting for your answer any more."))
    if suggestion.resolved_answer:
        raise TongtongError(_("Your answer was already recorded. Thank you."))
    comment = (comment or "").strip()[:1000]
    suggestion.resolved_answer = Suggestion.Resolved.YES if resolved else Suggestion.Resolved.NO
    suggestion.resolved_comment = comment
    suggestion.resolved_answered_at = timezone.now()
    suggestion.save(update_fields=["resolved_answer", "resolved_comment", "resolved_answered_at", "updated_at"])
    _event(
        suggestion,
        SuggestionEvent.Kind.RESIDENT_ANSWER,
        None,
        note=comment,
        public_note=str(Suggestion.Resolved(suggestion.resolved_answer).label),
    )
    if not resolved:
        transition = _transition(suggestion, "reopen", None, check_actor=False)
        _reopen(
            suggestion,
            transition,
            None,
            _("The resident answered that it is not resolved: %(comment)s") % {"comment": comment or "-"},
        )
    return suggestion


# --- Photos ---------------------------------------------------------------------


def _photo_save(suggestion, upload, *, caption, is_result, actor) -> SuggestionPhoto:
    from visits.records.services import MAX_PHOTOS, photo_clean

    if suggestion.photos.count() >= MAX_PHOTOS:
        raise TongtongError(_("At most %(count)s photos.") % {"count": MAX_PHOTOS})
    data, extension = photo_clean(upload)
    photo = SuggestionPhoto(
        suggestion=suggestion, caption=(caption or "")[:200], is_result=is_result, uploaded_by=_user(actor)
    )
    # The stored name gets its random token from the field (private files).
    photo.image.save(f"suggestion-{suggestion.pk}.{extension}", ContentFile(data), save=False)
    photo.save()
    return photo


@transaction.atomic
def suggestion_photo_add(*, suggestion: Suggestion, upload, caption: str = "", actor) -> SuggestionPhoto:
    """A photo of the place (stored without its location metadata)."""
    suggestion = _locked(suggestion)
    if not (actor_roles(actor, suggestion) & {workflow.SECRETARIAT, workflow.BUDGET_POLICY, workflow.LEAD_DEPARTMENT}):
        raise PermissionDenied
    return _photo_save(suggestion, upload, caption=caption, is_result=False, actor=actor)


# --- Deadlines ------------------------------------------------------------------


def stale_before(now: dt.datetime | None = None) -> dt.datetime:
    """Suggestions with no activity since this moment are overdue."""
    return (now or timezone.now()) - dt.timedelta(days=settings.SUGGESTION_STALE_DAYS)


# --- Retention --------------------------------------------------------------------


#: Why the purge's own history row was written.
CONTACT_PURGE_REASON = "retention purge"


def suggestion_contacts_purge(*, now: dt.datetime | None = None, batch_size: int = 200) -> int:
    """Remove the resident's contact from suggestions closed (completed or
    not feasible) ``MEETING_RETENTION_YEARS`` ago or more, as the consent
    text says (celery beat, daily: ``visits.purge_contacts``).

    Closed means the last activity (``last_activity_at``: the closing move,
    or anything later) is that old; a reopened suggestion is open again and
    keeps its contact. Gone: the mobile number, e-mail and consent, the
    resident's comment on the result, in the row and in every historical
    row of it; the notes that quote the resident (their answer, the
    reopening it caused); the suggestion's messages' text, and their
    recipient where it was the resident. The suggestion itself, its events
    and its statistics stay. Idempotent (``contact_purged_at``); returns
    how many suggestions were purged."""
    from django.db.models import Q

    from visits.models import SuggestionNotification

    now = now or timezone.now()
    cutoff = years_before(now, settings.MEETING_RETENTION_YEARS)
    holds_contact = (
        ~Q(contact_phone="") | ~Q(contact_email="") | Q(contact_consent_at__isnull=False) | ~Q(resolved_comment="")
    )
    historical = Suggestion.audit_history.model
    purged = 0
    while True:
        with transaction.atomic():
            due = list(
                Suggestion.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(holds_contact, status__in=workflow.CLOSED, last_activity_at__lte=cutoff)
                .filter(contact_purged_at__isnull=True)
                .order_by("pk")[:batch_size]
            )
            for suggestion in due:
                contacts = {c for c in (suggestion.contact_phone, suggestion.contact_email) if c}
                contacts |= set(
                    historical.objects.filter(id=suggestion.pk)
                    .exclude(contact_phone="")
                    .values_list("contact_phone", flat=True)
                )
                contacts |= set(
                    historical.objects.filter(id=suggestion.pk)
                    .exclude(contact_email="")
                    .values_list("contact_email", flat=True)
                )
                suggestion.contact_phone = suggestion.contact_email = suggestion.resolved_comment = ""
                suggestion.contact_consent_at = None
                suggestion.contact_purged_at = now
                suggestion._change_reason = CONTACT_PURGE_REASON
                suggestion.save(
                    update_fields=[
                        "contact_phone",
                        "contact_email",
                        "contact_consent_at",
                        "resolved_comment",
                        "contact_purged_at",
                        "updated_at",
                    ]
                )
                historical.objects.filter(id=suggestion.pk).update(
                    contact_phone="", contact_email="", contact_consent_at=None, resolved_comment=""
                )
                events = SuggestionEvent.objects.filter(suggestion=suggestion)
                events.filter(kind=SuggestionEvent.Kind.RESIDENT_ANSWER).update(note="")
                # The reopening a resident's "not resolved" caused quotes them.
                events.filter(
                    kind=SuggestionEvent.Kind.TRANSITION,
                    actor__isnull=True,
                    from_status=Status.COMPLETED,
                    to_status=Status.IN_PROGRESS,
                ).update(note="")
                messages = SuggestionNotification.objects.filter(suggestion=suggestion)
                messages.filter(recipient__in=contacts).update(recipient="")
                messages.update(subject="", body="", last_error="")
                messages.exclude(status=SuggestionNotification.Status.SENT).update(
                    status=SuggestionNotification.Status.FAILED, last_error="personal data removed"
                )
        purged += len(due)
        if len(due) < batch_size:
            return purged
