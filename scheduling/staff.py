"""The staff area's sections.

``/staff/`` belongs to the shared core, but its sections belong to the apps
(meetings, visits, ...), which ``scheduling`` must not import. Each app
registers its sections from its ``AppConfig.ready``; the staff home lists
those the user may see. This is the one documented plugin point between the
core and the apps.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class StaffSection:
    key: str
    title: str
    description: str
    url_name: str
    permission: str | None = None
    order: int = 100

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


_sections: dict[str, StaffSection] = {}


def register_section(section: StaffSection) -> None:
    _sections[section.key] = section


def sections_for(user) -> list[StaffSection]:
    visible = [s for s in _sections.values() if s.permission is None or user.has_perm(s.permission)]
    return sorted(visible, key=lambda s: (s.order, s.key))


# --- The dashboard on /staff/ ------------------------------------------------------
#
# Like the sections, the panels of the staff dashboard belong to the apps:
# each registers a ``DashboardPanel`` from ``AppConfig.ready``. ``context``
# returns the template's context for this user, or None when the panel has
# nothing for them; it must run a constant number of queries.


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    title: str
    template: str
    context: Callable[[object], dict | None]
    permission: str | None = None
    order: int = 100


_panels: dict[str, DashboardPanel] = {}


def register_panel(panel: DashboardPanel) -> None:
    _panels[panel.key] = panel


def panels_for(user) -> list[tuple[DashboardPanel, dict]]:
    """The panels ``user`` may see that have something to show, in order,
    each with its context."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        if panel.permission is not None and not user.has_perm(panel.permission):
            continue
        context = panel.context(user)
        if context is not None:
            shown.append((panel, context))
    return shown
