"""The staff area's sections.

``/staff/`` belongs to the shared core, but its sections belong to the apps
(meetings, visits, ...), which ``scheduling`` must not import. Each app
registers its sections from its ``AppConfig.ready``; the staff home lists
those the user may see. This is the one documented plugin point between the
core and the apps.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class StaffSection:
    key: str
    title: str
    description: str
    url_name: str
    permission: str | None = None
    order: int = 100
    #: The staff menu's entry this section belongs to (``MENU_*``), or None
    #: for a section reached only from the staff home (a form, a tool).
    menu: str | None = None

    def url(self) -> str | None:
        return _url(self.url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.cache
def _url(name: str, prefix: str, urlconf: str) -> str | None:
    """A section's address, reversed once per process (the menu on every
    staff page lists them all) for a given script prefix and URLconf."""
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


_sections: dict[str, StaffSection] = {}


def register_section(section: StaffSection) -> None:
    _sections[section.key] = section


def sections_for(user) -> list[StaffSection]:
    visible = [s for s in _sections.values() if s.permission is None or user.has_perm(s.permission)]
    return sorted(visible, key=lambda s: (s.order, s.key))


# --- The staff menu on every staff page ----------------------------------------------
#
# Six entries at most, in the city's words. A section names its entry with
# ``menu``; when several sections share an entry (the queue and a
# department's review requests are both "면담 신청"), the entry opens the
# first of them the user may see, and is marked current on any of them.

MENU_MEETINGS = "meetings"
MENU_PETITIONS = "petitions"
MENU_MEETING_DAYS = "meeting_days"
MENU_VISITS = "visits"
MENU_CARDS = "cards"
MENU_REPORTS = "reports"
MENU_PROFILE = "profile"

MENU_TITLES = {
    MENU_MEETINGS: pgettext_lazy("staff menu", "Meeting requests"),
    MENU_PETITIONS: pgettext_lazy("staff menu", "Petitions"),
    MENU_MEETING_DAYS: pgettext_lazy("staff menu", "TongTong Day schedule"),
    MENU_VISITS: pgettext_lazy("staff menu", "Field visits"),
    MENU_CARDS: pgettext_lazy("staff menu", "Management cards"),
    MENU_REPORTS: pgettext_lazy("staff menu", "Reports"),
    MENU_PROFILE: pgettext_lazy("staff menu", "My profile"),
}


@dataclass(frozen=True)
class MenuEntry:
    key: str
    title: str
    url: str
    current: bool


def menu_for(user, path: str) -> list[MenuEntry]:
    """The staff menu of ``user`` on the page at ``path``: one entry per
    menu key among the sections they may see, in the sections' order, the
    one whose section URL is the longest prefix of ``path`` marked current."""
    entries: dict[str, tuple[StaffSection, str]] = {}
    current_key, current_length = None, 0
    for section in sections_for(user):
        if section.menu is None:
            continue
        url = section.url()
        if url is None:
            continue
        entries.setdefault(section.menu, (section, url))
        if path.startswith(url) and len(url) > current_length:
            current_key, current_length = section.menu, len(url)
    return [
        MenuEntry(key=key, title=str(MENU_TITLES.get(key, section.title)), url=url, current=key == current_key)
        for key, (section, url) in entries.items()
    ]


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
