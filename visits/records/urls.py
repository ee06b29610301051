"""A visit's record and the themed tours, mounted at /staff/visits/records/."""

from django.urls import path

from visits.records import views as record_views

app_name = "staff_visit_records"

urlpatterns = [
    path("<id:visit_pk>/", record_views.visit_record, name="visit"),
    path("<id:visit_pk>/photos/", record_views.visit_photo_add, name="visit_photo_add"),
    path("<id:visit_pk>/suggestions/", record_views.visit_suggestion_add, name="visit_suggestion_add"),
    path("photos/<id:pk>/delete/", record_views.photo_delete, name="photo_delete"),
    path("tours/", record_views.tours, name="tours"),
    path("tours/new/", record_views.tour_create, name="tour_create"),
    path("tours/<id:pk>/", record_views.tour_record, name="tour"),
    path("tours/<id:pk>/edit/", record_views.tour_edit, name="tour_edit"),
    path("tours/<id:pk>/photos/", record_views.tour_photo_add, name="tour_photo_add"),
    path("tours/<id:pk>/suggestions/", record_views.tour_suggestion_add, name="tour_suggestion_add"),
]
