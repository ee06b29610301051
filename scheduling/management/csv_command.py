"""What the CSV import commands share: the file, the dry-run flag, and a
``TongtongError`` turned into one line per problem on stderr and a failed
command (``import_neighborhoods``, ``import_organisation``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from scheduling.errors import TongtongError


class CsvImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The CSV file to import."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the file and show what would change, without writing anything."),
        )

    def run_import(self, file: str, run: Callable[[bytes], object]):
        """``run(data)`` with the file's bytes; its problems reported, or its result returned."""
        path = Path(file)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CommandError(_("The file “%(path)s” does not exist.") % {"path": path}) from None
        except OSError as error:
            raise CommandError(
                _("The file “%(path)s” could not be read: %(error)s") % {"path": path, "error": error.strerror}
            ) from None
        try:
            return run(data)
        except TongtongError as error:
            for message in error.errors:
                self.stderr.write(message)
            raise CommandError(str(error)) from None
