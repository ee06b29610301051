"""/staff/reports/ (scheduling/reports/views.py): who may see the reports,
each report as a page and as PDF, XLSX and CSV, the recommendations form,
and wrong periods in the address (404, never an error page)."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.urls import reverse

from scheduling.models import CityClosure, ReportNote
from tests.scheduling.reports import test_outputs as test_report_outputs
from tests.scheduling.reports.test_outputs import Workbook, _read_csv
from tests.scheduling.test_pdf import assert_fonts_embedded, pdf_text

#: The report source of our own (a fixture), shared with test_report_outputs.
fake_source = test_report_outputs.fake_source

pytestmark = pytest.mark.django_db

MONTH = "/staff/reports/monthly/2026-10/"
PAGES = [
    "/staff/reports/",
    MONTH,
    "/staff/reports/half-year/2026-H1/",
    "/staff/reports/plan/2026/",
    "/staff/reports/monthly/2026-10.pdf",
    "/staff/reports/monthly/2026-10.xlsx",
    "/staff/reports/monthly/2026-10.csv",
    "/staff/reports/half-year/2026-H2.pdf",
    "/staff/reports/plan/2026.xlsx",
]


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="root", password="pw-root")


# --- Who may see ----------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_the_secretariat_officials_and_reviewers_see_the_reports(
    client, url, secretariat_user, official_user, reviewer_user, superuser, fake_source
):
    for user in (secretariat_user, official_user, reviewer_user, superuser):
        client.force_login(user)
        assert client.get(url).status_code == 200, (user.username, url)


@pytest.mark.parametrize("url", PAGES)
def test_department_staff_and_strangers_may_not(client, url, department_user, stranger):
    for user in (department_user, stranger):
        client.force_login(user)
        assert client.get(url).status_code == 403, (user.username, url)


def test_anonymous_visitors_go_to_the_staff_login(client):
    response = client.get(MONTH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))


def test_the_staff_home_links_to_the_reports_for_those_who_may(client, secretariat_user, department_user):
    client.force_login(secretariat_user)
    assert 'href="/staff/reports/"' in client.get("/staff/").content.decode()
    client.force_login(department_user)
    assert 'href="/staff/reports/"' not in client.get("/staff/").content.decode()


# --- Wrong periods -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/staff/reports/monthly/2026-13/",
        "/staff/reports/monthly/2026-1/",
        "/staff/reports/monthly/1999-12/",
        "/staff/reports/monthly/abcd/",
        "/staff/reports/monthly/2026-H1/",
        "/staff/reports/monthly/2026-13.pdf",
        "/staff/reports/monthly/2026-00.xlsx",
        "/staff/reports/monthly/9999-99.csv",
        "/staff/reports/half-year/2026-H3/",
        "/staff/reports/half-year/2026-10.pdf",
        "/staff/reports/plan/20266/",
        "/staff/reports/plan/2026-10.csv",
        "/staff/reports/monthly/2026-10.docx",
        "/staff/reports/monthly/2026-10.csv?table=no-such-table",
    ],
)
def test_a_wrong_period_is_not_found(client, secretariat_user, url):
    client.force_login(secretariat_user)
    # (An unknown extension first gets the slash Django adds, then the 404.)
    assert client.get(url, follow=True).status_code == 404


def test_the_recommendations_of_a_wrong_half_year_are_not_found(client, secretariat_user):
    client.force_login(secretariat_user)
    response = client.post("/staff/reports/half-year/2026-H3/recommendations/", {"text": "x"})
    assert response.status_code == 404
    assert not ReportNote.objects.exists()


# --- The index ------------------------------------------------------------------------


def test_the_index_offers_the_last_twelve_months_and_goes_where_asked(client, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get("/staff/reports/").content.decode()
    assert page.count('href="/staff/reports/monthly/') == 12
    assert 'name="month"' in page and 'name="half_year"' in page and 'name="year"' in page

    assert client.get("/staff/reports/?month=2026-10")["Location"] == MONTH
    assert client.get("/staff/reports/?half_year=2026-H2")["Location"] == "/staff/reports/half-year/2026-H2/"
    assert client.get("/staff/reports/?year=2026")["Location"] == "/staff/reports/plan/2026/"
    wrong = client.get("/staff/reports/?month=2026-13")
    assert wrong.status_code == 400
    assert 'role="alert"' in wrong.content.decode()


# --- A report as a page and as files ----------------------------------------------------------


def test_a_month_with_no_data_renders_as_a_page(client, secretariat_user, fake_source):
    client.force_login(secretariat_user)
    response = client.get(MONTH)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1" in page and "2026년 10월" in page
    assert "휴무일 현황" in page and "휴무 사유별 일수" in page
    # The chart is drawn on the server, as an image with a title and a description.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="tt-chart" role="img"' in page
    assert "<script" not in page
    # Every table can be downloaded alone.
    assert "/staff/reports/monthly/2026-10.csv?table=closures_by_name" in page
    for fmt in ("pdf", "xlsx", "csv"):
        assert f'href="/staff/reports/monthly/2026-10.{fmt}"' in page


def test_the_page_shows_the_figures_with_their_targets(client, secretariat_user, fake_source):
    CityClosure.objects.create(date=dt.date(2026, 10, 2), name="개청기념일")
    CityClosure.objects.create(date=dt.date(2026, 10, 5), name="임시휴무")
    client.force_login(secretariat_user)
    client.cookies["tongtong_language"] = "en"
    page = client.get(MONTH).content.decode()
    assert "2일 against a target of 1일" in page
    assert "Target not met" in page
    assert "개청기념일" in page


def test_the_pdf_of_an_empty_month(client, secretariat_user, fake_source):
    client.force_login(secretariat_user)
    response = client.get("/staff/reports/monthly/2026-10.pdf")
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "휴무일 현황" in text and "2026년 10월" in text
    assert_fonts_embedded(data)


def test_the_xlsx_and_the_csv_of_an_empty_month(client, secretariat_user, fake_source):
    client.force_login(secretariat_user)
    xlsx = client.get("/staff/reports/monthly/2026-10.xlsx")
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in xlsx["Content-Disposition"]
    assert "휴무 사유별 일수" in Workbook(xlsx.content).sheet_names

    archive = client.get("/staff/reports/monthly/2026-10.csv")
    assert archive["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "2026-10_closures_by_name.csv" in names

    one = client.get("/staff/reports/monthly/2026-10.csv?table=closures_by_name")
    assert one["Content-Type"] == "text/csv; charset=utf-8"
    assert _read_csv(one.content) == [["사유", "일수"], ["합계", "0"]]


@pytest.mark.parametrize(
    ("url", "fallback", "korean"),
    [
        ("/staff/reports/monthly/2026-10.pdf", "tongtong-monthly-report-2026-10.pdf", "2026년 10월"),
        ("/staff/reports/monthly/2026-10.xlsx", "tongtong-monthly-report-2026-10.xlsx", "2026년 10월"),
        ("/staff/reports/half-year/2026-H2.pdf", "tongtong-half-year-report-2026-H2.pdf", "2026년 하반기"),
        ("/staff/reports/plan/2026.xlsx", "tongtong-plan-report-2026.xlsx", "2026년"),
    ],
)
def test_downloads_are_attachments_with_a_korean_name(client, secretariat_user, fake_source, url, fallback, korean):
    """RFC 6266: saved, not opened in the tab, under the report's Korean
    title, with an ASCII name for clients that cannot read ``filename*``."""
    client.force_login(secretariat_user)
    header = client.get(url)["Content-Disposition"]
    match = re.fullmatch(r"attachment; filename=\"([\x20-\x7e]+)\"; filename\*=UTF-8''([A-Za-z0-9%._-]+)", header)
    assert match, header
    assert match.group(1) == fallback
    name = unquote(match.group(2))
    assert korean in name and name.endswith(fallback.rsplit(".", 1)[1])


def test_the_page_and_the_pdf_write_dates_the_korean_way(client, secretariat_user, fake_source):
    client.force_login(secretariat_user)
    page = client.get(MONTH).content.decode()
    assert "기간: 2026. 10. 1.(목) ~ 2026. 10. 31.(토)" in page
    assert "2026-10-01" not in page and "부터" not in page.split('class="tt-summary"')[1].split("</p>")[0]
    text = " ".join(pdf_text(client.get("/staff/reports/monthly/2026-10.pdf").content).split())
    assert "기간: 2026. 10. 1.(목) ~ 2026. 10. 31.(토)" in text
    assert "2026-10-01" not in text


def test_total_rows_have_a_cell_under_every_column_aligned_with_it(client, secretariat_user, fake_source):
    client.force_login(secretariat_user)
    page = client.get(MONTH).content.decode()
    table = page.split("<caption>휴무 사유별 일수</caption>")[1].split("</table>")[0]
    assert '<th scope="col">사유</th><th scope="col" class="tt-num">일수</th>' in table
    assert '<tfoot><tr class="tt-total"><th scope="row">합계</th><td class="tt-num">0</td></tr></tfoot>' in table
    css = (settings.BASE_DIR / "static" / "css" / "staff.css").read_text()
    assert ".tbl.data tfoot td" in css  # KRDS styles no tfoot: ours pads and aligns it


def test_the_report_selects_leave_room_for_the_longest_label(client, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get("/staff/reports/").content.decode()
    assert "년 하반기</option>" in page
    css = (settings.BASE_DIR / "static" / "css" / "staff.css").read_text()
    assert re.search(r"\.tt-filters \.krds-form-select \{ min-width: 20rem;", css)


def test_half_year_and_plan_pages(client, official_user, fake_source):
    CityClosure.objects.create(date=dt.date(2026, 3, 2), name="임시휴무")
    client.force_login(official_user)
    half = client.get("/staff/reports/half-year/2026-H1/").content.decode()
    assert "월별 휴무일" in half
    # The chart's description reads out the values month by month.
    charts = [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", half, flags=re.S)]  # noqa: S314 (ours)
    (ours,) = [c for c in charts if c.find("{http://www.w3.org/2000/svg}title").text == "월별 휴무일"]
    desc = ours.find("{http://www.w3.org/2000/svg}desc").text
    assert "1월 0일, 2월 0일, 3월 1일" in desc
    # An official reads the recommendations but gets no form to write them.
    assert 'id="recommendations"' in half and "<textarea" not in half
    plan = client.get("/staff/reports/plan/2026/")
    assert plan.status_code == 200 and "월별 휴무일" in plan.content.decode()


# --- The recommendations ------------------------------------------------------------------


def test_the_secretariat_writes_the_recommendations(client, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get("/staff/reports/half-year/2026-H1/").content.decode()
    assert "<textarea" in page
    response = client.post("/staff/reports/half-year/2026-H1/recommendations/", {"text": "답변 기한을 5일로 줄일 것"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/reports/half-year/2026-H1/#recommendations"
    assert ReportNote.objects.get(period_key="2026-H1").text == "답변 기한을 5일로 줄일 것"
    assert "답변 기한을 5일로 줄일 것" in client.get("/staff/reports/half-year/2026-H1/").content.decode()
    pdf = client.get("/staff/reports/half-year/2026-H1.pdf").content
    assert "답변 기한을 5일로 줄일 것" in pdf_text(pdf)


def test_too_long_recommendations_come_back_with_the_text_kept(client, secretariat_user):
    client.force_login(secretariat_user)
    text = "가" * 10_001
    response = client.post("/staff/reports/half-year/2026-H1/recommendations/", {"text": text})
    assert response.status_code == 400
    assert text in response.content.decode()
    assert not ReportNote.objects.exists()


def test_others_may_not_write_the_recommendations(client, official_user, reviewer_user, department_user):
    for user in (official_user, reviewer_user, department_user):
        client.force_login(user)
        response = client.post("/staff/reports/half-year/2026-H1/recommendations/", {"text": "x"})
        assert response.status_code == 403
    assert not ReportNote.objects.exists()
