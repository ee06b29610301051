"""The reports' pages under /staff/reports/: the index (choose a month, a
half-year or a year), each report as a page with charts and tables, and the
same report as PDF, XLSX and CSV (a ZIP of every table, or one table with
``?table=<key>``).

Who may: anyone holding ``scheduling.view_reports`` (the secretariat,
officials, budget & policy reviewers, superusers); department staff get
403, anonymous visitors the staff login. The half-yearly analysis carries
the secretariat's recommendations, written by those holding
``scheduling.change_reportnote``. A period that does not parse ("2026-13")
is a 404, never an error page.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from scheduling.access import require
from scheduling.dates import local_when
from scheduling.decorators import staff_required
from scheduling.errors import TongtongError
from scheduling.forms import KrdsFormMixin
from scheduling.http import content_disposition
from scheduling.pdf import pdf_response
from scheduling.reports import outputs, services

PERM_VIEW = "scheduling.view_reports"
PERM_WRITE_NOTE = "scheduling.change_reportnote"

#: URL names of each kind's page and files.
URL_NAMES = {services.MONTHLY: "monthly", services.HALF_YEAR: "half_year", services.PLAN: "plan"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RecommendationsForm(KrdsFormMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Recommendations of the secretariat"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=services.NOTE_MAX_LENGTH,
        help_text=gettext_lazy("Printed at the end of the half-yearly analysis and its PDF."),
    )


def _period_or_404(kind: str, key: str):
    try:
        return services.period_for(kind, key)
    except TongtongError:
        raise Http404(_("There is no such report period.")) from None


def report_url(kind: str, key: str, fmt: str | None = None) -> str:
    if fmt is None:
        return reverse(f"staff_reports:{URL_NAMES[kind]}", args=[key])
    return reverse(f"staff_reports:{URL_NAMES[kind]}_file", args=[key, fmt])


@require_GET
@staff_required
def index(request):
    require(request.user, PERM_VIEW)
    today = timezone.localdate()
    months = services.recent_months(24, today=today)
    this_half = services.half_year_containing(today)
    halves = [this_half]
    while len(halves) < 6:
        halves.append(services.half_year_containing(halves[-1].start.replace(day=1) - dt.timedelta(days=1)))
    years = [services.period_year(str(today.year - offset)) for offset in range(4)]
    choice = {"month": services.MONTHLY, "half_year": services.HALF_YEAR, "year": services.PLAN}
    error = ""
    for parameter, kind in choice.items():
        if parameter in request.GET:
            try:
                period = services.period_for(kind, request.GET[parameter])
            except TongtongError as exc:
                error = str(exc)
            else:
                return redirect(report_url(kind, period.key))
    return render(
        request,
        "scheduling/reports/index.html",
        {
            "recent": [(period, report_url(services.MONTHLY, period.key)) for period in months[:12]],
            "months": months,
            "halves": halves,
            "years": years,
            "error": error,
        },
        status=400 if error else 200,
    )


def _report(kind: str, key: str):
    return services.report_build(kind, _period_or_404(kind, key))


@require_GET
@staff_required
def report_page(request, kind: str, key: str):
    require(request.user, PERM_VIEW)
    report = _report(kind, key)
    note = services.report_note_get(period_key=report.period.key) if kind == services.HALF_YEAR else None
    form = None
    if kind == services.HALF_YEAR and request.user.has_perm(PERM_WRITE_NOTE):
        form = RecommendationsForm(initial={"text": report.recommendations})
    return _render_page(request, report, note=note, form=form)


def _render_page(request, report, *, note=None, form=None, status=200):
    kind, key = report.kind, report.period.key
    tables_csv = report_url(kind, key, "csv")
    return render(
        request,
        "scheduling/reports/report_page.html",
        {
            "report": report,
            "sections": outputs.report_view(report),
            "generated": local_when(report.generated_at) if report.generated_at else "",
            "period_text": outputs.period_text(report),
            "pdf_url": report_url(kind, key, "pdf"),
            "xlsx_url": report_url(kind, key, "xlsx"),
            "csv_url": tables_csv,
            "note": note,
            "note_updated": local_when(note.updated_at) if note and note.text else "",
            "form": form,
        },
        status=status,
    )


@require_GET
@staff_required
def report_file(request, kind: str, key: str, fmt: str):
    require(request.user, PERM_VIEW)
    report = _report(kind, key)
    fallback = f"tongtong-{URL_NAMES[kind].replace('_', '-')}-report-{key}"
    if fmt == "pdf":
        # A download, as the button says: inline, browsers opened it in a tab.
        return pdf_response(
            outputs.report_pdf(report),
            filename=outputs.report_filename(report, "pdf"),
            fallback=fallback,
            inline=False,
        )
    if fmt == "xlsx":
        return _download(
            outputs.report_xlsx(report), XLSX_TYPE, outputs.report_filename(report, "xlsx"), fallback=fallback
        )
    table_key = request.GET.get("table")
    if table_key:
        table = next((t for t in report.tables() if t.key == table_key), None)
        if table is None:
            raise Http404(_("This report has no such table."))
        name = f"{report.period.key}_{slugify(table.key) or 'table'}.csv"
        return _download(outputs.table_csv(table), "text/csv; charset=utf-8", name)
    return _download(
        outputs.report_csv(report), "application/zip", outputs.report_filename(report, "csv.zip"), fallback=fallback
    )


def _download(data: bytes, content_type: str, filename: str, *, fallback: str = "table") -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@staff_required
def recommendations_save(request, key: str):
    require(request.user, PERM_VIEW)
    require(request.user, PERM_WRITE_NOTE)
    period = _period_or_404(services.HALF_YEAR, key)
    form = RecommendationsForm(request.POST)
    if form.is_valid():
        try:
            services.report_note_save(period_key=period.key, text=form.cleaned_data["text"], actor=request.user)
        except TongtongError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The recommendations were saved."))
            return redirect(report_url(services.HALF_YEAR, period.key) + "#recommendations")
    report = services.report_build(services.HALF_YEAR, period)
    note = services.report_note_get(period_key=period.key)
    return _render_page(request, report, note=note, form=form, status=400)
