"""국민신문고 petitions imported in a batch from a CSV file (the staff page
``/staff/petitions/intake/import/`` and ``manage.py import_epeople``).

The columns (docs/petitions.md, "국민신문고"), each by its Korean header as
the portal's export writes it or its English name:

    신청번호*, 신청일*, 처리기한, 제목*, 내용*, 신청인, 휴대전화, 이메일, 분야, 동

The file is read by ``scheduling.csv_import`` (UTF-8 with or without BOM,
else CP949 — which covers EUC-KR — as Korean Excel saves it). Every row is
checked first; any bad row is reported with its line number and nothing is
imported. A row whose 신청번호 is registered already is skipped and counted
("이미 등록됨"): importing the same file again records nothing. The rest are
recorded in one transaction through ``petitions.intake.desk.petition_take``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from petitions import rules
from petitions.categories import PetitionCategory
from petitions.errors import PetitionError
from petitions.intake.desk import epeople_check, petition_take
from petitions.intake.web import MAX_TEXT
from petitions.models import Petition
from scheduling.csv_import import CsvRow, csv_table, extra_cells_problem, import_failed
from scheduling.models import Neighborhood
from scheduling.phones import InvalidPhoneNumber, normalize_mobile

#: The most bytes an uploaded file may have.
MAX_FILE_BYTES = 5 * 1024 * 1024

#: column → its aliases (the first English, the second Korean, as the hint shows them).
COLUMNS = {
    "number": ("number", "신청번호", "민원번호", "접수번호", "epeople number"),
    "received_on": ("received on", "신청일", "신청일자", "접수일", "접수일자"),
    "due_on": ("due on", "처리기한", "처리기한일"),
    "subject": ("subject", "제목", "민원제목"),
    "text": ("text", "내용", "민원내용", "신청내용"),
    "name": ("name", "신청인", "민원인", "성명"),
    "phone": ("mobile", "휴대전화", "휴대폰", "휴대전화번호", "연락처"),
    "email": ("e-mail", "이메일", "email", "전자우편"),
    "category": ("category", "분야", "민원분야"),
    "neighborhood": ("neighborhood", "동", "행정동", "읍면동"),
}
REQUIRED = ("number", "received_on", "subject", "text")

DATE = re.compile(r"^(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


@dataclass
class EpeopleImport:
    """What an import recorded: the new petitions and the rows skipped as registered already."""

    created: list[Petition] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _hint() -> str:
    return gettext("Accepted columns: %(columns)s (* required).") % {
        "columns": ", ".join(f"{aliases[1]}{'*' if column in REQUIRED else ''}" for column, aliases in COLUMNS.items())
    }


def parse_date(raw: str) -> dt.date | None:
    """2026-11-17, 2026.11.17, 2026/11/17, 2026. 11. 17., 2026년 11월 17일,
    20261117 (a time after the date is allowed and dropped); None if not a date."""
    text = raw.strip()
    match = DATE.match(text) or COMPACT_DATE.match(text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _squash(text: str) -> str:
    return re.sub(r"[\s/·ㆍ.,_\-]+", "", text.lower())


def _category_lookup() -> dict[str, str]:
    names: dict[str, str] = {}
    for value, label in PetitionCategory.choices:
        names[_squash(value)] = value
        for language in ("ko", "en"):
            with translation.override(language):
                names[_squash(str(label))] = value
    return names


def _neighborhood_lookup() -> dict[str, Neighborhood]:
    found = {}
    for neighborhood in Neighborhood.objects.all():
        found[_squash(neighborhood.name)] = neighborhood
        found[_squash(neighborhood.code)] = neighborhood
    return found


def _line(row: CsvRow, problem: str) -> str:
    return gettext("Line %(line)d: %(problem)s") % {"line": row.line, "problem": problem}


def _row_arguments(row: CsvRow, *, categories, neighborhoods, today) -> tuple[dict | None, list[str]]:
    values = row.values
    problems = []
    number = values.get("number", "")
    received_raw, due_raw = values.get("received_on", ""), values.get("due_on", "")
    received_on = parse_date(received_raw) if received_raw else None
    due_on = parse_date(due_raw) if due_raw else None
    if received_raw and received_on is None:
        problems.append(
            gettext("the received date “%(value)s” is not a date (write it as 2026-11-17).") % {"value": received_raw}
        )
    if due_raw and due_on is None:
        problems.append(
            gettext("the due date “%(value)s” is not a date (write it as 2026-11-17).") % {"value": due_raw}
        )
    if not (received_raw and received_on is None) and not (due_raw and due_on is None):
        problem = epeople_check(number=number, received_on=received_on, due_on=due_on, today=today)
        if problem:
            problems.append(problem)
    subject, text = values.get("subject", ""), values.get("text", "")
    if not subject:
        problems.append(gettext("the subject is empty."))
    elif len(subject) > 200:
        problems.append(gettext("the subject is longer than 200 characters."))
    if not text:
        problems.append(gettext("the text is empty."))
    elif len(text) > MAX_TEXT:
        problems.append(gettext("the text is longer than %(max)d characters.") % {"max": MAX_TEXT})
    phone = values.get("phone", "")
    if phone:
        try:
            phone = normalize_mobile(phone)
        except InvalidPhoneNumber:
            problems.append(gettext("“%(value)s” is not a mobile number.") % {"value": phone})
    email = values.get("email", "")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        problems.append(gettext("“%(value)s” is not an e-mail address.") % {"value": email})
    category_raw = values.get("category", "")
    category = categories.get(_squash(category_raw)) if category_raw else "other"
    if category is None:
        problems.append(gettext("the category “%(value)s” is not in the list.") % {"value": category_raw})
    neighborhood_raw = values.get("neighborhood", "")
    neighborhood = neighborhoods.get(_squash(neighborhood_raw)) if neighborhood_raw else None
    if neighborhood_raw and neighborhood is None:
        problems.append(gettext("the neighborhood “%(value)s” is not one of the city's.") % {"value": neighborhood_raw})
    if len(values.get("name", "")) > 50:
        problems.append(gettext("the name is longer than 50 characters."))
    problems = [_line(row, problem) for problem in problems]
    if (extra := extra_cells_problem(row)) is not None:
        problems.append(extra)
    if problems:
        return None, problems
    return {
        "channel": rules.EPEOPLE,
        "epeople_number": number.strip(),
        "epeople_received_on": received_on,
        "epeople_due_on": due_on,
        "subject": subject,
        "text": text,
        "name": values.get("name", ""),
        "phone": phone,
        "email": email,
        "category": category,
        "neighborhood": neighborhood,
    }, []


def epeople_import(*, data: bytes, actor=None, dry_run: bool = False, now: dt.datetime | None = None) -> EpeopleImport:
    """Import the 국민신문고 petitions of a CSV file (see the module).
    ``TongtongError`` lists every problem, by line; then nothing is recorded.
    With ``dry_run`` everything is checked and counted, and nothing is kept."""
    if len(data) > MAX_FILE_BYTES:
        raise import_failed([gettext("The file is larger than 5 MB. Split it and import each part.")])
    table = csv_table(
        data=data,
        columns=COLUMNS,
        required=REQUIRED,
        hint=_hint,
        no_rows=lambda: gettext("The file has a header line but no petitions below it."),
    )
    now = now or timezone.now()
    today = timezone.localdate(now)
    categories, neighborhoods = _category_lookup(), _neighborhood_lookup()
    rows, errors, first_line = [], [], {}
    for row in table.rows:
        arguments, problems = _row_arguments(row, categories=categories, neighborhoods=neighborhoods, today=today)
        errors += problems
        if arguments is None:
            continue
        number = arguments["epeople_number"]
        if number in first_line:
            errors.append(
                _line(
                    row,
                    gettext("the e-People number %(number)s is also on line %(first)d.")
                    % {"number": number, "first": first_line[number]},
                )
            )
            continue
        first_line[number] = row.line
        rows.append((row, arguments))
    if errors:
        raise import_failed(errors, hint=_hint())
    registered = set(
        Petition.objects.filter(epeople_number__in=list(first_line)).values_list("epeople_number", flat=True)
    )
    result = EpeopleImport()
    with transaction.atomic():
        for row, arguments in rows:
            if arguments["epeople_number"] in registered:
                result.skipped.append(arguments["epeople_number"])
                continue
            try:
                petition, created = petition_take(**arguments, actor=actor, now=now)
            except (PetitionError, ValidationError) as error:
                errors.append(_line(row, " ".join(getattr(error, "messages", None) or [str(error)])))
                continue
            if created:
                result.created.append(petition)
            else:  # registered a moment ago by someone else
                result.skipped.append(arguments["epeople_number"])
        if errors or dry_run:
            transaction.set_rollback(True)
    if errors:
        raise import_failed(errors, hint=_hint())
    return result
