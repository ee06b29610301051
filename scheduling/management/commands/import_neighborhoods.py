"""``manage.py import_neighborhoods FILE.csv [--dry-run]``: create or update
the neighborhoods (동) from a CSV file, by code. See
``docs/examples/neighborhoods.csv`` for the format; the rules are in
``scheduling.services.neighborhoods_import``.
"""

from django.utils.translation import gettext as _

from scheduling.management.csv_command import CsvImportCommand
from scheduling.services import neighborhood_csv_parse, neighborhoods_import


class Command(CsvImportCommand):
    @property
    def help(self):  # translated when shown (argparse needs a str, not a lazy string)
        return _(
            "Create or update neighborhoods from a CSV file (UTF-8 or CP949) with the columns "
            "code, name, current_issue, natural_village, outlying, population "
            "(or 코드, 동명, 현안지역, 자연부락, 외곽지역, 인구). Rows are matched by code; nothing is deleted. "
            "If any row is wrong, every problem is listed and nothing is changed."
        )

    def handle(self, *args, file, dry_run=False, **options):
        result = self.run_import(
            file, lambda data: neighborhoods_import(rows=neighborhood_csv_parse(data=data), dry_run=dry_run)
        )
        values = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
        if result.dry_run:
            self.stdout.write(
                _(
                    "Dry run, nothing was written. The file is valid; importing it would give: "
                    "created %(created)d, updated %(updated)d, unchanged %(unchanged)d."
                )
                % values
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Neighborhoods imported: created %(created)d, updated %(updated)d, unchanged %(unchanged)d.")
                    % values
                )
            )
