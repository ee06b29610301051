"""Fuzzed user text through ``scheduling.ical.build_calendar``: after a
strict re-parse it is still one VEVENT with only the expected properties,
the text comes back as ``clean_text`` documents, and every content line
is folded to at most 75 octets (RFC 5545 §3.1)."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from scheduling.ical import IcalEvent, build_calendar, clean_text

SEOUL = ZoneInfo("Asia/Seoul")
START = dt.datetime(2026, 4, 9, 14, tzinfo=SEOUL)
EXPECTED = {
    "UID",
    "SEQUENCE",
    "DTSTAMP",
    "LAST-MODIFIED",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "STATUS",
    "TRANSP",
}

#: The characters that break hand-written iCalendar, plus Korean and emoji.
TRICKY = st.sampled_from(
    [
        *[
            "\r\n",
            "\n",
            "\r",
            ";",
            ",",
            "\\",
            "\\n",
            ":",
            '"',
            "\t",
            "BEGIN:VEVENT",
            "END:VEVENT",
            "\r\nSTATUS:CANCELLED",
        ],
        "통",
        "통통데이",
        "시장실 3층",
        "😀",
        "👩‍👩‍👧",
        "é",
        "\u00a0",
        " ",
    ]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=20)), min_size=1, max_size=40).map("".join)
LONG = st.tuples(st.sampled_from(["가", "a", "😀", ";", "\\", ",", "\r\n"]), st.integers(1, 5000)).map(
    lambda t: t[0] * t[1]
)
USER_TEXT = st.one_of(TEXT, LONG, st.text(max_size=300))


def _visible(value: str) -> bool:
    return bool(clean_text(value).strip())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summary=USER_TEXT, location=USER_TEXT.filter(_visible), description=USER_TEXT.filter(_visible))
def test_user_text_stays_in_one_event(summary, location, description):
    body = build_calendar(
        "통통시 통통데이",
        [
            IcalEvent(
                uid="fuzz-1@tongtong",
                start=START,
                end=START + dt.timedelta(hours=1),
                summary=summary,
                location=location,
                description=description,
            )
        ],
        now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    # Only CRLF line ends, each content line at most 75 octets.
    assert b"\r" not in body.replace(b"\r\n", b"")
    assert b"\n" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")
    assert lines[-1] == b""
    assert all(len(line) <= 75 for line in lines), max(len(line) for line in lines)
    assert [line for line in lines if line.startswith(b"BEGIN:VEVENT")] == [b"BEGIN:VEVENT"]

    calendar = Calendar.from_ical(body)  # strict: raises on a malformed file
    (event,) = calendar.walk("VEVENT")
    assert len(calendar.subcomponents) == 2  # the VTIMEZONE and the one VEVENT
    assert set(event.keys()) == EXPECTED
    assert not event.errors
    assert str(event["summary"]) == clean_text(summary)
    assert str(event["location"]) == clean_text(location)
    assert str(event["description"]) == clean_text(description)
    assert str(event["status"]) == "CONFIRMED"
    assert event["dtstart"].dt == START
