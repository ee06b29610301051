"""What the intake part registers with the shared core (called once from
``PetitionsConfig.ready``): the staff area's section for taking petitions."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from scheduling.staff import StaffSection, register_section

    register_section(
        StaffSection(
            key="petitions.intake",
            title=_("Take a petition"),
            description=_(
                "A petition by phone, at the office or from 국민신문고; import 국민신문고 petitions from a CSV file."
            ),
            url_name="petition_intake:intake",
            permission="petitions.add_petition",
            order=31,
        )
    )
