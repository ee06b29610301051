"""The mayor's instructions in the back office, at /staff/instructions/."""

from django.urls import path

from petitions.instructions import views

app_name = "staff_instructions"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.new, name="new"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/<slug:name>/", views.action, name="action"),
]
