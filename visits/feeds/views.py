"""The public visit calendar feeds."""

from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_http_methods

from scheduling.http import calendar_response
from scheduling.models import Neighborhood
from visits.feeds.public import visits_feed


@require_http_methods(["GET", "HEAD"])
def visits_ics(request):
    """Every published field visit and themed tour."""
    feed = visits_feed()
    return calendar_response(request, feed, filename="visits.ics")


@require_http_methods(["GET", "HEAD"])
def neighborhood_visits_ics(request, code):
    """The published visits and tours of one neighborhood; 404 for an unknown code."""
    neighborhood = get_object_or_404(Neighborhood, code=code)
    feed = visits_feed(neighborhood)
    return calendar_response(request, feed, filename=f"visits-{neighborhood.code}.ics")
