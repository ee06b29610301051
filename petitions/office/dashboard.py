"""The petition office's panel of the staff dashboard (``/staff/``): what
waits on the secretariat (to route, to approve), what waits on a
department, and what is overdue. One query whatever the number of
petitions (``selectors.office_counts``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy

from petitions.access import MANAGE, VIEW
from petitions.office.selectors import office_counts
from scheduling.staff import DashboardPanel, register_panel


def office_context(user) -> dict | None:
    counts = office_counts(user)
    sees_all = user.has_perm(MANAGE)
    if not sees_all and not counts["open"]:
        return None
    inbox = reverse("staff_petitions:inbox")
    return {
        **counts,
        "sees_all": sees_all,
        "inbox_url": inbox,
        "to_route_url": f"{inbox}?status=received",
        "awaiting_url": f"{inbox}?status=drafted",
        "with_department_url": f"{inbox}?status=assigned",
        "overdue_url": f"{inbox}?overdue=1",
    }


def register_panels() -> None:
    register_panel(
        DashboardPanel(
            key="petitions.office",
            title=gettext_lazy("Petitions"),
            template="petitions/office/dashboard.html",
            context=office_context,
            permission=VIEW,
            order=5,
        )
    )
