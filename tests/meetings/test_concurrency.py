"""Races the database must win, on PostgreSQL (real row locks, real commits).

Each test starts its threads on a barrier so that they hit the services at
the same moment, each on its own database connection (closed at the end of
the thread). The suite runs on SQLite by default, where these are skipped;
CI runs it on PostgreSQL (``DATABASE_URL``), where they run.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from meetings.errors import MeetingError, SlotTakenError
from meetings.models import Appointment, MeetingRequest, Notification, ReferenceCounter, WaitlistEntry
from meetings.services import booking
from tests.meetings.conftest import free_times, submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20


@pytest.fixture(autouse=True)
def _postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL's row locks (set DATABASE_URL)")


def race(count: int, work) -> list[tuple[str, object]]:
    """Run ``work(i)`` in ``count`` threads released at once. Returns, per
    thread, ("ok", result) or ("error", exception)."""
    barrier = threading.Barrier(count)
    results: list[tuple[str, object] | None] = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", work(i))
        except Exception as error:
            results[i] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


def split(results):
    ok = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    return ok, errors


def test_twenty_bookings_of_one_slot_give_one_appointment(future_days):
    day = future_days[0]
    slot = day.slots.first()
    requests = [submit([day]).request for _i in range(THREADS)]

    results = race(THREADS, lambda i: booking.slot_book(request=requests[i], slot=slot))

    ok, errors = split(results)
    assert len(ok) == 1
    assert len(errors) == THREADS - 1
    # Every loser got the clear "this slot was just taken", nothing else.
    assert all(type(error) is SlotTakenError for error in errors), {type(e).__name__ for e in errors}
    assert Appointment.objects.filter(slot=slot, status="active").count() == 1
    winner = ok[0].request
    assert MeetingRequest.objects.get(pk=winner.pk).status == "scheduled"
    # The 19 others are untouched, still waiting for a decision.
    assert MeetingRequest.objects.filter(status="submitted").count() == THREADS - 1
    # Only the winner's booking reached the mayor's calendar and the citizen.
    assert Appointment.objects.count() == 1
    assert ok[0].event is not None
    assert Notification.objects.filter(kind="scheduled", channel="sms").count() == 1


def test_twenty_submissions_at_once_get_consecutive_references(pinned_today, city):
    results = race(THREADS, lambda i: _submit_without_days(subject=f"동시 신청 {i}"))

    ok, errors = split(results)
    assert errors == []
    year = pinned_today.year
    references = sorted(submission.request.reference for submission in ok)
    assert references == [f"{year}-{n:04d}" for n in range(1, THREADS + 1)]
    assert MeetingRequest.objects.count() == THREADS
    assert ReferenceCounter.objects.get(year=year).last_number == THREADS
    assert all(submission.created and submission.token for submission in ok)


def test_the_same_form_submitted_five_times_at_once_makes_one_request(pinned_today, city):
    key = uuid.uuid4()

    results = race(5, lambda i: _submit_without_days(submission_key=key))

    ok, errors = split(results)
    assert errors == [], errors  # never an IntegrityError (a 500 in the view)
    assert MeetingRequest.objects.count() == 1
    request = MeetingRequest.objects.get()
    assert {submission.request.pk for submission in ok} == {request.pk}
    assert sum(submission.created for submission in ok) == 1
    # The loser's rolled-back number is not lost: no gap for the next one.
    year = pinned_today.year
    assert request.reference == f"{year}-0001"
    assert ReferenceCounter.objects.get(year=year).last_number == 1
    assert Notification.objects.filter(kind="submitted", channel="sms").count() == 1


def test_two_staff_confirming_one_request_into_two_slots_book_it_once(future_days, django_user_model):
    day = future_days[0]
    first_slot, second_slot = day.slots.all()[:2]
    request = submit([day]).request
    staff = [django_user_model.objects.create_user(username=f"staff{i}", password="pw") for i in range(2)]
    slots = [first_slot, second_slot]

    def confirm(i):
        # Each staff member's view loads the request afresh, as a POST would.
        return booking.slot_book(request=MeetingRequest.objects.get(pk=request.pk), slot=slots[i], actor=staff[i])

    results = race(2, confirm)

    ok, errors = split(results)
    assert len(ok) == 1 and len(errors) == 1
    assert isinstance(errors[0], MeetingError), repr(errors[0])
    assert str(errors[0])  # a message the staff member can read
    active = Appointment.objects.filter(request=request, status="active")
    assert active.count() == 1
    assert active.get() == ok[0]
    # The losing slot stays free and nothing was booked and then cancelled.
    assert Appointment.objects.filter(request=request).count() == 1
    assert Notification.objects.filter(request=request, kind="scheduled", channel="sms").count() == 1


def test_a_booking_and_a_substitution_of_one_request_at_once(future_days, city):
    day = future_days[0]
    request = submit([day]).request
    deputy = city["first"]
    start = _free_time(request, deputy)

    def act(i):
        fresh = MeetingRequest.objects.get(pk=request.pk)
        if i == 0:
            return booking.slot_book(request=fresh, slot=day.slots.first())
        return booking.request_substitute(request=fresh, official=deputy, start=start, reason="시장 출장")

    results = race(2, act)

    ok, errors = split(results)
    assert len(ok) == 1 and len(errors) == 1
    assert isinstance(errors[0], MeetingError), repr(errors[0])
    assert Appointment.objects.filter(request=request).count() == 1
    assert Appointment.objects.filter(request=request, status="active").count() == 1


def test_two_substitutions_with_one_official_at_one_time(future_days, city):
    requests = [submit(future_days[:1]).request for _i in range(2)]
    deputy = city["first"]
    start = _free_time(requests[0], deputy)

    results = race(
        2,
        lambda i: booking.request_substitute(request=requests[i], official=deputy, start=start, reason="시장 출장"),
    )

    ok, errors = split(results)
    assert len(ok) == 1 and len(errors) == 1
    assert type(errors[0]) is SlotTakenError, repr(errors[0])
    assert str(deputy) in str(errors[0])  # "… is busy at that time"
    assert Appointment.objects.filter(official=deputy, status="active", start=start).count() == 1
    statuses = sorted(MeetingRequest.objects.values_list("status", flat=True))
    assert statuses == ["submitted", "substituted"]


def test_two_workers_expiring_an_offer_pass_the_slot_on_once(future_days):
    day = future_days[0]
    booked = []
    for slot in day.slots.all():
        request = submit([day]).request
        booking.slot_book(request=request, slot=slot)
        booked.append(request)
    first, second = submit([day]).request, submit([day]).request  # the day is full: both wait
    booking.citizen_cancel(request=booked[0])
    offer = WaitlistEntry.objects.get(request=first)
    assert offer.status == "offered"
    WaitlistEntry.objects.filter(pk=offer.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))

    results = race(2, lambda i: booking.waitlist_expire_offers())

    ok, errors = split(results)
    assert errors == []
    assert sorted(ok) == [0, 1]  # one worker took the expired offer, the other skipped it
    assert WaitlistEntry.objects.get(request=first).status == "expired"
    passed_on = WaitlistEntry.objects.get(request=second)
    assert passed_on.status == "offered" and passed_on.offered_slot_id == offer.offered_slot_id
    assert Notification.objects.filter(request=second, kind="waitlist_offer", channel="sms").count() == 1


def _submit_without_days(**overrides):
    return submit((), **overrides)


def _free_time(request, official) -> dt.datetime:
    """The first time the system proposes for ``official`` (free in their calendar)."""
    times = free_times(request, official)
    assert times, "the official should have free times"
    return times[0]


def test_booking_into_a_day_while_it_is_cancelled_never_deadlocks(future_days):
    """The secretariat cancels a meeting day while a colleague moves a
    citizen's booking to another slot of the same day. Cancelling locks the
    day and then each booked request; booking locks the day first too, so one
    waits for the other instead of PostgreSQL aborting one as a deadlock.
    Either order leaves no active booking on the cancelled day and the
    request back under review."""
    from meetings.services.series import meeting_day_cancel

    day = future_days[0]
    citizen = submit([day]).request
    booking.slot_book(request=citizen, slot=day.slots.all()[1])
    citizen.refresh_from_db()
    other_slot = day.slots.first()

    def work(i):
        if i == 0:
            return booking.slot_book(request=citizen, slot=other_slot)
        return meeting_day_cancel(day=day, reason="시장 긴급 일정")

    results = race(2, work)
    errors = [value for kind, value in results if kind == "error"]
    assert all(isinstance(error, MeetingError) for error in errors), errors
    assert not Appointment.objects.filter(slot__meeting_day=day, status="active").exists()
    citizen.refresh_from_db()
    assert citizen.status == "under_review"


def test_the_same_code_sent_at_once_from_ten_taps_makes_one_request(future_days):
    """The verification row is locked while the code is checked and the
    request saved: ten taps on "verify" at the same moment, one request,
    one confirmation to the citizen."""
    from django.test import Client

    from scheduling.models import PhoneVerification
    from scheduling.sms import outbox
    from tests.meetings.conftest import sent_code
    from tests.meetings.public.test_verification import PHONE, _data

    browser = Client()
    browser.post("/meetings/request/", _data(browser, future_days[:1]))
    code = sent_code(PHONE)
    cookies = browser.cookies

    def tap(_i):
        tab = Client()
        tab.cookies = cookies
        return tab.post("/meetings/request/verify/", {"action": "verify", "code": code}).status_code

    ok, errors = split(race(10, tap))
    assert errors == []
    assert set(ok) <= {302}
    assert MeetingRequest.objects.count() == 1
    assert PhoneVerification.objects.get().result == MeetingRequest.objects.get().reference
    assert Notification.objects.filter(kind="submitted").count() == 1
    assert [message.to for message in outbox] == [PHONE]
