"""``manage.py monthly_report --month YYYY-MM --output FILE.pdf``: one
month's report as a file (PDF, XLSX, or a ZIP of CSV files, by
``--format`` or the file's extension). Without ``--month``, last month.

It only writes the file; the e-mail to the secretariat is the celery task
``scheduling.send_monthly_report`` (docs/reports.md).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from scheduling.errors import TongtongError
from scheduling.reports import outputs, services

FORMATS = {"pdf": outputs.report_pdf, "xlsx": outputs.report_xlsx, "csv": outputs.report_csv}
EXTENSIONS = {".pdf": "pdf", ".xlsx": "xlsx", ".csv": "csv", ".zip": "csv"}


class Command(BaseCommand):
    @property
    def help(self):  # translated when shown (argparse needs a str, not a lazy string)
        return _(
            "Write one month's report to a file: PDF, XLSX, or CSV (a ZIP of one CSV file per table). "
            "The format is taken from --format or from the file's extension."
        )

    def add_arguments(self, parser):
        parser.add_argument("--month", help=_("The month, as YYYY-MM (default: last month)."))
        parser.add_argument("--output", required=True, help=_("The file to write, e.g. report-2026-10.pdf."))
        parser.add_argument("--format", choices=sorted(FORMATS), help=_("pdf, xlsx or csv (default: by extension)."))

    def handle(self, *args, month=None, output, format=None, **options):
        try:
            period = services.period_month(month) if month else services.last_month()
        except TongtongError as error:
            raise CommandError(str(error)) from None
        path = Path(output)
        kind = format or EXTENSIONS.get(path.suffix.lower())
        if kind is None:
            raise CommandError(
                _("Cannot tell the format from “%(name)s”: use --format pdf, xlsx or csv.") % {"name": path.name}
            )
        report = services.report_build(services.MONTHLY, period)
        data = FORMATS[kind](report)
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("The file “%(path)s” could not be written: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        figures = sum(len(section.figures) for section in report.sections)
        self.stdout.write(
            _("%(title)s: %(sections)d sections, %(figures)d figures, %(tables)d tables → %(path)s (%(size)s KB)")
            % {
                "title": report.title,
                "sections": len(report.sections),
                "figures": figures,
                "tables": len(report.tables()),
                "path": path,
                "size": f"{len(data) / 1024:,.0f}",
            }
        )
        for section in report.sections:
            for figure in section.figures:
                self.stdout.write(f"  {section.title} · {figure.label}: {outputs.figure_text(figure)}")
