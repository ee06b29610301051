from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_migrate(sender, using="default", **kwargs):
    # post_migrate is sent once per app, and each app's permissions are
    # created by its own post_migrate; wait for the last app so that every
    # permission a role names exists.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender.label != last.label:
        return
    from scheduling.roles import sync_roles

    sync_roles()


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Organisation and calendars")

    def ready(self):
        from django.urls import register_converter

        from scheduling.params import IdConverter

        # <id:pk> in every URL: ASCII digits that fit the database (issue 14).
        register_converter(IdConverter, "id")

        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="tongtong_sync_roles")

        from django.core import checks

        from scheduling.checks import organisation_check, proxy_trust_check

        checks.register(organisation_check)
        checks.register(proxy_trust_check)

        from scheduling.staff import MENU_PROFILE, MENU_REPORTS, StaffSection, register_section

        register_section(
            StaffSection(
                key="scheduling.reports.core",
                title=_("Reports"),
                description=_(
                    "Monthly reports, half-yearly analyses and the plan against the actual: pages, PDF, XLSX and CSV."
                ),
                url_name="staff_reports:index",
                permission="scheduling.view_reports",
                order=30,
                menu=MENU_REPORTS,
            )
        )
        register_section(
            StaffSection(
                key="scheduling.profile",
                title=_("My profile and calendar feeds"),
                description=_("How your name appears to others, and your private calendar addresses."),
                url_name="staff_profile",
                order=90,
                menu=MENU_PROFILE,
            )
        )

        # The monthly report's messages by channel and their cost, over every
        # outbox table (scheduling/reports/messages.py).
        from scheduling.reports import messages as message_report
        from scheduling.reports.core import ReportSource, register_report_source

        register_report_source(ReportSource(key="messages", order=90, monthly=message_report.monthly_sections))
