"""Reports: periods, building a report from the registered sources, the
secretariat's recommendations, and the monthly e-mail.

The figures themselves come from the apps' report sources
(``scheduling.reports.core``); this module only parses periods, assembles the
sources' sections into one ``Report`` and sends it. Rendering (charts, PDF,
CSV, XLSX) is in ``scheduling/reports/outputs.py``.

The monthly e-mail goes out once per month even when two beat schedulers
were started by mistake: the sender first inserts a ``ReportRun`` row, whose
unique (kind, period) lets only one process through; the other gets an
``IntegrityError`` and stops. A sending that failed (the mail server was
down) is marked failed, and only a failed one may be claimed again, at most
``MONTHLY_EMAIL_MAX_ATTEMPTS`` times in all.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from scheduling import roles
from scheduling.errors import TongtongError
from scheduling.models import ReportNote, ReportRun
from scheduling.people import label_related
from scheduling.reports.core import Period, Report, report_sources

logger = logging.getLogger(__name__)

MONTHLY = "monthly"
HALF_YEAR = "half_year"
PLAN = "plan"
KINDS = (MONTHLY, HALF_YEAR, PLAN)

#: The ``ReportRun.kind`` of the monthly e-mail.
MONTHLY_EMAIL = "monthly_email"
#: How many times in all the monthly e-mail may be tried (the first sending
#: and the retries of a failed one).
MONTHLY_EMAIL_MAX_ATTEMPTS = 3
#: The longest recommendations text kept.
NOTE_MAX_LENGTH = 10_000

#: Years a report may cover; anything else in a URL or a command is a typo.
FIRST_YEAR = 2000
LAST_YEAR = 2100

# [0-9], not \d: \d also matches non-ASCII digits such as '٢' (issue 14).
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_HALF = re.compile(r"^([0-9]{4})-H([12])$")
_YEAR = re.compile(r"^([0-9]{4})$")


def _year(text: str) -> int:
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise TongtongError(
            _("Reports cover the years %(first)d to %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return year


def period_month(key: str) -> Period:
    """``"2026-10"`` → October 2026 (labelled "2026년 10월")."""
    match = _MONTH.match(str(key or "").strip())
    if not match:
        raise TongtongError(_("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-10.") % {"value": key})
    year, month = _year(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise TongtongError(_("“%(value)s” is not a month: the month is 01 to 12.") % {"value": key})
    start = dt.date(year, month, 1)
    end = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    label = formats.date_format(start, "YEAR_MONTH_FORMAT")
    return Period(start=start, end=end, label=label, key=f"{year:04d}-{month:02d}")


def period_half_year(key: str) -> Period:
    """``"2026-H1"`` → January to June 2026 (labelled "2026년 상반기")."""
    match = _HALF.match(str(key or "").strip().upper())
    if not match:
        raise TongtongError(
            _("“%(value)s” is not a half-year: write it as YYYY-H1 or YYYY-H2, e.g. 2026-H1.") % {"value": key}
        )
    year, half = _year(match[1]), int(match[2])
    if half == 1:
        start, end = dt.date(year, 1, 1), dt.date(year, 7, 1)
        label = _("First half of %(year)d") % {"year": year}
    else:
        start, end = dt.date(year, 7, 1), dt.date(year + 1, 1, 1)
        label = _("Second half of %(year)d") % {"year": year}
    return Period(start=start, end=end, label=label, key=f"{year:04d}-H{half}")


def period_year(key: str) -> Period:
    """``"2026"`` → the year 2026 (labelled "2026년")."""
    match = _YEAR.match(str(key or "").strip())
    if not match:
        raise TongtongError(_("“%(value)s” is not a year: write it as YYYY, e.g. 2026.") % {"value": key})
    year = _year(match[1])
    return Period(
        start=dt.date(year, 1, 1),
        end=dt.date(year + 1, 1, 1),
        label=_("Year %(year)d") % {"year": year},
        key=f"{year:04d}",
    )


PERIOD_PARSERS = {MONTHLY: period_month, HALF_YEAR: period_half_year, PLAN: period_year}


def period_for(kind: str, key: str) -> Period:
    """The period of a report of ``kind`` named by ``key``."""
    if kind not in PERIOD_PARSERS:
        raise TongtongError(_("There is no such kind of report."))
    return PERIOD_PARSERS[kind](key)


def month_containing(day: dt.date) -> Period:
    return period_month(f"{day.year:04d}-{day.month:02d}")


def last_month(today: dt.date | None = None) -> Period:
    """The month before ``today`` (Seoul time): the monthly report's month."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return month_containing(first - dt.timedelta(days=1))


def recent_months(count: int = 12, *, today: dt.date | None = None) -> list[Period]:
    """The ``count`` months before this one, newest first."""
    months = [last_month(today)]
    while len(months) < count:
        months.append(last_month(months[-1].start))
    return months


def half_year_containing(day: dt.date) -> Period:
    return period_half_year(f"{day.year:04d}-H{1 if day.month <= 6 else 2}")


def report_title(kind: str, period: Period) -> str:
    if kind == MONTHLY:
        return _("Monthly report, %(period)s") % {"period": period.label}
    if kind == HALF_YEAR:
        return _("Half-yearly analysis, %(period)s") % {"period": period.label}
    return _("Plan against actual, %(period)s") % {"period": period.label}


