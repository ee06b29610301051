"""The public field-visit pages (no login), included at "" by scheduling/urls.py."""

from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("visits/", views.visit_list, name="list"),
]
