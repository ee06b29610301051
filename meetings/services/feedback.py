"""The one-minute satisfaction question after a held meeting (1–5 and a
comment), reached by a signed link so that nothing extra is stored."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from meetings.errors import MeetingError
from meetings.models import MeetingRequest
from meetings.services.transitions import record

SALT = "tongtong.meetings.feedback"
MAX_AGE = 60 * 60 * 24 * 30  # a month to answer


def feedback_url(request: MeetingRequest) -> str:
    token = signing.dumps(request.pk, salt=SALT, compress=True)
    return settings.SITE_URL + reverse("meetings:feedback", args=[token])


def request_for_feedback(token: str) -> MeetingRequest | None:
    try:
        pk = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return MeetingRequest.objects.filter(pk=pk, status__in=["held", "closed"]).first()


@transaction.atomic
def feedback_submit(*, request: MeetingRequest, score: int, comment: str = "") -> MeetingRequest:
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if request.satisfaction_score is not None:
        raise MeetingError(_("Thank you, your answer was already recorded."))
    if score not in range(1, 6):
        raise MeetingError(_("Choose a score from 1 to 5."))
    request.satisfaction_score = score
    request.satisfaction_comment = (comment or "").strip()[:500]
    request.save(update_fields=["satisfaction_score", "satisfaction_comment"])
    record(request, "feedback", from_status=request.status, public=False)
    return request
