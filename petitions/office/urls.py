"""The petition office's back office, mounted at /staff/petitions/ (the
intake's pages live under /staff/petitions/intake/: a reference never looks
like that)."""

from django.urls import path, re_path

from petitions.office import views

app_name = "staff_petitions"

REFERENCE = r"(?P<reference>P\d{4}-\d{5,6})"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/from-meeting/<id:pk>/", views.from_meeting, name="from_meeting"),
    path("new/from-visit/<id:pk>/", views.from_visit, name="from_visit"),
    re_path(rf"^{REFERENCE}/$", views.petition_detail, name="petition"),
    re_path(rf"^{REFERENCE}/photo/$", views.resolution_photo, name="photo"),
    re_path(rf"^{REFERENCE}/letter\.pdf$", views.answer_letter, name="letter"),
    re_path(rf"^{REFERENCE}/(?P<action>[a-z_]+)/$", views.petition_action, name="action"),
]
