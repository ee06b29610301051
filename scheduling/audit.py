"""Who did what to a citizen's record, and who looked at it.

Two trails, both read-only in the admin (docs/privacy.md):

- **Changes**: django-simple-history keeps a historical row for every save of
  the audited models (meeting requests, appointments, meeting days, field
  visits, themed tours, suggestions, joint-review opinions). Its user comes
  from the web request (``HistoryRequestMiddleware``); outside a request (a
  celery task, a command) it is empty, unless the caller names the person it
  acts for with ``acting_as(user)``.
- **Access**: viewing or exporting a citizen's personal data writes an
  ``AccessLog`` row (``record_access``): who, when, what, from where.

``scheduling`` knows neither ``meetings`` nor ``visits``: objects are named
by their label ("meetings.MeetingRequest:42"), never by their text, so the
log itself holds no personal data and needs no purge.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator

from django.db import models

#: The person a block of code acts for, when there is no web request.
_acting_user: contextvars.ContextVar = contextvars.ContextVar("tongtong_acting_user", default=None)


def _authenticated(user):
    return user if getattr(user, "is_authenticated", False) else None


@contextlib.contextmanager
def acting_as(user) -> Iterator[None]:
    """Within the block, history rows name ``user`` (when no web request
    does): for commands and scripts that act for a member of staff."""
    token = _acting_user.set(_authenticated(user))
    try:
        yield
    finally:
        _acting_user.reset(token)


def history_user(instance=None, request=None, **kwargs):
    """``HistoricalRecords(get_user=...)``: the user of a history row.

    In order: the instance's own ``_history_user`` is honoured by
    simple-history before this is called; then ``acting_as``; then the
    logged-in user of the web request; else nobody (a task, a citizen)."""
    acting = _acting_user.get()
    if acting is not None:
        return acting
    if request is not None:
        return _authenticated(getattr(request, "user", None))
    return None


def object_label(obj: models.Model) -> str:
    """``meetings.MeetingRequest:42``: what a log row points at, with no
    personal data in it."""
    return f"{obj._meta.label}:{obj.pk}"


def client_address(request) -> str:
    """The client's address, as the rate limits and the login lockout see it
    (``scheduling.client_ip``: X-Forwarded-For only from TRUSTED_PROXIES)."""
    from scheduling.client_ip import client_ip

    return client_ip(request)[:45]


def record_access(request, obj: models.Model | Iterable[models.Model], action: str = "view") -> int:
    """Log that ``request.user`` viewed (``"view"``) or exported
    (``"export"``: a printed or downloaded list) the personal data of
    ``obj`` (one object, or several shown together). Returns the rows written.
    """
    from scheduling.models import AccessLog

    if action not in AccessLog.Action.values:
        raise ValueError(f"unknown access action {action!r}")
    objects = [obj] if isinstance(obj, models.Model) else [o for o in obj if o is not None]
    if not objects:
        return 0
    user = _authenticated(getattr(request, "user", None))
    path = request.get_full_path()[:300]
    address = client_address(request) or None
    AccessLog.objects.bulk_create(
        AccessLog(user=user, action=action, object_label=object_label(o), path=path, remote_addr=address)
        for o in objects
    )
    return len(objects)
