"""A state machine as data: one table of which status may follow which, by
what action, and who may take it. The suggestions of the management card
(``visits/cards/workflow.py``), petitions (``petitions/rules.py``) and the
mayor's instructions (``petitions/instructions/rules.py``) are each one
``Workflow``; services, pages and tests read the same table. Pure: no ORM."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    action: str
    source: str
    target: str
    label: object
    actors: frozenset[str]


def steps(action: str, sources: Iterable[str] | str, target: str | None, label, *actors: str) -> tuple[Transition, ...]:
    """The rows of ``action`` from each of ``sources`` to ``target`` (None:
    the status stays, e.g. a note or a new due date), for ``actors``."""
    if isinstance(sources, str):
        sources = (sources,)
    return tuple(Transition(action, source, target or source, label, frozenset(actors)) for source in sources)


class Workflow:
    def __init__(self, transitions: Iterable[Transition]):
        self.transitions: tuple[Transition, ...] = tuple(transitions)
        self.by_action: dict[str, list[Transition]] = {}
        for transition in self.transitions:
            self.by_action.setdefault(transition.action, []).append(transition)
        self.actions: tuple[str, ...] = tuple(self.by_action)

    def find(self, action: str, source: str) -> Transition | None:
        """The transition ``action`` from ``source``, or None if it is not legal."""
        for transition in self.by_action.get(action, ()):
            if transition.source == source:
                return transition
        return None

    def available(self, source: str, actors) -> list[Transition]:
        """The transitions from ``source`` that someone acting as any of
        ``actors`` may take (the buttons a page offers)."""
        actors = set(actors)
        return [t for t in self.transitions if t.source == source and t.actors & actors]

    def action_label(self, action: str) -> str:
        """How the page names ``action`` (its first row's label)."""
        rows = self.by_action.get(action)
        return str(rows[0].label) if rows else action
