"""Private calendar feeds: tokens, sources, privacy and the profile page."""

import datetime as dt

import icalendar
import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from meetings.models import ReviewRequest
from meetings.services import booking
from meetings.services.series import meeting_days_sync, series_get_or_create
from scheduling import roles
from scheduling.feed_services import feed_for_token, feed_token_issue, feed_token_revoke
from scheduling.models import CalendarFeedToken, CategoryOwner, Department, Neighborhood, Official, StaffProfile
from scheduling.services import official_create
from tests.meetings.conftest import submit

pytestmark = pytest.mark.django_db
Kind = CalendarFeedToken.Kind


@pytest.fixture
def world(db):
    roads = Department.objects.create(code="roads", name="도로과")
    mayor_user = User.objects.create_user("mayor", password="pw")
    official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR, user=mayor_user)
    other_user = User.objects.create_user("deputy", password="pw")
    official_create(
        name="이부시장",
        title="제1부시장",
        rank=Official.Rank.DEPUTY_MAYOR,
        substitution_order=1,
        user=other_user,
    )
    CategoryOwner.objects.create(category="roads", department=roads)
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


def test_official_feed_has_their_appointment_by_reference_and_subject(client, world):
    raw = feed_token_issue(user=world["mayor"], kind=Kind.OFFICIAL)
    response = client.get(feed_url(raw))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    body = response.content.decode()
    assert f"시민 면담 {world['request'].reference}: 골목길" in body
    assert "홍길동" not in body
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
    assert world["request"].reference in body and str(world["appointment"].uid) in body
    assert "홍길동" not in body
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


# --- The department feed: its review requests and the meetings it attends -------------------


def _vevents(client, raw) -> dict[str, icalendar.Event]:
    response = client.get(feed_url(raw))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _department_user(code: str, name: str, username: str):
    department = Department.objects.create(code=code, name=name)
    user = User.objects.create_user(username, password="pw")
    StaffProfile.objects.create(user=user, department=department)
    return department, user


def test_department_feed_has_the_meeting_of_a_request_it_reviews(client, world):
    appointment = world["appointment"]
    raw = feed_token_issue(user=world["dept"], kind=Kind.DEPARTMENT)
    response = client.get(feed_url(raw))
    events = _vevents(client, raw)
    meeting = events[f"appointment-{appointment.uid}.department@tongtong"]
    assert meeting.decoded("DTSTART") == appointment.start
    assert str(meeting["STATUS"]) == "CONFIRMED"
    assert world["request"].reference in str(meeting["SUMMARY"])
    assert "시장" in str(meeting["DESCRIPTION"])  # who meets the citizen, by title
    assert str(meeting["LOCATION"]) == appointment.location
    assert f"review-due-{world['review'].pk}.department@tongtong" in events
    body = response.content.decode()
    for secret in ("홍길동", "골목길", "010-1234-5678", "01012345678", "김시장"):
        assert secret not in body, secret


def test_department_feed_has_the_meetings_of_its_director(client, world):
    """A request of another topic, never sent to the department for review,
    substituted to the department's director: the department attends."""
    parks, parks_user = _department_user("parks", "공원과", "parks")
    director = official_create(name="최국장", title="녹지국장", rank=Official.Rank.DIRECTOR, department=parks)
    today = timezone.localdate()
    days = [
        d
        for d in meeting_days_sync(start=today + dt.timedelta(days=3), end=today + dt.timedelta(days=80))
        if d.status != "cancelled"
    ]
    sub = submit(days[:1], name="강시민", subject="놀이터 그늘막")
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(days=5)
    while start.weekday() >= 5:
        start += dt.timedelta(days=1)
    appointment = booking.request_substitute(
        request=sub.request, official=director, start=start, reason="시장 해외 출장"
    )
    parks_events = _vevents(client, feed_token_issue(user=parks_user, kind=Kind.DEPARTMENT))
    assert set(parks_events) == {f"appointment-{appointment.uid}.department@tongtong"}
    event = parks_events[f"appointment-{appointment.uid}.department@tongtong"]
    assert event.decoded("DTSTART") == start
    assert "녹지국장" in str(event["DESCRIPTION"])
    # Roads neither reviews it nor meets the citizen: not in its feed.
    roads_events = _vevents(client, feed_token_issue(user=world["dept"], kind=Kind.DEPARTMENT))
    assert f"appointment-{appointment.uid}.department@tongtong" not in roads_events
    assert f"appointment-{world['appointment'].uid}.department@tongtong" in roads_events
    assert f"appointment-{world['appointment'].uid}.department@tongtong" not in parks_events


