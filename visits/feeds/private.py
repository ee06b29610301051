"""Private feed sources of the visits app (registered in ``ready``).

Cancelled or postponed visits and tours stay as STATUS:CANCELLED until
``FEED_CANCELLED_KEEP_DAYS`` after their date, as in the public feeds.
Each feed kind writes its own UIDs (``scheduling.feeds.view_uid``): a
subscriber to the public visit feed and to a private one sees each visit
once in each calendar, never one event fought over by two.
"""

from __future__ import annotations

from django.db.models import Q

from scheduling.feeds import register_feed_source
from scheduling.ical import IcalEvent
from scheduling.models import CalendarFeedToken, Official, StaffProfile
from visits.feeds.public import _tour_event, _visit_event, kept
from visits.models import FieldVisit, ThemedTour

Kind = CalendarFeedToken.Kind


def _visits():
    return kept(FieldVisit.objects.select_related("neighborhood", "official")).order_by("start", "pk")


def _tours():
    return kept(ThemedTour.objects.prefetch_related("neighborhoods")).order_by("start", "pk")


def official_source(user) -> list[IcalEvent]:
    official = Official.objects.filter(user=user).first()
    if official is None:
        return []
    events = [_visit_event(v, Kind.OFFICIAL) for v in _visits().filter(official=official)]
    events += [_tour_event(t, Kind.OFFICIAL) for t in _tours().filter(official=official)]
    return events


def secretariat_source(user) -> list[IcalEvent]:
    view = Kind.SECRETARIAT
    return [_visit_event(v, view) for v in _visits()] + [_tour_event(t, view) for t in _tours()]


def department_source(user) -> list[IcalEvent]:
    profile = StaffProfile.objects.filter(user=user, department__isnull=False).first()
    if profile is None:
        return []
    tours = _tours().filter(Q(departments=profile.department)).distinct()
    return [_tour_event(t, Kind.DEPARTMENT) for t in tours]


def register() -> None:
    register_feed_source(Kind.OFFICIAL, official_source)
    register_feed_source(Kind.SECRETARIAT, secretariat_source)
    register_feed_source(Kind.DEPARTMENT, department_source)
