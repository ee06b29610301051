"""Reading a CSV file a city clerk saved from Excel: the pieces every import
shares (``manage.py import_neighborhoods``, ``manage.py import_organisation``).

- the bytes become text: UTF-8 with or without BOM, else CP949 (Korean
  Excel's "CSV (쉼표로 분리)"); an Excel workbook is recognised and refused
  with the way to save it as CSV;
- the first non-blank line names the columns, each by one of its aliases
  (English or Korean), compared without case, spaces, "-" or "_";
- every cell is NFC-normalised (a file saved on a Mac may spell Hangul
  decomposed) and stripped; blank lines are skipped, line numbers are the
  file's own (a quoted cell over two lines counts two);
- every problem is one message with its line number, and the import fails
  as a whole (``import_failed``): nothing is changed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

from scheduling.errors import TongtongError


@dataclass(frozen=True)
class CsvRow:
    """One data line: its line number in the file (the header is line 1 when
    it comes first) and its cells by column, for the columns the file has,
    stripped and as written."""

    line: int
    values: dict[str, str]
    #: Non-blank cells to the right of the last column of the header.
    extra_cells: int = 0


@dataclass(frozen=True)
class CsvTable:
    rows: list[CsvRow]
    #: Column → its header as written in the file, for the columns it has.
    headers: dict[str, str]


def import_failed(errors: list[str], *, hint: str | None = None) -> TongtongError:
    """The import's error: one message per problem, then ``hint`` (how to fix them), if any."""
    count = len(errors)
    message = ngettext(
        "The file was not imported: %(count)d problem was found. Nothing was changed.",
        "The file was not imported: %(count)d problems were found. Nothing was changed.",
        count,
    ) % {"count": count}
    return TongtongError(message, errors=[*errors, hint] if hint else errors)


def line_problems(line: int, error: ValidationError) -> list[str]:
    """A model's validation error as one message per problem, with the line."""
    return [gettext("Line %(line)d: %(problem)s") % {"line": line, "problem": problem} for problem in error.messages]


def csv_text(data: bytes) -> str:
    """The file as text: UTF-8 (with or without BOM), else CP949, the
    encoding of a CSV saved by Korean Excel."""
    if data.startswith(b"PK\x03\x04"):
        raise import_failed(
            [
                gettext(
                    "This is an Excel workbook, not a CSV file. In Excel, choose “Save as” → "
                    "“CSV UTF-8 (comma delimited)” and import that file."
                )
            ]
        )
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise import_failed(
        [
            gettext(
                "The file could not be read as UTF-8 or CP949 text. In Excel, choose “Save as” → "
                "“CSV UTF-8 (comma delimited)” and import that file."
            )
        ]
    )


def header_key(text: str) -> str:
    """How a header (or a value from a short list) is compared: without case,
    spaces, "-" or "_"."""
    return re.sub(r"[\s_\-]+", "", text.lower())


def _header(
    cells: list[str],
    line: int,
    *,
    columns: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    hint: Callable[[], str],
) -> tuple[dict[int, str], dict[str, str]]:
    """(column index → column, column → header as written), or the header's problems raised."""
    fields = {header_key(alias): column for column, aliases in columns.items() for alias in aliases}
    by_index: dict[int, str] = {}
    written: dict[str, str] = {}
    errors = []
    for index, cell in enumerate(cells):
        if not cell:
            continue
        column = fields.get(header_key(cell))
        if column is None:
            errors.append(
                gettext("Line %(line)d: the column “%(column)s” is not a known column.")
                % {"line": line, "column": cell}
            )
        elif column in written:
            errors.append(
                gettext("Line %(line)d: the columns “%(first)s” and “%(second)s” are the same column.")
                % {"line": line, "first": written[column], "second": cell}
            )
        else:
            written[column] = cell
            by_index[index] = column
    for column in required:
        if column not in written:
            english, korean = columns[column][:2]
            errors.append(gettext("The required column “%(column)s” is missing.") % {"column": f"{english} / {korean}"})
    if errors:
        raise import_failed(errors, hint=hint())
    return by_index, written


def csv_table(
    *,
    data: bytes,
    columns: Mapping[str, tuple[str, ...]],
    required: tuple[str, ...],
    hint: Callable[[], str],
    no_rows: Callable[[], str],
) -> CsvTable:
    """Read a CSV file (its bytes) into rows by column, checking its encoding
    and its header: every header must be one of ``columns``' aliases (the
    first English, the second Korean), the ``required`` ones present. The
    values are the caller's to check. ``hint`` says which headers are
    accepted; ``no_rows`` is the problem of a file with only a header."""
    text = csv_text(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    by_index: dict[int, str] | None = None
    headers: dict[str, str] = {}
    rows: list[CsvRow] = []
    previous_end = 0
    width = 0
    try:
        for record in reader:
            line, previous_end = previous_end + 1, reader.line_num
            # NFC: a file saved on a Mac may spell Hangul decomposed.
            cells = [unicodedata.normalize("NFC", cell).strip() for cell in record]
            if not any(cells):
                continue
            if by_index is None:
                by_index, headers = _header(cells, line, columns=columns, required=required, hint=hint)
                width = max(by_index) + 1
                continue
            values = {column: (cells[index] if index < len(cells) else "") for index, column in by_index.items()}
            extra = sum(1 for cell in cells[width:] if cell)
            rows.append(CsvRow(line=line, values=values, extra_cells=extra))
    except csv.Error as error:
        raise import_failed(
            [
                gettext("Line %(line)d: this line is not valid CSV (%(error)s).")
                % {"line": reader.line_num, "error": error}
            ]
        ) from error
    if by_index is None:
        raise import_failed([gettext("The file is empty.")])
    if not rows:
        raise import_failed([no_rows()])
    return CsvTable(rows=rows, headers=headers)


def extra_cells_problem(row: CsvRow) -> str | None:
    if not row.extra_cells:
        return None
    return gettext("Line %(line)d: there are values to the right of the last column, under no header.") % {
        "line": row.line
    }
