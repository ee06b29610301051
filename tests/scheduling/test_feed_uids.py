"""One UID per thing per subscriber view (issue 14, item 6): a person
subscribed to the public visit feed and to a private feed (or to two
private feeds) gets each thing once in each calendar, never one UID that
two calendars fight over; and each view's UIDs stay the same from one
render to the next, and when the thing changes."""

import icalendar
import pytest
from django.core.cache import cache

from scheduling.models import CalendarFeedToken
from visits.models import FieldVisit

pytestmark = pytest.mark.django_db
Kind = CalendarFeedToken.Kind


def _uids(body: bytes) -> list[str]:
    return [str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")]


def _visit_uid(body: bytes, visit: FieldVisit) -> str:
    (uid,) = [u for u in _uids(body) if u.startswith(f"field-visit-{visit.pk}")]
    return uid


def test_a_visit_has_another_uid_in_the_mayors_feed_than_in_the_public_feed(client, feed_city):
    visit = feed_city.visit
    first = feed_city.render(client)
    cache.clear()  # the second render from scratch, not from cached blocks
    second = feed_city.render(client)
    public = _visit_uid(first["public:visits"], visit)
    mayor = _visit_uid(first["private:official"], visit)
    assert public == f"field-visit-{visit.pk}@tongtong"  # unchanged for the public's subscriptions
    assert mayor == f"field-visit-{visit.pk}.official@tongtong"
    assert public != mayor
    assert _visit_uid(second["public:visits"], visit) == public
    assert _visit_uid(second["private:official"], visit) == mayor
    # A change of the visit keeps each view's UID (SEQUENCE says it changed).
    FieldVisit.objects.filter(pk=visit.pk).update(sequence=visit.sequence + 1, public_summary="장소 변경")
    third = feed_city.render(client)
    assert _visit_uid(third["public:visits"], visit) == public
    assert _visit_uid(third["private:official"], visit) == mayor


def test_no_two_views_share_a_uid(client, feed_city):
    """Across the public view and every private kind, no UID is shared; the
    public feeds among themselves are one view (the same thing, the same
    text, the same UID)."""
    bodies = feed_city.render(client)
    views = {
        "public": set(_uids(bodies["public:visits"])) | set(_uids(bodies["public:meeting-days"])),
        **{kind: set(_uids(bodies[f"private:{kind}"])) for kind in Kind.values},
    }
    assert set(_uids(bodies["public:neighborhood-visits"])) <= views["public"]
    for view, uids in views.items():
        assert uids, view
        for other, other_uids in views.items():
            if other != view:
                assert not uids & other_uids, (view, other)
    for kind in Kind.values:
        assert all(uid.endswith(f".{kind}@tongtong") for uid in views[kind]), kind
    # Each private view of the same meeting has its own UID.
    uid = feed_city.appointment.uid
    assert f"appointment-{uid}.official@tongtong" in views[Kind.OFFICIAL]
    assert f"appointment-{uid}.secretariat@tongtong" in views[Kind.SECRETARIAT]
    assert f"appointment-{uid}.department@tongtong" in views[Kind.DEPARTMENT]
