"""``manage.py seed_demo``: the demo city someone sees on their first run."""

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from scheduling import roles
from scheduling.categories import Category
from scheduling.demo.data import DEFAULT_PASSWORD
from scheduling.models import Bureau, CityClosure, Department, Neighborhood, Official
from scheduling.organisation import Role, organisation_problems, substitution_candidates
from scheduling.workdays import is_working_day

pytestmark = pytest.mark.django_db

DEMO_LOGINS = {
    "secretariat": roles.SECRETARIAT,
    "mayor": roles.OFFICIAL,
    "roads-head": roles.DEPARTMENT_STAFF,
    "department": roles.DEPARTMENT_STAFF,
    "reviewer": roles.BUDGET_POLICY_REVIEWER,
    "admin": None,
}


@pytest.fixture(autouse=True)
def _english_and_fast(settings):
    # The messages are checked in English, whatever the Korean catalogue says.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("en"):
        yield


def seed(*args: str, history: bool = False) -> str:
    """Run seed_demo; without the lived year unless ``history`` (it takes
    seconds, and tests/scheduling/test_demo_city.py covers it)."""
    out = StringIO()
    call_command("seed_demo", "--force", *args, *([] if history else ["--no-history"]), stdout=out)
    return out.getvalue()


def printed_passwords(output: str) -> dict[str, str]:
    """username → password, read from the logins table as printed."""
    passwords = {}
    for line in output.splitlines():
        cells = line.split()
        if cells and cells[0] in DEMO_LOGINS:
            passwords[cells[0]] = cells[-1]
    return passwords


def row_counts() -> dict[str, int]:
    """Rows of every model (that has its table: apps being written may lack a migration)."""
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.db_table in tables
    }


def test_seeding_twice_creates_everything_once():
    first_output = seed()
    first = row_counts()

    assert first["scheduling.Neighborhood"] == 39
    assert first["scheduling.Bureau"] == 9
    assert first["scheduling.Department"] == 18
    assert first["scheduling.Official"] == 26  # mayor, 2 deputies, 9 directors, 14 department heads
    assert first["scheduling.CategoryOwner"] == 20
    assert first["scheduling.CityClosure"] == 3
    assert first["auth.User"] == 6
    assert first["schedule.Calendar"] == 28  # one per official, one per consultation room
    assert Official.objects.filter(rank=Official.Rank.MAYOR).count() == 1
    assert (
        "Summary: 39 neighborhoods, 9 bureaus, 18 departments, 26 officials, 3 city closures, 6 users, 28 calendars"
        in first_output
    )

    second_output = seed()

    assert row_counts() == first
    assert "(0 created by this run)" in second_output


def test_the_demo_city_looks_like_a_city():
    seed()

    names = list(Neighborhood.objects.values_list("name", flat=True))
    assert len(set(names)) == 39
    assert all(name.endswith("동") for name in names)
    assert all(n.population and n.population > 1000 for n in Neighborhood.objects.all())
    priority = [n for n in Neighborhood.objects.all() if n.is_priority]
    assert Neighborhood.objects.filter(is_current_issue_area=True).exists()
    assert Neighborhood.objects.filter(is_natural_village=True).exists()
    assert Neighborhood.objects.filter(is_outlying_area=True).exists()
    assert len(priority) < 39 / 2  # most neighborhoods carry no flag

    kinds = dict(Department.objects.exclude(kind=Department.Kind.REGULAR).values_list("kind", "name"))
    assert kinds == {"secretariat": "감사관 소통민원팀", "budget_legal": "예산법무과", "policy_officer": "정책담당관"}
    for name in ("복지정책과", "도로과", "교통행정과", "자원순환과", "여성보육과", "보건정책과", "지역경제과"):
        assert Department.objects.filter(name=name, kind=Department.Kind.REGULAR).exists()

    for closure in CityClosure.objects.all():
        assert closure.date.year in (2026, 2027)
        assert not is_working_day(closure.date)
    assert is_working_day(dt.date(2026, 7, 2))  # the day after the foundation day


def test_every_category_of_the_demo_city_has_a_deputy_and_a_director_in_order():
    seed()
    assert organisation_problems() == []
    for category in Category.values:
        candidates, problems = substitution_candidates(category)
        roles_in_order = [c.role for c in candidates]
        assert roles_in_order == [Role.MAYOR, Role.PORTFOLIO_DEPUTY, Role.OTHER_DEPUTY, Role.DIRECTOR], category
        director = candidates[-1].official
        assert director.rank == Official.Rank.DIRECTOR and director.bureau is not None
        assert candidates[1].official == director.bureau.deputy_mayor
        assert problems == []
        assert all(c.official.calendar_id for c in candidates)


