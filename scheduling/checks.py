"""``manage.py check`` names every category of request with no path to a
deputy mayor and a director, and every owning department without a head
(the same list the admin's organisation pages show); and refuses a proxy
set-up that would believe forwarded headers from anyone."""

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


TRUSTED_PROXY_MIDDLEWARE = "scheduling.client_ip.TrustedProxyMiddleware"


def proxy_trust_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """X-Forwarded-Proto must go through ``TrustedProxyMiddleware`` (before
    ``SecurityMiddleware``), never through Django's ``SECURE_PROXY_SSL_HEADER``,
    which believes any sender (docs/deployment.md, "Which proxies are trusted")."""
    from django.conf import settings

    errors = []
    if settings.SECURE_PROXY_SSL_HEADER:
        errors.append(
            checks.Error(
                "SECURE_PROXY_SSL_HEADER believes X-Forwarded-Proto from any sender.",
                hint="Leave it unset: TrustedProxyMiddleware honours the header from TRUSTED_PROXIES only.",
                id="tongtong.E002",
            )
        )
    middleware = list(settings.MIDDLEWARE)
    security = "django.middleware.security.SecurityMiddleware"
    if TRUSTED_PROXY_MIDDLEWARE not in middleware or (
        security in middleware and middleware.index(TRUSTED_PROXY_MIDDLEWARE) > middleware.index(security)
    ):
        errors.append(
            checks.Error(
                f"{TRUSTED_PROXY_MIDDLEWARE} must be in MIDDLEWARE, before {security}.",
                hint="Without it no request behind the proxy is HTTPS; after it the HTTPS redirect comes first.",
                id="tongtong.E003",
            )
        )
    return errors
