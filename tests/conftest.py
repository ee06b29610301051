"""Shared fixtures: the people every permission test needs, and the clock.

Test settings are the real ones; the suite runs on whatever DATABASE_URL and
REDIS_URL say (SQLite and eager tasks by default, PostgreSQL and Redis in CI).

No test depends on the machine's date (docs/testing.md): a test whose
scenario is built on "today" asks for ``pinned_today``.
"""

import datetime as dt
import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from scheduling import roles, sms

SEOUL = ZoneInfo("Asia/Seoul")

#: The "now" of a test that asks for ``pinned_today``: an ordinary working
#: Tuesday morning in Seoul, no holiday within a week either side, the next
#: meeting days Thu 2026-11-26 and Thu 2026-12-10.
PINNED_NOW = dt.datetime(2026, 11, 17, 10, 0, tzinfo=SEOUL)
_TRAVELLER = pytest.StashKey[time_machine.Traveller]()


@pytest.fixture
def pinned_today(request):
    """Pin the clock for the whole test (its fixtures included: this fixture
    is always set up first, see ``pytest_collection_modifyitems``) and give
    the local date. The clock stands at ``PINNED_NOW`` and ticks on from
    there, so durations, timeouts and ``auto_now`` still behave.

    Parametrize it indirectly to pin another moment, e.g. every day of
    ``tests.awkward_days.AWKWARD_DAYS`` (``@on_awkward_days``). The pin holds
    in this process and its threads (the live server), not in a process the
    test starts (a celery worker, ``manage.py``, Chromium): such tests read
    the real clock and choose their dates relative to it."""
    moment = getattr(request, "param", PINNED_NOW)
    moment = getattr(moment, "moment", moment)  # an AwkwardDay or a datetime
    with time_machine.travel(moment, tick=True) as traveller:
        request.node.stash[_TRAVELLER] = traveller
        yield timezone.localdate()


@pytest.fixture
def pinned_clock(request, pinned_today) -> time_machine.Traveller:
    """The pinned clock itself, to let time pass in a test:
    ``pinned_clock.shift(dt.timedelta(hours=48))`` or ``.move_to(moment)``."""
    return request.node.stash[_TRAVELLER]


#: Fixtures through which a test reaches the database (pytest-django's; the
#: people fixtures above and every fixture that makes rows depend on ``db``).
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}
)


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by the markers added here
def pytest_collection_modifyitems(items):
    """``pinned_today`` is set up before any other fixture of its test, so
    that the rows fixtures make (and "today" they read) are of the pinned day.

    The markers CI selects by (docs/testing.md, "CI"), given by what a test
    uses, so that a new or moved test file is sorted without a list:
    ``db_independent`` for a test that asks for no database (no ``db``-like
    fixture among its fixtures, no ``django_db`` marker) and is not marked
    ``configuration_dependent``; ``e2e`` for a test that drives the browser."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names and "pinned_today" in names and names[0] != "pinned_today":
            names.remove("pinned_today")
            names.insert(0, "pinned_today")
        names = set(names or ())
        if "browser" in names and item.get_closest_marker("e2e") is None:
            item.add_marker(pytest.mark.e2e)
        if (
            not names & DATABASE_FIXTURES
            and item.get_closest_marker("django_db") is None
            and item.get_closest_marker("configuration_dependent") is None
        ):
            item.add_marker(pytest.mark.db_independent)


_REACHED_THE_DATABASE = pytest.StashKey[str]()


def pytest_fixture_setup(fixturedef, request):
    """Note a database fixture a ``db_independent`` test asks for while it runs
    (``request.getfixturevalue("secretariat_user")``): see ``_sorted_right``."""
    if fixturedef.argname in DATABASE_FIXTURES and request.node.get_closest_marker("db_independent"):
        request.node.stash[_REACHED_THE_DATABASE] = fixturedef.argname


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.SMS_BACKEND = "locmem"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    settings.SECURE_SSL_REDIRECT = False
    # Real hashing is deliberately slow (~1 s); tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Private files (the all-cards PDF) of each test in its own folder.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache, so that no test inherits
    another's rate-limit counters (the test client is always 127.0.0.1).
    With REDIS_URL this empties that Redis database: give the tests their own.
    The rendered fragments too (scheduling/fragments.py: a test that changes
    a setting they show starts from none)."""
    from django.core.cache import cache, caches
    from redis.exceptions import RedisError

    caches["fragments"].clear()
    try:
        cache.clear()
    except RedisError:  # Redis not running: the tests that need it skip or fail on their own
        pass


ROOT = str(Path(__file__).resolve().parent.parent)
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def _app_origin() -> str | None:
    """Where the application code that runs the present statement is
    (``path:line``), or None when the nearest project frame is a test's own
    set-up (tests/): a test may arrange rows as it likes."""
    frame = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if path.startswith(ROOT) and "/.venv/" not in path and "/node_modules/" not in path:
            relative = path[len(ROOT) + 1 :]
            return None if relative.startswith("tests/") else f"{relative}:{frame.f_lineno}"
        frame = frame.f_back
    return None


