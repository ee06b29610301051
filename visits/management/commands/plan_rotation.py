"""``manage.py plan_rotation --start YYYY-MM-DD [--years 2] [--end YYYY-MM-DD]
[--official-id N] [--dry-run] [--format json|table]``: plan every
neighborhood once and, unless ``--dry-run``, save the plan (idempotently).

Thin: ``visits.rotation.services.rotation_plan`` does the work; this command parses
the arguments and prints the plan.
"""

import datetime as dt
import json
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from scheduling.errors import TongtongError
from scheduling.models import Official
from visits.models import FieldVisit
from visits.rotation.services import SEOUL, korean_date, rotation_plan


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Hangul is two wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(_("Give a date as YYYY-MM-DD, not %(value)s.") % {"value": value}) from error


class Command(BaseCommand):
    @property
    def help(self):  # translated when shown (argparse needs a str, not a lazy string)
        return _("Plan the field-visit rotation: every neighborhood once in the window, saved unless --dry-run.")

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help=_("First day of the window (YYYY-MM-DD)."))
        parser.add_argument("--years", type=int, default=2, help=_("Length of the window in years (default 2)."))
        parser.add_argument("--end", help=_("Last day of the window (YYYY-MM-DD), instead of --years."))
        parser.add_argument("--official-id", type=int, help=_("The visiting official (default: the active mayor)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Print the plan without saving it."))
        parser.add_argument("--format", choices=("table", "json"), default="table", help=_("table (default) or json."))

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            start = _date(options["start"])
            end = _date(options["end"]) if options.get("end") else None
            official = self._official(options.get("official_id"))
            try:
                cycle, planned = rotation_plan(
                    official=official,
                    start=start,
                    years=options["years"],
                    end=end,
                    dry_run=options["dry_run"],
                )
            except TongtongError as error:
                raise CommandError(str(error)) from error
            if options["format"] == "json":
                self.stdout.write(json.dumps([self._as_dict(p) for p in planned], ensure_ascii=False, indent=2))
            else:
                self._table(planned)
            if cycle is None:
                summary = _("Dry run: %(count)s visits planned, nothing saved.") % {"count": len(planned)}
            else:
                summary = _("Saved the rotation %(name)s: %(count)s visits.") % {
                    "name": cycle.name,
                    "count": cycle.visits.count(),
                }
            # JSON on stdout stays parseable: the summary goes to stderr.
            self.stderr.write(summary, style_func=lambda text: text)

    @staticmethod
    def _official(official_id: int | None) -> Official:
        if official_id is not None:
            official = Official.objects.filter(pk=official_id).first()
            if official is None:
                raise CommandError(_("There is no official with id %(id)s.") % {"id": official_id})
            return official
        official = Official.objects.filter(rank=Official.Rank.MAYOR, is_active=True).first()
        if official is None:
            raise CommandError(_("There is no active mayor. Give --official-id or add the mayor first."))
        return official

    @staticmethod
    def _as_dict(item) -> dict:
        start = item.start.replace(tzinfo=SEOUL)
        return {
            "neighborhood": item.neighborhood,
            "name": item.name,
            "date": item.date.isoformat(),
            "start": start.isoformat(),
            "end": item.end.replace(tzinfo=SEOUL).isoformat(),
            "priority": item.priority,
            "reason": item.reason,
        }

    def _table(self, planned) -> None:
        headers = [
            capfirst(_("code")),
            capfirst(_("neighborhood")),
            capfirst(_("date and time")),
            capfirst(FieldVisit._meta.get_field("is_priority").verbose_name),
            capfirst(FieldVisit._meta.get_field("plan_reason").verbose_name),
        ]
        rows = [
            [
                item.neighborhood,
                item.name,
                f"{korean_date(item.date)} {item.start:%H:%M}",
                "●" if item.priority else "",
                item.reason,
            ]
            for item in planned
        ]
        widths = [max(_width(str(row[i])) for row in [headers, *rows]) for i in range(len(headers) - 1)]
        for row in [headers, *rows]:
            cells = [_pad(str(cell), width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, str(row[-1])]).rstrip())
