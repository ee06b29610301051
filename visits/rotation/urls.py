"""The rotation plan's back office, mounted at /staff/visits/."""

from django.urls import path

from visits.rotation import views as staff_views

app_name = "staff_visits"

urlpatterns = [
    path("", staff_views.cycles, name="cycles"),
    path("cycles/<id:pk>/", staff_views.cycle_detail, name="cycle"),
    path("cycles/<id:pk>/accept/", staff_views.cycle_accept, name="cycle_accept"),
    path("cycles/<id:pk>/replan/", staff_views.cycle_replan, name="cycle_replan"),
    path("cycles/<id:pk>/visits/<id:visit_pk>/", staff_views.visit_detail, name="visit"),
    path("cycles/<id:pk>/visits/<id:visit_pk>/move/", staff_views.visit_move, name="visit_move"),
    path("cycles/<id:pk>/visits/<id:visit_pk>/status/", staff_views.visit_status, name="visit_status"),
    path("cycles/<id:pk>/visits/<id:visit_pk>/publish/", staff_views.visit_publish, name="visit_publish"),
]
