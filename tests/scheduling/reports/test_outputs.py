"""Reports as people use them (scheduling/reports/services.py and
scheduling/reports/outputs.py): periods, building a report from the
registered sources, charts as SVG, CSV, XLSX and PDF.

The figures of meetings and visits come from their own report sources
(tested with those apps). Here a small source of our own, registered for
the test and removed after it, counts the city's closures (a scheduling
table) by database aggregation, so that a report has something real to
show, and nothing in a month without closures.

Our own output (SVG, XLSX) is read back with the standard XML parser
(hence the ``noqa: S314``: nothing untrusted is parsed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation

from scheduling.errors import TongtongError
from scheduling.models import CityClosure, ReportNote
from scheduling.reports import core as reports
from scheduling.reports import outputs, services
from scheduling.reports.core import (
    Chart,
    Figure,
    Period,
    Report,
    ReportSource,
    Section,
    Series,
    Table,
)
from tests.scheduling.test_pdf import assert_fonts_embedded, assert_tagged, pdf_text

SVG = "{http://www.w3.org/2000/svg}"
FAKE_KEY = "tests.closures"


# --- A report source of our own -------------------------------------------------------


def closures_monthly(period: Period) -> list[Section]:
    rows = list(
        CityClosure.objects.filter(date__gte=period.start, date__lt=period.end)
        .values("name")
        .annotate(days=Count("pk"))
        .order_by("name")
    )
    total = sum(row["days"] for row in rows)
    return [
        Section(
            key="closures",
            title="휴무일 현황",
            figures=[Figure("휴무일 수", total, "일", target=1, higher_is_better=False)],
            tables=[
                Table(
                    key="closures_by_name",
                    title="휴무 사유별 일수",
                    columns=["사유", "일수"],
                    rows=[[row["name"], row["days"]] for row in rows],
                    total=["합계", total],
                    note="시 자체 휴무일만 셉니다",
                )
            ],
            charts=[
                Chart(
                    key="closures_chart",
                    title="휴무 사유별 일수",
                    kind="bar",
                    categories=[row["name"] for row in rows],
                    series=[Series("일수", [row["days"] for row in rows])],
                    unit="일",
                    target=1,
                    target_label="목표 1일",
                )
            ],
        )
    ]


def closures_by_month(period: Period) -> list[Section]:
    counted = dict(
        CityClosure.objects.filter(date__gte=period.start, date__lt=period.end)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(days=Count("pk"))
        .values_list("month", "days")
    )
    months, day = [], period.start
    while day < period.end:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    values = [counted.get(month, 0) for month in months]
    return [
        Section(
            key="closures_trend",
            title="월별 휴무일",
            tables=[
                Table(
                    "closures_by_month",
                    "월별 휴무일",
                    ["월", "일수"],
                    [[f"{m.month}월", v] for m, v in zip(months, values, strict=True)],
                )
            ],
            charts=[
                Chart(
                    "closures_trend",
                    "월별 휴무일",
                    "line",
                    [f"{m.month}월" for m in months],
                    [Series("일수", values)],
                    "일",
                )
            ],
        )
    ]


@pytest.fixture
def fake_source():
    source = ReportSource(
        key=FAKE_KEY, order=999, monthly=closures_monthly, half_year=closures_by_month, plan=closures_by_month
    )
    reports.register_report_source(source)
    yield source
    reports._sources.pop(FAKE_KEY, None)


def our_sections(report: Report) -> list[Section]:
    return [s for s in report.sections if s.key.startswith("closures")]


def october() -> Period:
    return services.period_month("2026-10")


def sample_report() -> Report:
    """A report built by hand, with what real ones hold: Korean, a target,
    a missing value, a cell that looks like a formula."""
    section = Section(
        key="requests",
        title="면담 신청",
        figures=[
            Figure("평균 처리 일수", 2.43, "일", target=2.0, higher_is_better=False),
            Figure("답변율", 100.0, "%", target=100.0),
            Figure("접수", 32, "건"),
        ],
        tables=[
            Table(
                "by_category",
                "분야별 처리 현황",
                ["분야", "접수", "처리", "비율(%)"],
                [["도로·교통", 12, 10, 83.33], ["복지", 5, 5, 100.0], ["=HYPERLINK(1)", None, 0, 0.0]],
                total=["합계", 17, 15, 88.24],
            ),
            Table("by_category_2", "분야별 처리 현황", ["분야", "접수"], [["환경", 1]]),
        ],
        charts=[
            Chart(
                "days",
                "월별 평균 처리 일수",
                "line",
                ["5월", "6월", "7월"],
                [Series("평균", [2.6, None, 2.4]), Series("중앙값", [2.0, 2.0, 1.5])],
                "일",
                2.0,
                "목표 2.0일",
            )
        ],
    )
    return Report(
        kind="monthly",
        period=october(),
        title="2026년 10월 월간 보고",
        sections=[section],
        generated_at=timezone.now(),
    )


# --- Periods ------------------------------------------------------------------------


def test_a_month_is_its_first_day_to_the_next_months_first_day():
    period = services.period_month("2026-10")
    assert (period.start, period.end, period.key) == (dt.date(2026, 10, 1), dt.date(2026, 11, 1), "2026-10")
    assert period.label == "2026년 10월"
    december = services.period_month("2026-12")
    assert december.end == dt.date(2027, 1, 1)


def test_half_years_and_years():
    first = services.period_half_year("2026-H1")
    assert (first.start, first.end) == (dt.date(2026, 1, 1), dt.date(2026, 7, 1))
    second = services.period_half_year("2026-h2")
    assert (second.start, second.end, second.key) == (dt.date(2026, 7, 1), dt.date(2027, 1, 1), "2026-H2")
    year = services.period_year("2026")
    assert (year.start, year.end, year.key) == (dt.date(2026, 1, 1), dt.date(2027, 1, 1), "2026")
    with translation.override("en"):
        assert services.period_half_year("2026-H1").label == "First half of 2026"
        assert services.period_month("2026-10").label == "October 2026"


@pytest.mark.parametrize(
    ("parse", "key"),
    [
        (services.period_month, "2026-13"),
        (services.period_month, "2026-00"),
        (services.period_month, "2026-1"),
        (services.period_month, "26-10"),
        (services.period_month, "1999-12"),
        (services.period_month, ""),
        (services.period_month, "2026-10; DROP"),
        (services.period_half_year, "2026-H3"),
        (services.period_half_year, "2026-10"),
        (services.period_year, "20266"),
        (services.period_year, "year"),
        (services.period_year, "2101"),
    ],
)
def test_a_bad_period_is_refused_with_a_message(parse, key):
    with pytest.raises(TongtongError) as caught:
        parse(key)
    assert str(caught.value)


def test_last_month_and_the_recent_months():
    assert services.last_month(dt.date(2026, 1, 1)).key == "2025-12"
    assert services.last_month(dt.date(2026, 10, 31)).key == "2026-09"
    recent = services.recent_months(12, today=dt.date(2026, 3, 15))
    assert [p.key for p in recent[:3]] == ["2026-02", "2026-01", "2025-12"]
    assert len(recent) == 12 and recent[-1].key == "2025-03"


# --- Building a report ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_report_gathers_the_sources_in_their_order(fake_source):
    calls = []
    first = ReportSource(key="tests.first", order=-10, monthly=lambda p: calls.append(("first", p.key)) or [])
    reports.register_report_source(first)
    try:
        report = services.report_build(services.MONTHLY, october())
    finally:
        reports._sources.pop("tests.first", None)
    assert calls == [("first", "2026-10")]
    assert report.kind == "monthly" and report.period.key == "2026-10"
    assert report.title and report.generated_at is not None
    assert [s.key for s in our_sections(report)] == ["closures"]


@pytest.mark.django_db
def test_figures_count_what_the_database_holds(fake_source):
    CityClosure.objects.create(date=dt.date(2026, 10, 2), name="개청기념일")
    CityClosure.objects.create(date=dt.date(2026, 10, 30), name="임시휴무")
    CityClosure.objects.create(date=dt.date(2026, 11, 2), name="임시휴무")  # next month

    (section,) = our_sections(services.report_build(services.MONTHLY, october()))
    assert section.figures[0].value == 2
    assert section.tables[0].rows == [["개청기념일", 1], ["임시휴무", 1]]
    (trend,) = our_sections(services.report_build(services.HALF_YEAR, services.period_half_year("2026-H2")))
    assert trend.charts[0].series[0].values == [0, 0, 0, 2, 1, 0]


@pytest.mark.django_db
def test_the_half_year_carries_the_recommendations(fake_source, secretariat_user):
    services.report_note_save(period_key="2026-H1", text="  답변 기한을 줄입니다.\r\n둘째 줄  ", actor=secretariat_user)
    report = services.report_build(services.HALF_YEAR, services.period_half_year("2026-H1"))
    assert report.recommendations == "답변 기한을 줄입니다.\n둘째 줄"
    assert services.report_build(services.HALF_YEAR, services.period_half_year("2026-H2")).recommendations == ""
    note = ReportNote.objects.get(period_key="2026-H1")
    assert note.updated_by == secretariat_user

    services.report_note_save(period_key="2026-h1", text="고쳐 씀", actor=secretariat_user)
    assert ReportNote.objects.get().text == "고쳐 씀"


@pytest.mark.django_db
def test_only_the_secretariat_writes_recommendations(department_user, reviewer_user, secretariat_user):
    for user in (department_user, reviewer_user):
        with pytest.raises(TongtongError):
            services.report_note_save(period_key="2026-H1", text="x", actor=user)
    with pytest.raises(TongtongError):
        services.report_note_save(period_key="2026-10", text="x", actor=secretariat_user)
    with pytest.raises(TongtongError):
        services.report_note_save(period_key="2026-H1", text="x" * 10_001, actor=secretariat_user)
    assert not ReportNote.objects.exists()


# --- Charts ---------------------------------------------------------------------------


def _svg(chart: Chart) -> ET.Element:
    return ET.fromstring(str(outputs.chart_svg(chart)))  # noqa: S314


def _texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_a_chart_is_an_svg_image_with_a_title_and_a_description():
    chart = sample_report().sections[0].charts[0]
    root = _svg(chart)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "월별 평균 처리 일수"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # The description reads every value and the target.
    assert "평균: 5월 2.6일, 6월 -, 7월 2.4일" in desc.text
    assert "목표 2.0일" in desc.text
    # Values are printed beside the points, the target is named in words,
    # the value axis carries the unit; Korean text in a Korean font.
    texts = _texts(root)
    assert {"2.6일", "2.4일", "1.5일", "목표 2.0일", "일", "5월", "7월"} <= set(texts)
    assert "Noto Sans CJK KR" in root.get("font-family")
    assert not list(root.iter(f"{SVG}script"))


def test_bars_print_their_values_and_the_target_line_is_drawn():
    chart = Chart("c", "분야별 접수", "bar", ["도로", "복지"], [Series("접수", [12, 0])], "건", 10, "목표 10건")
    root = _svg(chart)
    texts = _texts(root)
    assert {"12건", "0건", "목표 10건"} <= set(texts)
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert dashed, "the target is a dashed line"
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [bar.find(f"{SVG}title").text for bar in bars] == ["접수 · 도로: 12건", "접수 · 복지: 0건"]


def test_a_chart_with_nothing_in_it_still_draws():
    for chart in (
        Chart("empty", "빈 그래프", "bar", [], [], "건"),
        Chart("zeros", "모두 0", "bar", ["가", "나"], [Series("건수", [0, 0])], "건"),
        Chart("none", "값 없음", "line", ["가", "나"], [Series("건수", [None, None])], "일", 2.0),
    ):
        root = _svg(chart)
        assert root.find(f"{SVG}title").text == chart.title


def test_a_long_list_lies_down_with_every_label():
    names = [
        f"{n}동"
        for n in (
            "가남",
            "나래",
            "다온",
            "라온",
            "마루",
            "바다",
            "사랑",
            "아라",
            "자람",
            "차오",
            "카라",
            "타래",
            "파랑",
        )
    ]
    names = [f"{name}{i}" for i in range(3) for name in names]  # 39 neighborhoods
    chart = Chart("nb", "동별 건의", "bar", names, [Series("신규", list(range(39))), Series("완료", [1] * 39)], "건")
    root = _svg(chart)
    texts = _texts(root)
    assert all(name in texts for name in names)
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    assert height > width  # one row per neighborhood, down the page


def test_chart_text_is_escaped():
    chart = Chart("x", '<b>"제목"</b>', "bar", ["<script>alert(1)</script>"], [Series("&", [1])])
    root = _svg(chart)
    assert root.find(f"{SVG}title").text == '<b>"제목"</b>'
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter(f"{SVG}b"))


def test_figures_say_the_value_against_the_target_in_words():
    days, rate, count = sample_report().sections[0].figures
    assert outputs.target_met(days) is False and outputs.target_met(rate) is True
    assert outputs.target_met(count) is None
    with translation.override("en"):
        assert outputs.figure_text(days) == "2.4일 against a target of 2.0일"
        assert outputs.figure_status_text(days) == "Target not met"
        assert outputs.figure_text(count) == "32건"
    assert outputs.number_text(None) == "-"
    assert outputs.number_text(1234) == "1,234"
    assert outputs.number_text(97.46, "%") == "97.5%"


# --- CSV ------------------------------------------------------------------------------


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_table_round_trips_as_csv_with_korean():
    table = sample_report().sections[0].tables[0]
    rows = _read_csv(outputs.table_csv(table))
    assert rows[0] == ["분야", "접수", "처리", "비율(%)"]
    assert rows[1] == ["도로·교통", "12", "10", "83.33"]
    # A cell a spreadsheet would run as a formula is kept as text; empty is empty.
    assert rows[3] == ["'=HYPERLINK(1)", "", "0", "0.0"]
    assert rows[-1] == ["합계", "17", "15", "88.24"]


def test_every_table_in_one_zip():
    report = sample_report()
    archive = zipfile.ZipFile(io.BytesIO(outputs.report_csv(report)))
    names = archive.namelist()
    assert names == ["2026-10_figures.csv", "2026-10_by_category.csv", "2026-10_by_category_2.csv"]
    figures = _read_csv(archive.read(names[0]))
    assert figures[1][:5] == ["면담 신청", "평균 처리 일수", "2.43", "2.0", "일"]
    assert _read_csv(archive.read(names[1]))[1][0] == "도로·교통"


# --- XLSX -----------------------------------------------------------------------------

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


class Workbook:
    """An .xlsx read back with zipfile and the standard XML parser."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        root = ET.fromstring(self.zip.read("xl/workbook.xml"))  # noqa: S314
        self.sheet_names = [sheet.get("name") for sheet in root.find("m:sheets", NS)]
        strings = ET.fromstring(self.zip.read("xl/sharedStrings.xml"))  # noqa: S314
        self.strings = ["".join(si.itertext()) for si in strings.findall("m:si", NS)]
        styles = ET.fromstring(self.zip.read("xl/styles.xml"))  # noqa: S314
        fonts = styles.find("m:fonts", NS).findall("m:font", NS)
        self.bold_styles = {
            index
            for index, xf in enumerate(styles.find("m:cellXfs", NS).findall("m:xf", NS))
            if fonts[int(xf.get("fontId", 0))].find("m:b", NS) is not None
        }

    def cells(self, number: int) -> dict[str, tuple[object, bool]]:
        """Sheet ``number`` (1-based): {"A1": (value, bold)}; numbers as floats."""
        root = ET.fromstring(self.zip.read(f"xl/worksheets/sheet{number}.xml"))  # noqa: S314
        cells = {}
        for cell in root.iter(f"{{{NS['m']}}}c"):
            value = cell.find("m:v", NS)
            if value is None:
                continue
            if cell.get("t") == "s":
                content = self.strings[int(value.text)]
            else:
                content = float(value.text)
            cells[cell.get("r")] = (content, int(cell.get("s", 0)) in self.bold_styles)
        return cells


