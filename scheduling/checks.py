"""``manage.py check`` names every category of request with no path to a
deputy mayor and a director, and every owning department without a head
(the same list the admin's organisation pages show)."""

from django.core import checks
from django.db import DatabaseError


def organisation_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from scheduling.organisation import organisation_problems

    try:
        problems = organisation_problems()
    except DatabaseError:
        # Not migrated yet (the check runs before ``migrate`` too): nothing to say.
        return []
    return [
        checks.Warning(
            problem,
            hint="Fix it in the admin (bureaus, departments, officials, category owners) "
            "or with manage.py import_organisation.",
            id="tongtong.W001",
        )
        for problem in problems
    ]
