"""Who is on the other end of a request — one answer for the whole site.

The public rate limits (django-ratelimit), the staff login lockout
(django-axes, ``AXES_CLIENT_IP_CALLABLE``) and the access log all count per
client address, and must count the *same* address, or one of them could be
dodged. HTTPS detection (``request.is_secure()``) rests on the same trust.

The rule: the headers a proxy writes (``X-Forwarded-For``,
``X-Forwarded-Proto``) are believed only when the socket peer
(``REMOTE_ADDR``) is one of ``TRUSTED_PROXIES`` (addresses or networks;
default loopback only: nginx on the same host). Anybody can write those
headers; from anyone else they are ignored, the socket address is the
client and the request is as secure as the socket gunicorn sees.

- **The client address**: start from the socket peer; while the address in
  hand is a trusted proxy, step one ``X-Forwarded-For`` entry to the left
  (the address that proxy saw). The first untrusted address is the client.
  Entries further left were written by the client or by proxies we do not
  run, and are never read. So a chain load balancer → nginx → gunicorn
  needs the balancer's address in ``TRUSTED_PROXIES`` too, and every proxy
  of ours must *append* (``$proxy_add_x_forwarded_for``); the single nginx
  of docs/deployment.md may overwrite with ``$remote_addr``, same answer.
- An entry that is not an IP address (a port, a typo, garbage) stops the
  walk at the last good address — the proxy that passed it on — so everyone
  behind it shares one counter: too strict rather than open.
- **HTTPS**: ``TrustedProxyMiddleware`` (first in ``MIDDLEWARE``) marks the
  request as HTTPS when a trusted peer says ``X-Forwarded-Proto: https``.
  Django's ``SECURE_PROXY_SSL_HEADER`` is left unset: it believes any
  sender.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_ip(value: str) -> IPAddress | None:
    """An IP address, or None; an IPv4-mapped IPv6 address (a dual-stack
    socket's ``::ffff:10.0.0.5``) is read as the IPv4 address it holds."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in trusted)


def is_trusted_proxy(address: IPAddress | None) -> bool:
    if address is None:
        return False
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def _peer(request: HttpRequest) -> tuple[str, IPAddress | None]:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    return remote, parse_ip(remote)


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as a string (see the module docstring)."""
    remote, address = _peer(request)
    if address is None:
        return remote
    if is_trusted_proxy(address):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        while is_trusted_proxy(address) and hops:
            previous = parse_ip(hops.pop())
            if previous is None:
                break
            address = previous
    return str(address)


def forwarded_https(request: HttpRequest) -> bool:
    """True when a trusted proxy says the client came over HTTPS."""
    if not is_trusted_proxy(_peer(request)[1]):
        return False
    return request.META.get("HTTP_X_FORWARDED_PROTO", "").strip().lower() == "https"


class TrustedProxyMiddleware:
    """First in ``MIDDLEWARE``, before ``SecurityMiddleware`` (its HTTPS
    redirect and HSTS read ``request.is_secure()``): a request that a trusted
    proxy received over HTTPS is HTTPS; a forged ``X-Forwarded-Proto`` from
    anyone else changes nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if forwarded_https(request):
            request.META["wsgi.url_scheme"] = "https"
        return self.get_response(request)
