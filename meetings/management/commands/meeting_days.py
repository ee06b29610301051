"""``manage.py meeting_days --year 2026 [--format table|json]``: the year's
TongTong Days (통통데이) with their status, reason and bookings.

Thin: ``meetings.services.series.meeting_days_sync`` makes sure every day of
the year exists (new ones get the holiday policy: moved or cancelled, with
the reason citizens see); this command only prints them.
"""

import datetime as dt
import json
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from meetings.errors import MeetingError
from meetings.models import MeetingDay
from meetings.services.series import meeting_days_sync
from scheduling.dates import korean_date

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Hangul is two wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _with_bookings(days: list[MeetingDay]) -> list[MeetingDay]:
    """The days again, each with ``bookings`` (active appointments) and
    ``slot_count``, in two queries whatever the number of days."""
    counted = MeetingDay.objects.filter(pk__in=[d.pk for d in days]).annotate(
        bookings=Count("slots__appointments", filter=Q(slots__appointments__status="active")),
        slot_count=Count("slots", distinct=True),
    )
    by_pk = {d.pk: d for d in counted}
    return [by_pk[d.pk] for d in days]


class Command(BaseCommand):
    @property
    def help(self):  # translated when shown (argparse needs a str, not a lazy string)
        return _(
            "List the year's meeting days (TongTong Day) with their status (regular, moved, cancelled), "
            "reason and bookings, creating the days that do not exist yet."
        )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help=_("The year (default: this year)."))
        parser.add_argument("--format", choices=("table", "json"), default="table", help=_("table (default) or json."))

    def handle(self, *args, year=None, format="table", **options):
        year = year or timezone.localdate().year
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CommandError(
                _("Give a year between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        try:
            days = meeting_days_sync(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
        except MeetingError as error:
            raise CommandError(str(error)) from error
        days = _with_bookings(days)
        if format == "json":
            self.stdout.write(json.dumps([self._as_dict(day) for day in days], ensure_ascii=False, indent=2))
        else:
            with translation.override(settings.LANGUAGE_CODE):
                self._table(days)

    @staticmethod
    def _as_dict(day: MeetingDay) -> dict:
        start = timezone.localtime(day.start)
        return {
            "original_date": day.original_date.isoformat(),
            "date": start.date().isoformat(),
            "start": start.isoformat(),
            "status": day.status,
            "reason": day.reason,
            "bookings": day.bookings,
            "slots": day.slot_count,
        }

    def _table(self, days: list[MeetingDay]) -> None:
        headers = [
            capfirst(MeetingDay._meta.get_field("original_date").verbose_name),
            capfirst(_("date and time")),
            capfirst(MeetingDay._meta.get_field("status").verbose_name),
            capfirst(_("bookings")),
            capfirst(MeetingDay._meta.get_field("reason").verbose_name),
        ]
        rows = []
        for day in days:
            start = timezone.localtime(day.start)
            when = "—" if day.is_cancelled else f"{korean_date(start.date())} {start:%H:%M}"
            bookings = "—" if day.is_cancelled and not day.slot_count else f"{day.bookings}/{day.slot_count}"
            rows.append([korean_date(day.original_date), when, str(day.get_status_display()), bookings, day.reason])
        widths = [max(_width(str(row[i])) for row in [headers, *rows]) for i in range(len(headers) - 1)]
        for row in [headers, *rows]:
            cells = [_pad(str(cell), width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, str(row[-1])]).rstrip())
        counts = {status: sum(d.status == status for d in days) for status in MeetingDay.Status.values}
        self.stdout.write(
            _("%(count)s meeting days: %(regular)s regular, %(moved)s moved, %(cancelled)s cancelled.")
            % {"count": len(days), **counts}
        )
