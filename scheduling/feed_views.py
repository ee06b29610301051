"""The private calendar feed and the staff profile page that manages it.

The feed answers 404 for a made-up, revoked or expired address alike (an
expired one is not a 410: nothing tells a guesser that an address once
existed), and is rate limited per client address
(``scheduling.rate_limits.private_feed_limit``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from scheduling.dates import local_when
from scheduling.feed_services import (
    feed_for_token,
    feed_kinds_for,
    feed_token_current,
    feed_token_issue,
    feed_token_revoke,
    is_expired,
    is_expiring,
)
from scheduling.feeds import private_feed as private_feed_for
from scheduling.http import calendar_response
from scheduling.models import CalendarFeedToken, StaffProfile
from scheduling.people import staff_label
from scheduling.rate_limits import private_feed_limit

_SESSION_KEY = "fresh_feed_tokens"


def _feed_name(token: CalendarFeedToken) -> str:
    user = token.user
    if token.kind == CalendarFeedToken.Kind.OFFICIAL:
        return _("TongTong — %(who)s's schedule") % {"who": staff_label(user)}
    if token.kind == CalendarFeedToken.Kind.SECRETARIAT:
        return _("TongTong — all schedules (secretariat)")
    profile = StaffProfile.objects.filter(user=user).select_related("department").first()
    dept = profile.department.name if profile and profile.department else ""
    return _("TongTong — %(department)s") % {"department": dept}


@private_feed_limit
@require_GET
def private_feed(request, token: str):
    found = feed_for_token(token)
    if found is None:
        raise Http404
    # The events are read in Korean; the body is rendered only if the
    # client's ETag does not match (a re-polling calendar app gets a 304).
    with translation.override("ko"):
        feed = private_feed_for(found.kind, found.user, _feed_name(found))
    response = calendar_response(request, feed, filename=f"tongtong-{found.kind}.ics")
    response["Cache-Control"] = "private, max-age=300"
    return response


def feed_urls(request, raw: str) -> dict[str, str]:
    path = reverse("private_feed", kwargs={"token": raw})
    https = request.build_absolute_uri(path)
    if not settings.DEBUG:
        https = "https://" + https.split("://", 1)[1]
    return {"download": https, "subscribe": "webcal://" + https.split("://", 1)[1]}


@login_required(login_url="staff:login")
def staff_profile(request):
    kinds = feed_kinds_for(request.user)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        action = request.POST.get("action", "")
        if kind not in kinds or action not in {"issue", "revoke"}:
            raise PermissionDenied
        fresh = dict(request.session.get(_SESSION_KEY, {}))
        if action == "issue":
            fresh[kind] = feed_token_issue(user=request.user, kind=kind)
        else:
            feed_token_revoke(user=request.user, kind=kind)
            fresh.pop(kind, None)
        request.session[_SESSION_KEY] = fresh
        return redirect("staff_profile")
    # The raw address is shown once, right after create/renew.
    fresh = request.session.pop(_SESSION_KEY, {})
    labels = dict(CalendarFeedToken.Kind.choices)
    feeds = []
    for kind in kinds:
        current = feed_token_current(user=request.user, kind=kind)
        raw = fresh.get(kind) if current is not None else None
        feeds.append(
            {
                "kind": kind,
                "label": labels[kind],
                "token": current,
                "expired": current is not None and is_expired(current),
                "expiring": current is not None and is_expiring(current),
                "expires_on": local_when(current.expires_at, with_time=False) if current else "",
                "urls": feed_urls(request, raw) if raw else None,
            }
        )
    return render(
        request, "scheduling/staff_profile.html", {"feeds": feeds, "feed_token_days": settings.FEED_TOKEN_DAYS}
    )
