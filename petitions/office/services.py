"""The petition office's actions after intake: routing, the department's
answer, approval and sending, the clock's one extension, and every other
way a petition ends (guidance, transfer, merge, thanks, the quick service,
a meeting request). One function per action, keyword-only, each in one
transaction: it locks the row (``core.lock``), checks who acts as what
(``petitions.access.actors_for``) and what the table allows
(``core.transition``), sets the action's fields, records the event and
writes the citizen's message to the outbox. A ``PetitionError`` carries the
Korean message staff see.

Other apps are reached through one function each, owned by them:
``meetings.services.requests.meeting_request_from_petition`` and
``visits.cards.services.suggestion_record``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.services.requests import meeting_request_from_petition
from petitions import notifications, rules
from petitions.access import actors_for
from petitions.categories import NOT_ROUTED, PetitionCategory
from petitions.errors import IllegalTransition, PetitionError
from petitions.models import Petition
from petitions.services.core import lock, petition_receive, record, transition
from scheduling.categories import Category
from scheduling.organisation import owner_path
from scheduling.phones import InvalidPhoneNumber, normalize_mobile
from scheduling.workdays import working_calendar
from visits.cards.services import suggestion_record
from visits.records.services import photo_clean

AnswerVia = Petition.AnswerVia

#: The meeting request's channel for a petition's (the meeting request knows web, phone, walk-in).
MEETING_CHANNEL = {rules.VISIT: "walk_in", rules.WEB: "web"}


def _text(value: str | None) -> str:
    return (value or "").strip()


def _locked(petition: Petition, actor) -> tuple[Petition, frozenset[str]]:
    """The petition read again under its row lock, and the roles ``actor`` holds on it."""
    petition = lock(petition)
    return petition, actors_for(actor, petition)


def _check(petition: Petition, action: str, actors) -> None:
    """Refuse now, before any field is set, what ``transition`` would refuse."""
    step = rules.find(action, petition.status)
    if step is None or not step.actors & set(actors):
        # The same messages as core.transition, which checks again.
        transition(petition, action, actors=actors)


def _active_department(department):
    if department is None:
        raise PetitionError(_("Choose the department that answers the petition."))
    if not department.is_active:
        raise PetitionError(_("%(department)s is no longer active: choose another.") % {"department": department})
    return department


# --- Routing --------------------------------------------------------------------------


def suggested_department(petition: Petition):
    """The department that owns the petition's category (the organisation's
    table, ``scheduling.organisation.owner_path``), or None: praise and
    guidance are not routed, and a category may have no owner yet."""
    if petition.category in NOT_ROUTED:
        return None
    department = owner_path(petition.category).department
    return department if department is not None and department.is_active else None


@transaction.atomic
def petition_assign(*, petition: Petition, department, actor, note: str = "") -> Petition:
    """The secretariat sends the petition to the department that answers it."""
    petition, actors = _locked(petition, actor)
    _check(petition, "assign", actors)
    if petition.category in NOT_ROUTED:
        raise PetitionError(
            _("Praise and guidance are not sent to a department: thank the citizen or answer with guidance.")
        )
    if petition.kind == rules.QUICK:
        raise PetitionError(_("A quick-service petition goes to the field team: dispatch it instead."))
    petition.department = _active_department(department)
    petition.assigned_at = timezone.now()
    return transition(petition, "assign", actors=actors, actor=actor, note=_text(note) or str(department))


@transaction.atomic
def petition_reassign(*, petition: Petition, department, actor, note: str = "") -> Petition:
    """The secretariat moves the petition to another department, saying why."""
    petition, actors = _locked(petition, actor)
    _check(petition, "reassign", actors)
    department = _active_department(department)
    if department.pk == petition.department_id:
        raise PetitionError(_("The petition is already with %(department)s.") % {"department": department})
    if not _text(note):
        raise PetitionError(_("Say why the petition goes to another department."))
    previous = petition.department
    petition.department = department
    petition.assigned_at = timezone.now()
    return transition(
        petition, "reassign", actors=actors, actor=actor, note=f"{previous} → {department}: {_text(note)}"
    )


# --- The clock ------------------------------------------------------------------------


@transaction.atomic
def petition_extend(*, petition: Petition, reason: str, actor) -> Petition:
    """The one extension the law allows (§21): the original period again,
    with the reason, told to the citizen."""
    petition, actors = _locked(petition, actor)
    _check(petition, "extend", actors)
    if petition.extended_due_at is not None:
        raise PetitionError(_("The deadline of a petition can be extended only once."))
    reason = _text(reason)
    if not reason:
        raise PetitionError(_("Give the reason for the extension: the citizen is told."))
    due = timezone.localtime(petition.answer_due_at).date()
    calendar = working_calendar(due, due + dt.timedelta(days=60))
    petition.extended_due_at = rules.extended_due(petition.answer_due_at, petition.kind, calendar=calendar)
    petition.extension_reason = reason[:300]
    transition(petition, "extend", actors=actors, actor=actor, note=reason)
    notifications.notify(petition, "extended", when=petition.extended_due_at, reason=reason)
    return petition


# --- The answer -----------------------------------------------------------------------


@transaction.atomic
def petition_draft(*, petition: Petition, answer: str, actor) -> Petition:
    """The department writes the answer; the secretariat approves it."""
    petition, actors = _locked(petition, actor)
    _check(petition, "draft", actors)
    answer = _text(answer)
    if not answer:
        raise PetitionError(_("Write the answer to the citizen."))
    petition.answer = answer
    petition.drafted_at = timezone.now()
    petition.drafted_by = actor
    return transition(petition, "draft", actors=actors, actor=actor)


@transaction.atomic
def petition_return(*, petition: Petition, note: str, actor) -> Petition:
    """The secretariat sends the draft back to the department, saying what to change."""
    petition, actors = _locked(petition, actor)
    _check(petition, "return", actors)
    if not _text(note):
        raise PetitionError(_("Say what the department should change in its answer."))
    return transition(petition, "return", actors=actors, actor=actor, note=_text(note))


def _send_answer(petition: Petition, kind: str, answer_via: str) -> None:
    """Send the answer the one way chosen; refuse a way the citizen cannot be reached by."""
    if answer_via not in AnswerVia.values:
        raise PetitionError(_("Choose how the answer is sent."))
    if answer_via == AnswerVia.SMS and not petition.phone:
        raise PetitionError(_("The citizen gave no mobile number: send the answer another way."))
    if answer_via == AnswerVia.EMAIL and not petition.email:
        raise PetitionError(_("The citizen gave no e-mail address: send the answer another way."))
    if answer_via == AnswerVia.EPEOPLE and not petition.epeople_number:
        raise PetitionError(_("Only a petition received through 국민신문고 is answered there."))
    petition.answer_via = answer_via
    if answer_via in (AnswerVia.SMS, AnswerVia.EMAIL):
        notifications.notify(petition, kind, via=answer_via, answer=petition.answer)
    # A letter is printed from the petition's page; 국민신문고 sends the
    # portal's own answer: nothing goes through our outbox.


@transaction.atomic
def petition_approve(*, petition: Petition, answer_via: str, actor, answer: str = "") -> Petition:
    """The secretariat approves the department's answer (``answer``: as
    corrected, or left empty to keep it) and sends it."""
    petition, actors = _locked(petition, actor)
    _check(petition, "approve", actors)
    if _text(answer):
        petition.answer = _text(answer)
    if not petition.answer:
        raise PetitionError(_("Write the answer to the citizen."))
    transition(petition, "approve", actors=actors, actor=actor)
    _send_answer(petition, "answer", answer_via)
    petition.save(update_fields=["answer", "answer_via", "updated_at"])
    return petition


@transaction.atomic
def petition_answer(*, petition: Petition, answer: str, answer_via: str, actor) -> Petition:
    """The office answers a simple petition itself, without a department."""
    petition, actors = _locked(petition, actor)
    _check(petition, "answer", actors)
    if petition.kind == rules.QUICK:
        raise PetitionError(_("A quick-service petition goes to the field team: dispatch it instead."))
    petition.answer = _text(answer)
    if not petition.answer:
        raise PetitionError(_("Write the answer to the citizen."))
    transition(petition, "answer", actors=actors, actor=actor)
    _send_answer(petition, "answer", answer_via)
    petition.save(update_fields=["answer_via", "updated_at"])
    return petition


@transaction.atomic
def petition_guide(*, petition: Petition, answer: str, answer_via: str, actor) -> Petition:
    """Closed with guidance (안내): where to go, what to do; sent like an answer."""
    petition, actors = _locked(petition, actor)
    _check(petition, "guide", actors)
    petition.answer = _text(answer)
    if not petition.answer:
        raise PetitionError(_("Write the guidance for the citizen."))
    transition(petition, "guide", actors=actors, actor=actor)
    _send_answer(petition, "guided", answer_via)
    petition.save(update_fields=["answer_via", "updated_at"])
    return petition


# --- Other ends -------------------------------------------------------------------------


@transaction.atomic
def petition_transfer(*, petition: Petition, agency: str, actor, epeople_number: str = "", note: str = "") -> Petition:
    """이첩: another agency is in charge; the citizen is told which."""
    petition, actors = _locked(petition, actor)
    _check(petition, "transfer", actors)
    agency = _text(agency)
    if not agency:
        raise PetitionError(_("Name the agency the petition is transferred to."))
    petition.transfer_agency = agency[:100]
    petition.transfer_epeople_number = _text(epeople_number)[:30]
    petition.closing_note = _text(note)
    transition(petition, "transfer", actors=actors, actor=actor, note=agency)
    notifications.notify(petition, "transferred", agency=agency, portal=petition.transfer_epeople_number)
    return petition


@transaction.atomic
def petition_merge(*, petition: Petition, into_reference: str, actor, note: str = "") -> Petition:
    """반복 민원: the petition repeats another (open or closed) and is answered with it."""
    petition, actors = _locked(petition, actor)
    _check(petition, "merge", actors)
    reference = _text(into_reference).upper()
    original = Petition.objects.filter(reference=reference).first()
    if original is None:
        raise PetitionError(_("No petition has the reference %(reference)s.") % {"reference": reference or "-"})
    if original.pk == petition.pk:
        raise PetitionError(_("A petition cannot be merged into itself."))
    if original.status == rules.MERGED:
        raise PetitionError(
            _("%(reference)s was itself merged into %(original)s: merge into that one.")
            % {"reference": original.reference, "original": original.merged_into.reference}
        )
    petition.merged_into = original
    petition.closing_note = _text(note)
    transition(petition, "merge", actors=actors, actor=actor, note=f"→ {original.reference} {_text(note)}".strip())
    notifications.notify(petition, "merged", original=original.reference)
    return petition


@transaction.atomic
def petition_thank(*, petition: Petition, actor, message: str = "") -> Petition:
    """Praise and greetings: recorded and thanked, not routed."""
    petition, actors = _locked(petition, actor)
    _check(petition, "thank", actors)
    petition.closing_note = _text(message)
    transition(petition, "thank", actors=actors, actor=actor, note=_text(message))
    notifications.notify(petition, "thanked", note=_text(message))
    return petition


# --- The 30-minute quick service ---------------------------------------------------------


@transaction.atomic
def petition_dispatch(*, petition: Petition, actor, note: str = "") -> Petition:
    """생활불편 신속처리: the field team gets the petition by text message
    and has 30 minutes from its receipt."""
    petition, actors = _locked(petition, actor)
    _check(petition, "dispatch", actors)
    if petition.kind != rules.QUICK:
        raise PetitionError(_("Only a quick-service petition (30 minutes) is dispatched to the field team."))
    try:
        phone = normalize_mobile(settings.PETITION_FIELD_TEAM_PHONE)
    except InvalidPhoneNumber:
        raise PetitionError(
            _("No field-team mobile number is set (PETITION_FIELD_TEAM_PHONE): ask the administrator.")
        ) from None
    petition.field_team = settings.PETITION_FIELD_TEAM_NAME[:100]
    petition.dispatched_at = timezone.now()
    transition(petition, "dispatch", actors=actors, actor=actor, note=_text(note) or petition.field_team)
    notifications.notify_field_team(petition, phone=phone, team=petition.field_team, note=_text(note))
    return petition


@transaction.atomic
def petition_resolve(*, petition: Petition, photo, actor, note: str = "") -> Petition:
    """The field team fixed it: the photo is required, the citizen is told."""
    petition, actors = _locked(petition, actor)
    _check(petition, "resolve", actors)
    if not photo:
        raise PetitionError(_("Add a photo of the fix."))
    data, extension = photo_clean(photo)  # re-encoded without its location data
    petition.answer = _text(note) or petition.answer
    petition.resolution_photo.save(f"{petition.reference}.{extension}", ContentFile(data), save=False)
    transition(petition, "resolve", actors=actors, actor=actor, note=_text(note))
    petition.answer_via = AnswerVia.SMS if petition.phone else ""
    petition.save(update_fields=["answer_via", "updated_at"])
    notifications.notify(petition, "resolved")
    return petition


# --- One office, many outcomes -------------------------------------------------------------


@transaction.atomic
def petition_to_meeting(*, petition: Petition, actor, consent: bool, neighborhood=None, note: str = "") -> Petition:
    """A meeting is the answer: a meeting request with the citizen's
    details carried over (they get its status link by text message); the
    petition keeps the link and is closed as "became a meeting request"."""
    petition, actors = _locked(petition, actor)
    _check(petition, "to_meeting", actors)
    neighborhood = neighborhood or petition.neighborhood
    if not petition.name or not petition.phone:
        raise PetitionError(_("A meeting request needs the citizen's name and mobile number."))
    if neighborhood is None:
        raise PetitionError(_("Choose the neighborhood the meeting is about."))
    if petition.category not in Category.values:
        raise PetitionError(_("Praise and guidance do not become a meeting request."))
    meeting_request = meeting_request_from_petition(
        petition_reference=petition.reference,
        name=petition.name,
        phone=petition.phone,
        email=petition.email,
        neighborhood=neighborhood,
        category=petition.category,
        subject=petition.subject,
        description=petition.body,
        consent=consent,
        language=petition.language,
        channel=MEETING_CHANNEL.get(petition.channel, "phone"),
        actor=actor,
    )
    petition.meeting_request = meeting_request
    if petition.neighborhood_id is None:
        petition.neighborhood = neighborhood
    return transition(
        petition, "to_meeting", actors=actors, actor=actor, note=f"{meeting_request.reference} {_text(note)}".strip()
    )


@transaction.atomic
def petition_to_suggestion(*, petition: Petition, actor, neighborhood=None) -> Petition:
    """What the petition asks for is a neighborhood's need: it goes on the
    management card as a suggestion (the petition stays open and is answered
    as usual; it keeps the link)."""
    petition, actors = _locked(petition, actor)
    if rules.SECRETARIAT not in actors:
        raise IllegalTransition(_("Only the secretariat may put a petition on a management card."))
    if petition.suggestion_id is not None:
        raise PetitionError(_("This petition is already on a management card."))
    neighborhood = neighborhood or petition.neighborhood
    if neighborhood is None:
        raise PetitionError(_("Choose the neighborhood whose management card takes the suggestion."))
    if petition.category not in Category.values:
        raise PetitionError(_("Praise and guidance do not become a suggestion."))
    suggestion = suggestion_record(
        neighborhood=neighborhood,
        source="other",
        title=petition.subject[:200],
        description=petition.body,
        category=petition.category,
        raised_by=_("Petition %(reference)s") % {"reference": petition.reference},
        lead_department=petition.department,
        actor=actor,
    )
    petition.suggestion = suggestion
    if petition.neighborhood_id is None:
        petition.neighborhood = neighborhood
    petition.save(update_fields=["suggestion", "neighborhood", "updated_at"])
    record(petition, "to_suggestion", actor=actor, from_status=petition.status, note=suggestion.title)
    return petition


@transaction.atomic
def petition_from_origin(
    *,
    actor,
    subject: str,
    body: str,
    category: str,
    kind: str = rules.GENERAL,
    neighborhood=None,
    name: str = "",
    phone: str = "",
    email: str = "",
    consent: bool = False,
    origin_meeting_request=None,
    origin_visit=None,
    submission_key: str | None = None,
) -> tuple[Petition, bool]:
    """A petition heard at a meeting or on a field visit (channel
    "internal"), recorded by the secretariat with the link to where it was
    heard. A contact needs the citizen's consent."""
    if not actor.has_perm("petitions.add_petition"):
        raise IllegalTransition(_("Only the secretariat records a petition."))
    if (origin_meeting_request is None) == (origin_visit is None):
        raise PetitionError(_("Say where the petition was heard."))
    if category not in PetitionCategory.values:
        raise PetitionError(_("Choose a category from the list."))
    if (_text(phone) or _text(email)) and not consent:
        raise PetitionError(_("Keep the citizen's contact only with their consent."))
    return petition_receive(
        channel=rules.INTERNAL,
        subject=subject,
        body=body,
        category=category,
        kind=kind,
        neighborhood=neighborhood,
        name=_text(name),
        phone=_text(phone),
        email=_text(email),
        consent_at=timezone.now() if consent and (_text(phone) or _text(email)) else None,
        origin_meeting_request=origin_meeting_request,
        origin_visit=origin_visit,
        submission_key=submission_key,
        created_by=actor,
    )
