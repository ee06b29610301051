"""Importing a city's org chart from one CSV file (``manage.py import_organisation``).

One row per unit or person, its kind in the column 구분 (docs/organisation-import.md,
docs/examples/organisation.csv):

- 실국: a bureau or office (실·국·본부·보건소·사업소): code, name, kind, the
  deputy mayor whose portfolio holds it (by their title), order;
- 부서: a department (과): code, name, special kind (소통민원팀, 예산법무과,
  정책담당관; blank for a regular one), the code of its bureau, phone;
- 공무원: an official: title (직위), name, rank (시장, 부시장, 실국소장, 과장),
  the code of the bureau (실국소장) or department (과장) they head, the deputy
  mayors' order, the login of an existing account to link;
- 소관분야: a category of request and the code of the department that owns it.

Rows are matched by natural key (bureau and department code, official title,
category), created or updated, never deleted; a unit or person in the file is
active. The rows may come in any order: references are resolved against the
whole file and then the database. Everything is checked first; one problem
anywhere and nothing is written, every problem reported with its line.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext

from scheduling import params
from scheduling.categories import Category
from scheduling.csv_import import (
    CsvTable,
    csv_table,
    extra_cells_problem,
    header_key,
    import_failed,
    line_problems,
)
from scheduling.models import Bureau, CategoryOwner, Department, Official
from scheduling.organisation import organisation_problems
from scheduling.services import official_create


class RowType(enum.StrEnum):
    BUREAU = "bureau"
    DEPARTMENT = "department"
    OFFICIAL = "official"
    CATEGORY = "category"


#: The columns of an organisation file and the headers accepted for each
#: (English first, Korean second). Those in ``REQUIRED_COLUMNS`` must be
#: there; an optional column the file leaves out is not changed on existing rows.
ORGANISATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "type": ("type", "구분"),
    "code": ("code", "코드"),
    "name": ("name", "이름", "명칭", "성명"),
    "kind": ("kind", "유형", "종류", "직급"),
    "unit": ("unit", "소속", "소속코드"),
    "title": ("title", "직위"),
    "deputy_mayor": ("deputy_mayor", "소관부시장", "담당부시장"),
    "order": ("order", "순서"),
    "phone": ("phone", "전화번호", "전화"),
    "username": ("username", "로그인ID", "아이디", "계정"),
}
REQUIRED_COLUMNS = ("type", "code", "name", "kind", "unit", "title")

#: Which columns a row of each type uses; any other must be blank.
USED_COLUMNS: dict[RowType, frozenset[str]] = {
    RowType.BUREAU: frozenset({"type", "code", "name", "kind", "deputy_mayor", "order"}),
    RowType.DEPARTMENT: frozenset({"type", "code", "name", "kind", "unit", "phone"}),
    RowType.OFFICIAL: frozenset({"type", "name", "kind", "unit", "title", "order", "username"}),
    RowType.CATEGORY: frozenset({"type", "name", "unit"}),
}

#: The words accepted in the cells of a short list, compared without case,
#: spaces, "-", "_", "·" or ".": the stored value is always accepted too.
ROW_TYPES: dict[RowType, tuple[str, ...]] = {
    RowType.BUREAU: ("실국", "실국소", "실국본부"),
    RowType.DEPARTMENT: ("부서", "과"),
    RowType.OFFICIAL: ("공무원", "간부", "간부공무원"),
    RowType.CATEGORY: ("소관분야", "분야", "categoryowner"),
}
BUREAU_KINDS: dict[str, tuple[str, ...]] = {
    Bureau.Kind.OFFICE: ("실",),
    Bureau.Kind.BUREAU: ("국",),
    Bureau.Kind.HEADQUARTERS: ("본부",),
    Bureau.Kind.HEALTH_CENTER: ("보건소",),
    Bureau.Kind.AGENCY: ("사업소",),
}
DEPARTMENT_KINDS: dict[str, tuple[str, ...]] = {
    Department.Kind.SECRETARIAT: ("소통민원팀",),
    Department.Kind.BUDGET_LEGAL: ("예산법무과",),
    Department.Kind.POLICY_OFFICER: ("정책담당관",),
    Department.Kind.REGULAR: ("", "일반", "일반부서", "과"),
}
RANKS: dict[str, tuple[str, ...]] = {
    Official.Rank.MAYOR: ("시장",),
    Official.Rank.DEPUTY_MAYOR: ("부시장",),
    Official.Rank.DIRECTOR: ("실국소장", "실국장", "실장", "국장", "본부장", "소장"),
    Official.Rank.DEPARTMENT_HEAD: ("과장", "부서장", "담당관"),
}
_CODE = re.compile(r"[-a-zA-Z0-9_]+")
_ORDER_MAX = 999


def _value_key(text: str) -> str:
    return re.sub(r"[·ㆍ.・]+", "", header_key(text))


def _lookup(table: dict, extra: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    found = {_value_key(alias): value for value, aliases in table.items() for alias in (value, *aliases)}
    found.update((_value_key(alias), value) for alias, value in extra)
    return found


_ROW_TYPE_OF = _lookup(ROW_TYPES)
_BUREAU_KIND_OF = _lookup(BUREAU_KINDS)
_DEPARTMENT_KIND_OF = _lookup(DEPARTMENT_KINDS)
_RANK_OF = _lookup(RANKS)


def _category_of() -> dict[str, str]:
    """Category by its code, its Korean label or its English label."""
    aliases = []
    for value, label in Category.choices:
        with translation.override("ko"):
            aliases.append((str(label), value))
        with translation.override("en"):
            aliases.append((str(label), value))
    return _lookup({value: () for value in Category.values}, aliases)


def _korean_categories() -> str:
    with translation.override("ko"):
        return ", ".join(str(label) for label in Category.labels)


def _accepted_headers() -> str:
    return gettext(
        "The first line must name the columns: 구분, 코드, 이름, 유형, 소속, 직위, and if needed "
        "소관부시장, 순서, 전화번호, 로그인ID (or in English: type, code, name, kind, unit, title, "
        "deputy_mayor, order, phone, username). See docs/examples/organisation.csv."
    )


def organisation_csv_parse(*, data: bytes) -> CsvTable:
    """Read an organisation CSV file (its bytes) into rows, checking its
    encoding and header; the values are checked by ``organisation_import``."""
    return csv_table(
        data=data,
        columns=ORGANISATION_COLUMNS,
        required=REQUIRED_COLUMNS,
        hint=_accepted_headers,
        no_rows=lambda: gettext("The file has a header line but no rows below it."),
    )


# --- The rows as read --------------------------------------------------------


@dataclass
class _BureauRow:
    line: int
    code: str
    name: str
    kind: str | None
    #: The deputy mayor's title; None when the file has no such column.
    deputy_title: str | None
    order: int | None


@dataclass
class _DepartmentRow:
    line: int
    code: str
    name: str
    kind: str | None
    bureau_code: str
    #: None when the file has no phone column.
    phone: str | None


@dataclass
class _OfficialRow:
    line: int
    title: str
    name: str
    rank: str | None
    unit_code: str
    order: int | None
    #: Blank: the account linked now (if any) stays linked.
    username: str


@dataclass
class _OwnerRow:
    line: int
    category: str | None
    department_code: str


@dataclass(frozen=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class OrganisationImportResult:
    bureaus: Counts
    departments: Counts
    officials: Counts
    category_owners: Counts
    #: ``organisation_problems()`` after the import: what is still missing.
    problems: list[str] = field(default_factory=list)
    dry_run: bool = False


class _DryRun(Exception):
    def __init__(self, result: OrganisationImportResult):
        self.result = result


class _Problems:
    """The problems found so far, each with its line, reported in line order."""

    def __init__(self):
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))

    def messages(self) -> list[str]:
        return [message for _line, message in sorted(self.items, key=lambda item: item[0])]

    def __bool__(self) -> bool:
        return bool(self.items)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class _Reader:
    """Turns each row into one of the ``_*Row``s, checking what one row can say by itself."""

    def __init__(self, table: CsvTable, problems: _Problems):
        self.headers = table.headers
        self.problems = problems
        self.categories = _category_of()
        self.bureaus: list[_BureauRow] = []
        self.departments: list[_DepartmentRow] = []
        self.officials: list[_OfficialRow] = []
        self.owners: list[_OwnerRow] = []
        # The natural keys seen, first line of each; kept even for a row
        # with other problems, so that its references are not reported too.
        self.bureau_lines: dict[str, int] = {}
        self.department_lines: dict[str, int] = {}
        self.title_lines: dict[str, int] = {}
        self.official_ranks: dict[str, str | None] = {}
        for row in table.rows:
            self._row(row)

    def column(self, name: str) -> str:
        """The column as the file's header writes it."""
        return self.headers.get(name) or ORGANISATION_COLUMNS[name][1]

    def add(self, line: int, message: str, **values) -> None:
        self.problems.add(line, message % {"line": line, **values})

    def _row(self, row) -> None:
        line, values = row.line, row.values
        if extra := extra_cells_problem(row):
            self.problems.add(line, extra)
        written_type = values.get("type", "")
        row_type = _ROW_TYPE_OF.get(_value_key(written_type))
        if row_type is None:
            if written_type:
                self.add(
                    line,
                    gettext("Line %(line)d: “%(value)s” is not a type of row (write 실국, 부서, 공무원 or 소관분야)."),
                    value=written_type,
                )
            else:
                self.add(
                    line,
                    gettext("Line %(line)d: the type (구분) is empty (write 실국, 부서, 공무원 or 소관분야)."),
                )
            return
        for name, value in values.items():
            if value and name not in USED_COLUMNS[row_type]:
                self.add(
                    line,
                    gettext("Line %(line)d: the column “%(column)s” is not used on a “%(type)s” row; leave it blank."),
                    column=self.column(name),
                    type=written_type,
                )
        if row_type is RowType.BUREAU:
            self._bureau(line, values)
        elif row_type is RowType.DEPARTMENT:
            self._department(line, values)
        elif row_type is RowType.OFFICIAL:
            self._official(line, values)
        else:
            self._owner(line, values)

    def _code(self, line: int, code: str, model, seen: dict[str, int]) -> str:
        """The unit's code, noted, or "" when it is not usable."""
        code_max = _max_length(model, "code")
        if not code:
            self.add(line, gettext("Line %(line)d: the code is empty."))
        elif len(code) > code_max:
            self.add(
                line,
                gettext("Line %(line)d: the code “%(code)s” is longer than %(max)d characters."),
                code=code,
                max=code_max,
            )
        elif not _CODE.fullmatch(code):
            self.add(
                line,
                gettext("Line %(line)d: the code “%(code)s” may contain only letters, digits, - and _."),
                code=code,
            )
        elif code in seen:
            self.add(
                line,
                gettext("Line %(line)d: the code “%(code)s” is already used on line %(first)d."),
                code=code,
                first=seen[code],
            )
        else:
            seen[code] = line
            return code
        return ""

    def _name(self, line: int, name: str, model) -> str:
        """The name, or "" when it is not usable."""
        name_max = _max_length(model, "name")
        if not name:
            self.add(line, gettext("Line %(line)d: the name is empty."))
        elif len(name) > name_max:
            self.add(
                line,
                gettext("Line %(line)d: the name “%(name)s” is longer than %(max)d characters."),
                name=name,
                max=name_max,
            )
        else:
            return name
        return ""

    def _order(self, line: int, values: dict[str, str]) -> int | None:
        raw = values.get("order", "")
        if not raw:
            return None
        try:
            return params.integer(raw, minimum=1, maximum=_ORDER_MAX)
        except params.BadParameter:
            pass
        self.add(
            line,
            gettext("Line %(line)d: the order “%(value)s” is not a whole number from 1 to %(max)d."),
            value=raw,
            max=_ORDER_MAX,
        )
        return None

    # Each row is kept whatever its problems, with "" or None for what could
    # not be read, so that its other cells are checked too (a file with a
    # problem is never written).

    def _bureau(self, line: int, values: dict[str, str]) -> None:
        written_kind = values.get("kind", "")
        kind = _BUREAU_KIND_OF.get(_value_key(written_kind)) if written_kind else None
        code = self._code(line, values.get("code", ""), Bureau, self.bureau_lines)
        name = self._name(line, values.get("name", ""), Bureau)
        if not written_kind:
            self.add(
                line, gettext("Line %(line)d: the kind of bureau is empty (write 실, 국, 본부, 보건소 or 사업소).")
            )
        elif kind is None:
            self.add(
                line,
                gettext("Line %(line)d: “%(value)s” is not a kind of bureau (write 실, 국, 본부, 보건소 or 사업소)."),
                value=written_kind,
            )
        order = self._order(line, values)
        self.bureaus.append(_BureauRow(line, code, name, kind, values.get("deputy_mayor"), order))

    def _department(self, line: int, values: dict[str, str]) -> None:
        code = self._code(line, values.get("code", ""), Department, self.department_lines)
        name = self._name(line, values.get("name", ""), Department)
        written_kind = values.get("kind", "")
        kind = _DEPARTMENT_KIND_OF.get(_value_key(written_kind))
        if kind is None:
            self.add(
                line,
                gettext(
                    "Line %(line)d: “%(value)s” is not a kind of department (write 소통민원팀, 예산법무과 or "
                    "정책담당관, or leave it blank for a regular department)."
                ),
                value=written_kind,
            )
        phone = values.get("phone")
        if phone and len(phone) > _max_length(Department, "phone"):
            self.add(
                line,
                gettext("Line %(line)d: the phone number “%(phone)s” is longer than %(max)d characters."),
                phone=phone,
                max=_max_length(Department, "phone"),
            )
        self.departments.append(_DepartmentRow(line, code, name, kind, values.get("unit", ""), phone))

    def _official(self, line: int, values: dict[str, str]) -> None:
        title, written_rank, unit = values.get("title", ""), values.get("kind", ""), values.get("unit", "")
        title_max = _max_length(Official, "title")
        if not title:
            self.add(line, gettext("Line %(line)d: the title (직위) is empty."))
        elif len(title) > title_max:
            self.add(
                line,
                gettext("Line %(line)d: the title “%(title)s” is longer than %(max)d characters."),
                title=title,
                max=title_max,
            )
            title = ""
        elif title in self.title_lines:
            self.add(
                line,
                gettext("Line %(line)d: the title “%(title)s” is already used on line %(first)d."),
                title=title,
                first=self.title_lines[title],
            )
            title = ""
        else:
            self.title_lines[title] = line
        name = self._name(line, values.get("name", ""), Official)
        rank = _RANK_OF.get(_value_key(written_rank)) if written_rank else None
        if not written_rank:
            self.add(line, gettext("Line %(line)d: the rank is empty (write 시장, 부시장, 실국소장 or 과장)."))
        elif rank is None:
            self.add(
                line,
                gettext("Line %(line)d: “%(value)s” is not a rank (write 시장, 부시장, 실국소장 or 과장)."),
                value=written_rank,
            )
        elif rank == Official.Rank.DIRECTOR and not unit:
            self.add(
                line,
                gettext(
                    "Line %(line)d: a director (실국소장) heads a bureau: write its code in the column “%(column)s”."
                ),
                column=self.column("unit"),
            )
        elif rank == Official.Rank.DEPARTMENT_HEAD and not unit:
            self.add(
                line,
                gettext(
                    "Line %(line)d: a department head (과장) heads a department: write its code in the column "
                    "“%(column)s”."
                ),
                column=self.column("unit"),
            )
        elif rank in (Official.Rank.MAYOR, Official.Rank.DEPUTY_MAYOR) and unit:
            self.add(
                line,
                gettext(
                    "Line %(line)d: the mayor and the deputy mayors head no bureau or department: leave the "
                    "column “%(column)s” blank."
                ),
                column=self.column("unit"),
            )
            unit = ""
        if title:
            self.official_ranks[title] = rank
        order = self._order(line, values)
        self.officials.append(_OfficialRow(line, title, name, rank, unit, order, values.get("username", "")))

    def _owner(self, line: int, values: dict[str, str]) -> None:
        written, department_code = values.get("name", ""), values.get("unit", "")
        category = self.categories.get(_value_key(written)) if written else None
        if not written:
            self.add(
                line,
                gettext("Line %(line)d: the category is empty (write it in the column “%(column)s”)."),
                column=self.column("name"),
            )
        elif category is None:
            self.add(
                line,
                gettext("Line %(line)d: “%(value)s” is not a category (write one of: %(categories)s)."),
                value=written,
                categories=_korean_categories(),
            )
        if not department_code:
            self.add(
                line,
                gettext("Line %(line)d: the owning department is empty (write its code in the column “%(column)s”)."),
                column=self.column("unit"),
            )
        self.owners.append(_OwnerRow(line, category, department_code))


