"""Staff login lockout (django-axes): after AXES_FAILURE_LIMIT (5) wrong
passwords for one user name from one client address, that pair is refused —
even with the right password — with the 429 page, for 30 minutes after the
last attempt. Other user names from the same address, and the same user
name from elsewhere, still log in. The admin login counts the same way.
The address is ``scheduling.client_ip``'s: a forged X-Forwarded-For does
not start a fresh count."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db.models import F

LOGIN = "/staff/login/"
ADMIN_LOGIN = "/admin/login/"
RIGHT = "pw-secretariat"  # the secretariat_user fixture's password


def attempt(client, username, password, *, url=LOGIN, **extra):
    data = {"username": username, "password": password}
    if url == ADMIN_LOGIN:
        data["next"] = "/admin/"
    return client.post(url, data, **extra)


def fail_five_times(client, username="secretariat", **extra):
    """Four wrong passwords are answered by the form and its error; the
    fifth already by the lockout page."""
    for n in range(4):
        response = attempt(client, username, f"wrong-{n}", **extra)
        assert response.status_code == 200, "refused with the form and its error, not yet locked"
        assert b'id="login-errors"' in response.content
    assert is_locked_out(attempt(client, username, "wrong-4", **extra))


def is_locked_out(response):
    return response.status_code == 429 and b'id="login-locked"' in response.content


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, secretariat_user):
    fail_five_times(client)
    response = attempt(client, "secretariat", RIGHT)
    assert is_locked_out(response)
    assert not logged_in(client)
    # The page says how long to wait (30 minutes) and is the site's own page.
    assert "30" in response.content.decode()
    assert "scheduling/lockout.html" in [t.name for t in response.templates]


@pytest.mark.django_db
def test_four_failures_then_the_right_password_logs_in_and_clears_the_count(client, secretariat_user):
    for n in range(4):
        attempt(client, "secretariat", f"wrong-{n}")
    response = attempt(client, "secretariat", RIGHT)
    assert response.status_code == 302
    assert logged_in(client)
    client.logout()
    # The success cleared the four failures: four more are still allowed.
    for n in range(4):
        assert attempt(client, "secretariat", f"again-{n}").status_code == 200
    assert attempt(client, "secretariat", RIGHT).status_code == 302


@pytest.mark.django_db
def test_another_user_name_from_the_same_address_is_not_locked(client, secretariat_user, official_user):
    fail_five_times(client, "secretariat")
    response = attempt(client, "official", "pw-official")
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_the_same_user_name_from_another_address_is_not_locked(client, secretariat_user):
    """Someone guessing the secretariat's password from outside cannot lock
    the secretariat itself out."""
    fail_five_times(client, REMOTE_ADDR="203.0.113.9")
    assert is_locked_out(attempt(client, "secretariat", RIGHT, REMOTE_ADDR="203.0.113.9"))
    response = attempt(client, "secretariat", RIGHT, REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 302
    assert logged_in(client)


def _time_passes(minutes):
    """Move every recorded failure ``minutes`` into the past."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=minutes))


@pytest.mark.django_db
def test_the_lockout_ends_thirty_minutes_after_the_last_attempt(client, secretariat_user):
    fail_five_times(client)
    _time_passes(29)
    assert is_locked_out(attempt(client, "secretariat", RIGHT))  # and the wait starts again
    _time_passes(29)
    assert is_locked_out(attempt(client, "secretariat", RIGHT))
    _time_passes(31)
    response = attempt(client, "secretariat", RIGHT)
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_an_administrator_unlocks_a_user_name(client, secretariat_user):
    fail_five_times(client)
    assert is_locked_out(attempt(client, "secretariat", RIGHT))
    call_command("axes_reset_username", "secretariat")
    assert attempt(client, "secretariat", RIGHT).status_code == 302


@pytest.mark.django_db
def test_the_admin_login_is_protected_too(client, django_user_model):
    django_user_model.objects.create_superuser("admin", password="pw-admin")
    for n in range(4):
        assert attempt(client, "admin", f"wrong-{n}", url=ADMIN_LOGIN).status_code == 200
    assert is_locked_out(attempt(client, "admin", "wrong-4", url=ADMIN_LOGIN))
    response = attempt(client, "admin", "pw-admin", url=ADMIN_LOGIN)
    assert is_locked_out(response)
    assert not logged_in(client)
    # One count for both doors: the staff login is locked for the pair as well.
    assert is_locked_out(attempt(client, "admin", "pw-admin"))


@pytest.mark.django_db
def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_reset_the_count(client, secretariat_user, settings):
    """Reaching gunicorn directly, a new X-Forwarded-For per attempt does not
    escape the lockout: the socket address is counted."""
    settings.TRUSTED_PROXIES = ["127.0.0.0/8", "::1/128"]
    direct = {"REMOTE_ADDR": "192.0.2.44"}
    for n in range(5):
        attempt(client, "secretariat", f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}", **direct)
    response = attempt(client, "secretariat", RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.77", **direct)
    assert is_locked_out(response)


@pytest.mark.django_db
def test_behind_the_proxy_only_the_hop_it_appended_counts(client, secretariat_user, settings):
    """Behind our proxy the client address is the last X-Forwarded-For entry
    (the one the proxy wrote); what the client put before it is ignored, and
    different clients behind the same proxy are told apart."""
    settings.TRUSTED_PROXIES = ["10.0.0.1/32"]
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(5):
        attempt(client, "secretariat", f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.5", **proxy)
    forged = attempt(client, "secretariat", RIGHT, HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.5", **proxy)
    assert is_locked_out(forged)
    colleague = attempt(client, "secretariat", RIGHT, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    assert colleague.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
@pytest.mark.parametrize("name", ["x" * 151, "x" * 300, "y" * 3000, "secret\x00ariat"])
def test_an_over_long_or_nul_user_name_is_refused_and_counted(client, url, name):
    """Issue 14: a user name over the field's 150 characters (or with a NUL)
    is answered by the form, never 500, and counts like any failure: the
    fifth locks that name (as stored, cut to 150) out."""
    for n in range(4):
        response = attempt(client, name, f"wrong-{n}", url=url)
        assert response.status_code == 200
    attempt_row = AccessAttempt.objects.get()
    assert attempt_row.failures_since_start == 4
    assert len(attempt_row.username) <= 150 and "\x00" not in attempt_row.username
    assert is_locked_out(attempt(client, name, "wrong-4", url=url))
