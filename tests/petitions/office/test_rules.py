"""The transition table, pure and through the services: every pair the
table does not list is refused (in Korean) and changes nothing; every legal
sequence keeps the invariants (closed ⇒ closed_at; transferred ⇒ agency;
merged ⇒ merged_into; extended at most once; only the quick kind is
dispatched). Hypothesis draws the sequences of actions and who takes them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from petitions import rules
from petitions.errors import PetitionError
from petitions.models import Petition
from petitions.office import services
from petitions.services.core import transition
from tests.petitions.office.conftest import receive
from tests.petitions.office.test_services import _photo

# --- Pure: the table itself ---------------------------------------------------------------


def test_every_status_and_action_is_in_the_table_once_at_most():
    pairs = [(t.action, t.source) for t in rules.TRANSITIONS]
    assert len(pairs) == len(set(pairs))
    assert {t.source for t in rules.TRANSITIONS} <= set(rules.STATUS_ORDER)
    assert {t.target for t in rules.TRANSITIONS} <= set(rules.STATUS_ORDER)


def test_nothing_leaves_a_closed_status():
    assert not [t for t in rules.TRANSITIONS if t.source in rules.CLOSED]


@given(st.sampled_from(rules.ACTIONS), st.sampled_from(rules.STATUS_ORDER))
def test_find_answers_exactly_the_table(action, status):
    listed = [t for t in rules.TRANSITIONS if t.action == action and t.source == status]
    assert rules.find(action, status) == (listed[0] if listed else None)


@given(st.sampled_from(rules.STATUS_ORDER), st.sets(st.sampled_from([rules.SECRETARIAT, rules.DEPARTMENT])))
def test_available_offers_only_what_the_actor_may_take(status, actors):
    for step in rules.available(status, actors):
        assert step.source == status and step.actors & actors
    assert (not actors) <= (rules.available(status, actors) == [])


# --- Through the services: random sequences --------------------------------------------------

ACTIONS = (*rules.ACTIONS,)
ROLES = ("secretariat", "department", "other_department")


def _call(action: str, petition: Petition, actor, roads, parks):
    """Call the service of ``action`` with arguments that are valid in form."""
    calls = {
        "assign": lambda: services.petition_assign(petition=petition, department=roads, actor=actor),
        "reassign": lambda: services.petition_reassign(
            petition=petition,
            department=parks if petition.department_id == roads.pk else roads,
            note="이관",
            actor=actor,
        ),
        "extend": lambda: services.petition_extend(petition=petition, reason="검토 필요", actor=actor),
        "draft": lambda: services.petition_draft(petition=petition, answer="답변", actor=actor),
        "return": lambda: services.petition_return(petition=petition, note="보완", actor=actor),
        "approve": lambda: services.petition_approve(petition=petition, answer_via="sms", actor=actor),
        "answer": lambda: services.petition_answer(petition=petition, answer="답변", answer_via="sms", actor=actor),
        "dispatch": lambda: services.petition_dispatch(petition=petition, actor=actor),
        "resolve": lambda: services.petition_resolve(petition=petition, photo=_photo(), actor=actor),
        "guide": lambda: services.petition_guide(petition=petition, answer="안내", answer_via="sms", actor=actor),
        "transfer": lambda: services.petition_transfer(petition=petition, agency="경기도청", actor=actor),
        "merge": lambda: services.petition_merge(petition=petition, into_reference="P2026-00001", actor=actor),
        "thank": lambda: services.petition_thank(petition=petition, actor=actor),
        "to_meeting": lambda: services.petition_to_meeting(petition=petition, consent=True, actor=actor),
    }
    return calls[action]()


def _snapshot(petition: Petition) -> tuple:
    petition.refresh_from_db()
    return (
        petition.status,
        petition.department_id,
        petition.answer,
        petition.extended_due_at,
        petition.closed_at,
        petition.history.count(),
        petition.notifications.count(),
    )


def _invariants(petition: Petition) -> None:
    petition.refresh_from_db()
    assert (petition.status in rules.CLOSED) == (petition.closed_at is not None)
    if petition.status == rules.TRANSFERRED:
        assert petition.transfer_agency
    if petition.status == rules.MERGED:
        assert petition.merged_into_id and petition.merged_into_id != petition.pk
    if petition.status == rules.DISPATCHED or petition.dispatched_at:
        assert petition.kind == rules.QUICK
    if petition.status == rules.MEETING:
        assert petition.meeting_request_id
    extensions = petition.history.filter(action="extend").count()
    assert extensions <= 1 and (extensions == 1) == (petition.extended_due_at is not None)
    assert petition.history.last().to_status == petition.status


@pytest.mark.django_db
@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    kind=st.sampled_from([rules.GENERAL, rules.QUICK]),
    category=st.sampled_from(["roads", "praise"]),
    steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ROLES)), min_size=1, max_size=8),
)
def test_random_sequences_refuse_in_korean_and_keep_the_invariants(
    kind, category, steps, secretariat_user, roads_user, parks_user, roads, parks, hood, settings, pinned_today
):
    settings.PETITION_FIELD_TEAM_PHONE = "010-1111-2222"
    Petition.objects.filter(reference__gt="P2026-00001").delete()
    if not Petition.objects.filter(reference="P2026-00001").exists():
        receive(subject="첫 민원", neighborhood=hood)  # the one others may be merged into
    petition = receive(kind=kind, category=category, neighborhood=hood)
    people = {"secretariat": secretariat_user, "department": roads_user, "other_department": parks_user}
    for action, role in steps:
        before = _snapshot(petition)
        try:
            _call(action, petition, people[role], roads, parks)
        except PetitionError as error:
            assert any("\uac00" <= c <= "\ud7a3" for c in str(error)), str(error)  # Korean
            assert _snapshot(petition) == before, (action, role)
        except Exception as error:  # the meeting request's own error class (meetings)
            assert any("\uac00" <= c <= "\ud7a3" for c in str(error)), str(error)
            assert _snapshot(petition) == before, (action, role)
        else:
            step = rules.find(action, before[0])
            assert step is not None, (action, before[0])
        _invariants(petition)


@pytest.mark.django_db
def test_the_core_refuses_every_pair_outside_the_table(pinned_today):
    original = receive()
    for status in rules.STATUS_ORDER:
        for action in rules.ACTIONS:
            if rules.find(action, status) is not None:
                continue
            petition = receive()
            Petition.objects.filter(pk=petition.pk).update(
                status=status, transfer_agency="경기도청", merged_into=original if status == rules.MERGED else None
            )
            petition.refresh_from_db()
            with pytest.raises(PetitionError, match="민원"):
                transition(petition, action, actors={rules.SECRETARIAT, rules.DEPARTMENT})
            petition.refresh_from_db()
            assert petition.status == status
