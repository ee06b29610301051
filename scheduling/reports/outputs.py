"""A ``Report`` as people use it: charts as SVG, the page's and the PDF's
view of it, CSV (one table, or a ZIP of every table), XLSX and PDF.

Pure rendering: nothing here queries the database or changes anything; the
report is built by ``scheduling.reports.services.report_build``.

Charts are drawn here as small SVG documents rather than with a charting
library (docs/reports.md says why): each is an ``<svg role="img">`` whose
``<title>`` names it and whose ``<desc>`` reads out every value and the
target, with the values printed on the bars and the target line labelled in
words, so it reads without JavaScript, without colour and in WeasyPrint.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _

from scheduling.dates import date_range, local_date, local_when
from scheduling.reports.core import Chart, Figure, Report, Table

# --- Numbers as text --------------------------------------------------------------


def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_wide(char: str) -> bool:
    return "\u1100" <= char <= "\u11ff" or "\u2e80" <= char <= "\ua4cf" or "\uac00" <= char <= "\ud7a3"


def number_text(value, unit: str = "") -> str:
    """``32`` → "32", ``2.43`` → "2.4", ``None`` → "-"; with its unit:
    "2.4일", "97.5%", "3 days"."""
    if value is None:
        return "-"
    if isinstance(value, bool) or not is_number(value):
        text = str(value)
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return "-"
        text = f"{number:,.1f}"
    if not unit:
        return text
    if unit == "%" or _is_wide(unit[0]):
        return f"{text}{unit}"
    return f"{text} {unit}"


def cell_text(value) -> str:
    """A table cell as shown on the page and in the PDF."""
    if value is None:
        return "-"
    if is_number(value):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return local_when(value)
    if isinstance(value, dt.date):
        return local_date(value)
    return str(value)


def target_met(figure: Figure) -> bool | None:
    """Whether the figure reaches its target (None: no target or no value)."""
    if figure.target is None or figure.value is None:
        return None
    value, target = float(figure.value), float(figure.target)
    return value >= target if figure.higher_is_better else value <= target


def figure_text(figure: Figure) -> str:
    """ "목표 2.0일 대비 2.4일" (with a target), else "2.4일"."""
    value = number_text(figure.value, figure.unit)
    if figure.target is None:
        return value
    return _("%(value)s against a target of %(target)s") % {
        "value": value,
        "target": number_text(figure.target, figure.unit),
    }


def figure_status_text(figure: Figure) -> str:
    met = target_met(figure)
    if met is None:
        return ""
    return _("Target met") if met else _("Target not met")


# --- Charts -------------------------------------------------------------------------

#: Colours that stand out against white (≥ 3:1, WCAG 1.4.11) and from each
#: other; a series is also told apart by its marker shape and dash (lines),
#: by the order of the legend's words and by the values printed beside it,
#: never by colour alone.
SERIES_COLOURS = ("#256ef4", "#b35c00", "#1c7a3c", "#7b4bc4", "#c0245b", "#465058")
TARGET_COLOUR = "#bd2c0f"
TEXT_COLOUR = "#1e2124"
MUTED_COLOUR = "#464c53"
GRID_COLOUR = "#d6dadd"
FONT_FAMILY = "'Noto Sans CJK KR', 'Noto Sans KR', 'Malgun Gothic', 'Apple SD Gothic Neo', sans-serif"
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")

#: Every chart is this wide (in SVG units; 12-unit text prints at about 8.5pt
#: across an A4 page) and, standing up, this high.
WIDTH = 720
HEIGHT = 300
TITLE_H = 30
LEGEND_H = 22
LEFT = 64
BOTTOM = 40
#: Bar charts with more categories than this lie down: one row per category
#: (39 neighborhoods read well down the page, not squeezed across it).
HORIZONTAL_AFTER = 12


def _attr(text) -> str:
    return escape(str(text))


def _num(value) -> float | None:
    if value is None or not is_number(value):
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _text_width(text: str, size: float = 12) -> float:
    """About how wide ``text`` is drawn (Hangul is square, Latin half)."""
    return sum(size if _is_wide(c) else size * 0.58 for c in str(text))


def _shorten(text: str, width: float, size: float = 12) -> str:
    text = str(text)
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _nice_scale(top: float) -> tuple[float, float]:
    """An axis maximum and tick step for values up to ``top`` (4 or 5 ticks)."""
    if top <= 0:
        return 1.0, 1.0
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    step = power
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw:
            break
    if top >= 1 and step < 1:
        step = 1.0
    return step * math.ceil(top / step - 1e-9), step


def _ticks(axis_max: float, step: float) -> list[tuple[float, str]]:
    ticks, value = [], 0.0
    while value <= axis_max + 1e-9:
        text = f"{value:,.0f}" if float(step).is_integer() else f"{value:,.1f}"
        ticks.append((value, text))
        value += step
    return ticks


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" '
            f'fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _value(series, index: int):
    return series.values[index] if index < len(series.values) else None


def chart_description(chart: Chart) -> str:
    """Every value of the chart in words, for the SVG's ``<desc>`` (what a
    screen reader says) and for anyone who cannot see the picture."""
    parts = []
    for series in chart.series:
        values = ", ".join(
            f"{category} {number_text(_value(series, index), chart.unit)}"
            for index, category in enumerate(chart.categories)
        )
        parts.append(f"{series.label}: {values}" if values else str(series.label))
    if chart.target is not None:
        parts.append(_target_label(chart))
    if not chart.categories:
        parts.append(_("No data for this period."))
    return ". ".join(str(part) for part in parts) + "."


def _target_label(chart: Chart) -> str:
    return str(chart.target_label or _("Target %(target)s") % {"target": number_text(chart.target, chart.unit)})


def _legend(chart: Chart, y: float) -> list[str]:
    """The series' names (when there are several) and the target's line."""
    out = []
    x = float(LEFT)
    entries = list(enumerate(chart.series)) if len(chart.series) > 1 else []
    for number, one in entries:
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        if chart.kind == "line":
            dash = DASHES[number % len(DASHES)]
            dashing = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 22:.1f}" y2="{y:.1f}" stroke="{colour}" '
                f'stroke-width="2.5"{dashing}/>'
            )
            out.append(_marker(MARKERS[number % len(MARKERS)], x + 11, y, colour))
        else:
            out.append(f'<rect x="{x:.1f}" y="{y - 6:.1f}" width="22" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 28:.1f}" y="{y + 4:.1f}">{_attr(one.label)}</text>')
        x += 44 + _text_width(one.label)
    if chart.target is not None:
        out.append(
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 22:.1f}" y2="{y:.1f}" stroke="{TARGET_COLOUR}" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
        )
        out.append(
            f'<text x="{x + 28:.1f}" y="{y + 4:.1f}" fill="{TARGET_COLOUR}" font-weight="700">'
            f"{_attr(_target_label(chart))}</text>"
        )
    return out


def chart_svg(chart: Chart, *, id_prefix: str = "tt-chart") -> SafeString:
    """The chart as an accessible SVG element, to put inline in a page or a
    PDF: ``role="img"`` named by its ``<title>`` and described, value by
    value, by its ``<desc>``; the values printed beside the bars and points,
    the value axis labelled with the unit, the target drawn as a dashed line
    and named in words in the legend."""
    ident = f"{id_prefix}-{slugify(chart.key) or 'chart'}"
    horizontal = chart.kind != "line" and len(chart.categories) > HORIZONTAL_AFTER
    has_legend = len(chart.series) > 1 or chart.target is not None
    top = TITLE_H + (LEGEND_H if has_legend else 0) + 14
    values = [v for s in chart.series for v in (_num(x) for x in s.values) if v is not None]
    target = _num(chart.target)
    axis_max, step = _nice_scale(max([*values, *([target] if target is not None else []), 0.0]))
    if horizontal:
        row = max(16, 8 * len(chart.series) + 6)
        height = top + row * len(chart.categories) + BOTTOM
        body = _horizontal_bars(chart, top, row, axis_max, step, target)
    else:
        height = HEIGHT
        body = _standing(chart, top, axis_max, step, target)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tt-chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="{FONT_FAMILY}" font-size="12" fill="{TEXT_COLOUR}">',
        f'<title id="{ident}-title">{_attr(chart.title)}</title>',
        f'<desc id="{ident}-desc">{_attr(chart_description(chart))}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="8" y="20" font-size="14" font-weight="700">{_attr(chart.title)}</text>',
    ]
    if has_legend:
        out.extend(_legend(chart, TITLE_H + 10))
    out.extend(body)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 (every text above is escaped)


def _standing(chart: Chart, top: float, axis_max: float, step: float, target: float | None) -> list[str]:
    """Columns or a line: categories across, values up."""
    right = 16
    count = len(chart.categories)
    plot_w, plot_h = WIDTH - LEFT - right, HEIGHT - top - BOTTOM
    base = top + plot_h
    band = plot_w / max(count, 1)

    def y_of(value: float) -> float:
        return base - (max(value, 0.0) / axis_max) * plot_h

    out = []
    for value, text in _ticks(axis_max, step):
        y = y_of(value)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID_COLOUR}"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED_COLOUR}">{text}</text>')
    if chart.unit:
        middle = top + plot_h / 2
        out.append(
            f'<text x="20" y="{middle:.1f}" text-anchor="middle" transform="rotate(-90 20 {middle:.1f})" '
            f'fill="{MUTED_COLOUR}">{_attr(chart.unit)}</text>'
        )
    out.append(f'<line x1="{LEFT}" y1="{base:.1f}" x2="{WIDTH - right}" y2="{base:.1f}" stroke="{MUTED_COLOUR}"/>')
    out.append(f'<line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{base:.1f}" stroke="{MUTED_COLOUR}"/>')
    if not count:
        out.append(
            f'<text x="{LEFT + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
            f'fill="{MUTED_COLOUR}">{_attr(_("No data for this period."))}</text>'
        )
    for index, category in enumerate(chart.categories):
        x = LEFT + band * (index + 0.5)
        out.append(
            f'<text x="{x:.1f}" y="{base + 18:.1f}" text-anchor="middle">{_attr(_shorten(category, band - 4))}</text>'
        )
    if target is not None:
        y = y_of(target)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{TARGET_COLOUR}" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
        )
    if chart.kind == "line":
        out.extend(_line_series(chart, band, y_of))
    else:
        out.extend(_column_series(chart, band, y_of, base))
    return out


def _column_series(chart: Chart, band: float, y_of, base: float) -> list[str]:
    out = []
    groups = max(len(chart.series), 1)
    bar = min(40.0, (band - 12) / groups)
    for index, category in enumerate(chart.categories):
        left = LEFT + band * index + (band - bar * groups) / 2
        for number, one in enumerate(chart.series):
            raw = _value(one, index)
            value = _num(raw)
            x = left + bar * number
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            text = number_text(raw, chart.unit) if value is not None else "-"
            y = base
            if value is not None:
                y = y_of(value)
                out.append(
                    f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar - 2, 1):.1f}" height="{base - y:.1f}" '
                    f'fill="{colour}"><title>{_attr(one.label)} · {_attr(category)}: {_attr(text)}</title></rect>'
                )
            out.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11">{_attr(text)}</text>'
            )
    return out


def _line_series(chart: Chart, band: float, y_of) -> list[str]:
    out = []
    show_values = len(chart.categories) <= 24
    for number, one in enumerate(chart.series):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        dash = DASHES[number % len(DASHES)]
        shape = MARKERS[number % len(MARKERS)]
        runs: list[list[tuple[float, float]]] = [[]]
        marks = []
        for index in range(len(chart.categories)):
            raw = _value(one, index)
            value = _num(raw)
            if value is None:
                if runs[-1]:
                    runs.append([])
                continue
            x, y = LEFT + band * (index + 0.5), y_of(value)
            runs[-1].append((x, y))
            marks.append(_marker(shape, x, y, colour))
            if show_values:
                # The first series' values above its points, the next below,
                # so that two close lines do not print over each other.
                ty = y - 9 if number % 2 == 0 else y + 18
                marks.append(
                    f'<text x="{x:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="11" fill="{colour}">'
                    f"{_attr(number_text(raw, chart.unit))}</text>"
                )
        for run in runs:
            if len(run) > 1:
                coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                dashing = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2.5"{dashing}/>')
        out.extend(marks)
    return out


def _horizontal_bars(chart: Chart, top: float, row: float, axis_max: float, step: float, target) -> list[str]:
    """Bars lying down, one row per category, for long lists (neighborhoods)."""
    label_w = min(170.0, max((_text_width(c) for c in chart.categories), default=40) + 12)
    right = 64
    left = label_w
    plot_w = WIDTH - left - right
    count = len(chart.categories)
    base = top + row * count
    groups = max(len(chart.series), 1)
    bar = (row - 6) / groups
    size = min(11.0, bar + 2)

    def x_of(value: float) -> float:
        return left + (max(value, 0.0) / axis_max) * plot_w

    out = []
    for value, text in _ticks(axis_max, step):
        x = x_of(value)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{base:.1f}" stroke="{GRID_COLOUR}"/>')
        out.append(f'<text x="{x:.1f}" y="{base + 16:.1f}" text-anchor="middle" fill="{MUTED_COLOUR}">{text}</text>')
    if chart.unit:
        out.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{base + 34:.1f}" text-anchor="middle" fill="{MUTED_COLOUR}">'
            f"{_attr(chart.unit)}</text>"
        )
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base:.1f}" stroke="{MUTED_COLOUR}"/>')
    for index, category in enumerate(chart.categories):
        y0 = top + row * index + 3
        out.append(
            f'<text x="{left - 6:.1f}" y="{y0 + (row - 6) / 2 + 4:.1f}" text-anchor="end">'
            f"{_attr(_shorten(category, label_w - 10))}</text>"
        )
        for number, one in enumerate(chart.series):
            raw = _value(one, index)
            value = _num(raw)
            y = y0 + bar * number
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            text = number_text(raw, chart.unit) if value is not None else "-"
            end = left
            if value is not None:
                end = x_of(value)
                out.append(
                    f'<rect x="{left:.1f}" y="{y + 0.5:.1f}" width="{end - left:.1f}" height="{max(bar - 1, 1):.1f}" '
                    f'fill="{colour}"><title>{_attr(one.label)} · {_attr(category)}: {_attr(text)}</title></rect>'
                )
            out.append(
                f'<text x="{end + 4:.1f}" y="{y + bar / 2 + size / 3:.1f}" font-size="{size:g}">{_attr(text)}</text>'
            )
    if target is not None:
        x = x_of(target)
        out.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{base:.1f}" stroke="{TARGET_COLOUR}" '
            f'stroke-width="2" stroke-dasharray="6 3"/>'
        )
    return out


# --- What the page and the PDF show ------------------------------------------------


@dataclass
class Cell:
    text: str
    number: bool


@dataclass
class TableView:
    table: Table
    rows: list[list[Cell]]
    total: list[Cell] | None
    #: Per column: figures, aligned right (header, rows and total alike).
    numeric: list[bool] = field(default_factory=list)

    @property
    def headers(self) -> list[tuple[str, bool]]:
        return list(zip(self.table.columns, self.numeric, strict=True))


@dataclass
class FigureView:
    figure: Figure
    text: str
    status: str
    met: bool | None


@dataclass
class ChartView:
    chart: Chart
    svg: SafeString
    description: str


@dataclass
class SectionView:
    key: str
    title: str
    figures: list[FigureView] = field(default_factory=list)
    charts: list[ChartView] = field(default_factory=list)
    tables: list[TableView] = field(default_factory=list)


def numeric_columns(table: Table) -> list[bool]:
    """Which columns hold figures: every filled cell of the rows and the
    total is a number (a "-" for none is fine), and one at least is. The
    first column names the row and is never one."""
    width = len(table.columns)
    lines = [*table.rows, *([table.total] if table.total else [])]
    numeric = []
    for column in range(width):
        values = [line[column] for line in lines if column < len(line) and line[column] not in (None, "")]
        numeric.append(column > 0 and bool(values) and all(is_number(v) for v in values))
    return numeric


def _cells(row, numeric: list[bool]) -> list[Cell]:
    # A total shorter than the header is filled out, so that every column
    # has its cell and the figures stand under their headers.
    row = [*row, *[""] * (len(numeric) - len(row))]
    return [
        Cell(text="" if value == "" else cell_text(value), number=index < len(numeric) and numeric[index])
        for index, value in enumerate(row)
    ]


def table_view(table: Table) -> TableView:
    numeric = numeric_columns(table)
    return TableView(
        table=table,
        rows=[_cells(row, numeric) for row in table.rows],
        total=_cells(table.total, numeric) if table.total else None,
        numeric=numeric,
    )


def report_view(report: Report, *, id_prefix: str = "tt-chart") -> list[SectionView]:
    """The report's sections with every number already written as text and
    every chart drawn, for ``report_page.html`` and ``report_pdf.html``."""
    views = []
    for section in report.sections:
        views.append(
            SectionView(
                key=section.key,
                title=section.title,
                figures=[
                    FigureView(
                        figure=figure,
                        text=figure_text(figure),
                        status=figure_status_text(figure),
                        met=target_met(figure),
                    )
                    for figure in section.figures
                ],
                charts=[
                    ChartView(
                        chart=chart,
                        svg=chart_svg(chart, id_prefix=f"{id_prefix}-{slugify(section.key)}"),
                        description=chart_description(chart),
                    )
                    for chart in section.charts
                ],
                tables=[table_view(table) for table in section.tables],
            )
        )
    return views


def period_text(report: Report) -> str:
    """The report's dates, both ends included: "2026. 11. 1.(일) ~ 2026. 11. 30.(월)"."""
    return date_range(report.period.start, report.period.end - dt.timedelta(days=1))


