"""Parts of a page that many requests share, rendered once and kept.

The request form's fixed fields (name, phone, the neighborhood and topic
lists, the help and consent boxes) and the home page's list of the city's
neighborhoods are the same HTML for every visitor; rendered through the
template engine they were most of those pages' time (issue 16).

A fragment is kept under a key made of its template, the active language
and a digest of what it shows (``digest``: every column of the
neighborhoods, the topics), never under a version that a save must remember to
bump: a neighborhood renamed in the admin, by the import or by a bulk
update changes the digest, so the next page shows the new name, in every
process. The digest costs the one query the page ran anyway (the
neighborhoods); the rendering is what is saved.

The fragments live in the ``fragments`` cache, local memory in each process
(``config/settings.py``), also where Redis is the default cache: a new
process (a deploy, with its templates and translations) starts empty, and a
Redis outage cannot hold a page. A handful of entries, a few KB each.
"""

from __future__ import annotations

import hashlib

from django.core.cache import caches
from django.db import connection
from django.db.models import QuerySet
from django.template.loader import get_template
from django.utils.translation import get_language

CACHE = "fragments"
#: A digest key needs no expiry to be right; this only lets unused entries go.
TIMEOUT = 24 * 3600


def digest(*parts) -> str:
    """A short digest of ``parts``: strings, numbers, lazy translations and
    any nesting of lists, tuples and querysets of them (a queryset is read:
    ``Neighborhood.objects.values_list()`` is every column of every row; so
    are :func:`rows`)."""
    return hashlib.sha256(_text(parts).encode()).hexdigest()[:24]


def _text(part) -> str:
    if isinstance(part, QuerySet | Rows):
        # Rows read from the database, plain values (strings, numbers, dates,
        # None): their repr is exact and written in C, a tenth of the time of
        # the loop below.
        return repr(list(part))
    if isinstance(part, list | tuple):
        return "[" + "\x1f".join(_text(item) for item in part) + "]"
    return repr(str(part))


class Rows(list):
    """Rows as the database gave them (:func:`rows`)."""


#: name -> (SQL, parameters) of the row reads digests are made of.
_ROWS_SQL: dict[str, tuple[str, tuple]] = {}


def rows(name: str, build) -> Rows:
    """The rows of ``build()`` (a ``values_list()`` queryset) for a digest.
    Its SQL is built by the ORM once per process, kept under ``name``, and
    then run as it is: building it again on every page cost the ORM three
    times what the database takes to answer (bench/README.md). The values
    are as the database driver gives them (no field conversion): right for
    a digest, not for showing."""
    if name not in _ROWS_SQL:
        _ROWS_SQL[name] = build().query.sql_with_params()
    sql, params = _ROWS_SQL[name]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return Rows(cursor.fetchall())


def render_fragment(template_name: str, context, key: str | None) -> str:
    """``template_name`` rendered with ``context`` (a template ``Context`` or
    a dict), kept under ``key`` for the next request in the same language;
    ``key`` None renders it every time (a form with the visitor's own
    values or errors)."""
    if key is None:
        return _render(template_name, context)
    cache_key = f"{template_name}:{get_language()}:{key}"
    html = caches[CACHE].get(cache_key)
    if html is None:
        # The template's own SafeString, escaped as it rendered; it stays one
        # through the cache (pickled as its class), so nothing is marked safe here.
        html = _render(template_name, context)
        caches[CACHE].set(cache_key, html, TIMEOUT)
    return html


def _render(template_name: str, context) -> str:
    template = get_template(template_name)
    if isinstance(context, dict):
        return template.render(context)
    with context.push():  # as {% include %}: the template sees the page's context
        return template.template.render(context)
