"""The address of the client behind a request — one answer for the whole site.

Both the public rate limits (django-ratelimit) and the staff login lockout
(django-axes, ``AXES_CLIENT_IP_CALLABLE``) count per client address, and both
must count the *same* address, or one of them could be dodged.

The rule:

- With ``BEHIND_PROXY`` off (a development server, or gunicorn reached
  directly), ``X-Forwarded-For`` is ignored: anybody can send that header, so
  trusting it would let a client reset its counter by writing a new address
  in every request. The address is ``REMOTE_ADDR``.
- With ``BEHIND_PROXY`` on, the address is taken from ``X-Forwarded-For``,
  but only the hop appended by *our* proxies: the ``NUM_PROXIES``-th entry
  from the right (default 1: the last one). Entries to its left were written
  by the client or by proxies we do not run and are never read. Our nginx
  overwrites the header with ``$remote_addr`` (docs/deployment.md); a proxy
  that appends instead (``$proxy_add_x_forwarded_for``) gives the same answer.
- A header with fewer entries than ``NUM_PROXIES``, or an entry that is not
  an IP address, means the proxy is not set up as documented: the answer
  falls back to ``REMOTE_ADDR`` (the proxy itself), so every client shares
  one counter — too strict rather than open.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as a string (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        num_proxies = max(1, int(getattr(settings, "NUM_PROXIES", 1)))
        if len(hops) >= num_proxies:
            address = _valid_ip(hops[-num_proxies])
            if address:
                return address
    return _valid_ip(remote) or remote
