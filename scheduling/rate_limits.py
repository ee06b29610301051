"""Per-address rate limits for the public pages (django-ratelimit).

Two limits, both counted per client address (``scheduling.client_ip``, the
same address django-axes counts for the staff login):

- ``submission_limit``: the public meeting-request form, POSTs only
  (``RATELIMIT_SUBMIT``, default 5 in 10 minutes);
- ``token_lookup_limit(group)``: the pages reached by a private link — the
  status page, its actions and .ics, the feedback page, the resident's
  answer page — every method (``RATELIMIT_STATUS``, default 30 a minute), so
  that nobody can try tokens by the thousand.

The private calendar feeds (``/calendar/feeds/<token>.ics``) have their own
pair of counters, per address (``private_feed_limit``): every request counts
against ``RATELIMIT_FEED`` (default 1200 an hour), and a request whose
address turns out unknown, revoked or expired (a 404) also against
``RATELIMIT_FEED_MISS`` (default 60 an hour); once that is used up, every
feed request from the address is refused until the hour turns, so that a
guess is never answered with 200.

Over the limit the view is not called: the citizen gets the 429 page
(``scheduling.views.too_many_requests``), with a ``Retry-After`` header and
the time to try again. The decorators answer it themselves rather than
raising django-ratelimit's ``Ratelimited`` (a ``PermissionDenied``, which
without its middleware would become a 403).

Counters live in Django's cache: Redis when ``REDIS_URL`` is set (shared by
every web process), local memory otherwise (one process: the embedded
default). If Redis cannot be reached the limit is skipped with a warning —
a citizen's request is worth more than the limit during an outage.
``RATELIMIT_ENABLE=0`` switches every limit off (the load benchmark).
"""

from __future__ import annotations

import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.http import Http404
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from scheduling.client_ip import client_ip
from scheduling.views import too_many_requests

logger = logging.getLogger(__name__)

SUBMIT_GROUP = "public-submit"
FEED_GROUP = "private-feed"
FEED_MISS_GROUP = "private-feed-miss"
#: IPv6 clients usually hold a whole /64: count the network, not one address.
IPV6_PREFIX = 64


def client_key(group: str, request) -> str:
    """django-ratelimit's key: the client address, an IPv6 one as its /64."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return str(ip)


def _rate_from(setting: str):
    """Read the rate when the request comes (so tests and a reload can change it)."""

    def rate(group: str, request) -> str:
        return getattr(settings, setting)

    return rate


def _usage(request, group: str, rate_setting: str, *, increment: bool, method=ALL) -> dict | None:
    """django-ratelimit's counter of ``group`` for this client, or None when
    limits are off or the cache cannot be reached (then nothing is limited)."""
    try:
        return get_usage(
            request, group=group, key=client_key, rate=_rate_from(rate_setting), method=method, increment=increment
        )
    except (RedisError, OSError):
        logger.warning("rate limit %s skipped: the cache cannot be reached", group, exc_info=True)
        return None


def _refuse(request, group: str, usage: dict):
    logger.info("rate limit %s reached by %s", group, client_key(group, request))
    # The window ends within this second when time_left is 0.
    return too_many_requests(request, retry_after=max(usage["time_left"], 1))


def rate_limited(group: str, *, rate_setting: str, method=ALL):
    """Decorate a view: over the limit, answer 429 instead of calling it."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            usage = _usage(request, group, rate_setting, increment=True, method=method)
            if usage is not None and usage["should_limit"]:
                return _refuse(request, group, usage)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def submission_limit(view):
    """The public request form: every POST counts, GETs are free."""
    return rate_limited(SUBMIT_GROUP, rate_setting="RATELIMIT_SUBMIT", method="POST")(view)


def token_lookup_limit(group: str):
    """A page behind a private link: every request counts."""
    return rate_limited(group, rate_setting="RATELIMIT_STATUS")


def private_feed_limit(view):
    """A private calendar feed: refused while the address has used up its
    misses (``RATELIMIT_FEED_MISS``) or its requests (``RATELIMIT_FEED``);
    a 404 from the view (unknown, revoked or expired address) counts as a
    miss."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        misses = _usage(request, FEED_MISS_GROUP, "RATELIMIT_FEED_MISS", increment=False)
        # Not incremented here, so its count is the misses so far: the
        # (limit + 1)th request after the last allowed miss is refused.
        if misses is not None and misses["count"] >= misses["limit"]:
            return _refuse(request, FEED_MISS_GROUP, misses)
        usage = _usage(request, FEED_GROUP, "RATELIMIT_FEED", increment=True)
        if usage is not None and usage["should_limit"]:
            return _refuse(request, FEED_GROUP, usage)
        try:
            return view(request, *args, **kwargs)
        except Http404:
            _usage(request, FEED_MISS_GROUP, "RATELIMIT_FEED_MISS", increment=True)
            raise

    return wrapped
