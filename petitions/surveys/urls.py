from django.urls import path

from petitions.surveys import views

app_name = "surveys"

urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
    path("<str:token>/stop/", views.opt_out, name="opt_out"),
]
