"""The TongTong Day back office, mounted at /staff/meetings/."""

from django.urls import path

from meetings import staff_views

app_name = "staff_meetings"

urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("new/", staff_views.intake, name="intake"),
    path("<int:pk>/", staff_views.request_detail, name="request"),
    path("<int:pk>/review/", staff_views.request_review_ask, name="review_ask"),
    path("<int:pk>/review/override/", staff_views.request_review_override, name="review_override"),
    path("<int:pk>/book/", staff_views.request_book, name="book"),
    path("<int:pk>/substitute/", staff_views.request_substitute, name="substitute"),
    path("<int:pk>/answer/", staff_views.request_answer, name="answer"),
    path("<int:pk>/decline/", staff_views.request_decline, name="decline"),
    path("<int:pk>/extend/", staff_views.request_extend, name="extend"),
    path("<int:pk>/outcome/", staff_views.request_outcome, name="outcome"),
    path("<int:pk>/close/", staff_views.request_close, name="close"),
    path("days/", staff_views.days, name="days"),
    path("days/<int:pk>/", staff_views.day_detail, name="day"),
    path("days/<int:pk>/move/", staff_views.day_move, name="day_move"),
    path("days/<int:pk>/cancel/", staff_views.day_cancel, name="day_cancel"),
    path("days/<int:pk>/run-sheet/", staff_views.run_sheet, name="run_sheet"),
    path("reviews/", staff_views.reviews, name="reviews"),
    path("reviews/<int:pk>/", staff_views.review_detail, name="review"),
]
