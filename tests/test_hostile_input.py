"""No server error from any input (issue 14, point 2).

The walk below takes **every URL pattern of the resolver** (so a new page is
covered without anyone adding it here), fills each path parameter with every
value of a hostile set, and sends the query parameters each view reads (found
by watching which names it asks ``request.GET`` for) and the common ones with
the same values, as an anonymous visitor and as each role; then it POSTs the
hostile values in every field the view's forms read. No answer may be a 5xx.
Django's own admin pages are skipped except the login.

A NUL byte that reaches the database breaks PostgreSQL ("A string literal
cannot contain NUL"); SQLite accepts it. So that the walk catches it on
SQLite too, every query it causes is checked for NUL in its parameters.
"""

from __future__ import annotations

import re
import time
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

pytestmark = pytest.mark.django_db

#: Each value as it appears in a URL (already percent-encoded where needed).
HOSTILE = [
    quote("²"),  # non-ASCII digit: '²'.isdigit() is True, int('²') fails
    quote("٣"),  # Arabic-Indic three: int() accepts it
    "%00",  # NUL
    "1%00",
    str(10**23),  # larger than any database integer
    "0",  # year 0
    "9999",
    "9999-12",
    "0000-01",
    "2026-13-45",
    "-1",
    "x" * 3000,
    quote("'\"><script>alert(1)</script>"),
    "%ff%fe",  # invalid UTF-8
]

#: Query names that many views read; sent to every GET page.
COMMON_NAMES = [
    "page",
    "day",
    "from",
    "to",
    "year",
    "month",
    "visit",
    "tour",
    "q",
    "status",
    "category",
    "neighborhood",
    "sort",
    "period",
    "kind",
    "date",
    "week",
    "official",
    "next",
]

#: The same values as a form sends them (decoded).
HOSTILE_POSTED = ["²", "1\x00", str(10**23), "9999-12", "x" * 3000, "'\"><script>"]

#: Not posted to: it would log the walker out.
NO_POST = {"staff/logout/"}

ROLES = ["anonymous", "secretariat", "official", "department", "reviewer", "superuser"]


