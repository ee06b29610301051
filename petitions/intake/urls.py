from django.urls import path

from petitions.intake import views

app_name = "petition_intake"

urlpatterns = [
    path("", views.intake, name="intake"),
    path("import/", views.epeople_import_page, name="import"),
]
