"""Private calendar feeds: tokens, sources, privacy and the profile page."""

import datetime as dt

import icalendar
import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from meetings.models import CategoryDepartment, ReviewRequest
from meetings.services import booking
from meetings.services.series import meeting_days_sync, series_get_or_create
from scheduling import roles
from scheduling.feed_services import feed_for_token, feed_token_issue, feed_token_revoke
from scheduling.models import CalendarFeedToken, Department, Neighborhood, Official, StaffProfile
from scheduling.services import official_create
from tests.meetings.conftest import submit

pytestmark = pytest.mark.django_db
Kind = CalendarFeedToken.Kind


@pytest.fixture
def world(db):
    roads = Department.objects.create(code="roads", name="도로과")
    mayor_user = User.objects.create_user("mayor", password="pw")
    mayor = official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR, user=mayor_user)
    other_user = User.objects.create_user("deputy", password="pw")
    official_create(
        name="이부시장",
        title="제1부시장",
        rank=Official.Rank.DEPUTY_MAYOR,
        substitutes_for=mayor,
        substitution_order=1,
        user=other_user,
    )
    CategoryDepartment.objects.create(category="roads", department=roads)
    Neighborhood.objects.create(code="N01", name="중앙동")
    series_get_or_create()
    today = timezone.localdate()
    days = [
        d
        for d in meeting_days_sync(start=today + dt.timedelta(days=3), end=today + dt.timedelta(days=80))
        if d.status != "cancelled"
    ]
    sub = submit(days[:2])
    appointment = booking.slot_book(request=sub.request, slot=days[0].slots.first())
    review = ReviewRequest.objects.create(request=sub.request, department=roads, due_on=today + dt.timedelta(days=5))
    dept_user = User.objects.create_user("roads", password="pw")
    StaffProfile.objects.create(user=dept_user, department=roads)
    sec_user = User.objects.create_user("sec", password="pw")
    sec_user.groups.add(Group.objects.get_or_create(name=roles.SECRETARIAT)[0])
    return {
        "mayor": mayor_user,
        "other": other_user,
        "dept": dept_user,
        "sec": sec_user,
        "appointment": appointment,
        "request": sub.request,
        "review": review,
    }


def feed_url(raw):
    return reverse("private_feed", kwargs={"token": raw})


def test_official_feed_has_their_appointment_with_the_citizen_name(client, world):
    raw = feed_token_issue(user=world["mayor"], kind=Kind.OFFICIAL)
    response = client.get(feed_url(raw))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    body = response.content.decode()
    assert "홍길동" in body and world["request"].reference in body
    assert str(world["appointment"].uid) in body
    assert "010-1234-5678" not in body and "01012345678" not in body
    calendar = icalendar.Calendar.from_ical(response.content)
    assert "시장 김시장" in str(calendar["X-WR-CALNAME"])  # "통통 — 시장 김시장 일정" once translated
    token = CalendarFeedToken.objects.get(user=world["mayor"], kind=Kind.OFFICIAL)
    assert token.last_used_at is not None and token.token_hash != raw


def test_revoke_then_404(client, world):
    raw = feed_token_issue(user=world["mayor"], kind=Kind.OFFICIAL)
    feed_token_revoke(user=world["mayor"], kind=Kind.OFFICIAL)
    assert client.get(feed_url(raw)).status_code == 404
    assert feed_for_token(raw) is None


def test_renew_kills_the_old_address(client, world):
    old = feed_token_issue(user=world["mayor"], kind=Kind.OFFICIAL)
    new = feed_token_issue(user=world["mayor"], kind=Kind.OFFICIAL)
    assert client.get(feed_url(old)).status_code == 404
    assert client.get(feed_url(new)).status_code == 200


def test_made_up_token_is_404(client, world):
    assert client.get(feed_url("not-a-real-token")).status_code == 404


def test_department_feed_has_due_date_but_no_citizen_data(client, world):
    raw = feed_token_issue(user=world["dept"], kind=Kind.DEPARTMENT)
    body = client.get(feed_url(raw)).content.decode()
    assert f"검토 요청 기한: {world['request'].reference}" in body
    assert "홍길동" not in body and "010-1234-5678" not in body
    assert "골목길" not in body


def test_secretariat_feed_has_everything(client, world):
    raw = feed_token_issue(user=world["sec"], kind=Kind.SECRETARIAT)
    body = client.get(feed_url(raw)).content.decode()
    assert "홍길동" in body and str(world["appointment"].uid) in body
    assert "010-1234-5678" not in body


def test_another_officials_feed_does_not_show_the_appointment(client, world):
    raw = feed_token_issue(user=world["other"], kind=Kind.OFFICIAL)
    body = client.get(feed_url(raw)).content.decode()
    assert "홍길동" not in body and str(world["appointment"].uid) not in body


def test_only_allowed_kinds_can_be_issued(world):
    with pytest.raises(PermissionDenied):
        feed_token_issue(user=world["dept"], kind=Kind.SECRETARIAT)
    with pytest.raises(PermissionDenied):
        feed_token_issue(user=world["sec"], kind=Kind.OFFICIAL)


def test_etag_gives_304(client, world):
    raw = feed_token_issue(user=world["mayor"], kind=Kind.OFFICIAL)
    first = client.get(feed_url(raw))
    again = client.get(feed_url(raw), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_profile_needs_login_and_shows_webcal_once(client, world):
    url = reverse("staff_profile")
    assert client.get(url).status_code == 302
    client.force_login(world["mayor"])
    page = client.get(url).content.decode()
    assert "webcal://" not in page
    response = client.post(url, {"kind": Kind.OFFICIAL, "action": "issue"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "webcal://" in page
    assert "webcal://" not in client.get(url).content.decode()  # shown only once
    client.post(url, {"kind": Kind.OFFICIAL, "action": "revoke"})
    assert not CalendarFeedToken.objects.filter(user=world["mayor"], revoked_at__isnull=True).exists()
    assert client.post(url, {"kind": Kind.SECRETARIAT, "action": "issue"}).status_code == 403