def _patterns(resolvers=None, prefix=""):
    """(route, [parameter names]) for every pattern, as a regex-free route
    with ``{name}`` holes."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = _route(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route


def _route(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern._route))
    assert isinstance(pattern, RegexPattern), pattern
    regex = pattern._regex.lstrip("^").rstrip("$").replace(r"\Z", "")
    # Named groups become holes; escaped dots become dots; alternations take
    # their first choice.
    regex = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", regex)
    regex = regex.replace("\\.", ".").replace("\\/", "/")
    return re.sub(r"\(([^|)]*)\|[^)]*\)", r"\1", regex)


def _walked_routes():
    for route in _patterns():
        if route.startswith("admin/") and route != "admin/login/":
            continue  # Django's own admin (its pages take ids it parses itself)
        yield route


#: A parameter's good value, so that query values reach views past a 404.
def _good_values():
    from meetings.models import MeetingRequest
    from scheduling.models import Neighborhood

    values = {"fmt": "pdf", "key": "2026-01", "action": "accept"}
    neighborhood = Neighborhood.objects.order_by("pk").first()
    if neighborhood:
        values["code"] = neighborhood.code
    request = MeetingRequest.objects.order_by("pk").first()
    if request:
        values["reference"] = getattr(request, "reference", "1")
    return values


class _ReadNames:
    """Records which query names views read."""

    def __init__(self, monkeypatch):
        self.names: set[str] = set()
        for method in ("get", "__getitem__", "getlist", "__contains__"):
            original = getattr(QueryDict, method)
            monkeypatch.setattr(QueryDict, method, self._wrap(original))

    def _wrap(self, original):
        names = self.names

        def wrapper(qd, key, *args, **kwargs):
            if isinstance(key, str):
                names.add(key)
            return original(qd, key, *args, **kwargs)

        return wrapper


def _refuse_nul(execute, sql, params, many, context):
    """PostgreSQL refuses NUL in a string; fail the same way on SQLite."""
    rows = params if many else [params]
    for row in rows or []:
        for value in (row.values() if isinstance(row, dict) else row) or []:
            if isinstance(value, str) and "\x00" in value:
                raise ValueError("A string literal cannot contain NUL (0x00) characters.")
    return execute(sql, params, many, context)


@pytest.fixture
def actors(db, django_user_model, secretariat_user, official_user, department_user, reviewer_user):
    call_command("seed_demo", "--force", "--no-history", stdout=StringIO())
    superuser = django_user_model.objects.create_superuser("root-walker", password="pw")
    users = {
        "secretariat": secretariat_user,
        "official": official_user,
        "department": department_user,
        "reviewer": reviewer_user,
        "superuser": superuser,
    }
    clients = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(users[role])
        clients[role] = client
    return clients


def _query(names, value):
    return "&".join(f"{name}={value}" for name in names)


def test_no_url_answers_a_server_error_to_hostile_input(actors, monkeypatch, settings):
    settings.RATELIMIT_ENABLE = False
    routes = list(_walked_routes())
    good = _good_values()
    read = _ReadNames(monkeypatch)
    failures: list[str] = []
    count = 0
    started = time.monotonic()

    def send(client, url, role, data=None):
        nonlocal count
        count += 1
        method = "GET" if data is None else "POST"
        if data is None:
            response = client.get(url)
        elif isinstance(data, str):  # a raw form body (invalid UTF-8)
            response = client.post(url, data, content_type="application/x-www-form-urlencoded")
        else:
            response = client.post(url, data)
        if response.status_code >= 500:
            shown = f"/{url.lstrip('/')[:200]}" + ("" if data is None else f" {str(data)[:120]}")
            failures.append(f"{role} {method} {shown} -> {response.status_code}")
        return response

    def get(client, url, role):
        return send(client, url, role)

    with connection.execute_wrapper(_refuse_nul):
        for route in routes:
            holes = re.findall(r"\{(\w+)\}", route)
            base = "/" + route.format(**{name: good.get(name, "1") for name in holes})
            for role_index, (role, client) in enumerate(actors.items()):
                read.names.clear()
                get(client, base, role)
                names = sorted(read.names - {"csrfmiddlewaretoken"})
                for index, value in enumerate(HOSTILE):
                    # Each path parameter in turn.
                    for hole in holes:
                        filled = {name: good.get(name, "1") for name in holes}
                        filled[hole] = value
                        get(client, "/" + route.format(**filled), role)
                    # Every name the view read, one at a time (sampled:
                    # each role sends every other value, so that the six
                    # actors together send each value to each name 3 times).
                    if (index + role_index) % 2 == 0:
                        for name in names:
                            get(client, f"{base}?{name}={value}", role)
                    # The common names all at once (views that read them one
                    # after another see each; the first refusal ends it, so
                    # rotate the order).
                    rotated = COMMON_NAMES[index % len(COMMON_NAMES) :] + COMMON_NAMES[: index % len(COMMON_NAMES)]
                    get(client, f"{base}?{_query(rotated, value)}", role)
                if route in NO_POST:
                    continue
                # POST: the fields the view's forms read, all at once with
                # each value (a form checks every field).
                read.names.clear()
                send(client, base, role, {})
                fields = sorted((read.names | set(COMMON_NAMES)) - {"csrfmiddlewaretoken"})
                for value in HOSTILE_POSTED:
                    send(client, base, role, dict.fromkeys(fields, value))
                send(client, base, role, "&".join(f"{name}=%ff%fe" for name in fields))
    elapsed = time.monotonic() - started
    print(f"URL walk: {len(routes)} patterns x {len(actors)} actors, {count} requests in {elapsed:.0f} s")
    assert not failures, f"{len(failures)} of {count} requests answered 5xx:\n" + "\n".join(failures)
