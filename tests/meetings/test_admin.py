"""TongTong Day in the admin: the lists load and search, phones are masked,
the category owners and the series are editable, everything else is read-only."""

import datetime as dt

import pytest

from meetings.models import MeetingSeries
from meetings.services import booking, review
from scheduling.models import CategoryOwner, Department
from tests.meetings.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, secretariat_user):
    secretariat_user.is_staff = True
    secretariat_user.save()
    client.force_login(secretariat_user)
    return client


@pytest.fixture
def data(submitted, future_days, city):
    other = submit(future_days[:1], name="이민원", phone="010-7777-8888", subject="공원 벤치")
    booking.slot_book(request=submitted.request, slot=future_days[0].slots.first())
    review.review_ask(request=other.request, department=city["roads"], question="검토 부탁")
    return {"booked": submitted.request, "other": other.request}


@pytest.mark.parametrize(
    ("path", "search", "expected"),
    [
        ("meetingrequest", "공원", "이민원"),
        ("meetingday", "", "통통데이"),
        ("appointment", "홍길동", "시장 김시장"),
        ("reviewrequest", "공원", "도로과"),
        ("notification", "", "010-****-5678"),
        ("waitlistentry", "", ""),
        ("meetingseries", "", "통통데이"),
    ],
)
def test_changelists_load_and_search(admin_client, data, path, search, expected):
    response = admin_client.get(f"/admin/meetings/{path}/", {"q": search} if search else {})
    assert response.status_code == 200, path
    html = response.content.decode()
    assert expected in html
    assert "010-1234-5678" not in html and "010-7777-8888" not in html


def test_request_list_masks_phones_and_search_narrows(admin_client, data):
    html = admin_client.get("/admin/meetings/meetingrequest/", {"q": "골목"}).content.decode()
    assert data["booked"].reference in html and "010-****-5678" in html
    assert data["other"].reference not in html
    assert "010-1234-5678" not in html


def test_requests_are_read_only_in_the_admin(admin_client, data):
    request = data["booked"]
    page = admin_client.get(f"/admin/meetings/meetingrequest/{request.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert (
        admin_client.post(f"/admin/meetings/meetingrequest/{request.pk}/change/", {"status": "closed"}).status_code
        == 403
    )
    assert admin_client.get("/admin/meetings/meetingrequest/add/").status_code == 403
    assert admin_client.get(f"/admin/meetings/meetingrequest/{request.pk}/delete/").status_code == 403
    request.refresh_from_db()
    assert request.status == "scheduled"


def test_a_pending_message_does_not_show_the_private_link(admin_client, data):
    from meetings.models import Notification

    pending = Notification.objects.create(
        request=data["booked"],
        kind="submitted",
        channel="sms",
        recipient="010-1234-5678",
        body="[통통시] 접수되었습니다: http://example.org/meetings/status/SECRET-token_123/",
        dedupe_key="test-pending",
    )
    html = admin_client.get(f"/admin/meetings/notification/{pending.pk}/change/").content.decode()
    assert "SECRET-token_123" not in html and "/meetings/status/…/" in html
    listing = admin_client.get("/admin/meetings/notification/").content.decode()
    assert "010-1234-5678" not in listing and "010-****-5678" in listing


def test_the_secretariat_maps_a_category_to_a_department(admin_client, city):
    parks = Department.objects.create(code="parks", name="공원녹지과")
    response = admin_client.post("/admin/scheduling/categoryowner/add/", {"category": "parks", "department": parks.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CategoryOwner.objects.get(category="parks").department == parks


def test_the_series_is_configured_through_the_service(admin_client, city):
    series = city["series"]
    response = admin_client.post(
        f"/admin/meetings/meetingseries/{series.pk}/change/",
        {
            "official": city["mayor"].pk,
            "start_time": "15:00",
            "duration_minutes": 90,
            "slot_minutes": 30,
            "holiday_policy": "earlier",
            "location": "시청 2층 회의실",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    series = MeetingSeries.objects.select_related("event").get(pk=series.pk)
    assert series.start_time == dt.time(15) and series.slots_per_day == 3
    assert series.holiday_policy == "earlier" and series.location == "시청 2층 회의실"
    # series_configure moved the calendar event too
    assert series.event.start.astimezone(dt.timezone(dt.timedelta(hours=9))).time() == dt.time(15)
    assert series.event.end - series.event.start == dt.timedelta(minutes=90)


def test_a_slot_longer_than_the_day_is_refused(admin_client, city):
    series = city["series"]
    response = admin_client.post(
        f"/admin/meetings/meetingseries/{series.pk}/change/",
        {
            "official": city["mayor"].pk,
            "start_time": "14:00",
            "duration_minutes": 30,
            "slot_minutes": 45,
            "holiday_policy": "later",
            "location": "시장실",
        },
    )
    assert response.status_code == 200
    series.refresh_from_db()
    assert series.slot_minutes == 15


@pytest.mark.parametrize("fixture", ["department_user", "official_user"])
def test_other_roles_do_not_see_every_request_in_the_admin(client, request, fixture, data):
    # Department staff hold view_reviewrequest and officials view_meetingrequest
    # for their own rows in the back office; the admin would show all of them.
    user = request.getfixturevalue(fixture)
    user.is_staff = True
    user.save()
    client.force_login(user)
    for path in ["meetingrequest", "reviewrequest", "appointment", "notification"]:
        assert client.get(f"/admin/meetings/{path}/").status_code == 403, path
