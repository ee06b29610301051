"""``manage.py seed_demo``: a believable demo city, with one login per role.

The data is in ``scheduling/demo/data.py``, the work in
``scheduling.demo.seed.demo_city_seed``. Safe to run again: nothing is
duplicated and the demo logins get the printed password back.
"""

import os
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from scheduling.demo import data as demo_data
from scheduling.demo.data import DEFAULT_PASSWORD
from scheduling.demo.seed import DemoSeedResult, demo_city_seed
from scheduling.errors import TongtongError
from scheduling.models import Neighborhood


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Hangul is two wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    @property
    def help(self):  # translated when shown (argparse needs a str, not a lazy string)
        return _(
            "Fill the database with a demo city: 39 neighborhoods, departments, the mayor, deputy mayors and "
            "directors, city closures, one login per staff role, and a year lived through: an accepted two-year "
            "rotation with its past visits held and published, meeting requests in every state, figures for "
            "every report. Safe to run again. Refuses to run when DEBUG is off unless --force."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=_(
                "Password of every demo login (default: the DEMO_PASSWORD environment variable, else “{password}”)."
            ).format(password=DEFAULT_PASSWORD),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Do nothing when the database already holds neighborhoods."),
        )
        parser.add_argument(
            "--no-history",
            action="store_true",
            help=_("Only the organisation and the logins: no rotation, meeting requests or figures."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Run even when DEBUG is off (on a test server only: the demo passwords are public)."),
        )

    def handle(self, *args, password=None, if_empty=False, force=False, no_history=False, **options):
        if if_empty and Neighborhood.objects.exists():
            self.stdout.write(_("Skipped: the database already holds neighborhoods, so no demo data was added."))
            self._remind_logins()
            return
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "Refused: DEBUG is off, so this looks like a production server. The demo creates "
                    "logins (admin included) whose password is printed and published, which must never "
                    "exist in production. On a test server, run again with --force."
                )
            )
        if password is None:
            password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        try:
            result = demo_city_seed(password=password, history=not no_history)
        except TongtongError as error:
            raise CommandError(str(error)) from None
        self._report(result)

    def _report(self, result: DemoSeedResult) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS(_("The demo city is ready.")))
        out.write("")
        header = (_("Username"), _("Role"), _("Password"))
        rows = [(login.username, login.role, login.password) for login in result.logins]
        widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(3)]
        for row in [header, *rows]:
            out.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        out.write("")
        try:
            out.write(
                _("Staff login: %(staff)s   Administration: %(admin)s")
                % {"staff": reverse("staff:login"), "admin": reverse("admin:index")}
            )
        except NoReverseMatch:
            pass
        if not settings.DEBUG:
            out.write(
                self.style.WARNING(_("DEBUG is off: delete these logins or change their passwords after the test."))
            )
        out.write(
            _(
                "Summary: %(neighborhoods)d neighborhoods, %(bureaus)d bureaus, %(departments)d departments, "
                "%(officials)d officials, "
                "%(closures)d city closures, %(users)d users, %(calendars)d calendars "
                "(%(created)d created by this run)."
            )
            % {**result.totals, "created": result.created_total}
        )

    def _remind_logins(self):
        """On a later start, remind of the demo logins that exist (their
        password is whatever the first run printed)."""
        from django.contrib.auth import get_user_model

        names = [spec.username for spec in demo_data.USERS]
        present = list(
            get_user_model().objects.filter(username__in=names, is_active=True).values_list("username", flat=True)
        )
        if present:
            self.stdout.write(
                _("Demo logins: %(users)s (password as printed on the first run; default %(password)s)")
                % {"users": ", ".join(sorted(present)), "password": DEFAULT_PASSWORD}
            )