def _only_unread_columns(sql: str, unread: set[str] | None) -> bool:
    """Whether ``sql`` is an UPDATE that sets only ``unread`` columns."""
    if not unread or not sql.lstrip().upper().startswith("UPDATE"):
        return False
    assignments = re.split(r"\bWHERE\b", re.split(r"\bSET\b", sql, maxsplit=1)[-1], maxsplit=1)[0]
    return set(re.findall(r'"?(\w+)"?\s*=', assignments)) <= unread


@pytest.fixture(autouse=True)
def _data_versions_follow_writes():
    """The completeness check of ``scheduling/versions.py``: application code
    that writes a table of a kind of kept data (the meeting days, the city's
    closures, ...) must give that kind a new version (``versions.changed``)
    after its writes, or pages would keep showing what was read before.
    Every statement of every test is watched; the test fails at its end if
    a kind was written and not changed after."""
    from django.db import connection

    from scheduling.models import DataVersion
    from scheduling.versions import KINDS, UNREAD_COLUMNS

    versions_table = DataVersion._meta.db_table
    pending: dict[str, str] = {}

    def watch(execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match:
            table = match.group(1)
            if table == versions_table:
                for value in params or ():  # the kind's name is among them
                    if isinstance(value, str):
                        pending.pop(value, None)
            elif not _only_unread_columns(sql, UNREAD_COLUMNS.get(table)):
                for kind, tables in KINDS.items():
                    if table in tables and (origin := _app_origin()) is not None:
                        pending.setdefault(kind, f"{table} by {origin}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield
    assert not pending, f"written without scheduling.versions.changed(): {pending}"


@pytest.fixture(autouse=True)
def _sorted_right(request):
    """A ``db_independent`` test runs in one CI pass only (SQLite, the cache in
    local memory). Fail one that reaches the database after all, or writes to
    the cache (Redis in the other pass), and say how to sort it."""
    yield
    node = request.node
    if node.get_closest_marker("db_independent") is None:
        return
    if _REACHED_THE_DATABASE in node.stash:
        pytest.fail(
            f"{node.nodeid} reaches the database through {node.stash[_REACHED_THE_DATABASE]!r} without asking "
            "for it: add @pytest.mark.django_db, so that it runs on both databases (docs/testing.md, CI)",
            pytrace=False,
        )
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    written = sum(len(c._cache) for c in caches.all(initialized_only=True) if isinstance(c, LocMemCache))
    if written:
        pytest.fail(
            f"{node.nodeid} writes to the cache ({written} keys), which is Redis in the PostgreSQL pass: "
            "mark it @pytest.mark.configuration_dependent (docs/testing.md, CI)",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _korean_by_default():
    """Every test starts in Korean, the site's language: a request in English
    leaves English active in the thread, which must not leak into the next test."""
    from django.utils import translation

    translation.activate("ko")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _tasks_run_in_process():
    """Tests call services directly; their celery tasks run in-process even
    when REDIS_URL is set (CI). Tests of the real worker start their own
    worker process, which is not affected."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _user_in(django_user_model, username, role=None):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def secretariat_user(db, django_user_model):
    return _user_in(django_user_model, "secretariat", roles.SECRETARIAT)


@pytest.fixture
def official_user(db, django_user_model):
    return _user_in(django_user_model, "official", roles.OFFICIAL)


@pytest.fixture
def department_user(db, django_user_model):
    return _user_in(django_user_model, "department", roles.DEPARTMENT_STAFF)


@pytest.fixture
def reviewer_user(db, django_user_model):
    return _user_in(django_user_model, "reviewer", roles.BUDGET_POLICY_REVIEWER)


@pytest.fixture
def stranger(db, django_user_model):
    """Logged in, but holds no staff role."""
    return _user_in(django_user_model, "stranger")


def require_service(name: str, host: str, port: int) -> None:
    """Skip a test whose real service (Redis, PostgreSQL) is not running on
    this machine, but fail under CI, where a skip would hide a gap."""
    import os
    import socket

    try:
        with socket.create_connection((host, port), timeout=1):
            return
    except OSError:
        message = f"{name} is not running on {host}:{port}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _on_commit_runs_at_once(request, monkeypatch):
    """In tests wrapped in one transaction that never commits, run
    ``transaction.on_commit`` callbacks at once, as a commit would. Tests on
    a transactional database (concurrency, broker outage, browser) keep the
    real behaviour."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if transactional:
        return
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture(autouse=True)
def _test_client_login_passes_a_request(monkeypatch):
    """django-axes (staff login lockout) refuses ``authenticate()`` without
    the request, which it needs for the client address; every real login
    (the staff and admin login pages) passes it, but the test client's
    ``login()`` does not. Give it a request from 127.0.0.1, as axes' own
    documentation advises; lockouts count for it as for a browser."""
    from django.test.client import ClientMixin, RequestFactory

    original = ClientMixin.login

    def login(self, **credentials):
        credentials.setdefault("request", RequestFactory().post("/staff/login/"))
        return original(self, **credentials)

    monkeypatch.setattr(ClientMixin, "login", login)
