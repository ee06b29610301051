from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: What each role may do in the petition office, as default model
#: permissions; scope is checked in ``petitions.access``: department staff
#: see only their department's petitions.
SECRETARIAT_PERMISSIONS = (
    "petitions.view_petition",
    "petitions.add_petition",
    "petitions.change_petition",
    "petitions.view_petitionevent",
    "petitions.view_inboundmessage",
    "petitions.view_petitionnotification",
)
DEPARTMENT_STAFF_PERMISSIONS = ("petitions.view_petition",)


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Direct-petition office")

    def ready(self):
        from scheduling import roles

        roles.grant(roles.SECRETARIAT, *SECRETARIAT_PERMISSIONS)
        roles.grant(roles.DEPARTMENT_STAFF, *DEPARTMENT_STAFF_PERMISSIONS)

        from petitions.office.register import register as register_office

        register_office()
        from petitions.intake.registry import register as register_intake

        register_intake()
        from petitions.instructions.setup import register as register_instructions_and_rooms

        register_instructions_and_rooms()
        from petitions.reports import register as register_reports

        register_reports()
