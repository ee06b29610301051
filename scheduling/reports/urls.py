"""/staff/reports/: the reports' pages and files (scheduling/reports/views.py).

A period in the URL is matched loosely and parsed by the service, so that
a wrong one ("2026-13", "2026-H3") is a 404 rather than no match at all.
"""

from django.urls import path, re_path

from scheduling.reports import views
from scheduling.reports.services import HALF_YEAR, MONTHLY, PLAN

app_name = "staff_reports"

_FILE = r"(?P<key>[0-9A-Za-z-]{1,12})\.(?P<fmt>pdf|xlsx|csv)"

urlpatterns = [
    path("", views.index, name="index"),
    path("monthly/<str:key>/", views.report_page, {"kind": MONTHLY}, name="monthly"),
    re_path(rf"^monthly/{_FILE}$", views.report_file, {"kind": MONTHLY}, name="monthly_file"),
    path("half-year/<str:key>/", views.report_page, {"kind": HALF_YEAR}, name="half_year"),
    re_path(rf"^half-year/{_FILE}$", views.report_file, {"kind": HALF_YEAR}, name="half_year_file"),
    path("half-year/<str:key>/recommendations/", views.recommendations_save, name="recommendations"),
    path("plan/<str:key>/", views.report_page, {"kind": PLAN}, name="plan"),
    re_path(rf"^plan/{_FILE}$", views.report_file, {"kind": PLAN}, name="plan_file"),
]
