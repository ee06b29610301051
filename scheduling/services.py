"""Every write to the organisation data goes through here."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from scheduling.calendars import calendar_for, new_official_calendar_slug
from scheduling.csv_import import CsvRow, csv_table, extra_cells_problem, import_failed, line_problems
from scheduling.models import (
    Bureau,
    Department,
    Neighborhood,
    Official,
)


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
    file_codes = {row.values.get("code", "") for row in rows} - {""}
    with transaction.atomic():
        existing = {n.code: n for n in Neighborhood.objects.select_for_update().filter(code__in=file_codes)}
        next_sort_order = (Neighborhood.objects.aggregate(top=Max("sort_order"))["top"] or 0) + 1
        checker = _NeighborhoodRowChecker(rows)
        errors: list[str] = []
        to_create: list[tuple[int, Neighborhood]] = []
        to_update: list[tuple[int, Neighborhood, list[str]]] = []
        unchanged = 0

        for row in rows:
            problems, values = checker.check(row)
            if problems:
                errors.extend(problems)
                continue
            code = row.values["code"]
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
                errors.extend(line_problems(row.line, error))
                continue
            if neighborhood.pk is None:
                to_create.append((row.line, neighborhood))
            elif changed:
                to_update.append((row.line, neighborhood, changed))
            else:
                unchanged += 1

        if errors:
            raise import_failed(errors)
        result = ImportResult(created=len(to_create), updated=len(to_update), unchanged=unchanged, dry_run=dry_run)
        if not dry_run:
            _neighborhoods_write(to_update, to_create)
        return result


def _neighborhoods_write(
    to_update: list[tuple[int, Neighborhood, list[str]]], to_create: list[tuple[int, Neighborhood]]
) -> None:
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


class _NeighborhoodRowChecker:
    """The checks of one row of a neighborhoods file against the rows before
    it (a code or a name used twice) and the database (a name another
    neighborhood keeps). ``check`` returns the row's problems, one message
    each with the line number, and the values to write."""

    def __init__(self, rows: Sequence[CsvRow]):
        self.code_max = Neighborhood._meta.get_field("code").max_length
        self.name_max = Neighborhood._meta.get_field("name").max_length
        self.file_codes = {row.values.get("code", "") for row in rows} - {""}
        file_names = {row.values.get("name", "") for row in rows} - {""}
        self.name_owners = dict(Neighborhood.objects.filter(name__in=file_names).values_list("name", "code"))
        self.code_lines: dict[str, int] = {}
        self.name_lines: dict[str, int] = {}

    def check(self, row: CsvRow) -> tuple[list[str], dict[str, object]]:
        problems = []
        if extra := extra_cells_problem(row):
            problems.append(extra)
        problems += self._code_problems(row.line, row.values.get("code", ""))
        problems += self._name_problems(row.line, row.values.get("name", ""), row.values.get("code", ""))
        values: dict[str, object] = {"name": row.values.get("name", "")}
        problems += self._flag_problems(row, values)
        problems += self._population_problems(row, values)
        return problems, values

    def _code_problems(self, line: int, code: str) -> list[str]:
        if not code:
            return [gettext("Line %(line)d: the code is empty.") % {"line": line}]
        if len(code) > self.code_max:
            return [
                gettext("Line %(line)d: the code “%(code)s” is longer than %(max)d characters.")
                % {"line": line, "code": code, "max": self.code_max}
            ]
        if not re.fullmatch(r"[0-9A-Za-z_-]+", code):
            return [
                gettext("Line %(line)d: the code “%(code)s” may contain only letters, digits, - and _.")
                % {"line": line, "code": code}
            ]
        if code in self.code_lines:
            return [
                gettext("Line %(line)d: the code “%(code)s” is already used on line %(first)d.")
                % {"line": line, "code": code, "first": self.code_lines[code]}
            ]
        self.code_lines[code] = line
        return []

    def _name_problems(self, line: int, name: str, code: str) -> list[str]:
        if not name:
            return [gettext("Line %(line)d: the neighborhood name is empty.") % {"line": line}]
        if len(name) > self.name_max:
            return [
                gettext("Line %(line)d: the name “%(name)s” is longer than %(max)d characters.")
                % {"line": line, "name": name, "max": self.name_max}
            ]
        if name in self.name_lines:
            return [
                gettext("Line %(line)d: the name “%(name)s” is already used on line %(first)d.")
                % {"line": line, "name": name, "first": self.name_lines[name]}
            ]
        self.name_lines[name] = line
        owner = self.name_owners.get(name)
        # Taken by another neighborhood that keeps it (the file does not rename it).
        if owner is not None and owner != code and owner not in self.file_codes:
            return [
                gettext("Line %(line)d: the name “%(name)s” already belongs to the neighborhood with code “%(other)s”.")
                % {"line": line, "name": name, "other": owner}
            ]
        return []

    @staticmethod
    def _flag_problems(row: CsvRow, values: dict[str, object]) -> list[str]:
        problems = []
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
                        "line": row.line,
                        "value": row.values[column],
                        "column": Neighborhood._meta.get_field(attribute).verbose_name,
                    }
                )
            else:
                values[attribute] = flag
        return problems

    @staticmethod
    def _population_problems(row: CsvRow, values: dict[str, object]) -> list[str]:
        if "population" not in row.values:
            return []
        population, ok = _population(row.values["population"])
        if not ok:
            return [
                gettext(
                    "Line %(line)d: the population “%(value)s” is not a whole number of 0 or more "
                    "(write e.g. 12345 or 12,345, or leave it blank)."
                )
                % {"line": row.line, "value": row.values["population"]}
            ]
        values["population"] = population
        return []
