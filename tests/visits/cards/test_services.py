"""The rules of the management-card workflow, through its services
(``visits.cards.services``): illegal moves refused with a clear message,
"not feasible" only with a reason, a decision only once every party has
written, opinions only by their own party, the first answer's deadline in
working days, and a property: whatever anyone tries, in any order, a
suggestion moves only along ``card_workflow.TRANSITIONS`` and every move
leaves exactly one TRANSITION event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.categories import Category
from scheduling.errors import TongtongError
from tests.visits.conftest import seoul
from visits.cards import services as cs
from visits.cards import workflow
from visits.models import JointReviewOpinion, Suggestion, SuggestionEvent

pytestmark = pytest.mark.django_db

ALL_STATUSES = list(Suggestion.Status.values)
PARTIES = {
    "budget_legal": "budget_staff",
    "policy_officer": "policy_staff",
    "lead_department": "roads_staff",
}


def transitions_of(suggestion) -> int:
    return SuggestionEvent.objects.filter(suggestion=suggestion, kind=SuggestionEvent.Kind.TRANSITION).count()


def every_opinion(suggestion, users, *, lead="roads_staff", skip=()):
    for party, username in PARTIES.items():
        if party in skip:
            continue
        cs.suggestion_opinion_record(
            suggestion=suggestion,
            actor=users[lead if party == "lead_department" else username],
            party=party,
            recommendation="select",
            opinion="검토 의견",
            score=Decimal("70"),
        )


@pytest.fixture
def superuser(django_user_model, card_org):
    """Holds every role: a refusal it gets is the workflow's, not a permission."""
    return django_user_model.objects.create_superuser(username="root", password="pw-root")


def call(action: str, suggestion, actor, departments):
    """Take ``action`` (a TRANSITIONS action) through its one service, with
    everything else valid."""
    this_year = timezone.localdate().year
    if action in ("assign", "reassign"):
        return cs.suggestion_assign(suggestion=suggestion, lead_department=departments["parks"], actor=actor)
    if action == "review":
        return cs.suggestion_department_review(
            suggestion=suggestion, actor=actor, feasibility="feasible", opinion="가능"
        )
    if action == "select":
        return cs.suggestion_decide(suggestion=suggestion, actor=actor, decision="select", priority_score=Decimal(60))
    if action == "long_term":
        return cs.suggestion_decide(suggestion=suggestion, actor=actor, decision="long_term")
    if action == "reject":
        return cs.suggestion_decide(suggestion=suggestion, actor=actor, decision="reject", reason="사유지")
    if action == "rereview":
        return cs.suggestion_rereview(suggestion=suggestion, actor=actor)
    if action == "postpone":
        return cs.suggestion_postpone(suggestion=suggestion, actor=actor, reason="예산 부족")
    if action == "budget":
        return cs.suggestion_budget(
            suggestion=suggestion, actor=actor, fiscal_year=this_year + 1, amount=1_000_000, budget_line="도로"
        )
    if action == "start":
        return cs.suggestion_start(suggestion=suggestion, actor=actor)
    if action == "complete":
        return cs.suggestion_complete(
            suggestion=suggestion, actor=actor, completed_on=timezone.localdate(), result="완료"
        )
    if action == "reopen":
        return cs.suggestion_reopen(suggestion=suggestion, actor=actor, reason="재민원")
    raise AssertionError(action)


# ``suggestion_assign`` is the one service of both "assign" (from received)
# and "reassign" (from assigned): it takes whichever is legal, so these two
# pairs are not refusals but the other, legal, move.
ALIASED = {("assign", workflow.ASSIGNED), ("reassign", workflow.RECEIVED)}
LEGAL = {(t.action, t.source) for t in workflow.TRANSITIONS}
ILLEGAL = sorted(
    (action, status)
    for action in workflow.BY_ACTION
    for status in ALL_STATUSES
    if (action, status) not in LEGAL and (action, status) not in ALIASED
)


