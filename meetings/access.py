"""Who may see which meeting requests: the permissions the back office
checks and the one scope helper every page that lists requests uses (the
request pages, the queue, the dashboard). Who a user is and the permission
check itself are the core's: ``scheduling.access``."""

from __future__ import annotations

from meetings.models import Appointment, MeetingRequest
from scheduling.access import official_of, require

PERM_VIEW_REQUESTS = "meetings.view_meetingrequest"
PERM_MANAGE_REQUESTS = "meetings.change_meetingrequest"
PERM_INTAKE = "meetings.add_meetingrequest"
PERM_VIEW_DAYS = "meetings.view_meetingday"
PERM_CHANGE_DAYS = "meetings.change_meetingday"
PERM_VIEW_REVIEWS = "meetings.view_reviewrequest"
PERM_ANSWER_REVIEWS = "meetings.change_reviewrequest"


def request_scope(user):
    """The requests ``user`` may see: None for all of them (the secretariat),
    else a queryset (an official: the requests they meet). Raises
    PermissionDenied for anyone who may not see requests at all."""
    require(user, PERM_VIEW_REQUESTS)
    if user.has_perm(PERM_MANAGE_REQUESTS):
        return None
    official = official_of(user)
    if official is None:
        return MeetingRequest.objects.none()
    return MeetingRequest.objects.filter(
        appointments__official=official, appointments__status=Appointment.Status.ACTIVE
    )
