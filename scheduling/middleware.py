"""Request checks that belong before any view (issue 14, point 2)."""

from __future__ import annotations

from scheduling.params import BadParameter


def refuse_nul_bytes(get_response):
    """A NUL byte anywhere in the path or the query answers 400: no view
    ever passes one to the database (PostgreSQL refuses it in a string and
    would answer 500). Form fields refuse it in POSTed text already
    (Django's ``ProhibitNullCharactersValidator``)."""

    def middleware(request):
        query = request.GET
        if (
            "\x00" in request.path
            or "\x00" in request.path_info
            or any("\x00" in key or any("\x00" in value for value in query.getlist(key)) for key in query)
        ):
            raise BadParameter("NUL byte in the request")
        return get_response(request)

    return middleware