def test_a_department_not_involved_sees_no_meeting(client, world):
    _, user = _department_user("culture", "문화과", "culture")
    assert _vevents(client, feed_token_issue(user=user, kind=Kind.DEPARTMENT)) == {}


def test_a_moved_meeting_is_updated_in_the_department_feed(client, world):
    """Rebooking cancels the old appointment (kept as CANCELLED) and makes a
    new one; both in the feed, with what changed."""
    raw = feed_token_issue(user=world["dept"], kind=Kind.DEPARTMENT)
    old = world["appointment"]
    request = world["request"]
    request.refresh_from_db()
    other_day = request.preferences.order_by("rank")[1].meeting_day
    new = booking.slot_book(request=request, slot=other_day.slots.first())
    events = _vevents(client, raw)
    cancelled = events[f"appointment-{old.uid}.department@tongtong"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled["SEQUENCE"] == 1
    booked = events[f"appointment-{new.uid}.department@tongtong"]
    assert str(booked["STATUS"]) == "CONFIRMED"
    assert booked.decoded("DTSTART") == other_day.slots.first().start


# --- Cancelled items: kept FEED_CANCELLED_KEEP_DAYS after their date, then dropped ----------


def _dated(appointment, days_ago: int):
    """Put ``appointment`` ``days_ago`` days back (the clock moving on)."""
    start = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0) - dt.timedelta(days=days_ago)
    type(appointment).objects.filter(pk=appointment.pk).update(start=start, end=start + dt.timedelta(minutes=15))


@pytest.mark.parametrize("kind", [Kind.OFFICIAL, Kind.SECRETARIAT, Kind.DEPARTMENT])
def test_cancelled_meetings_stay_for_the_kept_days_then_go(client, world, settings, kind):
    appointment = world["appointment"]
    user = {Kind.OFFICIAL: world["mayor"], Kind.SECRETARIAT: world["sec"], Kind.DEPARTMENT: world["dept"]}[kind]
    raw = feed_token_issue(user=user, kind=kind)
    uid = f"appointment-{appointment.uid}.{kind}@tongtong"
    assert settings.FEED_CANCELLED_KEEP_DAYS == 90
    booking.citizen_cancel(request=appointment.request)
    assert str(_vevents(client, raw)[uid]["STATUS"]) == "CANCELLED"
    _dated(appointment, days_ago=90)
    kept = _vevents(client, raw)
    assert str(kept[uid]["STATUS"]) == "CANCELLED"
    _dated(appointment, days_ago=91)
    assert uid not in _vevents(client, raw)
    settings.FEED_CANCELLED_KEEP_DAYS = 120
    assert uid in _vevents(client, raw)
    settings.FEED_CANCELLED_KEEP_DAYS = 0
    assert uid not in _vevents(client, raw)


def test_active_past_meetings_are_not_cut(client, world, settings):
    settings.FEED_CANCELLED_KEEP_DAYS = 0
    appointment = world["appointment"]
    _dated(appointment, days_ago=400)
    raw = feed_token_issue(user=world["mayor"], kind=Kind.OFFICIAL)
    assert f"appointment-{appointment.uid}.official@tongtong" in _vevents(client, raw)
