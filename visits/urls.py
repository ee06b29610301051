"""The public field-visit pages (no login), included at "" by config/urls.py,
and the photos, which check who may see each (visits/photo_views.py)."""

from django.urls import path

from visits import photo_views, views

app_name = "visits"

urlpatterns = [
    path("visits/", views.visit_list, name="list"),
    path("photos/visits/<id:pk>/", photo_views.visit_photo, name="visit_photo"),
    path("photos/suggestions/<id:pk>/", photo_views.suggestion_photo, name="suggestion_photo"),
]