def test_the_illegal_pairs_cover_the_table():
    assert len(ILLEGAL) == len(workflow.BY_ACTION) * len(ALL_STATUSES) - len(LEGAL) - len(ALIASED)
    assert len(ILLEGAL) > 90


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_message(action, status, suggestion_at, card_org, superuser):
    suggestion = suggestion_at(status)
    if status == workflow.JOINT_REVIEW:
        every_opinion(suggestion, card_org["users"])
    before = transitions_of(suggestion)
    snapshot = Suggestion.objects.filter(pk=suggestion.pk).values().get()

    with translation.override("en"), pytest.raises(TongtongError) as refused:
        call(action, suggestion, superuser, card_org["departments"])

    assert "is not possible while the suggestion is" in str(refused.value)
    assert Suggestion.objects.filter(pk=suggestion.pk).values().get() == snapshot
    assert transitions_of(suggestion) == before


def test_not_feasible_without_a_reason_is_refused_and_nothing_changes(suggestion_at, card_org):
    users = card_org["users"]
    suggestion = suggestion_at("joint_review")
    every_opinion(suggestion, users)
    before = transitions_of(suggestion)

    for reason in ("", "   "):
        with translation.override("en"), pytest.raises(TongtongError) as refused:
            cs.suggestion_decide(suggestion=suggestion, actor=users["budget_staff"], decision="reject", reason=reason)
        assert "reason" in str(refused.value)

    suggestion.refresh_from_db()
    assert suggestion.status == "joint_review"
    assert suggestion.decision_reason == ""
    assert transitions_of(suggestion) == before

    # With the reason it goes through, and residents read it.
    cs.suggestion_decide(suggestion=suggestion, actor=users["budget_staff"], decision="reject", reason="사유지입니다.")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decision_reason, suggestion.public_answer) == (
        "not_feasible",
        "사유지입니다.",
        "사유지입니다.",
    )


@pytest.mark.parametrize("missing", list(PARTIES))
def test_no_decision_while_an_opinion_is_missing(missing, suggestion_at, card_org):
    users = card_org["users"]
    suggestion = suggestion_at("joint_review")
    every_opinion(suggestion, users, skip={missing})

    with translation.override("en"), pytest.raises(TongtongError) as refused:
        cs.suggestion_decide(
            suggestion=suggestion, actor=users["policy_staff"], decision="select", priority_score=Decimal(90)
        )

    with translation.override("en"):
        assert str(JointReviewOpinion.Party(missing).label) in str(refused.value)
    suggestion.refresh_from_db()
    assert suggestion.status == "joint_review"
    assert suggestion.priority_score is None


def test_opinions_of_an_earlier_round_do_not_count(suggestion_at, card_org):
    """Back from long-term review, the joint review starts a new round."""
    users = card_org["users"]
    suggestion = suggestion_at("long_term")
    cs.suggestion_rereview(suggestion=suggestion, actor=users["budget_staff"])

    with pytest.raises(TongtongError):
        cs.suggestion_decide(suggestion=suggestion, actor=users["budget_staff"], decision="long_term")
    assert cs.missing_opinions(Suggestion.objects.get(pk=suggestion.pk)) == list(PARTIES)


@pytest.mark.parametrize(
    ("username", "party"),
    [
        ("parks_staff", "lead_department"),  # another department is not the lead
        ("roads_staff", "budget_legal"),  # the lead department writes only its own
        ("policy_staff", "budget_legal"),
        ("budget_staff", "policy_officer"),
        ("secretariat", "lead_department"),  # the secretariat is not a party
    ],
)
def test_an_opinion_by_the_wrong_party_is_refused(username, party, suggestion_at, card_org):
    suggestion = suggestion_at("joint_review")

    with pytest.raises(PermissionDenied):
        cs.suggestion_opinion_record(
            suggestion=suggestion,
            actor=card_org["users"][username],
            party=party,
            recommendation="select",
            opinion="남의 의견",
        )

    assert not JointReviewOpinion.objects.filter(suggestion=suggestion).exists()


