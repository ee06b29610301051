from django.urls import path

from petitions.public import views

app_name = "petitions"

urlpatterns = [
    path("", views.board, name="board"),
    path("verify/", views.verify, name="verify"),
    path("received/", views.received, name="received"),
    path("done/<str:reference>/", views.done, name="done"),
]
