"""The consultation rooms of the demo city (receiver of
``scheduling.signals.demo_city_seeded``): two rooms, a few walk-ins and a
group visit in the coming days, and the room booked for the next TongTong
Day appointment (so its run sheet shows it). Through the services;
idempotent: nothing is added once the city has rooms."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from petitions.rooms import services
from petitions.rooms.models import ConsultationRoom, RoomBooking
from scheduling.clock import SEOUL
from scheduling.workdays import working_calendar

ROOMS = [
    ("직소민원 상담실", "시청 본관 1층 직소민원실 옆", 6),
    ("집단민원 상담실", "시청 본관 2층 소회의실", 30),
]


def seed_rooms_demo(sender, **kwargs) -> None:
    if ConsultationRoom.objects.exists():
        return
    actor = get_user_model()._default_manager.filter(username="secretariat").first()
    if actor is None:
        return
    small, large = (services.room_create(name=n, place=p, capacity=c, actor=actor) for n, p, c in ROOMS)
    today = timezone.localdate()
    calendar = working_calendar(today, today + dt.timedelta(days=30))
    first = calendar.next_working_day(today)
    second = calendar.next_working_day(first)

    def at(day: dt.date, hour: int, minutes: int = 60) -> tuple[dt.datetime, dt.datetime]:
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=SEOUL)
        return start, start + dt.timedelta(minutes=minutes)

    for day, hour, name in ((first, 10, "김상담"), (first, 15, "이방문"), (second, 11, "박민원")):
        start, end = at(day, hour)
        services.booking_make(
            room=small, start=start, end=end, kind=RoomBooking.Kind.WALK_IN, citizen_name=name, actor=actor
        )
    start, end = at(second, 14, 90)
    services.booking_make(
        room=large,
        start=start,
        end=end,
        kind=RoomBooking.Kind.GROUP_VISIT,
        headcount=18,
        organisation="○○아파트 입주자대표회의",
        notes="재건축 안전진단 관련 집단 방문. 대표 3명 발언 예정.",
        actor=actor,
    )
    # The next TongTong Day appointment waits in the small room before it is called in.
    requests = RoomBooking._meta.get_field("meeting_request").related_model._default_manager
    upcoming = (
        requests.filter(appointments__status="active", appointments__start__gt=timezone.now())
        .order_by("appointments__start")
        .values_list("pk", "appointments__start", "appointments__end", "group_size")
        .first()
    )
    if upcoming is not None:
        pk, start, end, size = upcoming
        room = small if (size or 1) <= small.capacity else large
        services.booking_make(
            room=room,
            start=start - dt.timedelta(minutes=30),
            end=end,
            kind=RoomBooking.Kind.GROUP_VISIT if (size or 1) > 1 else RoomBooking.Kind.WALK_IN,
            headcount=size or 1,
            meeting_request=requests.get(pk=pk),
            notes="통통데이 면담 전 대기",
            actor=actor,
        )
