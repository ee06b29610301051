"""Staff roles as Django groups, and the permissions each one holds.

``sync_roles`` runs after every ``migrate`` (see ``SchedulingConfig.ready``),
so a fresh database always has the four groups with their permissions; an
administrator only adds people to them.

Other apps add their permissions with ``grant`` in their own ``ready()``, so
this module never imports ``meetings`` or ``visits``.
"""

from django.utils.translation import gettext_lazy as _

SECRETARIAT = "secretariat"
OFFICIAL = "official"
DEPARTMENT_STAFF = "department_staff"
BUDGET_POLICY_REVIEWER = "budget_policy_reviewer"

ROLE_LABELS = {
    SECRETARIAT: _("Secretariat (소통민원팀)"),
    OFFICIAL: _("Official (시장·부시장·실국소장)"),
    DEPARTMENT_STAFF: _("Department staff"),
    BUDGET_POLICY_REVIEWER: _("Budget & policy reviewer"),
}
ROLE_NAMES = tuple(ROLE_LABELS)

_ORGANISATION_READ = [
    "scheduling.view_bureau",
    "scheduling.view_department",
    "scheduling.view_official",
    "scheduling.view_neighborhood",
    "scheduling.view_cityclosure",
]
_CALENDAR_READ = ["schedule.view_calendar", "schedule.view_event", "schedule.view_occurrence", "schedule.view_rule"]
#: The monthly, half-yearly and plan reports (/staff/reports/); department
#: staff do not see them.
_REPORTS_READ = ["scheduling.view_reports"]
_CALENDAR_WRITE = [
    f"schedule.{action}_{model}"
    for model in ("calendar", "event", "occurrence", "rule", "eventrelation", "calendarrelation")
    for action in ("add", "change", "view")
]

ROLE_PERMISSIONS: dict[str, set[str]] = {
    # The secretariat runs the organisation data and every calendar.
    SECRETARIAT: {
        *_ORGANISATION_READ,
        *_CALENDAR_WRITE,
        "scheduling.change_department",
        "scheduling.add_bureau",
        "scheduling.change_bureau",
        "scheduling.view_categoryowner",
        "scheduling.add_categoryowner",
        "scheduling.change_categoryowner",
        "scheduling.delete_categoryowner",
        "scheduling.add_official",
        "scheduling.change_official",
        "scheduling.add_neighborhood",
        "scheduling.change_neighborhood",
        "scheduling.add_cityclosure",
        "scheduling.change_cityclosure",
        "scheduling.delete_cityclosure",
        # Reports, and the recommendations of the half-yearly analysis.
        *_REPORTS_READ,
        "scheduling.view_reportnote",
        "scheduling.add_reportnote",
        "scheduling.change_reportnote",
    },
    OFFICIAL: {*_ORGANISATION_READ, *_CALENDAR_READ, *_REPORTS_READ},
    DEPARTMENT_STAFF: {*_ORGANISATION_READ},
    BUDGET_POLICY_REVIEWER: {*_ORGANISATION_READ, *_REPORTS_READ},
}


def grant(role: str, *permissions: str) -> None:
    """Let another app add permissions to a role (call it from ``ready()``)."""
    ROLE_PERMISSIONS[role].update(permissions)


def sync_roles() -> dict[str, int]:
    """Create the role groups and give each exactly its permissions.

    Idempotent. Returns the number of permissions per role. A permission
    named here that does not exist is an error: a typo must not silently
    leave a role without a right it needs.
    """
    from django.contrib.auth.models import Group, Permission

    counts = {}
    for role, names in ROLE_PERMISSIONS.items():
        wanted = {tuple(name.split(".", 1)) for name in names}
        found = list(
            Permission.objects.filter(
                content_type__app_label__in={app for app, _c in wanted},
                codename__in={codename for _a, codename in wanted},
            ).select_related("content_type")
        )
        permissions = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
        missing = wanted - {(p.content_type.app_label, p.codename) for p in permissions}
        if missing:
            raise LookupError(f"role {role!r} names unknown permissions: {sorted('.'.join(m) for m in missing)}")
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions)
        counts[role] = len(permissions)
    return counts
