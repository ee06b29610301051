from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: What each role may do with TongTong Day, as default model permissions. The
#: back office checks them (``meetings.staff.views``); scope is checked there
#: too: an official sees only the requests they meet, department staff only
#: their own department's reviews.
SECRETARIAT_PERMISSIONS = (
    "meetings.view_meetingseries",
    "meetings.change_meetingseries",
    "meetings.view_meetingday",
    "meetings.change_meetingday",
    "meetings.view_slot",
    "meetings.view_meetingrequest",
    "meetings.add_meetingrequest",
    "meetings.change_meetingrequest",
    "meetings.view_preferredday",
    "meetings.view_appointment",
    "meetings.view_requestevent",
    "meetings.view_reviewrequest",
    "meetings.add_reviewrequest",
    "meetings.view_waitlistentry",
    "meetings.view_notification",
)
OFFICIAL_PERMISSIONS = ("meetings.view_meetingrequest", "meetings.view_appointment")
DEPARTMENT_STAFF_PERMISSIONS = ("meetings.view_reviewrequest", "meetings.change_reviewrequest")


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("TongTong Day meetings")

    def ready(self):
        from meetings.demo import seed_meetings_demo
        from scheduling import roles
        from scheduling.signals import demo_city_seeded
        from scheduling.staff import MENU_MEETING_DAYS, MENU_MEETINGS, StaffSection, register_section

        demo_city_seeded.connect(seed_meetings_demo, dispatch_uid="meetings_demo")

        roles.grant(roles.SECRETARIAT, *SECRETARIAT_PERMISSIONS)
        roles.grant(roles.OFFICIAL, *OFFICIAL_PERMISSIONS)
        roles.grant(roles.DEPARTMENT_STAFF, *DEPARTMENT_STAFF_PERMISSIONS)

        for section in (
            StaffSection(
                key="meetings.requests",
                title=_("Meeting requests"),
                description=_("The queue of citizens' requests: review, book with the mayor or a substitute, answer."),
                url_name="staff_meetings:queue",
                permission="meetings.view_meetingrequest",
                order=10,
                menu=MENU_MEETINGS,
            ),
            StaffSection(
                key="meetings.intake",
                title=_("Take a request by phone or at the counter"),
                description=_("Enter a citizen's request; they get the link to follow it by text message."),
                url_name="staff_meetings:intake",
                permission="meetings.add_meetingrequest",
                order=11,
            ),
            StaffSection(
                key="meetings.days",
                title=_("TongTong Days"),
                description=_("The meeting days: move or cancel one, print a day's run sheet."),
                url_name="staff_meetings:days",
                permission="meetings.view_meetingday",
                order=12,
                menu=MENU_MEETING_DAYS,
            ),
            StaffSection(
                key="meetings.reviews",
                title=_("Review requests"),
                description=_("The secretariat asks your department for its opinion on a citizen's request."),
                url_name="staff_meetings:reviews",
                permission="meetings.view_reviewrequest",
                order=13,
                menu=MENU_MEETINGS,
            ),
        ):
            register_section(section)

        from meetings.feeds.private import register

        register()

        from meetings.staff.dashboard import register_panels

        register_panels()

        from meetings.models import Appointment, MeetingDay, MeetingSeries, Slot
        from meetings.selectors import MEETING_DAYS, meeting_dates
        from scheduling import versions
        from scheduling.reserved_days import MEETING_DAY, register_reserved_days

        versions.register(
            MEETING_DAYS, MeetingSeries, MeetingDay, Slot, Appointment, unread={Appointment: {"event_id"}}
        )

        register_reserved_days(MEETING_DAY, meeting_dates)

        from meetings import reports
        from scheduling.reports.core import ReportSource, register_report_count, register_report_source

        register_report_source(
            ReportSource(
                key="meetings",
                order=10,
                monthly=reports.monthly_sections,
                half_year=reports.half_year_sections,
                plan=reports.plan_sections,
            )
        )
        # The petition office's monthly line reads these without importing meetings.
        register_report_count("meetings.held_with_mayor", reports.held_with_mayor)
        register_report_count("meetings.handled_by_category", reports.handled_by_category)
