"""Private feed addresses expire (issue 14, item 4): FEED_TOKEN_DAYS after
they are made an address answers 404 like a revoked one; the profile page
shows the date and offers renewal; from FEED_TOKEN_NOTICE_DAYS before, the
profile page and the dashboard say so and the owner gets one e-mail; the
upgrade gives existing addresses an expiry nobody is surprised by."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from scheduling import roles
from scheduling.dates import korean_date
from scheduling.feed_services import feed_for_token, feed_token_expiry_notify, feed_token_issue, feed_token_revoke
from scheduling.models import CalendarFeedToken, FeedNotification
from scheduling.tasks import notify_expiring_feed_tokens

pytestmark = pytest.mark.django_db
Kind = CalendarFeedToken.Kind
DAY = dt.timedelta(days=1)
PROFILE = "/staff/profile/"


@pytest.fixture
def secretary(pinned_today):
    user = User.objects.create_user("sec", password="pw", email="sec@city.example")
    user.groups.add(Group.objects.get_or_create(name=roles.SECRETARIAT)[0])
    return user


def _feed(raw):
    return reverse("private_feed", kwargs={"token": raw})


def _token(user) -> CalendarFeedToken:
    return CalendarFeedToken.objects.get(user=user, revoked_at__isnull=True)


def _page(client, user, url) -> str:
    """``url`` as ``user`` sees it now (logged in afresh: a moved clock
    outlives the session)."""
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _expiry_date(user) -> str:
    return korean_date(timezone.localtime(_token(user).expires_at).date())


def test_an_address_works_for_its_days_then_answers_404(client, secretary, pinned_clock, settings):
    assert settings.FEED_TOKEN_DAYS == 365
    raw = feed_token_issue(user=secretary, kind=Kind.SECRETARIAT)
    token = _token(secretary)
    assert token.expires_at == pytest.approx(timezone.now() + 365 * DAY, abs=dt.timedelta(seconds=5))
    pinned_clock.move_to(token.expires_at - dt.timedelta(minutes=1))
    assert client.get(_feed(raw)).status_code == 200
    pinned_clock.move_to(token.expires_at + dt.timedelta(seconds=1))
    assert client.get(_feed(raw)).status_code == 404  # as a revoked address
    assert feed_for_token(raw) is None


def test_the_lifetime_is_a_setting(secretary, settings):
    settings.FEED_TOKEN_DAYS = 90
    feed_token_issue(user=secretary, kind=Kind.SECRETARIAT)
    token = _token(secretary)
    assert token.expires_at - token.created_at == pytest.approx(90 * DAY, abs=dt.timedelta(seconds=5))


def test_the_profile_shows_the_expiry_date_and_renewal(client, secretary, pinned_clock):
    client.force_login(secretary)
    client.post(PROFILE, {"kind": Kind.SECRETARIAT, "action": "issue"})
    page = client.get(PROFILE).content.decode()
    date = _expiry_date(secretary)
    assert f"{date}까지 쓸 수 있습니다." in page  # shown with the new address too
    assert "365일 동안" in page
    page = client.get(PROFILE).content.decode()
    assert f"{date}까지 쓸 수 있습니다." in page
    assert "만료됩니다" not in page  # no notice yet
    assert 'name="action" value="issue"' in page  # renew


def test_the_notice_shows_from_30_days_before_on_the_profile_and_the_dashboard(client, secretary, pinned_clock):
    raw = feed_token_issue(user=secretary, kind=Kind.SECRETARIAT)
    token = _token(secretary)
    date = _expiry_date(secretary)
    home = reverse("staff:home")
    pinned_clock.move_to(token.expires_at - 31 * DAY)
    assert date not in _page(client, secretary, home)
    assert "만료됩니다" not in _page(client, secretary, PROFILE)
    pinned_clock.move_to(token.expires_at - 29 * DAY)
    dashboard = _page(client, secretary, home)
    assert f"캘린더 구독 주소가 {date}에 만료됩니다." in dashboard
    assert 'href="/staff/profile/"' in dashboard
    assert f"이 주소는 {date}에 만료됩니다." in _page(client, secretary, PROFILE)
    pinned_clock.move_to(token.expires_at + DAY)
    assert client.get(_feed(raw)).status_code == 404
    assert f"{date}에 만료되었습니다." in _page(client, secretary, home)
    assert f"이 주소는 {date}에 만료되어 더 이상 쓸 수 없습니다." in _page(client, secretary, PROFILE)
    # Renewal: a new address for another year; the old one stays dead.
    client.post(PROFILE, {"kind": Kind.SECRETARIAT, "action": "issue"})
    assert "webcal://" in _page(client, secretary, PROFILE)
    assert client.get(_feed(raw)).status_code == 404
    assert "만료" not in _page(client, secretary, home)


def test_one_email_per_address_before_it_expires(secretary, pinned_clock, django_capture_on_commit_callbacks):
    feed_token_issue(user=secretary, kind=Kind.SECRETARIAT)
    token = _token(secretary)
    pinned_clock.move_to(token.expires_at - 31 * DAY)
    assert feed_token_expiry_notify() == 0
    pinned_clock.move_to(token.expires_at - 30 * DAY + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_expiring_feed_tokens.delay().get() == 1  # the beat's task, eager
    (message,) = mail.outbox
    date = korean_date(timezone.localtime(token.expires_at).date())
    assert message.to == ["sec@city.example"]
    assert message.subject == f"[통통] 캘린더 구독 주소가 {date}에 만료됩니다"
    assert "http://127.0.0.1:8000/staff/profile/" in message.body
    assert "/calendar/feeds/" not in message.body  # no address, no secret
    row = FeedNotification.objects.get()
    assert (row.token, row.kind, row.status) == (token, "feed-expiry", "sent")
    # Every later run (daily, twice by mistake) sends nothing more.
    for days_left in (29, 29, 10, 1):
        pinned_clock.move_to(token.expires_at - days_left * DAY)
        with django_capture_on_commit_callbacks(execute=True):
            assert feed_token_expiry_notify() == 0
    assert len(mail.outbox) == 1
    # Expired: nothing (the page says so).
    pinned_clock.move_to(token.expires_at + DAY)
    assert feed_token_expiry_notify() == 0


def test_no_email_for_revoked_addresses_or_users_without_an_address(secretary, pinned_clock):
    feed_token_issue(user=secretary, kind=Kind.SECRETARIAT)
    expires = _token(secretary).expires_at
    feed_token_revoke(user=secretary, kind=Kind.SECRETARIAT)
    quiet = User.objects.create_user("quiet", password="pw", email="")
    quiet.groups.add(Group.objects.get(name=roles.SECRETARIAT))
    feed_token_issue(user=quiet, kind=Kind.SECRETARIAT)
    pinned_clock.move_to(expires - 10 * DAY)
    assert feed_token_expiry_notify() == 0
    assert not FeedNotification.objects.exists()


def test_the_upgrade_gives_old_addresses_an_expiry_with_a_full_notice(secretary, pinned_today, settings):
    """Migration 0007: FEED_TOKEN_DAYS from creation, but never less than
    FEED_TOKEN_NOTICE_DAYS from the upgrade (a two-year-old address would
    otherwise die on upgrade day without a word)."""
    migration = importlib.import_module("scheduling.migrations.0007_feed_token_expiry")
    now = timezone.now()
    other = User.objects.create_user("other", password="pw")
    young = CalendarFeedToken.objects.create(user=secretary, kind=Kind.SECRETARIAT, token_hash="a", expires_at=now)
    old = CalendarFeedToken.objects.create(user=other, kind=Kind.SECRETARIAT, token_hash="b", expires_at=now)
    gone = CalendarFeedToken.objects.create(
        user=other, kind=Kind.DEPARTMENT, token_hash="c", expires_at=now, revoked_at=now - 300 * DAY
    )
    CalendarFeedToken.objects.filter(pk=young.pk).update(created_at=now - 100 * DAY)
    CalendarFeedToken.objects.filter(pk__in=[old.pk, gone.pk]).update(created_at=now - 2 * 365 * DAY)
    migration.expiry_counted_from_creation(django_apps, None)
    for token in (young, old, gone):
        token.refresh_from_db()
    near = dt.timedelta(seconds=5)
    assert young.expires_at == pytest.approx(now + 265 * DAY, abs=near)
    assert old.expires_at == pytest.approx(now + 30 * DAY, abs=near)  # the whole notice period
    assert gone.expires_at == pytest.approx(now - 365 * DAY, abs=near)
