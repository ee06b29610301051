"""``manage.py import_epeople FILE.csv [--dry-run] [--user NAME]``: import
국민신문고 petitions from a CSV file. The columns are in docs/petitions.md;
the rules in ``petitions.intake.epeople.epeople_import``."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from petitions.intake.epeople import epeople_import
from scheduling.management.csv_command import CsvImportCommand


class Command(CsvImportCommand):
    @property
    def help(self):  # translated when shown (argparse needs a str, not a lazy string)
        return _(
            "Import 국민신문고 petitions from a CSV file (UTF-8 or CP949/EUC-KR) with the columns "
            "신청번호, 신청일, 처리기한, 제목, 내용, 신청인, 휴대전화, 이메일, 분야, 동. "
            "A petition whose number is registered already is skipped. "
            "If any row is wrong, every problem is listed and nothing is imported."
        )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--user", help=_("The staff member recorded as having entered the petitions."))

    def handle(self, *args, file, dry_run=False, user=None, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("There is no user “%(user)s”.") % {"user": user})
        result = self.run_import(file, lambda data: epeople_import(data=data, actor=actor, dry_run=dry_run))
        values = {"created": len(result.created), "skipped": len(result.skipped)}
        if dry_run:
            self.stdout.write(
                _(
                    "Dry run, nothing was written. The file is valid; importing it would give: "
                    "%(created)d new petitions, %(skipped)d already registered."
                )
                % values
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("국민신문고 petitions imported: %(created)d new, %(skipped)d already registered (skipped).")
                    % values
                )
            )
