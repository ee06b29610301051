"""Reads the petition office's pages share: the inbox (newest first, with
the due moment and whether it is overdue worked out in the database, so a
page of 50 runs the same few queries whether there are 10 or 100,000
petitions), the dashboard's counts, and a petition's page."""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from petitions import rules
from petitions.access import petition_scope
from petitions.models import Petition


def due_expression():
    """When the answer is due: the extended date if any, else the first one."""
    return Coalesce("extended_due_at", "answer_due_at")


def overdue_q(now: dt.datetime) -> Q:
    """Open and past its due moment."""
    return Q(status__in=rules.OPEN) & (
        Q(extended_due_at__lt=now) | Q(extended_due_at__isnull=True, answer_due_at__lt=now)
    )


def inbox(user, *, now: dt.datetime | None = None) -> QuerySet[Petition]:
    """Every petition ``user`` may see, newest first, with ``due`` and ``is_overdue``."""
    now = now or timezone.now()
    return (
        petition_scope(user)
        .select_related("department", "neighborhood")
        .annotate(
            due=due_expression(),
            is_overdue=Case(When(overdue_q(now), then=Value(True)), default=Value(False), output_field=BooleanField()),
        )
        .order_by("-received_at", "-pk")
    )


def office_counts(user, *, now: dt.datetime | None = None) -> dict[str, int]:
    """One query: what waits on the secretariat (to route, to approve), what
    waits on a department, and what is overdue, among what ``user`` may see."""
    now = now or timezone.now()
    return petition_scope(user).aggregate(
        to_route=Count("pk", filter=Q(status=rules.RECEIVED)),
        awaiting_approval=Count("pk", filter=Q(status=rules.DRAFTED)),
        with_department=Count("pk", filter=Q(status__in=rules.DEPARTMENT_OWES)),
        overdue=Count("pk", filter=overdue_q(now)),
        open=Count("pk", filter=Q(status__in=rules.OPEN)),
    )


def petition_for_page(user, reference: str) -> Petition:
    """The petition ``reference`` if ``user`` may see it (else DoesNotExist)."""
    return (
        petition_scope(user)
        .select_related(
            "department",
            "neighborhood",
            "merged_into",
            "meeting_request",
            "origin_meeting_request",
            "origin_visit",
            "suggestion",
            "drafted_by",
        )
        .get(reference=reference)
    )
