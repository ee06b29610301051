"""Who reaches what: the back office, the admin and django-scheduler's own
views are closed to anonymous visitors and to people without a staff role."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import Resolver404, resolve

from scheduling.permissions import can_edit_schedule, is_staff_member

STAFF_URLS = ["/staff/"]
ADMIN_URLS = ["/admin/", "/admin/scheduling/neighborhood/", "/admin/schedule/event/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_URLS + ADMIN_URLS)
def test_anonymous_visitor_is_sent_to_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/schedule/",
        "/calendar/",
        "/event/create/meeting-days/",
        "/schedule/event/create/meeting-days/",
        "/schedule/calendar/month/meeting-days/",
        "/api/occurrences",
    ],
)
def test_django_scheduler_views_are_not_mounted(url):
    with pytest.raises(Resolver404):
        resolve(url)


def test_stranger_gets_403_on_staff_pages(client, stranger):
    client.force_login(stranger)
    assert client.get("/staff/").status_code == 403
    # not is_staff: the admin sends them to its login
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db  # its user comes from request.getfixturevalue
@pytest.mark.parametrize("fixture", ["secretariat_user", "official_user", "department_user", "reviewer_user"])
def test_each_staff_role_enters_the_staff_area(client, request, fixture):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    assert client.get("/staff/").status_code == 200
    assert is_staff_member(user)


def test_only_the_secretariat_may_edit_schedules(secretariat_user, official_user, department_user, stranger):
    assert can_edit_schedule(None, secretariat_user)
    for user in (official_user, department_user, stranger, AnonymousUser()):
        assert not can_edit_schedule(None, user)


def test_roles_exist_after_migrate_with_their_permissions(db):
    from django.contrib.auth.models import Group

    from scheduling import roles

    groups = {g.name: g for g in Group.objects.prefetch_related("permissions__content_type")}
    assert set(roles.ROLE_NAMES) <= set(groups)
    secretariat = {f"{p.content_type.app_label}.{p.codename}" for p in groups[roles.SECRETARIAT].permissions.all()}
    official = {f"{p.content_type.app_label}.{p.codename}" for p in groups[roles.OFFICIAL].permissions.all()}
    assert "schedule.change_event" in secretariat
    assert "schedule.change_event" not in official
    assert "schedule.view_event" in official
    assert roles.sync_roles() == roles.sync_roles()  # idempotent


def test_a_role_naming_an_unknown_permission_fails_loudly(db, monkeypatch):
    from scheduling import roles

    monkeypatch.setitem(roles.ROLE_PERMISSIONS, roles.OFFICIAL, {"scheduling.fly_to_the_moon"})
    with pytest.raises(LookupError, match="fly_to_the_moon"):
        roles.sync_roles()


@pytest.mark.django_db
def test_healthz_answers_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}