def test_a_department_cannot_take_the_deciders_move(suggestion_at, card_org):
    users = card_org["users"]
    suggestion = suggestion_at("joint_review")
    every_opinion(suggestion, users)
    with pytest.raises(PermissionDenied):
        cs.suggestion_decide(
            suggestion=suggestion, actor=users["roads_staff"], decision="select", priority_score=Decimal(99)
        )
    assert Suggestion.objects.get(pk=suggestion.pk).status == "joint_review"


def test_first_answer_due_counts_working_days_across_chuseok():
    # Assigned Mon 2026-09-21 at 10:00; 14 working days, the day of
    # assignment counted (as for meeting requests):
    #   Sep 21 Mon 1, 22 Tue 2, 23 Wed 3,
    #   Sep 24-26 Thu-Sat: Chuseok (추석 연휴), Sep 27 Sun,
    #   Sep 28 Mon 4, 29 Tue 5, 30 Wed 6, Oct 1 Thu 7, Oct 2 Fri 8,
    #   Oct 3 Sat (개천절), Oct 4 Sun, Oct 5 Mon (its substitute holiday),
    #   Oct 6 Tue 9, 7 Wed 10, 8 Thu 11, Oct 9 Fri (한글날),
    #   Oct 12 Mon 12, 13 Tue 13, 14 Wed 14  → due Wed 2026-10-14.
    assert cs.first_answer_due_for(seoul(2026, 9, 21, 10)) == dt.date(2026, 10, 14)
    # Without holidays the same count ends on the 14th working day:
    # Nov 2-6 (5), 9-13 (10), 16-19 (14) → Thu 2026-11-19.
    assert cs.first_answer_due_for(seoul(2026, 11, 2, 10)) == dt.date(2026, 11, 19)


def test_assignment_sets_the_due_date_across_chuseok(card_org, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: seoul(2026, 9, 21, 10))
    suggestion = cs.suggestion_record(
        neighborhood=card_org["neighborhoods"]["N01"],
        source=Suggestion.Source.OTHER,
        title="보도 정비",
        category=Category.ROADS,
        lead_department=card_org["departments"]["roads"],
        actor=card_org["users"]["secretariat"],
    )
    assert suggestion.status == "assigned"
    assert Suggestion.objects.get(pk=suggestion.pk).first_answer_due == dt.date(2026, 10, 14)


# --- The property: only legal moves, each one event --------------------------------------

ACTORS = ["secretariat", "roads_staff", "parks_staff", "budget_staff", "policy_staff"]
STEP_ACTIONS = [
    "assign_roads",
    "assign_parks",
    "review",
    "opinion",
    "select",
    "long_term",
    "reject",
    "reject_without_reason",
    "rereview",
    "postpone",
    "budget",
    "start",
    "progress",
    "complete",
    "reopen",
    "resident_yes",
    "resident_no",
]
#: The transitions each step may take (the table's actions).
MOVES = {
    "assign_roads": {"assign", "reassign"},
    "assign_parks": {"assign", "reassign"},
    "review": {"review"},
    "select": {"select"},
    "long_term": {"long_term"},
    "reject": {"reject"},
    "rereview": {"rereview"},
    "postpone": {"postpone"},
    "budget": {"budget"},
    "start": {"start"},
    "complete": {"complete"},
    "reopen": {"reopen"},
    "resident_no": {"reopen"},
}


def _reachable() -> set[str]:
    seen, frontier = {workflow.RECEIVED}, [workflow.RECEIVED]
    while frontier:
        status = frontier.pop()
        for transition in workflow.TRANSITIONS:
            if transition.source == status and transition.target not in seen:
                seen.add(transition.target)
                frontier.append(transition.target)
    return seen


REACHABLE = _reachable()


