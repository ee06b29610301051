"""The public visit calendars: ``/calendar/visits.ics`` and
``/neighborhoods/<code>/visits.ics``.

Only public field visits (those of an accepted plan not kept off the public
pages, ``visits.rotation.selectors.public_visits``) and published themed tours; a cancelled (or postponed)
published one stays with ``STATUS:CANCELLED`` so subscribed calendars
remove it, until ``FEED_CANCELLED_KEEP_DAYS`` after its date. Only public text goes in: the neighborhood, the official's
title (never a name), the tour's title and the public summary — never
notes, the planner's reason or the reason for a status.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max, Q
from django.utils import translation
from django.utils.translation import gettext as _

from scheduling.feeds import PUBLIC_VIEW, cancelled_cutoff, cancelled_dropped_at, view_uid
from scheduling.ical import CANCELLED, CONFIRMED, Feed, IcalEvent
from scheduling.models import Neighborhood
from visits.models import FieldVisit, ThemedTour
from visits.rotation.selectors import public_visits

#: The stamp of a feed with nothing in it; fixed so the bytes are stable.
FEED_EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
NOT_HAPPENING = {"cancelled", "postponed"}


def gone_filter(cutoff: dt.datetime) -> Q:
    """The cancelled or postponed visits and tours that feeds no longer show."""
    return Q(status__in=NOT_HAPPENING, start__lt=cutoff)


def kept(queryset, cutoff: dt.datetime | None = None):
    """``queryset`` without the cancelled items past the cut-off."""
    return queryset.exclude(gone_filter(cutoff or cancelled_cutoff()))


def _status(status: str) -> str:
    return CANCELLED if status in NOT_HAPPENING else CONFIRMED


def _visit_event(visit: FieldVisit, view: str = PUBLIC_VIEW) -> IcalEvent:
    lines = []
    if visit.status == FieldVisit.Status.CANCELLED:
        lines.append(_("This visit is cancelled."))
    elif visit.status == FieldVisit.Status.POSTPONED:
        lines.append(_("This visit is postponed; the new date will be published."))
    else:
        lines.append(", ".join(visit.purpose_labels()))
    # The results only once the record is completed (that publishes them).
    if visit.public_summary and visit.results_published_at:
        lines.append(visit.public_summary)
    return IcalEvent(
        uid=view_uid("field-visit", visit.pk, view),
        start=visit.start,
        end=visit.end,
        summary=_("%(who)s's visit to %(neighborhood)s")
        % {"who": visit.official.title, "neighborhood": visit.neighborhood.name},
        sequence=visit.sequence,
        location=visit.neighborhood.name,
        description="\n".join(lines),
        status=_status(visit.status),
        last_modified=visit.updated_at,
    )


def _tour_event(tour: ThemedTour, view: str = PUBLIC_VIEW) -> IcalEvent:
    lines = []
    if tour.status == ThemedTour.Status.CANCELLED:
        lines.append(_("This tour is cancelled."))
    elif tour.status == ThemedTour.Status.POSTPONED:
        lines.append(_("This tour is postponed; the new date will be published."))
    if tour.public_summary:
        lines.append(tour.public_summary)
    return IcalEvent(
        uid=view_uid("themed-tour", tour.pk, view),
        start=tour.start,
        end=tour.end,
        summary=_("Themed tour: %(title)s") % {"title": tour.title},
        sequence=tour.sequence,
        location=", ".join(n.name for n in tour.neighborhoods.all()),
        description="\n".join(lines),
        status=_status(tour.status),
        last_modified=tour.updated_at,
    )


def visits_feed(neighborhood: Neighborhood | None = None) -> Feed:
    """The published visits and tours (of one neighborhood, if given), as a
    feed rendered when its body is read."""
    cutoff = cancelled_cutoff()
    visits = public_visits()
    tours = ThemedTour.objects.filter(is_published=True).prefetch_related("neighborhoods")
    if neighborhood is not None:
        visits = visits.filter(neighborhood=neighborhood)
        tours = tours.filter(neighborhoods=neighborhood).distinct()
    # Every row counts for the stamp, so unpublishing one changes it too; so
    # does the last cancelled item to pass the cut-off.
    # (One query per table for both.)
    stamps = [FEED_EPOCH]
    for model in (FieldVisit, ThemedTour):
        found = model.objects.aggregate(changed=Max("updated_at"), gone=Max("start", filter=gone_filter(cutoff)))
        stamps += [found["changed"], cancelled_dropped_at(found["gone"])]
    stamp = max(filter(None, stamps)).astimezone(dt.UTC)
    with translation.override("ko"):
        if neighborhood is None:
            name = _("%(city)s field visits") % {"city": settings.CITY_NAME}
        else:
            name = _("%(city)s field visits: %(neighborhood)s") % {
                "city": settings.CITY_NAME,
                "neighborhood": neighborhood.name,
            }
        events = [_visit_event(v) for v in kept(visits, cutoff).order_by("start", "pk")]
        events += [_tour_event(t) for t in kept(tours, cutoff).order_by("start", "pk")]
    events.sort(key=lambda e: (e.start, e.uid))
    return Feed(name, events, now=stamp, last_modified=stamp)
