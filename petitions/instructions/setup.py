"""The mayor's instructions plug into the project here, from
``PetitionsConfig.ready`` (``register()``): role permissions, the staff
section, the management card's panel (``scheduling.page_parts``: visits does
not import petitions), the report source "instructions", the celery task
module and the demo."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from petitions.instructions import (
    reports,
    selectors,
    tasks,  # noqa: F401 (registers its celery task: autodiscovery sees petitions.tasks only)
)
from petitions.instructions.demo import seed_instructions_demo
from petitions.rooms.setup import register as rooms_register
from scheduling import page_parts, roles
from scheduling.reports.core import ReportSource, register_report_source
from scheduling.signals import demo_city_seeded
from scheduling.staff import StaffSection, register_section

#: The secretariat records and manages every instruction; department staff
#: see (and act on, per the table) their own department's.
SECRETARIAT_PERMISSIONS = (
    "petitions.view_instruction",
    "petitions.add_instruction",
    "petitions.change_instruction",
    "petitions.view_instructionevent",
    "petitions.view_instructionnotification",
)
DEPARTMENT_STAFF_PERMISSIONS = ("petitions.view_instruction",)


def card_panel_context(user, neighborhood) -> dict | None:
    """The instructions concerning the card's neighborhood that ``user`` may
    see (two queries), or None when there are none."""
    rows = selectors.for_neighborhood(user, neighborhood)
    return {"rows": rows} if rows else None


def register() -> None:
    roles.grant(roles.SECRETARIAT, *SECRETARIAT_PERMISSIONS)
    roles.grant(roles.DEPARTMENT_STAFF, *DEPARTMENT_STAFF_PERMISSIONS)
    register_section(
        StaffSection(
            key="petitions.instructions",
            title=_("The mayor's instructions"),
            description=_(
                "Instructions given on visits, at meetings and on petitions: by department and by state, "
                "with progress notes and completion reports."
            ),
            url_name="staff_instructions:board",
            permission="petitions.view_instruction",
            order=40,
        )
    )
    page_parts.register_panel(
        page_parts.PAGE_NEIGHBORHOOD_CARD,
        page_parts.PagePanel(
            key="instructions", template="petitions/instructions/_card_panel.html", context=card_panel_context
        ),
    )
    register_report_source(
        ReportSource(
            key="instructions", order=35, monthly=reports.instruction_section, half_year=reports.instruction_section
        )
    )
    demo_city_seeded.connect(seed_instructions_demo, dispatch_uid="petitions_instructions_demo")
    rooms_register()
