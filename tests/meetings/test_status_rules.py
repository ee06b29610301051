"""The status sets and the late rule of ``meetings.rules``, each written once,
mean the same thing wherever a page, a service or a report uses them.

- A request is either open (waiting or booked) or ended; the open ones are
  exactly those the citizen may still cancel, and the queue lists exactly
  those.
- A request is late in the secretariat's queue exactly when its own page
  says so: the query (``late_q``) and the row (``is_late``) agree, with and
  without an extension, answered or not.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from meetings.models import MeetingRequest
from meetings.rules import (
    BOOKED_STATUSES,
    ENDED_STATUSES,
    FIRST_ANSWERS,
    OPEN_STATUSES,
    TRANSITIONS,
    WAITING_STATUSES,
    is_late,
)
from meetings.selectors import request_queue
from tests.meetings.conftest import submit

S = MeetingRequest.Status


def test_every_status_is_open_or_ended_and_open_means_the_citizen_may_still_cancel():
    assert OPEN_STATUSES == WAITING_STATUSES | BOOKED_STATUSES
    assert OPEN_STATUSES | ENDED_STATUSES == set(S.values)
    assert not OPEN_STATUSES & ENDED_STATUSES
    assert {status for status, moves in TRANSITIONS.items() if S.CANCELLED in moves} == OPEN_STATUSES
    # An ended request only closes; an open one can always still be answered or booked.
    assert all(TRANSITIONS[status] <= {S.CLOSED} for status in ENDED_STATUSES)
    assert all(TRANSITIONS[status] & FIRST_ANSWERS for status in OPEN_STATUSES)


def test_the_queue_lists_exactly_the_open_requests(future_days):
    requests = {status: submit(future_days[:1]).request for status in S.values}
    for status, request in requests.items():
        # The reasons the database asks of a declined or substituted request.
        MeetingRequest.objects.filter(pk=request.pk).update(
            status=status, decline_reason="소관 외 사항", substitution_reason="시장 일정 중복"
        )
    listed = set(request_queue().values_list("status", flat=True))
    assert listed == OPEN_STATUSES


NOW = dt.datetime(2026, 11, 17, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
HOUR = dt.timedelta(hours=1)

#: (answer due, extended due, first answered): late or not at ``NOW``.
CASES = [
    ((-HOUR, None, None), True),  # past due, unanswered
    ((+HOUR, None, None), False),  # due later today
    ((-HOUR, +HOUR, None), False),  # past the first due time, but extended
    ((-2 * HOUR, -HOUR, None), True),  # past the extended due time too
    ((+HOUR, -HOUR, None), True),  # the extension is what counts
    ((-HOUR, None, -2 * HOUR), False),  # answered (in time)
    ((-2 * HOUR, None, -HOUR), False),  # answered late: no longer waiting
    ((0 * HOUR, None, None), False),  # due this very moment: not late yet
]


@pytest.mark.parametrize(("offsets", "late"), CASES)
def test_a_request_is_late_in_the_queue_exactly_when_its_page_says_so(future_days, offsets, late):
    due, extended, answered = offsets
    request = submit(future_days[:1]).request
    MeetingRequest.objects.filter(pk=request.pk).update(
        answer_due_at=NOW + due,
        extended_due_at=NOW + extended if extended is not None else None,
        first_answered_at=NOW + answered if answered is not None else None,
    )
    request.refresh_from_db()
    queued = request_queue(now=NOW).get(pk=request.pk)
    assert is_late(request, NOW) is queued.is_late is late
    assert queued.due == request.due_at
    assert timezone.is_aware(queued.due)
