"""The consultation rooms plug into the project here (``register()``, called
with the instructions' from ``PetitionsConfig.ready``): role permissions,
the staff section, the run sheet's notes (``scheduling.page_parts``: meetings
does not import petitions) and the demo."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from petitions.rooms import selectors
from petitions.rooms.demo import seed_rooms_demo
from scheduling import page_parts, roles
from scheduling.signals import demo_city_seeded
from scheduling.staff import StaffSection, register_section

#: The secretariat books the rooms and manages them.
SECRETARIAT_PERMISSIONS = (
    "petitions.view_consultationroom",
    "petitions.add_consultationroom",
    "petitions.change_consultationroom",
    "petitions.view_roombooking",
    "petitions.add_roombooking",
    "petitions.change_roombooking",
    "petitions.view_roomnotification",
)


def register() -> None:
    roles.grant(roles.SECRETARIAT, *SECRETARIAT_PERMISSIONS)
    register_section(
        StaffSection(
            key="petitions.rooms",
            title=_("Consultation rooms"),
            description=_("Book the rooms for walk-ins and group visits; building security hears of each group."),
            url_name="staff_rooms:week",
            permission=selectors.VIEW,
            order=41,
        )
    )
    page_parts.register_row_notes(page_parts.PAGE_RUN_SHEET, "rooms", selectors.run_sheet_notes)
    # After the meetings' demo (its receiver connected first): the room waits for an appointment.
    demo_city_seeded.connect(seed_rooms_demo, dispatch_uid="petitions_rooms_demo")
