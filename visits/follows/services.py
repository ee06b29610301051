"""Following a neighborhood (issue 15, item 5): a resident asks for a
neighborhood's news — its visits announced, their published results, the
status changes of its suggestions — by SMS or e-mail.

- **By SMS** the phone is verified first (``scheduling.verification``); the
  follow exists only once the code was right.
- **By e-mail** the follow waits, unconfirmed, for the link sent to the
  address (double opt-in); nothing else is sent to it until then, and an
  unconfirmed follow is deleted after ``FOLLOW_CONFIRM_DAYS``.
- **Every message** carries the unfollow link. Unfollowing deletes the row,
  the whole of the personal data; so does the purge after
  ``FOLLOW_RETENTION_DAYS``.

The news goes out from one periodic task (``follow_news_send``, celery beat
every 15 minutes) that looks at what happened and writes one outbox row per
follower and piece of news; the ``dedupe_key`` makes a second run (or a
second worker) write nothing new. So no service of the visits or the cards
has to know about followers.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from scheduling import outbox
from scheduling.dates import local_when
from scheduling.errors import TongtongError
from scheduling.models import Neighborhood, PhoneVerification
from visits.cards.workflow import PUBLIC_STATUSES
from visits.models import FieldVisit, FollowNotification, NeighborhoodFollow, Suggestion, SuggestionEvent
from visits.rotation.selectors import public_visits

Channel = NeighborhoodFollow.Channel


UNFOLLOW_SALT = "tongtong.follow.unfollow"
CONFIRM_SALT = "tongtong.follow.confirm"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _token(follow: NeighborhoodFollow, salt: str) -> str:
    # Signed, not stored: every link ever sent keeps working, none can be
    # guessed, and a deleted follow's link finds nothing (its creation time
    # is part of what is signed).
    return signing.dumps([follow.pk, follow.created_at.timestamp()], salt=salt, compress=True)


def unfollow_url(follow: NeighborhoodFollow) -> str:
    return _absolute(reverse("cards:unfollow", args=[_token(follow, UNFOLLOW_SALT)]))


def _confirm_url(follow: NeighborhoodFollow) -> str:
    return _absolute(reverse("cards:follow_confirm", args=[_token(follow, CONFIRM_SALT)]))


def follow_for_token(token: str, *, salt: str = UNFOLLOW_SALT, max_age=None) -> NeighborhoodFollow | None:
    if not token or len(token) > 200:
        return None
    try:
        pk, created = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    follow = NeighborhoodFollow.objects.select_related("neighborhood").filter(pk=pk).first()
    if follow is None or abs(follow.created_at.timestamp() - created) > 0.001:
        return None
    return follow


def follow_by_phone(*, neighborhood: Neighborhood, verification: PhoneVerification) -> NeighborhoodFollow:
    """The follow of a verified phone (confirmed at once). Following twice
    keeps one follow."""
    if verification.verified_at is None or verification.purpose != PhoneVerification.Purpose.FOLLOW:
        raise TongtongError(_("This mobile number has not been verified. Please ask for a code again."))
    return _follow(neighborhood, Channel.SMS, verification.phone, confirmed=True)


def follow_by_email(*, neighborhood: Neighborhood, email: str) -> NeighborhoodFollow:
    """An unconfirmed follow, and the e-mail with its confirmation link."""
    email = email.strip().lower()
    with transaction.atomic():
        follow = _follow(neighborhood, Channel.EMAIL, email, confirmed=False)
        if follow.confirmed_at is None:
            _write(
                follow,
                kind="confirm",
                key=f"follow-confirm:{follow.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
                subject=_("[%(city)s 통통] Confirm: news of %(neighborhood)s")
                % {"city": settings.CITY_NAME, "neighborhood": neighborhood.name},
                body=_(
                    "You asked for the news of %(neighborhood)s (the mayor's visits, their results and the "
                    "suggestions heard there). To start, open this link within %(days)d days:\n%(link)s\n\n"
                    "If it was not you, do nothing: without the confirmation nothing more is sent and the "
                    "address is deleted."
                )
                % {
                    "neighborhood": neighborhood.name,
                    "days": settings.FOLLOW_CONFIRM_DAYS,
                    "link": _confirm_url(follow),
                },
            )
    return follow


def _follow(neighborhood, channel, contact, *, confirmed: bool) -> NeighborhoodFollow:
    now = timezone.now()
    language = (translation.get_language() or "ko")[:10]
    follow = NeighborhoodFollow.objects.filter(neighborhood=neighborhood, channel=channel, contact=contact).first()
    if follow is None:
        try:
            with transaction.atomic():
                follow = NeighborhoodFollow.objects.create(
                    neighborhood=neighborhood, channel=channel, contact=contact, created_at=now, language=language
                )
        except IntegrityError:  # the same contact at the same moment: one follow
            follow = NeighborhoodFollow.objects.get(neighborhood=neighborhood, channel=channel, contact=contact)
    changes = {"language": language}
    if confirmed and follow.confirmed_at is None:
        changes["confirmed_at"] = now
    NeighborhoodFollow.objects.filter(pk=follow.pk).update(**changes)
    for field, value in changes.items():
        setattr(follow, field, value)
    return follow


def follow_confirm(token: str) -> NeighborhoodFollow | None:
    """The e-mail's link: the follow starts. None for a wrong or expired link."""
    follow = follow_for_token(token, salt=CONFIRM_SALT, max_age=dt.timedelta(days=settings.FOLLOW_CONFIRM_DAYS))
    if follow is not None and follow.confirmed_at is None:
        follow.confirmed_at = timezone.now()
        NeighborhoodFollow.objects.filter(pk=follow.pk).update(confirmed_at=follow.confirmed_at)
    return follow


