"""What the petition office adds to the staff area, called once from
``PetitionsConfig.ready``: its staff menu section, its dashboard panel and
its nightly retention task."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from petitions.office import tasks  # noqa: F401  (the worker learns the retention task)
    from petitions.office.dashboard import register_panels
    from scheduling.staff import MENU_PETITIONS, StaffSection, register_section

    register_section(
        StaffSection(
            key="petitions.inbox",
            title=_("Petitions"),
            description=_("Every petition to the mayor, from every channel: route it, answer it, follow its deadline."),
            url_name="staff_petitions:inbox",
            permission="petitions.view_petition",
            order=14,
            menu=MENU_PETITIONS,
        )
    )
    register_panels()
