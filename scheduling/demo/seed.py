"""Seeding the demo city (``manage.py seed_demo``): the organisation of
``scheduling.demo.data`` written through the same models and services a
city's own import uses, then the apps' part (``demo_city_seeded``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from schedule.models import Calendar

from scheduling import roles, versions
from scheduling.demo import data as demo_data
from scheduling.errors import TongtongError
from scheduling.models import Bureau, CategoryOwner, CityClosure, Department, Neighborhood, Official, StaffProfile
from scheduling.services import official_create
from scheduling.signals import demo_city_seeded


@dataclass(frozen=True)
class DemoLogin:
    """One staff login of the demo city, as printed for whoever seeded it."""

    username: str
    role: str
    password: str


#: The kinds of rows the demo city counts, in the order the summary names them.
DEMO_KINDS = ("neighborhoods", "bureaus", "departments", "officials", "closures", "users", "calendars")


@dataclass(frozen=True)
class DemoSeedResult:
    logins: list[DemoLogin]
    #: Rows now in the database, by kind (see ``DEMO_KINDS``).
    totals: dict[str, int]
    #: Rows this run created, by kind: all 0 when the demo city was complete.
    created: dict[str, int]

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


@contextlib.contextmanager
def _demo_clash(what: str) -> Iterator[None]:
    """Turn a row the database would refuse into a message that names it."""
    try:
        yield
    except ValidationError as error:
        raise TongtongError(
            gettext("The demo city clashes with data already in the database (%(object)s): %(problems)s")
            % {"object": what, "problems": " ".join(error.messages)}
        ) from error


def _role_groups() -> dict[str, Group]:
    groups = {group.name: group for group in Group.objects.filter(name__in=roles.ROLE_NAMES)}
    if len(groups) < len(roles.ROLE_NAMES):
        roles.sync_roles()  # normally done by migrate; idempotent
        groups = {group.name: group for group in Group.objects.filter(name__in=roles.ROLE_NAMES)}
    return groups


@transaction.atomic
def demo_city_seed(*, password: str, history: bool = True) -> DemoSeedResult:
    """Create the demo city of ``scheduling.demo.data``, or complete it.

    Idempotent: every row is looked up by its natural key (neighborhood and
    department code, official title, closure date, username) and created only
    when missing; rows that exist are left as they are, so a second run
    creates nothing. The demo accounts are the exception: each run makes them
    active, sets their staff flags and role group back to the demo's, links
    ``mayor`` to the mayor, and sets their password to ``password``.

    With ``history`` the apps add a city that has lived a year (the accepted
    rotation with its held visits, meeting requests in every state, the
    reports' figures: ``visits.demo``, ``meetings.demo``).
    """
    if not password:
        raise TongtongError(gettext("The demo password must not be empty."))
    created = dict.fromkeys(DEMO_KINDS, 0)
    calendars_before = Calendar.objects.count()

    bureaus = _seed_bureaus(created)
    departments = _seed_departments(created, bureaus)
    _seed_neighborhoods(created)
    _seed_closures(created)
    officials = _seed_officials(created, bureaus, departments)
    _seed_portfolios_and_owners(bureaus, departments, officials)
    _seed_users(created, password, departments, officials)

    # The apps add their own demo data (category owners, meeting days, ...).
    demo_city_seeded.send(sender=demo_city_seed, departments=departments, officials=officials, history=history)

    totals = {
        "neighborhoods": Neighborhood.objects.count(),
        "bureaus": Bureau.objects.count(),
        "departments": Department.objects.count(),
        "officials": Official.objects.count(),
        "closures": CityClosure.objects.count(),
        "users": get_user_model()._default_manager.count(),
        "calendars": Calendar.objects.count(),
    }
    created["calendars"] = totals["calendars"] - calendars_before
    logins = [
        DemoLogin(username=spec.username, role=str(spec.role_label), password=password) for spec in demo_data.USERS
    ]
    return DemoSeedResult(logins=logins, totals=totals, created=created)


def _seed_bureaus(created: dict[str, int]) -> dict[str, Bureau]:
    bureaus: dict[str, Bureau] = {}
    for order, spec in enumerate(demo_data.BUREAUS, 1):
        # By code, else by name: an upgraded city's bureaus were named after
        # their directors by the migration that introduced them.
        bureau = Bureau.objects.filter(code=spec.code).first() or Bureau.objects.filter(name=spec.name).first()
        if bureau is None:
            bureau = Bureau(code=spec.code, name=spec.name, kind=spec.kind, sort_order=order)
            with _demo_clash(spec.name):
                bureau.full_clean()
            bureau.save()
            created["bureaus"] += 1
        bureaus[spec.code] = bureau
    return bureaus


def _seed_departments(created: dict[str, int], bureaus: dict[str, Bureau]) -> dict[str, Department]:
    departments: dict[str, Department] = {}
    for spec in demo_data.DEPARTMENTS:
        department = Department.objects.filter(code=spec.code).first()
        if department is None and spec.kind != Department.Kind.REGULAR:
            # One office per special kind: a city that already has its own
            # secretariat (budget department, policy officer) keeps it.
            department = Department.objects.filter(kind=spec.kind).first()
        if department is None:
            department = Department(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                phone=spec.phone,
                bureau=bureaus[spec.bureau_code] if spec.bureau_code else None,
            )
            with _demo_clash(spec.name):
                department.full_clean()
            department.save()
            created["departments"] += 1
        departments[spec.code] = department
    return departments


def _seed_neighborhoods(created: dict[str, int]) -> None:
    existing_codes = set(Neighborhood.objects.values_list("code", flat=True))
    for code, sort_order, spec in demo_data.NEIGHBORHOODS:
        if code in existing_codes:
            continue
        neighborhood = Neighborhood(
            code=code,
            name=spec.name,
            is_current_issue_area=spec.current_issue,
            is_natural_village=spec.natural_village,
            is_outlying_area=spec.outlying,
            population=spec.population,
            sort_order=sort_order,
        )
        with _demo_clash(spec.name):
            neighborhood.full_clean()
        neighborhood.save()
        created["neighborhoods"] += 1


def _seed_closures(created: dict[str, int]) -> None:
    for day, reason in demo_data.CLOSURES:
        if not CityClosure.objects.filter(date=day).exists():
            closure = CityClosure(date=day, name=reason)
            with _demo_clash(f"{day:%Y-%m-%d} {reason}"):
                closure.full_clean()
            closure.save()
            created["closures"] += 1
    versions.changed(versions.CLOSURES)


def _seed_officials(
    created: dict[str, int], bureaus: dict[str, Bureau], departments: dict[str, Department]
) -> dict[str, Official]:
    officials: dict[str, Official] = {}
    for spec in demo_data.OFFICIALS:
        official = Official.objects.filter(title=spec.title).order_by("pk").first()
        if official is None:
            with _demo_clash(spec.title):
                official = official_create(
                    name=spec.name,
                    title=spec.title,
                    rank=spec.rank,
                    bureau=bureaus[spec.bureau_code] if spec.bureau_code else None,
                    department=departments[spec.department_code] if spec.department_code else None,
                    substitution_order=spec.substitution_order,
                )
            created["officials"] += 1
        officials[spec.title] = official
    return officials


def _seed_portfolios_and_owners(
    bureaus: dict[str, Bureau], departments: dict[str, Department], officials: dict[str, Official]
) -> None:
    # The deputy mayors' portfolios, once the deputies exist; a city's own
    # choice (a bureau already in a portfolio) is kept.
    for spec in demo_data.BUREAUS:
        bureau = bureaus[spec.code]
        if bureau.deputy_mayor_id is None and spec.deputy_title in officials:
            bureau.deputy_mayor = officials[spec.deputy_title]
            bureau.save(update_fields=["deputy_mayor"])
    for category, code in demo_data.CATEGORY_OWNERS.items():
        if code in departments:
            CategoryOwner.objects.get_or_create(category=category, defaults={"department": departments[code]})


def _seed_users(
    created: dict[str, int], password: str, departments: dict[str, Department], officials: dict[str, Official]
) -> None:
    """The demo logins: active, with the demo's staff flags, role group,
    department and official, and ``password`` (each run sets them back)."""
    user_model = get_user_model()
    groups = _role_groups()
    # One hash for all the demo logins (they share the password anyway):
    # hashing is deliberately slow.
    password_hash = make_password(password)
    for spec in demo_data.USERS:
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: spec.username}).first()
        if user is None:
            user = user_model(**{user_model.USERNAME_FIELD: spec.username})
            created["users"] += 1
        user.is_active = True
        if spec.full_name and not (user.last_name or user.first_name):
            # Korean names are written family name first, without a space.
            user.last_name, user.first_name = spec.full_name[:1], spec.full_name[1:]
        user.is_staff = spec.is_staff
        user.is_superuser = spec.is_superuser
        user.password = password_hash
        with _demo_clash(spec.username):
            user.full_clean()
        user.save()
        user.groups.set([groups[spec.group]] if spec.group else [])
        if spec.department_code:
            StaffProfile.objects.update_or_create(
                user=user, defaults={"department": departments[spec.department_code], "position": spec.position}
            )
        if spec.official_title:
            official = officials[spec.official_title]
            if official.user_id != user.pk:
                Official.objects.filter(user=user).exclude(pk=official.pk).update(user=None)
                official.user = user
                with _demo_clash(spec.official_title):
                    official.full_clean()
                official.save(update_fields=["user"])
