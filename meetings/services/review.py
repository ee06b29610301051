"""The owning department head's review (소관부서장 검토, seed 000).

A request to meet the mayor goes to the head of the department that owns
its topic for an opinion before it is booked: is a meeting needed, can the
department solve it, which official should meet the citizen. The opinion
is due ``MEETING_REVIEW_DAYS`` working days after it was asked (the same
clock as every answer), is reminded once when late and marked in the queue.
Booking with the mayor or a substitute needs the opinion, or the
secretariat's override with a written reason (``booking.review_gate_error``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.errors import MeetingError
from meetings.models import MeetingRequest, Notification, ReviewRequest
from meetings.rules import WAITING_STATUSES
from meetings.services.notifications import notify
from meetings.services.transitions import lock, record, transition
from scheduling import outbox
from scheduling.access import user_department_id
from scheduling.dates import korean_date
from scheduling.models import CategoryOwner, Department, Official
from scheduling.organisation import department_head
from scheduling.workdays import working_calendar

S = MeetingRequest.Status


def review_due_on(asked: dt.datetime) -> dt.date:
    """The day the opinion is due: ``MEETING_REVIEW_DAYS`` working days after
    the day it was asked (holidays and city closures not counted)."""
    day = timezone.localtime(asked).date()
    calendar = working_calendar(day, day + dt.timedelta(days=60))
    return calendar.add_working_days(day, settings.MEETING_REVIEW_DAYS)


def owning_department(request: MeetingRequest) -> Department | None:
    owner = CategoryOwner.objects.select_related("department").filter(category=request.category).first()
    return owner.department if owner else None


@transaction.atomic
def review_ask(
    *, request: MeetingRequest, department: Department | None = None, question: str = "", due_on=None, actor=None
) -> ReviewRequest:
    """Ask ``department`` (by default the one that owns the topic) for its
    head's opinion; the request is then under review."""
    request = lock(request)
    department = department or owning_department(request)
    if department is None:
        raise MeetingError(_("No department owns this category yet: choose the department to ask."))
    now = timezone.now()
    review = ReviewRequest.objects.create(
        request=request,
        department=department,
        reviewer=department_head(department),
        question=(question or "").strip(),
        due_on=due_on or review_due_on(now),
        asked_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if request.status in (S.SUBMITTED, S.WAITLISTED):
        transition(request, S.UNDER_REVIEW, actor=actor, action="review_asked", note=str(department))
        notify(request, "under_review", dedupe=f"under-review-{request.pk}")
    else:
        record(request, "review_asked", actor=actor, from_status=request.status, note=str(department), public=False)
    return review


def may_answer(review: ReviewRequest, user) -> bool:
    """The department head asked answers; where the department has no head
    with an account on record, its own staff answer in their place (and the
    organisation check says the head is missing)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    reviewer = review.reviewer
    if reviewer is not None and reviewer.user_id is not None and reviewer.is_active:
        return reviewer.user_id == user.pk
    head = department_head(review.department)
    if head is not None and head.user_id is not None:
        return head.user_id == user.pk
    department_id = user_department_id(user)
    return department_id is not None and department_id == review.department_id


@transaction.atomic
def review_answer(
    *,
    review: ReviewRequest,
    opinion: str,
    actor,
    meeting_needed: str = "",
    department_can_resolve: bool | None = None,
    recommended_official: Official | None = None,
) -> ReviewRequest:
    """The department head answers from their inbox (a phone will do)."""
    review = ReviewRequest.objects.select_for_update(of=("self",)).select_related("reviewer").get(pk=review.pk)
    if not may_answer(review, actor):
        raise MeetingError(_("Only the head of the department asked can answer this review."))
    opinion = (opinion or "").strip()
    if not opinion:
        raise MeetingError(_("Write the department's opinion."))
    if meeting_needed and meeting_needed not in ReviewRequest.MeetingNeeded.values:
        raise MeetingError(_("Say whether a meeting is needed."))
    if recommended_official is not None and not recommended_official.is_active:
        raise MeetingError(_("The recommended official is not active."))
    if review.answered_at:
        raise MeetingError(_("This review has already been answered."))
    review.opinion = opinion
    review.meeting_needed = meeting_needed
    review.department_can_resolve = department_can_resolve
    review.recommended_official = recommended_official
    review.answered_by = actor
    review.answered_at = timezone.now()
    review.save()
    record(
        review.request,
        "review_answered",
        actor=actor,
        from_status=review.request.status,
        public=False,
        note=str(review.department),
    )
    return review


@transaction.atomic
def review_override(*, request: MeetingRequest, reason: str, actor=None) -> MeetingRequest:
    """The secretariat books without the head's opinion, saying why (the
    mayor asked for this citizen, the matter is urgent, no department owns
    it...). Recorded in the request's history."""
    request = lock(request)
    reason = (reason or "").strip()
    if not reason:
        raise MeetingError(_("Give the reason for booking without the department head's review."))
    if request.review_override_reason:
        raise MeetingError(_("Booking without the review has already been allowed for this request."))
    if request.status not in WAITING_STATUSES:
        raise MeetingError(_("This request is no longer waiting to be booked."))
    request.review_override_reason = reason
    request.save(update_fields=["review_override_reason"])
    record(request, "review_overridden", actor=actor, from_status=request.status, note=reason, public=False)
    return request


def late_q(today: dt.date) -> Q:
    """A review still unanswered after the day it was due."""
    return Q(answered_at__isnull=True, due_on__lt=today)


def review_is_late(review: ReviewRequest, today: dt.date | None = None) -> bool:
    """``late_q`` for a row already read (the queue's prefetched reviews)."""
    today = today or timezone.localdate()
    return review.answered_at is None and review.due_on is not None and review.due_on < today


def reviews_remind_late(*, now: dt.datetime | None = None) -> int:
    """E-mail each reviewer whose opinion is past due, once per review
    (celery beat, each working morning). Returns how many were reminded."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    late = (
        ReviewRequest.objects.filter(late_q(today), reminded_at__isnull=True)
        .exclude(request__status__in=[S.CANCELLED, S.CLOSED, S.ANSWERED, S.DECLINED])
        .select_related("request", "reviewer__user", "department")
    )
    count = 0
    for review in late:
        with transaction.atomic():
            # Claimed by a conditional update: two beats remind once.
            if not ReviewRequest.objects.filter(pk=review.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            address = _reviewer_address(review)
            if address:
                values = {
                    "reference": review.request.reference,
                    "subject": review.request.subject,
                    "due": korean_date(review.due_on),
                    "link": settings.SITE_URL + reverse("staff_meetings:review", args=[review.pk]),
                }
                outbox.write(
                    Notification,
                    [
                        {
                            "dedupe_key": f"review-late-{review.pk}",
                            "request": review.request,
                            "kind": "review_late",
                            "channel": Notification.Channel.EMAIL,
                            "recipient": address,
                            "subject": _("[Tongtong] Review opinion overdue: %(reference)s") % values,
                            "body": _(
                                "The review opinion on request %(reference)s (%(subject)s) was due on %(due)s.\n"
                                "Please answer here: %(link)s"
                            )
                            % values,
                        }
                    ],
                )
            count += 1
    return count


def _reviewer_address(review: ReviewRequest) -> str:
    reviewer = review.reviewer or department_head(review.department)
    if reviewer is not None and reviewer.user_id and reviewer.user.email:
        return reviewer.user.email
    return ""