def test_xlsx_has_a_sheet_per_table_with_bold_headers_and_real_numbers():
    book = Workbook(outputs.report_xlsx(sample_report()))
    # The summary, then one sheet per table; the same title twice gets two names.
    assert len(book.sheet_names) == 3
    assert book.sheet_names[1] == "분야별 처리 현황"
    assert book.sheet_names[2] != book.sheet_names[1]
    summary = book.cells(1)
    assert summary["A1"][0] == "2026년 10월 월간 보고"
    assert summary["B5"] == ("평균 처리 일수", False) and summary["C5"] == (2.43, False)
    table = book.cells(2)
    assert table["A3"] == ("분야", True) and table["D3"] == ("비율(%)", True)
    assert table["B4"] == (12.0, False)  # a number, not text
    assert table["A6"] == ("=HYPERLINK(1)", False)  # text, never a formula
    assert "B6" not in table  # None is an empty cell
    assert table["A7"] == ("합계", True) and table["B7"] == (17.0, True)


def test_sheet_names_fit_excel():
    taken: set[str] = set()
    names = [outputs.sheet_name(title, taken) for title in ["가" * 40, "가" * 40, "a/b:c*d?[e]", "'quoted'", "History"]]
    assert all(len(name) <= 31 for name in names)
    assert len({name.lower() for name in names}) == len(names)
    assert not any(re.search(r"[\[\]:*?/\\]", name) for name in names)
    assert not names[3].startswith("'") and names[4] != "History"


