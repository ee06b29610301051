"""The public meeting-day calendar feed."""

from django.views.decorators.http import require_http_methods

from meetings.feeds.public import meeting_days_feed_rendered
from scheduling.http import calendar_response


@require_http_methods(["GET", "HEAD"])
def meeting_days_ics(request):
    """Every meeting day as iCalendar, for calendar apps to subscribe to."""
    feed = meeting_days_feed_rendered()
    return calendar_response(request, feed, filename="meeting-days.ics")
