"""One error class for everything a user can cause.

Services raise ``TongtongError`` (or a subclass) with a translated message;
views and commands show ``str(error)`` and never hold rules themselves
(pretix's ``OrderError`` pattern).
"""


class TongtongError(Exception):
    def __init__(self, message, *, errors=None):
        super().__init__(message)
        self.message = message
        #: Several messages at once, e.g. one per bad line of an import.
        self.errors = list(errors or [])

    def __str__(self):
        return str(self.message)
