from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

_SECRETARIAT_MODELS = (
    "rotationcycle",
    "blackoutperiod",
    "fieldvisit",
    "visitphoto",
    "themedtour",
    "suggestion",
    "monitorgroup",
)

#: What each role may do with field visits and tours, as default model
#: permissions; the staff pages check them (``visits.records.views``).
SECRETARIAT_PERMISSIONS = (
    *(f"visits.{action}_{model}" for model in _SECRETARIAT_MODELS for action in ("view", "add", "change")),
    "visits.delete_visitphoto",
    "visits.delete_blackoutperiod",
)
# Officials see the rotation plan they visit by.
OFFICIAL_PERMISSIONS = (
    "visits.view_rotationcycle",
    "visits.view_fieldvisit",
    "visits.view_themedtour",
    "visits.view_suggestion",
)
DEPARTMENT_STAFF_PERMISSIONS = ("visits.view_fieldvisit", "visits.view_themedtour", "visits.view_suggestion")
BUDGET_POLICY_REVIEWER_PERMISSIONS = ("visits.view_suggestion",)


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Field visits and management cards")

    def ready(self):
        from scheduling import roles
        from scheduling.signals import demo_city_seeded
        from scheduling.staff import MENU_CARDS, MENU_VISITS, StaffSection, register_section
        from visits.demo import seed_visits_demo

        demo_city_seeded.connect(seed_visits_demo, dispatch_uid="visits_demo")

        roles.grant(roles.SECRETARIAT, *SECRETARIAT_PERMISSIONS)
        roles.grant(roles.OFFICIAL, *OFFICIAL_PERMISSIONS)
        roles.grant(roles.DEPARTMENT_STAFF, *DEPARTMENT_STAFF_PERMISSIONS)
        roles.grant(roles.BUDGET_POLICY_REVIEWER, *BUDGET_POLICY_REVIEWER_PERMISSIONS)

        for section in (
            StaffSection(
                key="visits.cycles",
                title=_("Field visits"),
                description=_(
                    "The two-year rotation of the neighborhoods: the plan, its changes and each visit's record."
                ),
                url_name="staff_visits:cycles",
                permission="visits.view_rotationcycle",
                order=20,
                menu=MENU_VISITS,
            ),
            StaffSection(
                key="visits.tours",
                title=_("Themed tours"),
                description=_("Tours by issue, season or field (민생탐방), with the seasonal ones suggested in time."),
                url_name="staff_visit_records:tours",
                permission="visits.view_themedtour",
                order=21,
                menu=MENU_VISITS,
            ),
            StaffSection(
                key="visits.cards",
                title=_("Neighborhood management cards"),
                description=_(
                    "Every suggestion heard in the field, from the department's review and the joint review "
                    "to the budget and the finished works."
                ),
                url_name="staff_cards:index",
                permission="visits.view_suggestion",
                order=22,
                menu=MENU_CARDS,
            ),
        ):
            register_section(section)

        from visits.feeds.private import register

        register()

        from visits.dashboard import register_panels

        register_panels()

        from scheduling.reports.core import ReportSource, register_report_source
        from visits import reports

        register_report_source(
            ReportSource(
                key="visits",
                order=20,
                monthly=reports.monthly_sections,
                half_year=reports.half_year_sections,
                plan=reports.plan_sections,
            )
        )
