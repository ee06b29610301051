"""Importing an official's busy times from an .ics (issue 6, point 6)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.translation import gettext
from schedule.models import Event

from meetings.services.booking import official_is_free
from scheduling.busy_import import MARKER_PREFIX, busy_times_import, imported_events
from scheduling.errors import TongtongError
from scheduling.models import Official
from scheduling.services import official_create

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
NOW = dt.datetime(2026, 1, 1, tzinfo=SEOUL)


def seoul(*args):
    return dt.datetime(*args, tzinfo=SEOUL)


def ics(*events: str) -> bytes:
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Groupware//KO", *events, "END:VCALENDAR", ""])
    return body.encode("utf-8")


def vevent(uid, *lines):
    return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20251201T000000Z", *lines, "END:VEVENT"])


WEEKLY = vevent(
    "weekly@groupware",
    "SUMMARY:간부회의 (개인 일정)",
    "DTSTART;TZID=Asia/Seoul:20260105T090000",
    "DTEND;TZID=Asia/Seoul:20260105T100000",
    "RRULE:FREQ=WEEKLY;COUNT=4",
    "EXDATE;TZID=Asia/Seoul:20260112T090000",
)


@pytest.fixture
def official():
    return official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR)


def spans(official):
    return sorted((e.start.astimezone(SEOUL), e.end.astimezone(SEOUL)) for e in imported_events(official))


def test_weekly_event_is_expanded_and_exdate_honoured(official):
    result = busy_times_import(official=official, data=ics(WEEKLY), now=NOW)
    assert result.created == 3 and result.removed == 0
    assert spans(official) == [
        (seoul(2026, 1, 5, 9), seoul(2026, 1, 5, 10)),
        (seoul(2026, 1, 19, 9), seoul(2026, 1, 19, 10)),
        (seoul(2026, 1, 26, 9), seoul(2026, 1, 26, 10)),
    ]


def test_summary_is_not_copied(official):
    busy_times_import(official=official, data=ics(WEEKLY), now=NOW)
    for event in Event.objects.filter(calendar=official.calendar):
        assert "간부회의" not in event.title and "간부회의" not in event.description
        assert event.title == gettext("Busy (imported)")
        assert event.description.startswith(MARKER_PREFIX)


def test_all_day_event_blocks_the_whole_day_in_seoul(official):
    event = vevent("allday@gw", "DTSTART;VALUE=DATE:20260210", "DTEND;VALUE=DATE:20260211")
    busy_times_import(official=official, data=ics(event), now=NOW)
    assert spans(official) == [(seoul(2026, 2, 10), seoul(2026, 2, 11))]


def test_floating_time_is_seoul_and_utc_is_converted(official):
    floating = vevent("floating@gw", "DTSTART:20260303T140000", "DTEND:20260303T150000")
    utc = vevent("utc@gw", "DTSTART:20260304T000000Z", "DTEND:20260304T010000Z")
    busy_times_import(official=official, data=ics(floating, utc), now=NOW)
    assert spans(official) == [
        (seoul(2026, 3, 3, 14), seoul(2026, 3, 3, 15)),
        (seoul(2026, 3, 4, 9), seoul(2026, 3, 4, 10)),
    ]


def test_transparent_and_cancelled_events_are_skipped(official):
    free = vevent("free@gw", "DTSTART:20260303T140000", "DTEND:20260303T150000", "TRANSP:TRANSPARENT")
    cancelled = vevent("cancelled@gw", "DTSTART:20260304T140000", "DTEND:20260304T150000", "STATUS:CANCELLED")
    busy = vevent("busy@gw", "DTSTART:20260305T140000", "DTEND:20260305T150000", "TRANSP:OPAQUE")
    result = busy_times_import(official=official, data=ics(free, cancelled, busy), now=NOW)
    assert result.created == 1
    assert spans(official) == [(seoul(2026, 3, 5, 14), seoul(2026, 3, 5, 15))]


def test_only_the_horizon_is_imported(official):
    past = vevent("past@gw", "DTSTART:20251201T090000", "DTEND:20251201T100000")
    far = vevent("far@gw", "DTSTART:20300101T090000", "DTEND:20300101T100000")
    daily = vevent("daily@gw", "DTSTART:20250101T090000", "DTEND:20250101T100000", "RRULE:FREQ=DAILY")
    result = busy_times_import(official=official, data=ics(past, far, daily), now=NOW, horizon_days=10)
    assert result.created == 10


def test_a_second_import_replaces_the_first_and_leaves_other_events(official):
    own = Event.objects.create(
        calendar=official.calendar, title="시정 현안 회의", start=seoul(2026, 1, 7, 9), end=seoul(2026, 1, 7, 10)
    )
    busy_times_import(official=official, data=ics(WEEKLY), now=NOW)
    other = official_create(name="이부시장", title="제1부시장", rank=Official.Rank.DEPUTY_MAYOR)
    busy_times_import(official=other, data=ics(WEEKLY), now=NOW)

    second = vevent("new@gw", "DTSTART:20260401T090000", "DTEND:20260401T100000")
    result = busy_times_import(official=official, data=ics(second), now=NOW)
    assert (result.created, result.removed) == (1, 3)
    assert spans(official) == [(seoul(2026, 4, 1, 9), seoul(2026, 4, 1, 10))]
    assert Event.objects.filter(pk=own.pk).exists()
    assert imported_events(other).count() == 3


NOT_ICS = "The file is not an iCalendar (.ics) file."
NOT_UTF8 = "The file is not UTF-8 text; it seems to be in %(encoding)s. Export it again as UTF-8."
BAD_IMPORTS = {
    "not iCalendar": (b"Name,Start,End\r\n\xea\xb9\x80,2026-01-05,2026-01-06\r\n", NOT_ICS),
    "several MB": (ics(WEEKLY) + b" " * (3 * 1024 * 1024), "The file is too large: at most 2 MB can be imported."),
    "UTF-16": ("\ufeff".encode("utf-16-le") + ics(WEEKLY).decode().encode("utf-16-le"), NOT_UTF8),
    "latin-1 / EUC-KR": (
        ics(vevent("k@gw", "SUMMARY:회의", "DTSTART:20260401T090000", "DTEND:20260401T100000"))
        .decode()
        .encode("euc-kr"),
        NOT_UTF8,
    ),
    "latin-1": (
        ics(vevent("l@gw", "DTSTART:20260401T090000", "DTEND:20260401T100000", "LOCATION:Café"))
        .decode()
        .encode("latin-1"),
        NOT_UTF8,
    ),
    "no VEVENT": (
        ics("BEGIN:VTODO", "UID:t@gw", "SUMMARY:할 일", "END:VTODO"),
        "The file contains no events (VEVENT).",
    ),
    "broken event": (ics("BEGIN:VEVENT", "UID:x", "DTSTART:nonsense", "END:VEVENT"), None),
}


@pytest.mark.parametrize("name", BAD_IMPORTS)
def test_a_bad_import_gives_a_clear_error_and_imports_nothing(official, name):
    data, expected = BAD_IMPORTS[name]
    busy_times_import(official=official, data=ics(WEEKLY), now=NOW)
    before = list(Event.objects.order_by("pk").values_list("pk", "start", "end", "description"))
    with pytest.raises(TongtongError) as caught:
        busy_times_import(official=official, data=data, now=NOW)
    if expected:
        # The message is the translated msgid (Korean once locale/ has it).
        assert str(caught.value).startswith(gettext(expected).split("%")[0])
    assert list(Event.objects.order_by("pk").values_list("pk", "start", "end", "description")) == before


def test_the_error_messages_name_the_problem(official):
    with pytest.raises(TongtongError, match="UTF-16") as caught:
        busy_times_import(official=official, data="BEGIN:VCALENDAR".encode("utf-16"), now=NOW)
    assert str(caught.value) == gettext(
        "The file is not UTF-8 text; it seems to be in %(encoding)s. Export it again as UTF-8."
    ) % {"encoding": "UTF-16"}
    with pytest.raises(TongtongError) as caught:
        busy_times_import(official=official, data=b"x" * (2 * 1024 * 1024 + 1), now=NOW)
    assert str(caught.value) == gettext("The file is too large: at most 2 MB can be imported.")
    with pytest.raises(TongtongError) as caught:
        busy_times_import(official=official, data=b"hello", now=NOW)
    assert str(caught.value) == gettext("The file is not an iCalendar (.ics) file.")
    with pytest.raises(TongtongError) as caught:
        busy_times_import(official=official, data=ics(), now=NOW)
    assert str(caught.value) == gettext("The file contains no events (VEVENT).")


def test_more_than_5000_occurrences_is_refused(official):
    many = vevent("many@gw", "DTSTART:20260101T000000", "DTEND:20260101T000500", "RRULE:FREQ=HOURLY")
    with pytest.raises(TongtongError):
        busy_times_import(official=official, data=ics(many), now=NOW)
    assert not Event.objects.exists()


def test_a_utf8_bom_is_accepted(official):
    result = busy_times_import(official=official, data=b"\xef\xbb\xbf" + ics(WEEKLY), now=NOW)
    assert result.created == 3


def test_imported_busy_times_make_the_official_busy_for_meetings(official):
    assert official_is_free(official, seoul(2026, 1, 19, 9, 30), seoul(2026, 1, 19, 9, 50))
    busy_times_import(official=official, data=ics(WEEKLY), now=NOW)
    assert not official_is_free(official, seoul(2026, 1, 19, 9, 30), seoul(2026, 1, 19, 9, 50))
    # The EXDATE'd week and the hour after stay free.
    assert official_is_free(official, seoul(2026, 1, 12, 9, 30), seoul(2026, 1, 12, 9, 50))
    assert official_is_free(official, seoul(2026, 1, 19, 10), seoul(2026, 1, 19, 11))


# The page ------------------------------------------------------------------


def url(official):
    return reverse("busy_import", args=[official.pk])


def test_anonymous_goes_to_login(client, official):
    response = client.get(url(official))
    assert response.status_code == 302 and reverse("staff:login") in response["Location"]


@pytest.mark.parametrize("who", ["stranger", "official_user", "department_user"])
def test_others_get_403(client, official, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(official)).status_code == 403
    assert client.post(url(official)).status_code == 403


def test_secretariat_uploads(client, official, secretariat_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretariat_user)
    assert client.get(url(official)).status_code == 200
    # The page imports from the real "now": a weekly event from now on.
    weekly = vevent("page@gw", "DTSTART:20250106T090000", "DTEND:20250106T100000", "RRULE:FREQ=WEEKLY")
    upload = SimpleUploadedFile("busy.ics", ics(weekly), content_type="text/calendar")
    response = client.post(url(official), {"file": upload})
    assert response.status_code == 200
    assert imported_events(official).count() in (104, 105)  # two years of Mondays
    assert response.context["result"].created == imported_events(official).count()
    assert "간부회의" not in response.content.decode()


def test_secretariat_sees_the_error_and_nothing_is_imported(client, official, secretariat_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretariat_user)
    upload = SimpleUploadedFile("busy.ics", b"not a calendar", content_type="text/calendar")
    response = client.post(url(official), {"file": upload})
    assert response.status_code == 400
    assert gettext("The file is not an iCalendar (.ics) file.") in response.content.decode()
    assert not Event.objects.exists()


def test_unknown_official_is_404(client, secretariat_user):
    client.force_login(secretariat_user)
    assert client.get(reverse("busy_import", args=[999999])).status_code == 404
