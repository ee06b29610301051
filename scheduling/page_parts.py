"""Parts of one app's page that another app fills, without either importing
the other (like the staff sections, the dashboard panels and the report
sources: registered from ``AppConfig.ready``).

Two kinds, each keyed by the page (a ``PAGE_*`` name below):

- **Panels**: a template and a function ``context(user, obj)`` that returns
  its context for the page's object (a neighborhood on its management card),
  or None when it has nothing for this user. The page's view calls
  ``panels_for(page, user, obj)`` and its template includes each panel's
  template with ``part`` set to its context. Each context must run a
  constant number of queries.
- **Row notes**: a function ``notes(ids)`` that returns, for the page's rows
  (meeting requests on a run sheet, by id), short ``RowNote``s to print
  beside them (the consultation room booked for the request). One call per
  page, whatever the number of rows.

The page (owned by one app) and the filler (another app) meet only here:
neither imports the other, and ``scheduling`` imports neither.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: The staff management card of a neighborhood (``visits.cards``); obj: the Neighborhood.
PAGE_NEIGHBORHOOD_CARD = "neighborhood_card"
#: The TongTong Day run sheet (``meetings.staff``); row ids: MeetingRequest ids.
PAGE_RUN_SHEET = "run_sheet"


@dataclass(frozen=True)
class PagePanel:
    key: str
    template: str
    context: Callable[[object, object], dict | None]
    order: int = 100


@dataclass(frozen=True)
class RowNote:
    """One short line beside a row: ``label`` (e.g. 상담실) and ``text``."""

    label: str
    text: str


_panels: dict[str, dict[str, PagePanel]] = defaultdict(dict)
_row_notes: dict[str, dict[str, Callable[[list[int]], dict[int, list[RowNote]]]]] = defaultdict(dict)


def register_panel(page: str, panel: PagePanel) -> None:
    _panels[page][panel.key] = panel


def panels_for(page: str, user, obj) -> list[tuple[PagePanel, dict]]:
    """The panels of ``page`` that have something for ``user`` on ``obj``,
    in order, each with its context."""
    shown = []
    for panel in sorted(_panels[page].values(), key=lambda p: (p.order, p.key)):
        context = panel.context(user, obj)
        if context is not None:
            shown.append((panel, context))
    return shown


def register_row_notes(page: str, key: str, notes: Callable[[list[int]], dict[int, list[RowNote]]]) -> None:
    _row_notes[page][key] = notes


def row_notes_for(page: str, ids: Iterable[int]) -> dict[int, list[RowNote]]:
    """Every registered note of ``page`` for the rows ``ids``."""
    ids = [pk for pk in ids if pk is not None]
    found: dict[int, list[RowNote]] = defaultdict(list)
    if not ids:
        return found
    for key in sorted(_row_notes[page]):
        for pk, notes in _row_notes[page][key](ids).items():
            found[pk].extend(notes)
    return found
