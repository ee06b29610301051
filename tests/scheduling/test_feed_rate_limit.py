"""The private feed URL is rate limited per client address (issue 14,
item 4), from both sides: a real subscriber — or an office of them behind
one address — is never refused; someone trying addresses is stopped after
RATELIMIT_FEED_MISS misses, and from then on gets 429 for every address,
a valid one too, so that no guess is ever confirmed."""

import time
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from scheduling import roles
from scheduling.feed_services import feed_token_issue, feed_token_revoke
from scheduling.models import CalendarFeedToken

pytestmark = pytest.mark.django_db
Kind = CalendarFeedToken.Kind


@pytest.fixture(autouse=True)
def _counting_window_does_not_turn(monkeypatch):
    """django-ratelimit counts in fixed windows (an hour here) that start
    anew at a moment of their own: its clock stands still in these tests."""
    from django_ratelimit import core

    now = time.time()
    monkeypatch.setattr(core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def raw(pinned_today):
    user = User.objects.create_user("sec", password="pw")
    user.groups.add(Group.objects.get_or_create(name=roles.SECRETARIAT)[0])
    return feed_token_issue(user=user, kind=Kind.SECRETARIAT)


def _feed(token):
    return reverse("private_feed", kwargs={"token": token})


def test_the_defaults(settings):
    assert settings.RATELIMIT_FEED == "1200/h"
    assert settings.RATELIMIT_FEED_MISS == "60/h"


def test_a_busy_subscriber_is_never_refused(client, raw):
    """200 polls in one window from one address: 50 devices polling every
    15 minutes for an hour, more than any one person ever makes."""
    first = client.get(_feed(raw))
    assert first.status_code == 200
    for _ in range(199):
        response = client.get(_feed(raw), HTTP_IF_NONE_MATCH=first["ETag"])
        assert response.status_code == 304


def test_valid_requests_have_a_ceiling_too(client, raw, settings):
    settings.RATELIMIT_FEED = "5/h"
    for _ in range(5):
        assert client.get(_feed(raw)).status_code == 200
    refused = client.get(_feed(raw))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600


def test_guessing_is_stopped_after_60_misses_and_then_nothing_is_confirmed(client, raw):
    for n in range(60):
        assert client.get(_feed(f"guess-{n:03d}-{'x' * 40}")).status_code == 404
    refused = client.get(_feed("guess-060"))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert refused["Cache-Control"] == "no-store"
    # A right guess from the same address is refused like a wrong one.
    assert client.get(_feed(raw)).status_code == 429
    # Another address (another subscriber) is not affected.
    assert client.get(_feed(raw), REMOTE_ADDR="127.0.0.2").status_code == 200


def test_revoked_and_expired_addresses_count_as_misses(client, raw, settings, pinned_clock):
    settings.RATELIMIT_FEED_MISS = "2/h"
    user = User.objects.get(username="sec")
    feed_token_revoke(user=user, kind=Kind.SECRETARIAT)
    fresh = feed_token_issue(user=user, kind=Kind.SECRETARIAT)
    token = CalendarFeedToken.objects.get(user=user, revoked_at__isnull=True)
    pinned_clock.move_to(token.expires_at)  # before counting: the cache's own clock moves too
    assert client.get(_feed(raw)).status_code == 404  # revoked
    assert client.get(_feed(fresh)).status_code == 404  # expired
    assert client.get(_feed(fresh)).status_code == 429


def test_the_limit_can_be_switched_off(client, raw, settings):
    settings.RATELIMIT_ENABLE = False
    for n in range(70):
        assert client.get(_feed(f"guess-{n}")).status_code == 404
    assert client.get(_feed(raw)).status_code == 200