# --- The import ----------------------------------------------------------------


def _label(choices, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def _grouped(rows, key) -> dict:
    """Group ``rows`` by ``key`` (skipping None), keeping the file's order."""
    grouped: dict = defaultdict(list)
    for row in rows:
        value = key(row)
        if value is not None:
            grouped[value].append(row)
    return grouped


def organisation_import(*, table: CsvTable, dry_run: bool = False) -> OrganisationImportResult:
    """Create or update the bureaus, departments, officials and category
    owners of ``table``; never delete. One problem and ``TongtongError``
    carries them all (each with its line) and nothing is written. With
    ``dry_run`` everything is done and rolled back, so the counts and the
    problems left (``organisation_problems``) are those of a real import."""
    try:
        return _import(table, dry_run=dry_run)
    except _DryRun as dry:
        return dry.result


@transaction.atomic
def _import(table: CsvTable, *, dry_run: bool) -> OrganisationImportResult:
    problems = _Problems()
    file = _Reader(table, problems)

    # Everything the file may touch, locked while we check and write: an org
    # chart is a few hundred rows.
    bureaus_db = {bureau.code: bureau for bureau in Bureau.objects.select_for_update().order_by("pk")}
    departments_db = {
        department.code: department for department in Department.objects.select_for_update().order_by("pk")
    }
    officials_db = list(Official.objects.select_for_update().order_by("pk"))
    official_by_pk = {official.pk: official for official in officials_db}
    by_title: dict[str, list[Official]] = defaultdict(list)
    for official in officials_db:
        by_title[official.title].append(official)
    bureau_by_pk = {bureau.pk: bureau for bureau in bureaus_db.values()}
    department_by_pk = {department.pk: department for department in departments_db.values()}

    _check_bureaus(file, bureaus_db, by_title, problems)
    _check_departments(file, bureaus_db, departments_db, problems)
    users = _check_officials(
        file, bureaus_db, departments_db, officials_db, by_title, bureau_by_pk, department_by_pk, problems
    )
    _check_owners(file, departments_db, problems)
    if problems:
        raise import_failed(problems.messages())

    counts = {}
    counts["bureaus"], bureaus = _write_bureaus(file, bureaus_db, official_by_pk)
    counts["departments"], departments = _write_departments(file, departments_db, bureaus)
    counts["officials"], officials = _write_officials(file, by_title, bureaus, departments, users)
    _write_portfolios(file, bureaus, officials)
    counts["category_owners"] = _write_owners(file, departments)
    result = OrganisationImportResult(**counts, problems=organisation_problems(), dry_run=dry_run)
    if dry_run:
        raise _DryRun(result)
    return result


def _no_bureau(line: int, code: str) -> str:
    return gettext("Line %(line)d: there is no bureau with the code “%(code)s” in the file or in the database.") % {
        "line": line,
        "code": code,
    }


def _no_department(line: int, code: str) -> str:
    return gettext("Line %(line)d: there is no department with the code “%(code)s” in the file or in the database.") % {
        "line": line,
        "code": code,
    }


def _check_names(rows, name_owners: dict[str, str], codes_in_file, problems: _Problems, taken_message: str) -> None:
    """Each name once in the file, and not taken by another unit of the
    database that keeps it (one the file does not rename)."""
    name_lines: dict[str, int] = {}
    for row in rows:
        line = row.line
        if not row.name:
            continue
        if row.name in name_lines:
            problems.add(
                line,
                gettext("Line %(line)d: the name “%(name)s” is already used on line %(first)d.")
                % {"line": line, "name": row.name, "first": name_lines[row.name]},
            )
            continue
        name_lines[row.name] = line
        owner = name_owners.get(row.name)
        if owner is not None and owner != row.code and owner not in codes_in_file:
            problems.add(line, taken_message % {"line": line, "name": row.name, "other": owner})


def _check_bureaus(file: _Reader, bureaus_db, by_title, problems: _Problems) -> None:
    _check_names(
        file.bureaus,
        {bureau.name: code for code, bureau in bureaus_db.items()},
        file.bureau_lines,
        problems,
        gettext("Line %(line)d: the name “%(name)s” already belongs to the bureau with code “%(other)s”."),
    )
    for row in file.bureaus:
        line = row.line
        title = row.deputy_title
        if not title:
            continue
        if title in file.official_ranks:
            rank = file.official_ranks[title]
        elif by_title.get(title):
            rank = by_title[title][0].rank
        else:
            problems.add(
                line,
                gettext(
                    "Line %(line)d: there is no official with the title “%(title)s” in the file or in the database "
                    "to oversee this bureau."
                )
                % {"line": line, "title": title},
            )
            continue
        if rank is not None and rank != Official.Rank.DEPUTY_MAYOR:
            problems.add(
                line,
                gettext(
                    "Line %(line)d: “%(title)s” is not a deputy mayor (부시장), so no bureau can be in their portfolio."
                )
                % {"line": line, "title": title},
            )


def _check_departments(file: _Reader, bureaus_db, departments_db, problems: _Problems) -> None:
    special_lines: dict[str, int] = {}
    _check_names(
        file.departments,
        {department.name: code for code, department in departments_db.items()},
        file.department_lines,
        problems,
        gettext("Line %(line)d: the name “%(name)s” already belongs to the department with code “%(other)s”."),
    )
    for row in file.departments:
        line = row.line
        if row.bureau_code and row.bureau_code not in file.bureau_lines and row.bureau_code not in bureaus_db:
            problems.add(line, _no_bureau(line, row.bureau_code))
        if row.kind in (None, Department.Kind.REGULAR):
            continue
        kind_label = _label(Department.Kind, row.kind)
        if row.kind in special_lines:
            problems.add(
                line,
                gettext("Line %(line)d: there can be only one %(kind)s, and line %(first)d already is one.")
                % {"line": line, "kind": kind_label, "first": special_lines[row.kind]},
            )
            continue
        special_lines[row.kind] = line
        # One kept by the database: not in the file, or in it with another kind
        # (then it is no longer special after the import).
        other = next(
            (
                department
                for code, department in departments_db.items()
                if department.kind == row.kind and code != row.code and code not in file.department_lines
            ),
            None,
        )
        if other is not None:
            problems.add(
                line,
                gettext(
                    "Line %(line)d: there can be only one %(kind)s, and %(department)s (code “%(code)s”) already is "
                    "one; give it another kind in the file or in the admin."
                )
                % {"line": line, "kind": kind_label, "department": other.name, "code": other.code},
            )


def _check_officials(
    file: _Reader, bureaus_db, departments_db, officials_db, by_title, bureau_by_pk, department_by_pk, problems
) -> dict:
    """Check the officials against each other and the database; the user
    accounts the file names, by username."""
    in_file = set(file.title_lines)
    for row in file.officials:
        if row.title and len(by_title.get(row.title, ())) > 1:
            problems.add(
                row.line,
                gettext(
                    "Line %(line)d: several officials in the database have the title “%(title)s”; rename them in the "
                    "admin so that each title is used once."
                )
                % {"line": row.line, "title": row.title},
            )
    # Who would head what: the file's officials, and the active ones the file
    # leaves as they are.
    kept = [official for official in officials_db if official.title not in in_file and official.is_active]
    checks = (
        (Official.Rank.MAYOR, lambda o: "mayor", lambda r: "mayor" if r.rank == Official.Rank.MAYOR else None),
        (
            Official.Rank.DIRECTOR,
            lambda o: bureau_by_pk[o.bureau_id].code if o.bureau_id else None,
            lambda r: r.unit_code if r.rank == Official.Rank.DIRECTOR and r.unit_code else None,
        ),
        (
            Official.Rank.DEPARTMENT_HEAD,
            lambda o: department_by_pk[o.department_id].code if o.department_id else None,
            lambda r: r.unit_code if r.rank == Official.Rank.DEPARTMENT_HEAD and r.unit_code else None,
        ),
    )
    for rank, kept_key, file_key in checks:
        kept_by_unit = {kept_key(o): o for o in kept if o.rank == rank and kept_key(o) is not None}
        for unit, rows in _grouped(file.officials, file_key).items():
            for index, row in enumerate(rows):
                message = _second_head(rank, row, rows[0] if index else None, kept_by_unit.get(unit))
                if message:
                    problems.add(row.line, message)

    for row in file.officials:
        if not row.unit_code:
            continue
        if (
            row.rank == Official.Rank.DIRECTOR
            and row.unit_code not in file.bureau_lines
            and row.unit_code not in bureaus_db
        ):
            problems.add(row.line, _no_bureau(row.line, row.unit_code))
        if (
            row.rank == Official.Rank.DEPARTMENT_HEAD
            and row.unit_code not in file.department_lines
            and row.unit_code not in departments_db
        ):
            problems.add(row.line, _no_department(row.line, row.unit_code))

    # A deputy mayor who would be one no more, while a bureau the file leaves
    # alone stays in their portfolio.
    file_deputies = {row.code: row.deputy_title for row in file.bureaus if row.deputy_title is not None}
    for row in file.officials:
        if row.rank in (None, Official.Rank.DEPUTY_MAYOR) or len(by_title.get(row.title, ())) != 1:
            continue
        official = by_title[row.title][0]
        left = [
            bureau.name
            for code, bureau in bureaus_db.items()
            if bureau.deputy_mayor_id == official.pk and code not in file_deputies
        ]
        if left:
            problems.add(
                row.line,
                gettext(
                    "Line %(line)d: “%(title)s” would no longer be a deputy mayor, but %(bureaus)s would still be in "
                    "their portfolio: give it another deputy mayor in the column “%(column)s”."
                )
                % {
                    "line": row.line,
                    "title": row.title,
                    "bureaus": ", ".join(left),
                    "column": file.column("deputy_mayor"),
                },
            )

    return _check_users(file, officials_db, in_file, problems)


def _second_head(rank: str, row: _OfficialRow, first: _OfficialRow | None, kept: Official | None) -> str | None:
    """Why ``row`` cannot head its unit (``first``: an earlier row heading it;
    ``kept``: an active official outside the file heading it), or None."""
    values = {"line": row.line, "unit": row.unit_code}
    if first is not None:
        values["first"] = first.line
        if rank == Official.Rank.MAYOR:
            return gettext("Line %(line)d: there is already a mayor on line %(first)d.") % values
        if rank == Official.Rank.DIRECTOR:
            return gettext("Line %(line)d: the bureau “%(unit)s” already has a director on line %(first)d.") % values
        return gettext("Line %(line)d: the department “%(unit)s” already has a head on line %(first)d.") % values
    if kept is None:
        return None
    values["official"] = str(kept)
    if rank == Official.Rank.MAYOR:
        return (
            gettext(
                "Line %(line)d: the mayor is already %(official)s, who is not in the file; write their title "
                "(직위) on this line, or deactivate them in the admin."
            )
            % values
        )
    if rank == Official.Rank.DIRECTOR:
        return (
            gettext(
                "Line %(line)d: the bureau “%(unit)s” is already headed by %(official)s, who is not in the file; "
                "list them with another bureau, or deactivate them in the admin."
            )
            % values
        )
    return (
        gettext(
            "Line %(line)d: the department “%(unit)s” is already headed by %(official)s, who is not in the file; "
            "list them with another department, or deactivate them in the admin."
        )
        % values
    )


def _check_users(file: _Reader, officials_db, in_file: set[str], problems: _Problems) -> dict:
    user_model = get_user_model()
    usernames = {row.username for row in file.officials if row.username}
    users = {
        user.get_username(): user
        for user in user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__in": usernames})
    }
    file_usernames = {row.title: row.username for row in file.officials}
    holder = {official.user_id: official for official in officials_db if official.user_id}
    lines: dict[str, int] = {}
    for row in file.officials:
        if not row.username:
            continue
        values = {"line": row.line, "username": row.username}
        user = users.get(row.username)
        if user is None:
            problems.add(row.line, gettext("Line %(line)d: there is no user account “%(username)s”.") % values)
            continue
        if row.username in lines:
            values["first"] = lines[row.username]
            problems.add(
                row.line,
                gettext("Line %(line)d: the user account “%(username)s” is already linked on line %(first)d.") % values,
            )
            continue
        lines[row.username] = row.line
        other = holder.get(user.pk)
        # Linked now to another official who keeps it: one outside the file,
        # or one in it whose login cell is blank.
        if (
            other is not None
            and other.title != row.title
            and (other.title not in in_file or not file_usernames.get(other.title))
        ):
            values["official"] = str(other)
            problems.add(
                row.line,
                gettext(
                    "Line %(line)d: the user account “%(username)s” already belongs to %(official)s; link another "
                    "account to them in the file, or unlink it in the admin."
                )
                % values,
            )
    return users


def _check_owners(file: _Reader, departments_db, problems: _Problems) -> None:
    category_lines: dict[str, int] = {}
    for owner in file.owners:
        code = owner.department_code
        if code and code not in file.department_lines and code not in departments_db:
            problems.add(owner.line, _no_department(owner.line, code))
        if owner.category is None or not code:
            continue
        if owner.category in category_lines:
            problems.add(
                owner.line,
                gettext("Line %(line)d: the category “%(category)s” already has an owner on line %(first)d.")
                % {
                    "line": owner.line,
                    "category": _label(Category, owner.category),
                    "first": category_lines[owner.category],
                },
            )
        else:
            category_lines[owner.category] = owner.line


# --- Writing -------------------------------------------------------------------


def _saved(obj, line: int, **save) -> None:
    """``full_clean`` and save ``obj``; a problem (someone wrote meanwhile) fails the import."""
    try:
        obj.full_clean()
    except ValidationError as error:
        raise import_failed(line_problems(line, error)) from error
    obj.save(**save)


def _apply(obj, values: dict) -> list[str]:
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _park_names(model, updates) -> None:
    """Move renamed rows out of the way first, so that two codes swapping
    their names never collide half-way."""
    for obj, changed in updates:
        if "name" in changed:
            model.objects.filter(pk=obj.pk).update(name=f"~{obj.pk}")


def _write_bureaus(file: _Reader, bureaus_db, official_by_pk) -> tuple[Counts, dict[str, Bureau]]:
    bureaus = dict(bureaus_db)
    next_order = (Bureau.objects.aggregate(top=Max("sort_order"))["top"] or 0) + 1
    created: list[tuple[_BureauRow, Bureau]] = []
    updates: list[tuple[_BureauRow, Bureau, list[str]]] = []
    unchanged = 0
    for row in file.bureaus:
        values = {"name": row.name, "kind": row.kind, "is_active": True}
        if row.order is not None:
            values["sort_order"] = row.order
        bureau = bureaus_db.get(row.code)
        if bureau is None:
            if row.order is None:
                values["sort_order"] = next_order
                next_order += 1
            bureau = Bureau(code=row.code, **values)
            created.append((row, bureau))
        else:
            changed = _apply(bureau, values)
            current = official_by_pk[bureau.deputy_mayor_id].title if bureau.deputy_mayor_id else ""
            if changed or (row.deputy_title is not None and row.deputy_title != current):
                updates.append((row, bureau, changed))
            else:
                unchanged += 1
        bureaus[row.code] = bureau
    _park_names(Bureau, ((bureau, changed) for _row, bureau, changed in updates))
    for row, bureau, changed in updates:
        if changed:
            _saved(bureau, row.line, update_fields=changed)
    for row, bureau in created:
        _saved(bureau, row.line)
    return Counts(len(created), len(updates), unchanged), bureaus


def _write_departments(file: _Reader, departments_db, bureaus) -> tuple[Counts, dict[str, Department]]:
    departments = dict(departments_db)
    created: list[tuple[_DepartmentRow, Department]] = []
    updates: list[tuple[_DepartmentRow, Department, list[str]]] = []
    unchanged = 0
    for row in file.departments:
        values = {
            "name": row.name,
            "kind": row.kind,
            "bureau_id": bureaus[row.bureau_code].pk if row.bureau_code else None,
            "is_active": True,
        }
        if row.phone is not None:
            values["phone"] = row.phone
        department = departments_db.get(row.code)
        if department is None:
            department = Department(code=row.code, **values)
            created.append((row, department))
        elif changed := _apply(department, values):
            updates.append((row, department, changed))
        else:
            unchanged += 1
        departments[row.code] = department
    _park_names(Department, ((department, changed) for _row, department, changed in updates))
    # One office per special kind: free the kinds that move before taking them.
    for _row, department, changed in updates:
        if "kind" in changed:
            Department.objects.filter(pk=department.pk).update(kind=Department.Kind.REGULAR)
    for row, department, changed in updates:
        _saved(department, row.line, update_fields=changed)
    for row, department in created:
        _saved(department, row.line)
    return Counts(len(created), len(updates), unchanged), departments


def _write_officials(file: _Reader, by_title, bureaus, departments, users) -> tuple[Counts, dict[str, Official]]:
    officials = {title: found[0] for title, found in by_title.items()}
    new_rows: list[_OfficialRow] = []
    updates: list[tuple[_OfficialRow, Official, list[str]]] = []
    unchanged = 0
    for row in file.officials:
        values = {
            "name": row.name,
            "rank": row.rank,
            "bureau_id": bureaus[row.unit_code].pk if row.rank == Official.Rank.DIRECTOR else None,
            "department_id": departments[row.unit_code].pk if row.rank == Official.Rank.DEPARTMENT_HEAD else None,
            "is_active": True,
        }
        if row.order is not None:
            values["substitution_order"] = row.order
        if row.username:
            values["user_id"] = users[row.username].pk
        official = officials.get(row.title)
        if official is None:
            new_rows.append(row)
        elif changed := _apply(official, values):
            updates.append((row, official, changed))
        else:
            unchanged += 1
    # Park first what moves (a post, an account), so that two officials
    # swapping their bureaus or accounts never collide half-way: an inactive
    # official heads nothing as far as the database's rules go.
    for _row, official, changed in updates:
        park = {}
        if {"rank", "bureau_id", "department_id", "is_active"} & set(changed):
            park["is_active"] = False
            if "is_active" not in changed:
                changed.append("is_active")
        if "user_id" in changed:
            park["user"] = None
        if park:
            Official.objects.filter(pk=official.pk).update(**park)
    for row, official, changed in updates:
        _saved(official, row.line, update_fields=changed)
        if "name" in changed:
            official.calendar.name = f"{official.title} {official.name}"
            official.calendar.save(update_fields=["name"])
    for row in new_rows:
        try:
            officials[row.title] = official_create(
                name=row.name,
                title=row.title,
                rank=row.rank,
                bureau=bureaus[row.unit_code] if row.rank == Official.Rank.DIRECTOR else None,
                department=departments[row.unit_code] if row.rank == Official.Rank.DEPARTMENT_HEAD else None,
                user=users[row.username] if row.username else None,
                substitution_order=row.order or 1,
            )
        except ValidationError as error:
            raise import_failed(line_problems(row.line, error)) from error
    return Counts(len(new_rows), len(updates), unchanged), officials


def _write_portfolios(file: _Reader, bureaus, officials) -> None:
    """Each bureau's deputy mayor, once every official exists (already counted with the bureau)."""
    for row in file.bureaus:
        if row.deputy_title is None:
            continue
        bureau = bureaus[row.code]
        deputy = officials[row.deputy_title] if row.deputy_title else None
        if bureau.deputy_mayor_id != (deputy.pk if deputy else None):
            bureau.deputy_mayor = deputy
            _saved(bureau, row.line, update_fields=["deputy_mayor"])


def _write_owners(file: _Reader, departments) -> Counts:
    existing = {owner.category: owner for owner in CategoryOwner.objects.select_for_update()}
    created = updated = unchanged = 0
    for row in file.owners:
        department = departments[row.department_code]
        owner = existing.get(row.category)
        if owner is None:
            _saved(CategoryOwner(category=row.category, department=department), row.line)
            created += 1
        elif owner.department_id != department.pk:
            owner.department = department
            _saved(owner, row.line, update_fields=["department"])
            updated += 1
        else:
            unchanged += 1
    return Counts(created, updated, unchanged)
