"""Who the user is in the organisation, and the one permission check.

Every back-office view and service asks here: ``require(user, perm)`` raises
``PermissionDenied`` (a 403) when the user lacks the permission;
``official_of``, ``staff_profile_of``, ``user_department`` and
``user_department_id`` read the reverse one-to-ones that may be missing
(an account without a staff profile, a user who is not an official, an
anonymous visitor) and answer None instead of raising.

What a user may see of an app's objects (the requests an official meets,
the suggestions of a department) is that app's rule, built on these:
``meetings.access.request_scope``, ``visits.cards.selectors``.
Kept free of model imports, like ``scheduling.permissions``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


def require(user, permission: str) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds ``permission``."""
    if not user.has_perm(permission):
        raise PermissionDenied


def _related(user, name: str):
    # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an
    # AttributeError: getattr's default covers it and AnonymousUser alike.
    return getattr(user, name, None) if user is not None else None


def official_of(user):
    """The official ``user`` is, or None."""
    return _related(user, "official")


def staff_profile_of(user):
    """The user's staff profile, or None."""
    return _related(user, "staff_profile")


def user_department(user):
    """The department ``user`` works for (their staff profile's), or None."""
    profile = staff_profile_of(user)
    return profile.department if profile is not None and profile.department_id else None


def user_department_id(user) -> int | None:
    """The id of the department ``user`` works for, or None (no query)."""
    profile = staff_profile_of(user)
    return profile.department_id if profile is not None else None
