"""Every calendar the product serves is valid for libical too (issue 14,
item 6), not only for the lenient readers (icalendar, ical.js, vobject).

libical is run through its GObject binding (Debian: gir1.2-ical-3.0 and
python3-gi, installed by scripts/ensure-system-packages.sh) in the system
Python, in a subprocess: it parses each file and applies its strict
restriction check (RFC 5545 property counts per component; with a METHOD,
the iTIP rules of RFC 5546, such as ORGANIZER for METHOD:PUBLISH). Any
X-LIC-ERROR it writes into the component is a failure. The rule test below
checks the RFC 5546 point itself without libical, so it runs everywhere.
"""

from __future__ import annotations

import json
import subprocess

import icalendar
import pytest

pytestmark = pytest.mark.django_db

SYSTEM_PYTHON = "/usr/bin/python3"
IMPORT_LIBICAL = 'import gi; gi.require_version("ICalGLib", "3.0"); from gi.repository import ICalGLib'

#: Reads {name: text} as JSON on stdin; writes {name: [errors]}.
LIBICAL_CHECK = r"""
import json, sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib

result = {}
for name, text in json.load(sys.stdin).items():
    component = ICalGLib.Component.new_from_string(text)
    if component is None:
        result[name] = ["libical could not parse it"]
        continue
    passed = ICalGLib.restriction_check(component)
    errors = sorted({
        line.strip() for line in component.as_ical_string().replace("\r\n ", "").splitlines()
        if line.startswith("X-LIC-ERROR")
    })
    if not passed and not errors:
        errors = ["restriction check failed"]
    result[name] = errors
print(json.dumps(result))
"""


def _libical_available() -> str | None:
    """None when libical's binding can be imported, else why not."""
    try:
        probe = subprocess.run(
            [SYSTEM_PYTHON, "-c", IMPORT_LIBICAL],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError as error:
        return f"{SYSTEM_PYTHON} cannot be run: {error}"
    if probe.returncode != 0:
        return (
            "libical's GObject binding is not importable"
            f" (apt-get install gir1.2-ical-3.0 python3-gi): {probe.stderr.strip()[-200:]}"
        )
    return None


def _non_empty(bodies: dict[str, bytes]) -> dict[str, bytes]:
    return {name: body for name, body in bodies.items() if b"BEGIN:VEVENT" in body}


def test_every_feed_passes_libicals_strict_check(client, feed_city):
    why_not = _libical_available()
    if why_not:
        pytest.skip(why_not)
    feeds = _non_empty(feed_city.render(client))
    assert len(feeds) == 7  # 3 public, 3 private, the citizen's own
    checked = subprocess.run(
        [SYSTEM_PYTHON, "-c", LIBICAL_CHECK],
        input=json.dumps({name: body.decode() for name, body in feeds.items()}),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    errors = json.loads(checked.stdout)
    assert set(errors) == set(feeds)
    assert {name: problems for name, problems in errors.items() if problems} == {}
    print(f"libical: {len(feeds)} non-empty feeds validated, 0 errors")


def test_libical_catches_what_the_feeds_used_to_say():
    """The check has teeth: METHOD:PUBLISH without ORGANIZER, as every feed
    said before, is reported."""
    why_not = _libical_available()
    if why_not:
        pytest.skip(why_not)
    old = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//KO\r\nMETHOD:PUBLISH\r\n"
        "BEGIN:VEVENT\r\nUID:a@b\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T100000Z\r\n"
        "SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    checked = subprocess.run(
        [SYSTEM_PYTHON, "-c", LIBICAL_CHECK],
        input=json.dumps({"old": old}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    (error,) = json.loads(checked.stdout)["old"]
    assert "ORGANIZER" in error


def test_rfc_5546_no_method_without_an_organizer(client, feed_city):
    """Without libical: a METHOD makes a file an iTIP message, and RFC 5546
    §3.2.1 then needs an ORGANIZER in every VEVENT; our feeds carry no
    METHOD (and no ORGANIZER: docs/calendar.md). RFC 5545 §3.6.5: no COMMENT
    on the VTIMEZONE itself. Every VEVENT has exactly one UID, DTSTAMP and
    DTSTART."""
    for name, body in feed_city.render(client).items():
        calendar = icalendar.Calendar.from_ical(body)
        assert "METHOD" not in calendar, name
        for timezone in calendar.walk("VTIMEZONE"):
            assert "COMMENT" not in timezone, name
        for event in calendar.walk("VEVENT"):
            if "METHOD" in calendar:  # pragma: no cover - the rule, should a METHOD come back
                assert "ORGANIZER" in event, name
            for prop in ("UID", "DTSTAMP", "DTSTART"):
                # icalendar gives a list for a property written twice.
                assert prop in event and not isinstance(event[prop], list), (name, prop)