def test_the_demo_city_has_bureaus_above_departments_with_korean_names():
    seed()
    names = set(Bureau.objects.values_list("name", flat=True))
    assert {"기획조정실", "행정국", "복지국", "도시국", "건설교통국", "환경국", "보건소"} <= names
    assert any(name.endswith("사업소") for name in names)
    assert Department.objects.get(name="도로과").bureau.name == "건설교통국"
    head = Official.objects.get(rank=Official.Rank.DEPARTMENT_HEAD, department__name="도로과")
    assert head.user.get_username() == "roads-head"
    user_model = get_user_model()
    assert all(u.get_full_name().strip() for u in user_model.objects.all())


def test_demo_users_log_in_with_the_printed_password_and_hold_their_role(client):
    output = seed()
    passwords = printed_passwords(output)
    assert set(passwords) == set(DEMO_LOGINS)
    assert set(passwords.values()) == {DEFAULT_PASSWORD}

    users = get_user_model().objects
    for username, role in DEMO_LOGINS.items():
        assert client.login(username=username, password=passwords[username]), username
        client.logout()
        groups = set(users.get(username=username).groups.values_list("name", flat=True))
        assert groups == ({role} if role else set())

    assert users.get(username="admin").is_superuser
    assert users.get(username="mayor").official.rank == Official.Rank.MAYOR
    # The secretariat may use the admin site; the other roles may not.
    client.login(username="secretariat", password=DEFAULT_PASSWORD)
    assert client.get("/admin/").status_code == 200
    client.login(username="reviewer", password=DEFAULT_PASSWORD)
    assert client.get("/admin/").status_code == 302


def test_a_second_run_puts_the_demo_logins_right_and_resets_their_password(client):
    seed()
    secretariat = get_user_model().objects.get(username="secretariat")
    secretariat.set_password("changed-by-someone")
    secretariat.is_active = False
    secretariat.save()
    secretariat.groups.set([Group.objects.get(name=roles.DEPARTMENT_STAFF)])

    output = seed("--password", "new-demo-password-7")

    assert printed_passwords(output)["secretariat"] == "new-demo-password-7"
    assert client.login(username="secretariat", password="new-demo-password-7")
    assert not client.login(username="secretariat", password="changed-by-someone")
    assert not client.login(username="mayor", password=DEFAULT_PASSWORD)
    assert set(secretariat.groups.values_list("name", flat=True)) == {roles.SECRETARIAT}


def test_the_password_comes_from_the_option_then_the_environment(client, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "from-the-environment-3")
    assert printed_passwords(seed())["mayor"] == "from-the-environment-3"
    assert client.login(username="mayor", password="from-the-environment-3")

    assert printed_passwords(seed("--password", "from-the-option-4"))["mayor"] == "from-the-option-4"
    assert client.login(username="mayor", password="from-the-option-4")


def test_an_empty_password_is_refused_and_nothing_is_written():
    before = row_counts()

    with pytest.raises(CommandError, match="must not be empty"):
        seed("--password", "")

    assert row_counts() == before


def test_if_empty_seeds_an_empty_database_and_skips_a_seeded_one(client):
    seed("--if-empty")
    assert Neighborhood.objects.count() == 39
    counts = row_counts()

    output = seed("--if-empty", "--password", "not-applied-5")

    assert "Skipped" in output
    assert row_counts() == counts
    assert client.login(username="admin", password=DEFAULT_PASSWORD)  # nothing was reset


def test_if_empty_skips_when_the_city_has_its_own_neighborhoods():
    Neighborhood.objects.create(code="1", name="우리동")

    output = seed("--if-empty")

    assert "Skipped" in output
    assert Neighborhood.objects.count() == 1
    assert not get_user_model().objects.exists()


def test_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", "--no-history", stdout=StringIO())

    assert not Neighborhood.objects.exists()
    assert not get_user_model().objects.exists()


def test_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True

    call_command("seed_demo", "--no-history", stdout=StringIO())

    assert Neighborhood.objects.count() == 39


def test_the_help_can_be_shown():
    from scheduling.management.commands.seed_demo import Command

    assert "--if-empty" in Command().create_parser("manage.py", "seed_demo").format_help()


def test_a_later_start_reminds_of_the_demo_logins(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", force=True, no_history=True, stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", if_empty=True, stdout=out)
    assert "secretariat" in out.getvalue()
    assert "tongtong-demo-2026" in out.getvalue()
