"""A city with something in every calendar feed, for the feed-wide tests
(privacy, libical, UIDs): one citizen with a distinctive name, phone and
e-mail has a meeting with the mayor (reviewed by a department) and a
cancelled one; the mayor visits the citizen's neighborhood and leads a tour
with the department."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from meetings.models import ReviewRequest
from meetings.services import booking
from meetings.services.series import meeting_days_sync, series_get_or_create
from scheduling import roles
from scheduling.feed_services import feed_token_issue
from scheduling.models import CalendarFeedToken, CategoryOwner, Department, Neighborhood, Official, StaffProfile
from scheduling.services import official_create
from visits.models import FieldVisit, ThemedTour

Kind = CalendarFeedToken.Kind

#: The citizen: found nowhere in any feed, in any form.
CITIZEN_NAME = "황보여울"
CITIZEN_PHONE = "010-7391-2846"
CITIZEN_EMAIL = "yeoul.hwangbo@example.kr"
CITIZEN_TRACES = (
    CITIZEN_NAME,
    "황보",  # the family name alone
    CITIZEN_PHONE,
    "01073912846",
    "7391-2846",
    "73912846",
    "+82 10",
    "+821073912846",
    CITIZEN_EMAIL,
    "yeoul.hwangbo",
    "hwangbo",
)
SUBJECT = "가로등 설치 요청"


@dataclass
class FeedCity:
    users: dict[str, User]
    appointment: object
    cancelled: object
    visit: FieldVisit
    tour: ThemedTour
    status_token: str
    #: Raw private feed tokens by kind.
    tokens: dict[str, str] = field(default_factory=dict)

    def urls(self) -> dict[str, str]:
        """Every calendar the product serves, by a short name."""
        urls = {
            "public:meeting-days": "/calendar/meeting-days.ics",
            "public:visits": "/calendar/visits.ics",
            "public:neighborhood-visits": "/neighborhoods/N01/visits.ics",
            "citizen:appointment": reverse("meetings:appointment_ics", args=[self.status_token]),
        }
        for kind, raw in self.tokens.items():
            urls[f"private:{kind}"] = reverse("private_feed", kwargs={"token": raw})
        return urls

    def render(self, client) -> dict[str, bytes]:
        """Every calendar's bytes, by name (each must answer 200)."""
        bodies = {}
        for name, url in self.urls().items():
            response = client.get(url)
            assert response.status_code == 200, (name, response.status_code)
            bodies[name] = response.content
        return bodies


@pytest.fixture
def feed_city(pinned_today) -> FeedCity:
    from tests.meetings.conftest import submit

    roads = Department.objects.create(code="roads", name="도로과")
    CategoryOwner.objects.create(category="roads", department=roads)
    neighborhood = Neighborhood.objects.create(code="N01", name="중앙동")
    mayor_user = User.objects.create_user("mayor", password="pw", email="mayor@city.example")
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR, user=mayor_user)
    dept_user = User.objects.create_user("roads", password="pw", email="roads@city.example")
    StaffProfile.objects.create(user=dept_user, department=roads)
    sec_user = User.objects.create_user("sec", password="pw", email="sec@city.example")
    sec_user.groups.add(Group.objects.get_or_create(name=roles.SECRETARIAT)[0])

    series_get_or_create()
    days = [
        d
        for d in meeting_days_sync(start=pinned_today + dt.timedelta(days=3), end=pinned_today + dt.timedelta(days=80))
        if d.status != "cancelled"
    ]
    citizen = {"name": CITIZEN_NAME, "phone": CITIZEN_PHONE, "email": CITIZEN_EMAIL, "subject": SUBJECT}
    booked = submit(days[:2], **citizen)
    appointment = booking.slot_book(request=booked.request, slot=days[0].slots.first())
    ReviewRequest.objects.create(request=booked.request, department=roads, due_on=pinned_today + dt.timedelta(days=2))
    other = submit(days[1:3], **(citizen | {"subject": "버스 정류장 그늘막"}))
    cancelled = booking.slot_book(request=other.request, slot=days[1].slots.first())
    booking.citizen_cancel(request=other.request)
    ReviewRequest.objects.create(request=other.request, department=roads, due_on=pinned_today + dt.timedelta(days=4))

    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(days=12)
    visit = FieldVisit.objects.create(
        official=mayor,
        neighborhood=neighborhood,
        start=start,
        end=start + dt.timedelta(hours=2),
        is_published=True,
        public_summary="주민과의 대화",
    )
    tour = ThemedTour.objects.create(
        title="도로 안전 점검",
        group=ThemedTour.Group.values[0],
        theme=ThemedTour.Theme.values[0],
        official=mayor,
        start=start + dt.timedelta(days=7),
        end=start + dt.timedelta(days=7, hours=3),
        is_published=True,
        public_summary="보행로 점검",
    )
    tour.neighborhoods.set([neighborhood])
    tour.departments.set([roads])

    users = {Kind.OFFICIAL: mayor_user, Kind.SECRETARIAT: sec_user, Kind.DEPARTMENT: dept_user}
    city = FeedCity(
        users=users,
        appointment=appointment,
        cancelled=cancelled,
        visit=visit,
        tour=tour,
        status_token=booked.token,
    )
    for kind in Kind.values:
        city.tokens[kind] = feed_token_issue(user=users[kind], kind=kind)
    return city
