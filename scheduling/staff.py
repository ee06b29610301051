"""The staff area's sections.

``/staff/`` belongs to the shared core, but its sections belong to the apps
(meetings, visits, ...), which ``scheduling`` must not import. Each app
registers its sections from its ``AppConfig.ready``; the staff home lists
those the user may see. This is the one documented plugin point between the
core and the apps.
"""

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
