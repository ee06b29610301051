"""The public side of the neighborhood management cards, mounted at
/neighborhoods/ (and the staff-only card PDF, which lives beside the card)."""

from django.urls import path

from visits.cards import pdf_views as card_pdf_views
from visits.cards import views as card_views

app_name = "cards"

urlpatterns = [
    path("", card_views.neighborhood_list, name="list"),
    path("answer/<str:token>/", card_views.resident_answer, name="resident_answer"),
    path("<str:code>/", card_views.neighborhood_card, name="card"),
    path("<str:code>/card.pdf", card_pdf_views.card_pdf, name="card_pdf"),
]