def step(name: str, suggestion, actor, card_org, party: str):
    departments = card_org["departments"]
    this_year = timezone.localdate().year
    if name in ("assign_roads", "assign_parks"):
        department = departments["roads" if name == "assign_roads" else "parks"]
        return cs.suggestion_assign(suggestion=suggestion, lead_department=department, actor=actor)
    if name == "review":
        return cs.suggestion_department_review(
            suggestion=suggestion, actor=actor, feasibility="partly", opinion="일부 가능", estimated_cost=500_000
        )
    if name == "opinion":
        return cs.suggestion_opinion_record(
            suggestion=suggestion, actor=actor, party=party, recommendation="select", opinion="의견", score=Decimal(50)
        )
    if name == "select":
        return cs.suggestion_decide(suggestion=suggestion, actor=actor, decision="select", priority_score=Decimal(55))
    if name == "long_term":
        return cs.suggestion_decide(suggestion=suggestion, actor=actor, decision="long_term")
    if name == "reject":
        return cs.suggestion_decide(suggestion=suggestion, actor=actor, decision="reject", reason="불가 사유")
    if name == "reject_without_reason":
        return cs.suggestion_decide(suggestion=suggestion, actor=actor, decision="reject", reason="")
    if name == "rereview":
        return cs.suggestion_rereview(suggestion=suggestion, actor=actor)
    if name == "postpone":
        return cs.suggestion_postpone(suggestion=suggestion, actor=actor, reason="예산 없음")
    if name == "budget":
        return cs.suggestion_budget(
            suggestion=suggestion, actor=actor, fiscal_year=this_year + 1, amount=500_000, budget_line="소규모"
        )
    if name == "start":
        return cs.suggestion_start(suggestion=suggestion, actor=actor)
    if name == "progress":
        return cs.suggestion_progress(suggestion=suggestion, actor=actor, progress=40, public_note="공사 중")
    if name == "complete":
        return cs.suggestion_complete(
            suggestion=suggestion, actor=actor, completed_on=timezone.localdate(), result="완료"
        )
    if name == "reopen":
        return cs.suggestion_reopen(suggestion=suggestion, actor=actor, reason="재요청")
    if name in ("resident_yes", "resident_no"):
        return cs.suggestion_resident_answer(suggestion=suggestion, resolved=name == "resident_yes")
    raise AssertionError(name)


def right_actor(name: str, suggestion, party: str) -> str:
    """Who holds the role for ``name`` on ``suggestion`` (so that sequences
    get past the first steps, not only refusals)."""
    lead = "parks_staff" if suggestion.lead_department and suggestion.lead_department.code == "parks" else "roads_staff"
    if name == "opinion":
        return lead if party == "lead_department" else PARTIES[party]
    if name in ("review", "start", "progress", "complete"):
        return lead
    if name in ("assign_roads", "assign_parks", "reopen"):
        return "secretariat"
    return "budget_staff"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.sampled_from(ALL_STATUSES),
    steps=st.lists(
        st.tuples(
            st.sampled_from(STEP_ACTIONS),
            st.one_of(st.none(), st.sampled_from(ACTORS)),  # None: whoever holds the role
            st.sampled_from(list(JointReviewOpinion.Party.values)),
        ),
        min_size=1,
        max_size=25,
    ),
)
def test_any_sequence_of_attempts_moves_only_along_the_table(start, steps, card_org, suggestion_at):
    users = card_org["users"]
    suggestion = suggestion_at(start, title="무작위 건의")
    for name, username, party in steps:
        before = Suggestion.objects.select_related("lead_department").get(pk=suggestion.pk)
        username = username or right_actor(name, before, party)
        events_before = transitions_of(suggestion)
        try:
            step(name, before, users[username], card_org, party)
        except (TongtongError, PermissionDenied):
            refused = True
        else:
            refused = False
        after = Suggestion.objects.get(pk=suggestion.pk)
        moves = transitions_of(suggestion) - events_before

        assert after.status in REACHABLE
        if refused:
            assert (after.status, moves) == (before.status, 0), (name, username)
            continue
        if name in MOVES:
            assert moves == 1, (name, username, before.status, after.status)
            taken = [workflow.find(action, before.status) for action in MOVES[name]]
            assert after.status in {t.target for t in taken if t is not None}
            event = SuggestionEvent.objects.filter(suggestion=suggestion, kind="transition").latest("created_at", "pk")
            assert (event.from_status, event.to_status) == (before.status, after.status)
        else:
            # Opinions, progress and a "resolved" answer are not moves.
            assert (after.status, moves) == (before.status, 0), (name, username)
        if after.status == workflow.NOT_FEASIBLE:
            assert after.decision_reason
