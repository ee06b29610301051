"""Private feed sources of the visits app (registered in ``ready``).

Cancelled or postponed visits and tours stay as STATUS:CANCELLED until
``FEED_CANCELLED_KEEP_DAYS`` after their date, as in the public feeds.
"""

from __future__ import annotations

from django.db.models import Q

from scheduling.feeds import register_feed_source
from scheduling.ical import IcalEvent
from scheduling.models import CalendarFeedToken, Official, StaffProfile
from visits.feeds import _tour_event, _visit_event, kept
from visits.models import FieldVisit, ThemedTour


def _visits():
    return kept(FieldVisit.objects.select_related("neighborhood", "official")).order_by("start", "pk")


def _tours():
    return kept(ThemedTour.objects.prefetch_related("neighborhoods")).order_by("start", "pk")


def official_source(user) -> list[IcalEvent]:
    official = Official.objects.filter(user=user).first()
    if official is None:
        return []
    events = [_visit_event(v) for v in _visits().filter(official=official)]
    events += [_tour_event(t) for t in _tours().filter(official=official)]
    return events


def secretariat_source(user) -> list[IcalEvent]:
    return [_visit_event(v) for v in _visits()] + [_tour_event(t) for t in _tours()]


def department_source(user) -> list[IcalEvent]:
    profile = StaffProfile.objects.filter(user=user, department__isnull=False).first()
    if profile is None:
        return []
    tours = _tours().filter(Q(departments=profile.department)).distinct()
    return [_tour_event(t) for t in tours]


def register() -> None:
    register_feed_source(CalendarFeedToken.Kind.OFFICIAL, official_source)
    register_feed_source(CalendarFeedToken.Kind.SECRETARIAT, secretariat_source)
    register_feed_source(CalendarFeedToken.Kind.DEPARTMENT, department_source)