def unfollow(token: str) -> bool:
    """Stop and forget: the follow (and so the contact) is deleted."""
    follow = follow_for_token(token)
    if follow is None:
        return False
    follow.delete()
    return True


def follows_purge(*, now: dt.datetime | None = None) -> int:
    """Follows past their retention period, and e-mails never confirmed."""
    now = now or timezone.now()
    lapsed = NeighborhoodFollow.objects.filter(created_at__lt=now - dt.timedelta(days=settings.FOLLOW_RETENTION_DAYS))
    unconfirmed = NeighborhoodFollow.objects.filter(
        confirmed_at__isnull=True, created_at__lt=now - dt.timedelta(days=settings.FOLLOW_CONFIRM_DAYS)
    )
    deleted = lapsed.delete()[0] + unconfirmed.delete()[0]
    FollowNotification.objects.filter(follow__isnull=True, created_at__lt=now - dt.timedelta(days=30)).delete()
    return deleted


# --- The news --------------------------------------------------------------------------


def follow_news_send(*, now: dt.datetime | None = None) -> int:
    """Write the news nobody was told yet, one row per follower and piece of
    news, and hand them to the outbox. Returns how many rows were written."""
    now = now or timezone.now()
    written = 0
    followers: dict[int, list[NeighborhoodFollow]] = {}
    for follow in NeighborhoodFollow.objects.filter(confirmed_at__isnull=False).select_related("neighborhood"):
        followers.setdefault(follow.neighborhood_id, []).append(follow)
    if not followers:
        return 0
    horizon = now + dt.timedelta(days=settings.FOLLOW_ANNOUNCE_DAYS)
    upcoming = public_visits().filter(
        status=FieldVisit.Status.PLANNED, start__gte=now, start__lte=horizon, neighborhood_id__in=followers
    )
    for visit in upcoming:
        for follow in followers[visit.neighborhood_id]:
            written += _news(follow, "visit", f"visit:{visit.pk}:{visit.start:%Y%m%d%H%M}", _visit_text, visit)
    results = public_visits().filter(
        status=FieldVisit.Status.HELD,
        results_published_at__gte=now - dt.timedelta(days=7),
        neighborhood_id__in=followers,
    )
    for visit in results:
        for follow in followers[visit.neighborhood_id]:
            written += _news(follow, "results", f"results:{visit.pk}", _results_text, visit)
    changes = (
        SuggestionEvent.objects.filter(
            kind=SuggestionEvent.Kind.TRANSITION,
            to_status__in=PUBLIC_STATUSES,
            created_at__gte=now - dt.timedelta(days=7),
            suggestion__neighborhood_id__in=followers,
        )
        .select_related("suggestion")
        .order_by("created_at", "pk")
    )
    for event in changes:
        for follow in followers[event.suggestion.neighborhood_id]:
            if event.created_at >= follow.confirmed_at:
                written += _news(follow, "suggestion", f"suggestion:{event.pk}", _suggestion_text, event)
    return written


def _news(follow: NeighborhoodFollow, kind: str, about: str, text, subject_of) -> int:
    with translation.override(follow.language):
        subject, body = text(follow, subject_of)
        body = f"{body}\n" + _("Stop these messages: %(link)s") % {"link": unfollow_url(follow)}
    return _write(follow, kind=kind, key=f"follow:{follow.pk}:{about}", subject=subject, body=body)


def _write(follow, *, kind, key, subject, body) -> int:
    created = outbox.write(
        FollowNotification,
        [
            {
                "dedupe_key": key,
                "follow": follow,
                "kind": kind,
                "channel": follow.channel,
                "recipient": follow.contact,
                "subject": subject[:200],
                "body": body,
            }
        ],
    )
    return len(created)


def _visit_text(follow, visit: FieldVisit) -> tuple[str, str]:
    values = {
        "city": settings.CITY_NAME,
        "neighborhood": follow.neighborhood.name,
        "when": local_when(visit.start),
        "link": _absolute(reverse("visits:list")),
    }
    return (
        _("[%(city)s 통통] The mayor visits %(neighborhood)s") % values,
        _("[%(city)s 통통] The mayor visits %(neighborhood)s on %(when)s. Details: %(link)s") % values,
    )


def _results_text(follow, visit: FieldVisit) -> tuple[str, str]:
    values = {
        "city": settings.CITY_NAME,
        "neighborhood": follow.neighborhood.name,
        "link": _absolute(reverse("cards:card", args=[follow.neighborhood.code])),
    }
    return (
        _("[%(city)s 통통] Results of the visit to %(neighborhood)s") % values,
        _("[%(city)s 통통] The results of the mayor's visit to %(neighborhood)s are published: %(link)s") % values,
    )


def _suggestion_text(follow, event: SuggestionEvent) -> tuple[str, str]:
    values = {
        "city": settings.CITY_NAME,
        "neighborhood": follow.neighborhood.name,
        "title": event.suggestion.title,
        "status": Suggestion.Status(event.to_status).label,
        "link": _absolute(reverse("cards:card", args=[follow.neighborhood.code])),
    }
    return (
        _("[%(city)s 통통] %(neighborhood)s: a suggestion moved on") % values,
        _("[%(city)s 통통] %(neighborhood)s, “%(title)s”: %(status)s. %(link)s") % values,
    )
