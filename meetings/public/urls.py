from django.urls import include, path

from meetings.public import views

public_patterns = [
    path("request/", views.request_form, name="request"),
    path("request/received/", views.request_received, name="request_received"),
    path("request/done/<str:reference>/", views.request_done, name="request_done"),
    path("status/<str:token>/", views.status, name="status"),
    path("status/<str:token>/cancel/", views.status_cancel, name="status_cancel"),
    path("status/<str:token>/move/", views.status_move, name="status_move"),
    path("status/<str:token>/accept-offer/", views.status_accept_offer, name="status_accept_offer"),
    path("status/<str:token>/appointment.ics", views.appointment_ics, name="appointment_ics"),
    path("feedback/<str:token>/", views.feedback, name="feedback"),
    path("feedback/<str:token>/thanks/", views.feedback_done, name="feedback_done"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("meetings/", include((public_patterns, "meetings"))),
]
