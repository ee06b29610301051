"""Reports (monthly, half-yearly, plan against actual) as plain data.

``scheduling`` must not import the apps, yet a report needs figures from
``meetings`` (requests, meetings, meeting days) and ``visits`` (field visits,
suggestions). So, as with the staff sections, each app registers a
*report source* from its ``AppConfig.ready``: functions that compute its
figures for a period **by database aggregation** and return them as
``Section``s of ``Table``s and ``Chart``s. The core assembles them, in the
sources' order, into a ``Report`` and renders that one structure as a page,
a PDF, CSV and XLSX (``scheduling/reports/outputs.py``): every table can be
exported, every chart reads without JavaScript.

A ``Period`` is a half-open range of local dates [start, end).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import formats

from scheduling.clock import SEOUL

Number = int | float | Decimal | None


@dataclass(frozen=True)
class Period:
    """Local (Asia/Seoul) dates, ``start`` included, ``end`` excluded."""

    start: dt.date
    end: dt.date
    #: e.g. "2026년 10월", "2026년 상반기", "2026년"
    label: str
    #: machine key for URLs and files: "2026-10", "2026-H1", "2026"
    key: str


@dataclass(frozen=True)
class Span:
    """Local dates [start, end) and the aware moments that bound them: the
    unit the sources count in (a period, or one month of it)."""

    start: dt.date
    end: dt.date

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=SEOUL)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time.min, tzinfo=SEOUL)

    def q(self, field: str) -> Q:
        """``field`` (a datetime) falls in the span."""
        return Q(**{f"{field}__gte": self.since, f"{field}__lt": self.until})

    def q_date(self, field: str) -> Q:
        """``field`` (a date) falls in the span."""
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})

    @property
    def label(self) -> str:
        return formats.date_format(self.start, "YEAR_MONTH_FORMAT")

    @property
    def short_label(self) -> str:
        return formats.date_format(self.start, "N")


def span_of(period: Period) -> Span:
    return Span(period.start, period.end)


def months_of(period: Period) -> list[Span]:
    """The calendar months of ``period``, cut at its ends."""
    months, first = [], period.start
    while first < period.end:
        following = (first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        months.append(Span(first, min(following, period.end)))
        first = following
    return months


def rate(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in per cent, one decimal; None (shown "-") when
    there is nothing to count."""
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Table:
    """A table of figures. ``key`` is unique within a report (it names the
    CSV file and the XLSX sheet). ``columns`` are header labels; each row is
    a list of cells (str, int, float, Decimal or None for "-"). ``total``
    is an optional last row shown apart."""

    key: str
    title: str
    columns: Sequence[str]
    rows: list[list]
    total: list | None = None
    note: str = ""


@dataclass
class Series:
    label: str
    values: list[Number]


@dataclass
class Chart:
    """A chart drawn on the server as SVG (bar, or line for trends).
    ``categories`` label the x axis; each series has one value per category.
    ``target`` draws a reference line (e.g. the 2.0-day goal)."""

    key: str
    title: str
    kind: str  # "bar" | "line"
    categories: list[str]
    series: list[Series]
    unit: str = ""
    target: Number = None
    target_label: str = ""


@dataclass
class Figure:
    """A headline number with its goal (e.g. answer rate 97.5% against 100%)."""

    label: str
    value: Number
    unit: str = ""
    target: Number = None
    #: True if a higher value is better (answer rate), False if lower is (days).
    higher_is_better: bool = True


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    kind: str  # "monthly" | "half_year" | "plan"
    period: Period
    title: str
    sections: list[Section]
    #: The secretariat's recommendations (half-yearly analysis).
    recommendations: str = ""
    generated_at: dt.datetime | None = None

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]


@dataclass(frozen=True)
class ReportSource:
    """One app's part of the reports. Each function takes a ``Period`` and
    returns a list of ``Section``s (empty if it has nothing for that kind)."""

    key: str
    order: int
    monthly: Callable[[Period], list[Section]] | None = None
    half_year: Callable[[Period], list[Section]] | None = None
    #: plan against actual for one year (seed 002's table)
    plan: Callable[[Period], list[Section]] | None = None


_sources: dict[str, ReportSource] = {}


def register_report_source(source: ReportSource) -> None:
    _sources[source.key] = source


def report_sources() -> list[ReportSource]:
    return sorted(_sources.values(), key=lambda s: (s.order, s.key))


# --- Counts one app reads from another --------------------------------------------------
#
# The petition office's monthly line ("N건 처리 / 시장 면담 M건", seed 001)
# counts meeting requests and meetings with the mayor, which belong to
# ``meetings``; ``petitions`` may not import it. So an app registers a named
# count (a function of a ``Span``) and another reads it by name, getting the
# default when the app that owns it is not installed.

_counts: dict[str, Callable[[Span], object]] = {}


def register_report_count(key: str, function: Callable[[Span], object]) -> None:
    """Offer ``function(span)`` to the other apps' reports under ``key``
    (e.g. ``"meetings.held_with_mayor"``)."""
    _counts[key] = function


def report_count(key: str, span: Span, default=None):
    """The registered count ``key`` for ``span``, or ``default`` when no app
    registered it."""
    function = _counts.get(key)
    return default if function is None else function(span)
