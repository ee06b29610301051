"""``manage.py import_organisation FILE.csv [--dry-run]``: create or update
the org chart (bureaus, departments, officials, portfolios, category owners)
from one CSV file. See ``docs/organisation-import.md`` and
``docs/examples/organisation.csv`` for the format; the rules are in
``scheduling.organisation_import``.
"""

from django.utils.translation import gettext as _

from scheduling.management.csv_command import CsvImportCommand
from scheduling.organisation_import import organisation_csv_parse, organisation_import


class Command(CsvImportCommand):
    @property
    def help(self):  # translated when shown (argparse needs a str, not a lazy string)
        return _(
            "Create or update the organisation from a CSV file (UTF-8 or CP949), one row per bureau (실국), "
            "department (부서), official (공무원) or category owner (소관분야); see docs/organisation-import.md. "
            "Rows are matched by code, title or category; nothing is deleted. If any row is wrong, every problem "
            "is listed and nothing is changed."
        )

    def handle(self, *args, file, dry_run=False, **options):
        result = self.run_import(
            file, lambda data: organisation_import(table=organisation_csv_parse(data=data), dry_run=dry_run)
        )

        if result.dry_run:
            self.stdout.write(_("Dry run, nothing was written. The file is valid; importing it would give:"))
        else:
            self.stdout.write(self.style.SUCCESS(_("Organisation imported:")))
        for label, counts in (
            (_("bureaus"), result.bureaus),
            (_("departments"), result.departments),
            (_("officials"), result.officials),
            (_("category owners"), result.category_owners),
        ):
            self.stdout.write(
                "  "
                + _("%(kind)s: created %(created)d, updated %(updated)d, unchanged %(unchanged)d")
                % {"kind": label, "created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged}
            )
        if not result.problems:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Every category has an owning department with a head, a director and a deputy mayor.")
                )
            )
            return
        self.stdout.write(
            self.style.WARNING(
                _("Still missing in the organisation (manage.py check lists the same until it is fixed):")
            )
        )
        for problem in result.problems:
            self.stdout.write(self.style.WARNING(f"  - {problem}"))
