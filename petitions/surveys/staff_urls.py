from django.urls import path

from petitions.surveys import views

app_name = "staff_surveys"

urlpatterns = [
    path("", views.comments, name="comments"),
]