# --- PDF and a month with no data ---------------------------------------------------------


def test_the_pdf_has_korean_text_and_embedded_fonts(settings):
    data = outputs.report_pdf(sample_report())
    text = pdf_text(data)
    for expected in (
        "2026년 10월 월간 보고",
        "면담 신청",
        "분야별 처리 현황",
        "도로·교통",
        "평균 처리 일수",
        "목표 2.0일",
        "2.6일",
    ):
        assert expected in text, expected
    assert_fonts_embedded(data)
    assert_tagged(data, title=f"2026년 10월 월간 보고 | {settings.CITY_NAME}")


@pytest.mark.django_db
def test_a_month_with_no_data_renders_zeros_everywhere(fake_source):
    report = services.report_build(services.MONTHLY, october())
    (section,) = our_sections(report)
    assert section.figures[0].value == 0
    assert section.tables[0].rows == [] and section.tables[0].total == ["합계", 0]

    data = outputs.report_pdf(report)
    assert "휴무일 현황" in pdf_text(data)
    assert_fonts_embedded(data)
    archive = zipfile.ZipFile(io.BytesIO(outputs.report_csv(report)))
    assert _read_csv(archive.read("2026-10_closures_by_name.csv")) == [["사유", "일수"], ["합계", "0"]]
    book = Workbook(outputs.report_xlsx(report))
    assert "휴무 사유별 일수" in book.sheet_names
    for chart in section.charts:
        assert _svg(chart).find(f"{SVG}desc").text
