"""Public calendar feeds of the meetings app (mounted under ``calendar/``)."""

from django.urls import path

from meetings.feeds import views as feed_views

app_name = "meeting_feeds"

urlpatterns = [
    path("meeting-days.ics", feed_views.meeting_days_ics, name="meeting_days"),
]
