"""Private calendar feed tokens: issue (renew), revoke, look up.

The raw token is ``secrets.token_urlsafe(32)`` and is shown once; only its
SHA-256 is stored. Renewing revokes the live token of the same kind.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from scheduling import roles
from scheduling.models import CalendarFeedToken, Official, StaffProfile

Kind = CalendarFeedToken.Kind


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def feed_kinds_for(user) -> list[str]:
    """The kinds of private feed ``user`` may have."""
    if not getattr(user, "is_authenticated", False):
        return []
    kinds = []
    if Official.objects.filter(user=user).exists():
        kinds.append(Kind.OFFICIAL.value)
    if user.groups.filter(name=roles.SECRETARIAT).exists():
        kinds.append(Kind.SECRETARIAT.value)
    if StaffProfile.objects.filter(user=user, department__isnull=False).exists():
        kinds.append(Kind.DEPARTMENT.value)
    return kinds


def feed_token_live(*, user, kind: str) -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(user=user, kind=kind, revoked_at__isnull=True).first()


@transaction.atomic
def feed_token_revoke(*, user, kind: str) -> None:
    CalendarFeedToken.objects.filter(user=user, kind=kind, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def feed_token_issue(*, user, kind: str) -> str:
    """A new raw token for ``user``'s ``kind`` feed (revoking the live one)."""
    if kind not in feed_kinds_for(user):
        raise PermissionDenied(f"{user} may not have a {kind!r} feed")
    feed_token_revoke(user=user, kind=kind)
    raw = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.create(user=user, kind=kind, token_hash=token_hash(raw))
    return raw


def feed_for_token(raw: str) -> CalendarFeedToken | None:
    """The live token for ``raw`` (marking it used), or None."""
    if not raw or len(raw) > 200:
        return None
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or token.kind not in feed_kinds_for(token.user):
        return None
    token.last_used_at = timezone.now()
    token.save(update_fields=["last_used_at"])
    return token
