"""The meeting days the public pages keep (scheduling/versions.py): every
change a service or the admin makes is on the next page, in every process.

Each test reads a page first (so that the days are kept), changes something
the way the city does, and reads the page again. The completeness of the
versions (every write gives one) is checked over the whole suite by
``tests/conftest.py::_data_versions_follow_writes``."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from icalendar import Calendar

from meetings.selectors import MEETING_DAYS, upcoming_meeting_days
from meetings.services import booking
from meetings.services.series import meeting_day_cancel, series_configure
from scheduling import versions
from scheduling.models import CityClosure, DataVersion
from tests.meetings.conftest import submit

pytestmark = pytest.mark.django_db

FORM_URL = "/meetings/request/"


def _free_slots(client) -> list[str]:
    """The "N/M left" of every day the form offers, in order."""
    return re.findall(r"잔여 (\d+/\d+)", client.get(FORM_URL).content.decode())


def test_a_booking_shows_on_the_next_form_and_home_page(client, pinned_today, future_days):
    before = _free_slots(client)
    home_before = client.get("/").content.decode()
    day = future_days[0]
    request = submit([day]).request
    booking.slot_book(request=request, slot=day.slots.order_by("start").first())
    after = _free_slots(client)
    assert before != after, "one slot fewer on the next page"
    free, total = map(int, before[0].split("/"))
    assert after[0] == f"{free - 1}/{total}"
    assert client.get("/").content.decode() != home_before

    booking.citizen_cancel(request=request)
    assert _free_slots(client) == before, "the slot is free again at once"


def test_a_cancelled_day_leaves_the_form_and_is_cancelled_in_the_feed(client, pinned_today, future_days):
    day = future_days[0]
    feed = client.get("/calendar/meeting-days.ics").content
    assert b"STATUS:CANCELLED" not in feed or day.original_date.strftime("%Y%m%d").encode() not in feed
    offered = len(_free_slots(client))
    meeting_day_cancel(day=day, reason="시장 출장")
    assert len(_free_slots(client)) == offered - 1
    calendar = Calendar.from_ical(client.get("/calendar/meeting-days.ics").content)
    cancelled = [e for e in calendar.walk("VEVENT") if e.get("STATUS") == "CANCELLED"]
    assert any(
        e.decoded("DTSTART").date() == day.start.date() and "시장 출장" in str(e["DESCRIPTION"]) for e in cancelled
    )


def test_a_closure_added_in_the_admin_moves_a_day_not_yet_saved(client, pinned_today, city):
    """A rule date beyond the synced days is planned by the holiday policy
    from the city's closures: a closure added in the admin moves it on the
    next page."""
    assert "시 개청 기념일" not in client.get("/").content.decode()
    first_shown = upcoming_meeting_days()[0]
    assert first_shown.pk is None, "not synced yet: planned from the rule"
    first_shown = first_shown.original_date
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(admin)
    response = client.post(
        "/admin/scheduling/cityclosure/add/", {"date": first_shown.isoformat(), "name": "시 개청 기념일"}
    )
    assert response.status_code == 302
    client.logout()
    assert CityClosure.objects.filter(date=first_shown).exists()
    after = client.get("/").content.decode()
    assert "시 개청 기념일" in after, "the day is shown moved or cancelled, with the closure as its reason"


def test_a_changed_series_setting_is_on_the_next_feed(client, pinned_today, city):
    before = client.get("/calendar/meeting-days.ics").content
    series_configure(series=city["series"], location="시청 2층 상황실")
    after = client.get("/calendar/meeting-days.ics").content
    assert after != before and "시청 2층 상황실".encode() in Calendar.from_ical(after).to_ical()


def test_each_change_gives_a_new_version():
    versions.changed(MEETING_DAYS)  # at once outside a transaction (the tests run on_commit at once)
    first = versions.current(MEETING_DAYS)
    assert first != (0,)
    versions.changed(MEETING_DAYS)
    assert versions.current(MEETING_DAYS) != first, "a new random version each time"
    assert DataVersion.objects.filter(name=MEETING_DAYS).count() == 1


@pytest.mark.django_db(transaction=True)
def test_no_new_version_before_the_commit(transactional_db):
    """``changed`` gives the new version when the transaction commits, not
    before: a page that reads the versions during the write still finds the
    old ones, so it can never keep the old days under the new version."""
    from django.db import transaction

    before = versions.current(MEETING_DAYS)
    with transaction.atomic():
        versions.changed(MEETING_DAYS)
        assert versions.current(MEETING_DAYS) == before
    assert versions.current(MEETING_DAYS) != before