def report_filename(report: Report, extension: str) -> str:
    """ "2026년 10월 월간 보고.pdf" (Korean file names are sent per RFC 6266)."""
    name = re.sub(r'[\\/:*?"<>|\r\n]+', " ", report.title).strip().replace(",", "")
    return f"{name}.{extension}"


# --- CSV --------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value):
    """Numbers stay numbers; a text that a spreadsheet would run as a
    formula ("=…", "+…", "-…", "@…") gets a leading apostrophe."""
    if value is None:
        return ""
    if is_number(value):
        if isinstance(value, float):
            return "" if math.isnan(value) or math.isinf(value) else str(round(value, 2))
        return str(value)
    text = cell_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_bytes(header, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_value(c) for c in header])
    for row in rows:
        writer.writerow([_csv_value(c) for c in row])
    # UTF-8 with a byte-order mark: Excel in Korea then reads Hangul right.
    return buffer.getvalue().encode("utf-8-sig")


def table_csv(table: Table) -> bytes:
    """One table as CSV (UTF-8 with BOM): the header, the rows, the total."""
    rows = list(table.rows)
    if table.total:
        rows.append(table.total)
    return _csv_bytes(table.columns, rows)


def figures_rows(report: Report) -> tuple[list[str], list[list]]:
    header = [_("Section"), _("Figure"), _("Value"), _("Target"), _("Unit"), _("Against the target")]
    rows = [
        [section.title, figure.label, figure.value, figure.target, figure.unit, figure_status_text(figure)]
        for section in report.sections
        for figure in section.figures
    ]
    return header, rows


