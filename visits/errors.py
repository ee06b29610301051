"""Errors a staff member can cause about field visits; views and commands
show ``str(error)``."""

from scheduling.errors import TongtongError


class VisitError(TongtongError):
    """Anything about the rotation or a visit that a user can get wrong."""


class VisitConflict(VisitError):
    """A visit cannot go where it was asked to: the message names the conflict."""
