"""Races on one suggestion, on PostgreSQL (real row locks, real commits).

Two people of the joint review decide the same suggestion at the same
moment: one decision wins, the other is refused with the clear "not
possible while …" message, and the suggestion holds exactly one
transition out of joint review. Skipped on SQLite (the default), run on
PostgreSQL (``DATABASE_URL``), like ``tests/meetings/test_concurrency.py``.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from scheduling.errors import TongtongError
from visits.cards import services as cs
from visits.models import Suggestion, SuggestionEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARTIES = (("budget_legal", "budget_staff"), ("policy_officer", "policy_staff"), ("lead_department", "roads_staff"))


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL's row locks (set DATABASE_URL)")


def race(count: int, work) -> list[tuple[str, object]]:
    """Run ``work(i)`` in ``count`` threads released at once, each on its own
    connection. Returns, per thread, ("ok", result) or ("error", exception)."""
    barrier = threading.Barrier(count)
    results: list[tuple[str, object] | None] = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", work(i))
        except Exception as error:
            results[i] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


@pytest.fixture
def ready_to_decide(suggestion_at, card_org):
    suggestion = suggestion_at("joint_review")
    for party, username in PARTIES:
        cs.suggestion_opinion_record(
            suggestion=suggestion,
            actor=card_org["users"][username],
            party=party,
            recommendation="select",
            opinion="의견",
            score=Decimal(70),
        )
    return suggestion


def decisions_out_of_review(suggestion) -> list[SuggestionEvent]:
    return list(
        SuggestionEvent.objects.filter(
            suggestion=suggestion, kind=SuggestionEvent.Kind.TRANSITION, from_status="joint_review"
        )
    )


def decide(suggestion, actor, decision):
    if decision == "select":
        return cs.suggestion_decide(suggestion=suggestion, actor=actor, decision="select", priority_score=Decimal(80))
    return cs.suggestion_decide(suggestion=suggestion, actor=actor, decision="reject", reason="사유지입니다.")


def test_select_and_reject_at_once_leave_one_decision(ready_to_decide, card_org):
    users = card_org["users"]
    plan = [(users["budget_staff"], "select"), (users["policy_staff"], "reject")]

    results = race(2, lambda i: decide(ready_to_decide, *plan[i]))

    ok = [i for i, (kind, _value) in enumerate(results) if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert len(ok) == 1 and len(errors) == 1
    assert type(errors[0]) is TongtongError, errors[0]
    winner = plan[ok[0]][1]
    suggestion = Suggestion.objects.get(pk=ready_to_decide.pk)
    events = decisions_out_of_review(suggestion)
    assert len(events) == 1
    assert events[0].to_status == suggestion.status
    if winner == "select":
        assert suggestion.status == "selected"
        assert (suggestion.priority_score, suggestion.decision_reason) == (Decimal("80.0"), "")
        assert suggestion.priority_rank == 1
    else:
        assert suggestion.status == "not_feasible"
        assert suggestion.decision_reason == "사유지입니다."
        assert suggestion.priority_score is None


def test_the_same_decision_twice_at_once_is_taken_once(ready_to_decide, card_org):
    users = card_org["users"]
    actors = [users["budget_staff"], users["policy_staff"]]

    results = race(2, lambda i: decide(ready_to_decide, actors[i], "select"))

    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    assert all(type(value) is TongtongError for kind, value in results if kind == "error")
    suggestion = Suggestion.objects.get(pk=ready_to_decide.pk)
    assert suggestion.status == "selected"
    assert len(decisions_out_of_review(suggestion)) == 1
    assert SuggestionEvent.objects.filter(suggestion=suggestion, to_status="selected").count() == 1


def test_ten_deciders_at_once_leave_one_decision(ready_to_decide, card_org):
    users = card_org["users"]
    plan = [(users["budget_staff" if i % 2 else "policy_staff"], ("select", "reject")[i % 2]) for i in range(10)]

    results = race(10, lambda i: decide(ready_to_decide, *plan[i]))

    assert sum(kind == "ok" for kind, _value in results) == 1
    assert all(type(value) is TongtongError for kind, value in results if kind == "error")
    suggestion = Suggestion.objects.get(pk=ready_to_decide.pk)
    events = decisions_out_of_review(suggestion)
    assert len(events) == 1 and events[0].to_status == suggestion.status
    assert suggestion.status in ("selected", "not_feasible")
