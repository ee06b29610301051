"""Public calendar feeds of the visits app (mounted at the site root)."""

from django.urls import path

from visits.feeds import views as feed_views

app_name = "visit_feeds"

urlpatterns = [
    path("calendar/visits.ics", feed_views.visits_ics, name="all"),
    path("neighborhoods/<str:code>/visits.ics", feed_views.neighborhood_visits_ics, name="neighborhood"),
]