def _unique(name: str, taken: set[str], *, limit: int | None = None, fold=str.lower) -> str:
    stem, suffix, number = name, "", 1
    while True:
        candidate = (stem[: limit - len(suffix)] if limit else stem) + suffix
        if fold(candidate) not in taken:
            taken.add(fold(candidate))
            return candidate
        number += 1
        suffix = f" ({number})" if limit else f"-{number}"


def report_csv(report: Report) -> bytes:
    """A ZIP of CSV files: the headline figures, then one file per table,
    named ``<period>_<table key>.csv`` (ASCII names open everywhere)."""
    buffer = io.BytesIO()
    taken: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        header, rows = figures_rows(report)
        archive.writestr(_unique(f"{report.period.key}_figures", taken) + ".csv", _csv_bytes(header, rows))
        for table in report.tables():
            key = slugify(table.key) or "table"
            archive.writestr(_unique(f"{report.period.key}_{key}", taken) + ".csv", table_csv(table))
    return buffer.getvalue()


# --- XLSX -------------------------------------------------------------------------

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``, not
    starting or ending with an apostrophe, unique (Excel ignores case)."""
    name = _SHEET_FORBIDDEN.sub(" ", str(title)).strip().strip("'").strip() or "Sheet"
    if name.lower() == "history":  # reserved by Excel
        name = f"{name} 1"
    return _unique(name[:31], taken, limit=31)


def _width(value) -> int:
    text = cell_text(value)
    return sum(2 if _is_wide(c) else 1 for c in text)


def report_xlsx(report: Report) -> bytes:
    """The report as an Excel workbook: a summary sheet with the headline
    figures, then one sheet per table; headers bold, numbers as numbers."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"title": report.title, "comments": report.period.key})
    title_format = workbook.add_format({"bold": True, "font_size": 13})
    bold = workbook.add_format({"bold": True, "bg_color": "#F4F5F6", "border": 1, "text_wrap": True})
    bold_number = workbook.add_format({"bold": True, "num_format": "#,##0.##"})
    number = workbook.add_format({"num_format": "#,##0.##"})
    bold_text = workbook.add_format({"bold": True})
    taken: set[str] = set()

    def write_rows(sheet, first_row: int, header, rows, total=None) -> None:
        widths = [_width(c) for c in header]
        for column, text in enumerate(header):
            sheet.write_string(first_row, column, str(text), bold)
        all_rows = [(row, False) for row in rows] + ([(total, True)] if total else [])
        for offset, (row, is_total) in enumerate(all_rows, start=1):
            for column, value in enumerate(row):
                if column >= len(widths):
                    widths.append(0)
                widths[column] = max(widths[column], _width(value))
                if value is None:
                    sheet.write_blank(first_row + offset, column, None, bold_text if is_total else None)
                elif is_number(value):
                    sheet.write_number(first_row + offset, column, float(value), bold_number if is_total else number)
                else:
                    sheet.write_string(first_row + offset, column, cell_text(value), bold_text if is_total else None)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(max(width + 2, 8), 60))
        sheet.freeze_panes(first_row + 1, 0)

    summary = workbook.add_worksheet(sheet_name(_("Summary"), taken))
    summary.write_string(0, 0, report.title, title_format)
    made = local_when(report.generated_at) if report.generated_at else ""
    summary.write_string(1, 0, _("Made %(when)s") % {"when": made} if made else report.period.label)
    header, rows = figures_rows(report)
    write_rows(summary, 3, header, rows)
    if report.recommendations:
        row = 5 + len(rows)
        summary.write_string(row, 0, _("Recommendations of the secretariat"), bold_text)
        summary.write_string(row + 1, 0, report.recommendations)

    for table in report.tables():
        sheet = workbook.add_worksheet(sheet_name(table.title or table.key, taken))
        sheet.write_string(0, 0, str(table.title), title_format)
        write_rows(sheet, 2, table.columns, table.rows, table.total)
        if table.note:
            sheet.write_string(4 + len(table.rows) + (1 if table.total else 0), 0, str(table.note))
    workbook.close()
    return buffer.getvalue()


# --- PDF --------------------------------------------------------------------------

PDF_TEMPLATE = "scheduling/reports/report_pdf.html"


def report_pdf(report: Report) -> bytes:
    """The report as an A4 PDF (WeasyPrint through ``scheduling.pdf``)."""
    from scheduling.pdf import render_pdf

    return render_pdf(
        PDF_TEMPLATE,
        {
            "report": report,
            "sections": report_view(report, id_prefix="pdf-chart"),
            "period_text": period_text(report),
            "generated": local_when(report.generated_at) if report.generated_at else "",
        },
    )
