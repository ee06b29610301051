"""The TongTong Day back office, mounted at /staff/meetings/."""

from django.urls import path

from meetings.staff import views as staff_views

app_name = "staff_meetings"

urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("new/", staff_views.intake, name="intake"),
    path("<id:pk>/", staff_views.request_detail, name="request"),
    path("<id:pk>/review/", staff_views.request_review_ask, name="review_ask"),
    path("<id:pk>/review/override/", staff_views.request_review_override, name="review_override"),
    path("<id:pk>/book/", staff_views.request_book, name="book"),
    path("<id:pk>/substitute/", staff_views.request_substitute, name="substitute"),
    path("<id:pk>/answer/", staff_views.request_answer, name="answer"),
    path("<id:pk>/decline/", staff_views.request_decline, name="decline"),
    path("<id:pk>/extend/", staff_views.request_extend, name="extend"),
    path("<id:pk>/outcome/", staff_views.request_outcome, name="outcome"),
    path("<id:pk>/close/", staff_views.request_close, name="close"),
    path("days/", staff_views.days, name="days"),
    path("days/<id:pk>/", staff_views.day_detail, name="day"),
    path("days/<id:pk>/move/", staff_views.day_move, name="day_move"),
    path("days/<id:pk>/cancel/", staff_views.day_cancel, name="day_cancel"),
    path("days/<id:pk>/run-sheet/", staff_views.run_sheet, name="run_sheet"),
    path("reviews/", staff_views.reviews, name="reviews"),
    path("reviews/<id:pk>/", staff_views.review_detail, name="review"),
]
