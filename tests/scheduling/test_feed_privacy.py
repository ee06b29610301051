"""One promise for every calendar feed (docs/privacy.md "Calendar feeds"):
the citizen's name, phone and e-mail are in no .ics the product serves —
public feeds, every kind of private feed, the citizen's own download —
neither in the raw bytes (unfolded) nor in any property once parsed.
Officials and the secretariat see the reference number and the subject;
a department the reference number only."""

import icalendar
import pytest

from scheduling.models import CalendarFeedToken
from tests.scheduling.conftest import CITIZEN_TRACES, SUBJECT

pytestmark = pytest.mark.django_db
Kind = CalendarFeedToken.Kind


def _unfolded(body: bytes) -> str:
    """The text with RFC 5545 line folding undone (a name may be folded
    across two lines)."""
    return body.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").decode()


def _property_values(body: bytes) -> list[str]:
    """Every property value of every component, parameters included (an
    ATTENDEE's CN, say), as text."""
    values = []
    for component in icalendar.Calendar.from_ical(body).walk():
        for name, value in component.property_items(recursive=False):
            text = value.to_ical() if hasattr(value, "to_ical") else value
            values.append(f"{name}:{text.decode() if isinstance(text, bytes) else text}")
            params = getattr(value, "params", {})
            values.extend(f"{name};{key}={val}" for key, val in params.items())
    return values


def test_no_feed_carries_the_citizens_name_phone_or_email(client, feed_city):
    bodies = feed_city.render(client)
    # Every kind of feed there is, each with the citizen's meeting in it
    # where that kind shows meetings at all.
    assert {f"private:{kind}" for kind in Kind.values} <= set(bodies)
    assert {"public:meeting-days", "public:visits", "public:neighborhood-visits", "citizen:appointment"} <= set(bodies)
    reference = feed_city.appointment.request.reference
    for name in ("private:official", "private:secretariat", "private:department", "citizen:appointment"):
        assert reference in _unfolded(bodies[name]), name
    for name, body in bodies.items():
        text = _unfolded(body)
        values = _property_values(body)
        for trace in CITIZEN_TRACES:
            assert trace not in text, (name, trace)
            assert not any(trace in value for value in values), (name, trace)
        for prop in ("ATTENDEE", "ORGANIZER", "CONTACT"):
            assert f"\r\n{prop}" not in body.decode(), (name, prop)


def test_officials_and_the_secretariat_see_reference_and_subject(client, feed_city):
    bodies = feed_city.render(client)
    reference = feed_city.appointment.request.reference
    for kind in (Kind.OFFICIAL, Kind.SECRETARIAT):
        events = icalendar.Calendar.from_ical(bodies[f"private:{kind}"]).walk("VEVENT")
        summaries = [str(e["SUMMARY"]) for e in events]
        assert f"시민 면담 {reference}: {SUBJECT}" in summaries, kind


def test_a_department_sees_the_reference_without_the_subject(client, feed_city):
    text = _unfolded(feed_city.render(client)["private:department"])
    assert f"시민 면담 {feed_city.appointment.request.reference}" in text
    assert SUBJECT not in text and "그늘막" not in text
