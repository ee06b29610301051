"""No page writes to the database when it is read (issue 16).

Every GET of the public pages, the feeds and the back office's main pages
runs with a wrapper that counts the INSERT, UPDATE and DELETE statements
sent to the database; there must be none. (The session, the rate limits
and django-axes keep their counters in the cache, not the database; a
staff user is logged in before the count starts.) One write is meant:
the back office's access log (docs/privacy.md, "who looked") records
each opening of a page that shows a citizen's full contact; it is the
record of the read itself, so a staff page may insert that row and
nothing else. The meeting days in
particular are read from the series' rule and the saved days: the sync
that saves them runs from celery beat and from the services a POST calls.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from tests.test_html_valid import PREPARE, _pages, demo_city  # noqa: F401 (a fixture)

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
ACCESS_LOG = re.compile(r'^\s*INSERT INTO "scheduling_accesslog"', re.IGNORECASE)


class WriteCounter:
    def __init__(self):
        self.writes: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if WRITE.match(sql):
            self.writes.append(sql[:120])
        return execute(sql, params, many, context)


def _feeds(city) -> list[tuple[str | None, str]]:
    code = city["visit"].neighborhood.code
    return [
        (None, "/calendar/meeting-days.ics"),
        (None, "/calendar/visits.ics"),
        (None, f"/neighborhoods/{code}/visits.ics"),
        (None, f"/meetings/status/{city['booked'].token}/appointment.ics"),
    ]


@pytest.mark.django_db
def test_no_page_writes_to_the_database_when_read(client, demo_city):  # noqa: F811
    written = {}
    for username, url in [*_pages(demo_city), *_feeds(demo_city)]:
        client.logout()
        if username:
            client.force_login(demo_city["users"][username])
        if url in PREPARE:  # the code page needs a form sent first (a POST: not counted)
            PREPARE[url](client, demo_city)
        counter = WriteCounter()
        with connection.execute_wrapper(counter):
            response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        writes = [sql for sql in counter.writes if not (username and ACCESS_LOG.match(sql))]
        if writes:
            written[f"{url} ({username or 'citizen'})"] = writes
    assert written == {}


@pytest.mark.django_db
def test_the_counter_sees_a_write(client, demo_city):  # noqa: F811
    """The check above would catch a page that writes: a POST that saves a
    request is counted."""
    counter = WriteCounter()
    with connection.execute_wrapper(counter):
        client.post("/meetings/request/", {"name": "x"})  # refused by the form: nothing saved
    assert counter.writes == []
    from meetings.services.series import meeting_days_sync

    with connection.execute_wrapper(counter):
        meeting_days_sync(start=demo_city["days"][-1].original_date, end=demo_city["days"][-1].original_date)
    assert counter.writes, "the sync saves the day the pages showed from the rule"
