"""Every write to the organisation data goes through here."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext
from schedule.models import Calendar

from scheduling import roles
from scheduling.calendars import calendar_for, new_official_calendar_slug
from scheduling.csv_import import CsvRow, csv_table, extra_cells_problem, import_failed, line_problems
from scheduling.demo import data as demo_data
from scheduling.errors import TongtongError
from scheduling.models import (
    Bureau,
    CategoryOwner,
    CityClosure,
    Department,
    Neighborhood,
    Official,
    StaffProfile,
)
from scheduling.signals import demo_city_seeded


@transaction.atomic
def official_create(
    *,
    name: str,
    title: str,
    rank: str,
    department: Department | None = None,
    bureau: Bureau | None = None,
    user=None,
    substitution_order: int = 1,
    calendar_slug: str | None = None,
) -> Official:
    """An official with their own django-scheduler calendar: a director
    heads a ``bureau``, a department head a ``department``."""
    slug = calendar_slug or new_official_calendar_slug()
    official = Official(
        name=name,
        title=title,
        rank=rank,
        department=department,
        bureau=bureau,
        user=user,
        substitution_order=substitution_order,
        calendar=calendar_for(name=f"{title} {name}", slug=slug),
    )
    official.full_clean()
    official.save()
    return official


# --- The demo city (manage.py seed_demo) --------------------------------------


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

    for day, reason in demo_data.CLOSURES:
        if not CityClosure.objects.filter(date=day).exists():
            closure = CityClosure(date=day, name=reason)
            with _demo_clash(f"{day:%Y-%m-%d} {reason}"):
                closure.full_clean()
            closure.save()
            created["closures"] += 1

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

    # The apps add their own demo data (category owners, meeting days, ...).
    demo_city_seeded.send(sender=demo_city_seed, departments=departments, officials=officials, history=history)

    totals = {
        "neighborhoods": Neighborhood.objects.count(),
        "bureaus": Bureau.objects.count(),
        "departments": Department.objects.count(),
        "officials": Official.objects.count(),
        "closures": CityClosure.objects.count(),
        "users": user_model._default_manager.count(),
        "calendars": Calendar.objects.count(),
    }
    created["calendars"] = totals["calendars"] - calendars_before
    logins = [
        DemoLogin(username=spec.username, role=str(spec.role_label), password=password) for spec in demo_data.USERS
    ]
    return DemoSeedResult(logins=logins, totals=totals, created=created)


# --- Importing neighborhoods from a CSV file (manage.py import_neighborhoods) ---

#: The columns of a neighborhoods file and the headers accepted for each,
#: compared without case, spaces, "-" or "_". Only code and name are
#: required; a column the file leaves out is not changed on existing rows.
NEIGHBORHOOD_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "코드", "동코드", "행정동코드"),
    "name": ("name", "동명", "동", "동이름", "이름"),
    "current_issue": ("current_issue", "현안지역", "현안"),
    "natural_village": ("natural_village", "자연부락"),
    "outlying": ("outlying", "외곽지역", "외곽", "소외지역"),
    "population": ("population", "인구", "인구수"),
}
NEIGHBORHOOD_REQUIRED_COLUMNS = ("code", "name")
_NEIGHBORHOOD_FLAGS = {
    "current_issue": "is_current_issue_area",
    "natural_village": "is_natural_village",
    "outlying": "is_outlying_area",
}
_YES = frozenset({"1", "y", "yes", "true", "t", "o", "○", "예", "네"})
_NO = frozenset({"", "0", "n", "no", "false", "f", "x", "×", "아니오", "아니요"})
_POPULATION = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    dry_run: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _accepted_headers() -> str:
    return gettext(
        "The first line must name the columns: code, name, current_issue, natural_village, outlying, population "
        "(or in Korean: 코드, 동명, 현안지역, 자연부락, 외곽지역, 인구). Only code and name are required."
    )


def neighborhood_csv_parse(*, data: bytes) -> list[CsvRow]:
    """Read a neighborhoods CSV file (its bytes) into rows, checking its
    encoding and header; the values are checked by ``neighborhoods_import``.

    Blank lines are skipped; line numbers are the file's own.
    """
    return csv_table(
        data=data,
        columns=NEIGHBORHOOD_COLUMNS,
        required=NEIGHBORHOOD_REQUIRED_COLUMNS,
        hint=_accepted_headers,
        no_rows=lambda: gettext("The file has a header line but no neighborhoods below it."),
    ).rows


def _yes_no(raw: str) -> bool | None:
    text = raw.strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return None


def _population(raw: str) -> tuple[int | None, bool]:
    """(population or None when blank, whether ``raw`` is acceptable)."""
    text = raw.strip().removesuffix("명").strip()
    if not text:
        return None, True
    if not _POPULATION.fullmatch(text):
        return None, False
    return int(text.replace(",", "")), True


def neighborhoods_import(*, rows: Sequence[CsvRow], dry_run: bool = False) -> ImportResult:
    """Create or update neighborhoods by code from ``rows``; never delete.

    Everything is checked first; when any row is wrong, ``TongtongError``
    carries one message per problem (with its line number) and nothing is
    written. Otherwise all rows are written in one transaction. With
    ``dry_run`` the counts are computed and nothing is written.
    """
    code_max = Neighborhood._meta.get_field("code").max_length
    name_max = Neighborhood._meta.get_field("name").max_length
    file_codes = {row.values.get("code", "") for row in rows} - {""}
    file_names = {row.values.get("name", "") for row in rows} - {""}

    with transaction.atomic():
        existing = {n.code: n for n in Neighborhood.objects.select_for_update().filter(code__in=file_codes)}
        name_owners = dict(Neighborhood.objects.filter(name__in=file_names).values_list("name", "code"))
        next_sort_order = (Neighborhood.objects.aggregate(top=Max("sort_order"))["top"] or 0) + 1

        errors: list[str] = []
        code_lines: dict[str, int] = {}
        name_lines: dict[str, int] = {}
        to_create: list[tuple[int, Neighborhood]] = []
        to_update: list[tuple[int, Neighborhood, list[str]]] = []
        unchanged = 0

        for row in rows:
            line = row.line
            code = row.values.get("code", "")
            name = row.values.get("name", "")
            problems = []
            if extra := extra_cells_problem(row):
                problems.append(extra)
            if not code:
                problems.append(gettext("Line %(line)d: the code is empty.") % {"line": line})
            elif len(code) > code_max:
                problems.append(
                    gettext("Line %(line)d: the code “%(code)s” is longer than %(max)d characters.")
                    % {"line": line, "code": code, "max": code_max}
                )
            elif not re.fullmatch(r"[0-9A-Za-z_-]+", code):
                problems.append(
                    gettext("Line %(line)d: the code “%(code)s” may contain only letters, digits, - and _.")
                    % {"line": line, "code": code}
                )
            elif code in code_lines:
                problems.append(
                    gettext("Line %(line)d: the code “%(code)s” is already used on line %(first)d.")
                    % {"line": line, "code": code, "first": code_lines[code]}
                )
            else:
                code_lines[code] = line
            if not name:
                problems.append(gettext("Line %(line)d: the neighborhood name is empty.") % {"line": line})
            elif len(name) > name_max:
                problems.append(
                    gettext("Line %(line)d: the name “%(name)s” is longer than %(max)d characters.")
                    % {"line": line, "name": name, "max": name_max}
                )
            elif name in name_lines:
                problems.append(
                    gettext("Line %(line)d: the name “%(name)s” is already used on line %(first)d.")
                    % {"line": line, "name": name, "first": name_lines[name]}
                )
            else:
                name_lines[name] = line
                owner = name_owners.get(name)
                # Taken by another neighborhood that keeps it (the file does not rename it).
                if owner is not None and owner != code and owner not in file_codes:
                    problems.append(
                        gettext(
                            "Line %(line)d: the name “%(name)s” already belongs to the neighborhood "
                            "with code “%(other)s”."
                        )
                        % {"line": line, "name": name, "other": owner}
                    )

            values: dict[str, object] = {"name": name}
            for column, attribute in _NEIGHBORHOOD_FLAGS.items():
                if column not in row.values:
                    continue
                flag = _yes_no(row.values[column])
                if flag is None:
                    problems.append(
                        gettext(
                            "Line %(line)d: “%(value)s” in the column “%(column)s” is not a yes/no value "
                            "(write 1/0, Y/N, O/X or 예/아니오, or leave it blank for no)."
                        )
                        % {
                            "line": line,
                            "value": row.values[column],
                            "column": Neighborhood._meta.get_field(attribute).verbose_name,
                        }
                    )
                else:
                    values[attribute] = flag
            if "population" in row.values:
                population, ok = _population(row.values["population"])
                if ok:
                    values["population"] = population
                else:
                    problems.append(
                        gettext(
                            "Line %(line)d: the population “%(value)s” is not a whole number of 0 or more "
                            "(write e.g. 12345 or 12,345, or leave it blank)."
                        )
                        % {"line": line, "value": row.values["population"]}
                    )
            if problems:
                errors.extend(problems)
                continue

            neighborhood = existing.get(code)
            changed: list[str] = []
            if neighborhood is None:
                neighborhood = Neighborhood(code=code, sort_order=next_sort_order, **values)
                next_sort_order += 1
            else:
                changed = [field for field, value in values.items() if getattr(neighborhood, field) != value]
                for field in changed:
                    setattr(neighborhood, field, values[field])
            try:
                # Uniqueness was checked above, against the file and the database.
                neighborhood.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                errors.extend(line_problems(line, error))
                continue
            if neighborhood.pk is None:
                to_create.append((line, neighborhood))
            elif changed:
                to_update.append((line, neighborhood, changed))
            else:
                unchanged += 1

        if errors:
            raise import_failed(errors)
        result = ImportResult(created=len(to_create), updated=len(to_update), unchanged=unchanged, dry_run=dry_run)
        if dry_run:
            return result

        # Park renamed rows on a placeholder name first, so that two codes
        # swapping their names never collide half-way.
        for _line, neighborhood, changed in to_update:
            if "name" in changed:
                Neighborhood.objects.filter(pk=neighborhood.pk).update(name=f"~{neighborhood.pk}")
        for line, neighborhood, changed in [*to_update, *((line, n, None) for line, n in to_create)]:
            try:
                neighborhood.full_clean()
            except ValidationError as error:  # someone else wrote meanwhile
                raise import_failed(line_problems(line, error)) from error
            neighborhood.save(update_fields=changed)
        return result
