"""Data versions: reads that pages keep, and how they know they are still right.

Some reads are the same for every visitor and cost more than the rest of
their page: the meeting days with their free slots (the home page, the
request form, the meeting-day feed). They are kept, in each process's
``fragments`` cache (local memory), under the *versions* of the data they
were read from. A version is a random number in one row of
:class:`~scheduling.models.DataVersion` per kind of data; every service
that writes that data calls :func:`changed` after its writes, which gives
the kind a new version once the transaction commits. The next page reads
the versions (one small query) and finds nothing kept under the new ones:
it reads the data again. So every process sees a change on its next
request, whichever process (a web worker, celery, a management command,
the admin) made it.

Why this order is safe: a page reads the versions *before* the data, and a
version changes only *after* the data committed. A page that raced a write
may keep the new data under the old version (harmless: the next page reads
the new version and reads again), never old data under a new version.

Why random numbers and not a counter: a restored backup (or a test's rolled
back transaction) brings back old data with the version it had then, so a
kept read can never be matched to data it was not read from; and writing a
random number never has to read the row first.

Completeness: ``tests/conftest.py`` (``_data_versions_follow_writes``)
watches every INSERT, UPDATE and DELETE the application code (services,
views, the admin, commands; not a test's own set-up) makes to the tables of
each kind during the whole test suite, and fails a test after which a
kind was written without :func:`changed`. The kinds and their tables are
registered in :data:`KINDS` by their owners (``AppConfig.ready``).

A kept read also expires after :data:`KEEP_SECONDS`, the backstop for the
writes no service makes (raw SQL, django-scheduler's own admin pages for
events and rules) and for a process killed between a commit and its new
version.
"""

from __future__ import annotations

import secrets

from django.core.cache import caches
from django.db import connection, transaction

from scheduling.models import CityClosure, DataVersion

#: The city's closures (``CityClosure``): the admin and the demo seed write them.
CLOSURES = "closures"

#: kind -> the database tables whose rows it covers (for the completeness
#: check in the tests). The apps add theirs from ``AppConfig.ready``.
KINDS: dict[str, set[str]] = {CLOSURES: {CityClosure._meta.db_table}}

#: Where kept reads live: local memory in each process (config/settings.py).
CACHE = "fragments"
#: The backstop (see the module's notes): a kept read is read again after this.
KEEP_SECONDS = 10 * 60


#: table -> columns no kept read shows: an UPDATE of only these changes no
#: kind (an appointment's calendar event, set to NULL when an official's
#: busy times are imported again and its event goes).
UNREAD_COLUMNS: dict[str, set[str]] = {}


def register(name: str, *models, unread: dict | None = None) -> None:
    """Declare the kind ``name`` and the models whose rows it covers;
    ``unread``: model -> the column names none of its kept reads shows."""
    KINDS.setdefault(name, set()).update(model._meta.db_table for model in models)
    for model, columns in (unread or {}).items():
        UNREAD_COLUMNS.setdefault(model._meta.db_table, set()).update(columns)


def changed(*names: str) -> None:
    """Give each kind in ``names`` a new version once the current
    transaction commits (at once outside a transaction). Call it in every
    service that writes the data, after its writes."""
    transaction.on_commit(lambda: _new_versions(names))


def _new_versions(names) -> None:
    for name in names:
        version = secrets.randbits(62)
        if not DataVersion.objects.filter(name=name).update(version=version):
            DataVersion.objects.update_or_create(name=name, defaults={"version": version})


def current(*names: str) -> tuple[int, ...]:
    """The present versions of ``names`` (0 for a kind never changed), in
    one query written by hand: the ORM would spend more building it than
    the database answering it."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, version FROM {table} WHERE name IN ({', '.join(['%s'] * len(names))})",  # noqa: S608
            list(names),
        )
        found = dict(cursor.fetchall())
    return tuple(found.get(name, 0) for name in names)


def kept(key: str, names: tuple[str, ...], read, *, keep=None):
    """``read()``, kept under ``key`` and the present versions of ``names``
    until one of them changes (or :data:`KEEP_SECONDS` pass); ``keep(value)``
    False: returned but not kept."""
    full_key = f"versions:{key}:{':'.join(map(str, current(*names)))}"
    cache = caches[CACHE]
    value = cache.get(full_key)
    if value is None:
        value = read()
        if keep is None or keep(value):
            cache.set(full_key, value, KEEP_SECONDS)
    return value
