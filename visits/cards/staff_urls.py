"""The back office of the neighborhood management cards, at /staff/cards/."""

from django.urls import path

from visits.cards import pdf_views as card_pdf_views
from visits.cards import staff_views as card_staff_views

app_name = "staff_cards"

urlpatterns = [
    path("", card_staff_views.card_index, name="index"),
    path("inbox/", card_staff_views.department_inbox, name="inbox"),
    path("board/", card_staff_views.joint_review_board, name="board"),
    path("ranking/", card_staff_views.priority_ranking, name="ranking"),
    path("suggestions/new/", card_staff_views.suggestion_new, name="suggestion_new"),
    path("suggestions/<id:pk>/", card_staff_views.suggestion_detail, name="suggestion"),
    path("suggestions/<id:pk>/<slug:action>/", card_staff_views.suggestion_action, name="suggestion_action"),
    path("all-cards/", card_pdf_views.batch_list, name="batches"),
    path("all-cards/<id:pk>/", card_pdf_views.batch_detail, name="batch"),
    path("all-cards/<id:pk>/download/", card_pdf_views.batch_download, name="batch_download"),
    path("visits/<id:pk>/briefing.pdf", card_pdf_views.visit_briefing, name="briefing"),
    path("<str:code>/", card_staff_views.staff_card, name="card"),
]
