"""The consultation rooms in the back office, at /staff/rooms/."""

from django.urls import path

from petitions.rooms import views

app_name = "staff_rooms"

urlpatterns = [
    path("", views.week, name="week"),
    path("book/", views.book, name="book"),
    path("new/", views.room_new, name="room_new"),
    path("bookings/<id:pk>/", views.booking_detail, name="booking"),
    path("bookings/<id:pk>/move/", views.booking_move, name="booking_move"),
    path("bookings/<id:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
]
