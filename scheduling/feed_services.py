"""Private calendar feed tokens: issue (renew), revoke, look up, and the
notice before they expire.

The raw token is ``secrets.token_urlsafe(32)`` and is shown once; only its
SHA-256 is stored. Renewing revokes the current token of the same kind. A
token works for ``FEED_TOKEN_DAYS`` (default 365) after it is made; from
``FEED_TOKEN_NOTICE_DAYS`` (default 30) before that, the profile page and
the dashboard say so and its owner gets one e-mail (the daily celery task
``scheduling.notify_expiring_feed_tokens``). An expired address answers
404, as a revoked one does (docs/calendar.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from scheduling import outbox, roles
from scheduling.access import official_of, staff_profile_of
from scheduling.dates import korean_date, local_when
from scheduling.models import CalendarFeedToken, FeedNotification
from scheduling.permissions import user_roles

Kind = CalendarFeedToken.Kind
#: The notice e-mail's kind, and its dedupe key's prefix (once per token).
EXPIRY_NOTICE = "feed-expiry"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_kinds_for(user) -> list[str]:
    """The kinds of private feed ``user`` may have."""
    if not getattr(user, "is_authenticated", False):
        return []
    kinds = []
    # The user's official and profile as the layout reads them (``staff_label``):
    # one query each per request, kept on the user object.
    if official_of(user) is not None:
        kinds.append(Kind.OFFICIAL.value)
    if roles.SECRETARIAT in user_roles(user):
        kinds.append(Kind.SECRETARIAT.value)
    profile = staff_profile_of(user)
    if profile is not None and profile.department_id is not None:
        kinds.append(Kind.DEPARTMENT.value)
    return kinds


def feed_token_current(*, user, kind: str) -> CalendarFeedToken | None:
    """``user``'s token of ``kind`` that is not revoked, expired or not (an
    expired one is shown as such until it is renewed or revoked)."""
    return CalendarFeedToken.objects.filter(user=user, kind=kind, revoked_at__isnull=True).first()


def notice_from(token: CalendarFeedToken) -> dt.datetime:
    """The moment from which ``token``'s coming expiry is announced."""
    return token.expires_at - dt.timedelta(days=settings.FEED_TOKEN_NOTICE_DAYS)


def is_expired(token: CalendarFeedToken, now: dt.datetime | None = None) -> bool:
    return token.expires_at <= (now or timezone.now())


def is_expiring(token: CalendarFeedToken, now: dt.datetime | None = None) -> bool:
    """Within the notice period and not yet expired."""
    now = now or timezone.now()
    return notice_from(token) <= now < token.expires_at


@dataclass(frozen=True)
class FeedNotice:
    """A feed of the user's that expires soon (or has expired), for the
    profile page and the dashboard."""

    kind: str
    label: str
    expires_at: dt.datetime
    expired: bool

    @property
    def expires_on(self) -> str:
        """The date in the active language (2026. 11. 3.(화))."""
        return local_when(self.expires_at, with_time=False)


def feed_token_notices(user, *, now: dt.datetime | None = None) -> list[FeedNotice]:
    """``user``'s current tokens within the notice period or expired, in
    the order of their kinds."""
    now = now or timezone.now()
    kinds = feed_kinds_for(user)
    if not kinds:
        return []
    labels = dict(Kind.choices)
    soon = now + dt.timedelta(days=settings.FEED_TOKEN_NOTICE_DAYS)
    tokens = CalendarFeedToken.objects.filter(user=user, kind__in=kinds, revoked_at__isnull=True, expires_at__lte=soon)
    found = {token.kind: token for token in tokens}
    return [
        FeedNotice(kind, str(labels[kind]), found[kind].expires_at, is_expired(found[kind], now))
        for kind in kinds
        if kind in found
    ]


@transaction.atomic
def feed_token_revoke(*, user, kind: str) -> None:
    CalendarFeedToken.objects.filter(user=user, kind=kind, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def feed_token_issue(*, user, kind: str) -> str:
    """A new raw token for ``user``'s ``kind`` feed, working for
    ``FEED_TOKEN_DAYS`` (revoking the current one)."""
    if kind not in feed_kinds_for(user):
        raise PermissionDenied(f"{user} may not have a {kind!r} feed")
    feed_token_revoke(user=user, kind=kind)
    raw = secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=settings.FEED_TOKEN_DAYS)
    CalendarFeedToken.objects.create(user=user, kind=kind, token_hash=token_hash(raw), expires_at=expires_at)
    return raw


def feed_for_token(raw: str) -> CalendarFeedToken | None:
    """The working token for ``raw`` (marking it used), or None for a
    made-up, revoked or expired one, or one whose owner lost the role."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active or token.kind not in feed_kinds_for(token.user):
        return None
    token.last_used_at = now
    token.save(update_fields=["last_used_at"])
    return token


# --- The notice before expiry ---------------------------------------------------------------


def _expiry_message(token: CalendarFeedToken) -> dict:
    with translation.override("ko"):
        label = dict(Kind.choices)[token.kind]
        when = korean_date(timezone.localtime(token.expires_at).date())
        profile = settings.SITE_URL + reverse("staff_profile")
        body = _(
            'Your calendar feed address "%(feed)s" stops working on %(date)s.'
            " After that, your calendar app no longer receives new or changed events from TongTong.\n\n"
            "To keep your subscription, renew the address on your profile page and subscribe"
            " to the new address in your calendar app:\n%(url)s\n\n"
            "If you no longer use this feed, you need not do anything."
        ) % {"feed": label, "date": when, "url": profile}
        subject = _("[TongTong] Your calendar feed address expires on %(date)s") % {"date": when}
    return {
        "dedupe_key": f"{EXPIRY_NOTICE}:{token.pk}",
        "token": token,
        "kind": EXPIRY_NOTICE,
        "channel": FeedNotification.Channel.EMAIL,
        "recipient": token.user.email,
        "subject": subject[:200],
        "body": body,
    }


@transaction.atomic
def feed_token_expiry_notify(*, now: dt.datetime | None = None) -> int:
    """One e-mail per token that has entered its notice period and still
    works, to its owner (active, with an e-mail address, still holding the
    role). Written to the outbox with the key ``feed-expiry:<token id>``, so
    a token is announced once however often this runs; a renewed token is a
    new token with its own notice a year later. Returns how many were
    written now."""
    now = now or timezone.now()
    soon = now + dt.timedelta(days=settings.FEED_TOKEN_NOTICE_DAYS)
    tokens = (
        CalendarFeedToken.objects.select_related("user")
        .filter(revoked_at__isnull=True, expires_at__gt=now, expires_at__lte=soon, user__is_active=True)
        .exclude(user__email="")
        .exclude(notifications__kind=EXPIRY_NOTICE)
        .order_by("expires_at", "pk")
    )
    messages = [_expiry_message(token) for token in tokens if token.kind in feed_kinds_for(token.user)]
    return len(outbox.write(FeedNotification, messages))