def report_build(kind: str, period: Period) -> Report:
    """One report: every registered source's sections for ``kind``, in the
    sources' order, with the title, the time it was made and (half-years)
    the secretariat's recommendations."""
    if kind not in KINDS:
        raise TongtongError(_("There is no such kind of report."))
    sections = []
    for source in report_sources():
        build = getattr(source, kind)
        if build is not None:
            sections.extend(build(period))
    recommendations = ""
    if kind == HALF_YEAR:
        recommendations = ReportNote.objects.filter(period_key=period.key).values_list("text", flat=True).first() or ""
    return Report(
        kind=kind,
        period=period,
        title=report_title(kind, period),
        sections=sections,
        recommendations=recommendations,
        generated_at=timezone.now(),
    )


def report_note_get(*, period_key: str) -> ReportNote | None:
    return ReportNote.objects.filter(period_key=period_key).select_related(*label_related("updated_by")).first()


@transaction.atomic
def report_note_save(*, period_key: str, text: str, actor) -> ReportNote:
    """Save the secretariat's recommendations for a half-year."""
    period = period_half_year(period_key)
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise TongtongError(
            _("The recommendations may be at most %(limit)d characters long.") % {"limit": NOTE_MAX_LENGTH}
        )
    if not (actor and actor.has_perm("scheduling.change_reportnote")):
        raise TongtongError(_("Only the secretariat may write the recommendations."))
    note, _created = ReportNote.objects.select_for_update().get_or_create(period_key=period.key)
    note.text = text
    note.updated_by = actor
    note.full_clean()
    note.save()
    return note


# --- The monthly e-mail -----------------------------------------------------------


def report_recipients() -> list[str]:
    """Who gets the monthly report: the secretariat's active members with an
    e-mail address, and the addresses in ``REPORT_RECIPIENTS``."""
    users = get_user_model().objects.filter(is_active=True, groups__name=roles.SECRETARIAT).exclude(email="")
    found = [*users.order_by("pk").values_list("email", flat=True), *getattr(settings, "REPORT_RECIPIENTS", [])]
    addresses: dict[str, str] = {}
    for address in found:
        address = (address or "").strip()
        if address:
            addresses.setdefault(address.lower(), address)  # one copy each, whatever the case
    return sorted(addresses.values(), key=str.lower)


def _claim(period: Period) -> ReportRun | None:
    """Claim the sending of ``period``'s e-mail, or None if another process
    has it (or it was sent, or it failed too often)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            return ReportRun.objects.create(
                kind=MONTHLY_EMAIL, period_key=period.key, status=ReportRun.Status.SENDING, claimed_at=now
            )
    except IntegrityError:
        pass
    retried = ReportRun.objects.filter(
        kind=MONTHLY_EMAIL,
        period_key=period.key,
        status=ReportRun.Status.FAILED,
        attempts__lt=MONTHLY_EMAIL_MAX_ATTEMPTS,
    ).update(status=ReportRun.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not retried:
        return None
    return ReportRun.objects.get(kind=MONTHLY_EMAIL, period_key=period.key)


def _summary_lines(report: Report) -> list[str]:
    from scheduling.reports.outputs import figure_text

    lines = []
    for section in report.sections:
        for figure in section.figures:
            lines.append(f"- {section.title} · {figure.label}: {figure_text(figure)}")
    return lines


def monthly_report_send(*, month: Period | str) -> ReportRun | None:
    """Build ``month``'s report as a PDF and e-mail it to the secretariat,
    once. Returns the run (sent or failed), or None when another process has
    already claimed it. Runs in the site's language (Korean)."""
    with translation.override(settings.LANGUAGE_CODE):
        period = month if isinstance(month, Period) else period_month(month)
        run = _claim(period)
        if run is None:
            logger.info("monthly report %s: already sent or being sent elsewhere", period.key)
            return None
        try:
            recipients = report_recipients()
            if not recipients:
                raise TongtongError(
                    _("Nobody to send the report to: no active secretariat member has an e-mail address.")
                )
            _send(period, recipients)
        except Exception as error:
            logger.exception("monthly report %s: sending failed (attempt %d)", period.key, run.attempts)
            ReportRun.objects.filter(pk=run.pk).update(
                status=ReportRun.Status.FAILED, last_error=str(error)[:500] or error.__class__.__name__
            )
        else:
            ReportRun.objects.filter(pk=run.pk).update(
                status=ReportRun.Status.SENT, sent_at=timezone.now(), recipients=", ".join(recipients), last_error=""
            )
        run.refresh_from_db()
        return run


def _send(period: Period, recipients: list[str]) -> None:
    from scheduling.reports.outputs import report_filename, report_pdf

    report = report_build(MONTHLY, period)
    pdf = report_pdf(report)
    lines = [
        _("Hello. Attached is the monthly report of TongTong Day and the neighborhood visits for %(period)s.")
        % {"period": period.label},
        "",
        *_summary_lines(report),
        "",
        _("The tables as CSV or XLSX, and earlier reports, are in the staff area: %(url)s")
        % {"url": f"{settings.SITE_URL}/staff/reports/"},
    ]
    message = EmailMessage(
        subject=f"[{settings.CITY_NAME}] {report.title}",
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach(report_filename(report, "pdf"), pdf, "application/pdf")
    message.send(fail_silently=False)
