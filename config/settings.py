"""Tongtong settings, read from the environment.

With no environment at all the app runs on the embedded default: a SQLite
file in the project, celery tasks executed in-process, a local-memory cache,
e-mail and SMS printed to the console. Setting ``DATABASE_URL`` and
``REDIS_URL`` switches to the production parts (PostgreSQL, Redis as broker,
result backend and cache). Every variable is listed in README.md.

Bad values fail loudly at start-up (``ImproperlyConfigured``) rather than
being silently read as a default.
"""

import datetime as dt
import ipaddress
import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from celery.schedules import crontab
from csp import constants as csp_values
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from scheduling.permissions import can_edit_schedule
from scheduling.phones import InvalidPhoneNumber, normalize_mobile

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable; anything but a clear yes/no is an error.

    django-environ reads an unknown word such as "ture" as False; a typo in
    DEBUG or a security switch should stop the start-up instead.
    """
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={value} must be at most {maximum}")
    return value


def env_networks(name: str, default: list[str]) -> list[str]:
    """IP addresses or networks (``10.0.0.5, 10.0.0.0/24, ::1``), separated
    by commas or spaces; an empty value is an empty list. A typo, a network
    with host bits set (``10.0.0.1/8``) or "everyone" (``0.0.0.0/0``) is
    an error, not a guess."""
    raw = os.environ.get(name)  # not env.str: it reads an empty value as "unset"
    if raw is None:
        return default
    networks = []
    for item in re.split(r"[\s,]+", raw.strip()):
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=True)
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network such as 10.0.0.5 or 10.0.0.0/24 ({error})"
            ) from None
        if network.prefixlen == 0:
            raise ImproperlyConfigured(f"{name}: {item!r} would trust every address")
        networks.append(str(network))
    return networks


def env_text(name: str, default: str) -> str:
    """A text that must not be blank (a name, a title): an empty value is a
    mistake in the environment, not "no name"."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip()
    if not value:
        raise ImproperlyConfigured(f"{name} is empty; give a value or leave the variable unset for the default")
    return value


_PHONE = re.compile(r"^0[0-9]{1,3}-[0-9]{3,4}-[0-9]{4}$|^1[0-9]{3}-[0-9]{4}$")


def env_phone(name: str, default: str) -> str:
    """A Korean telephone number as people dial it: ``031-000-0000``,
    ``02-123-4567``, ``1588-0000``; anything else is an error."""
    value = env_text(name, default)
    if not _PHONE.match(value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a telephone number such as 031-123-4567 or 1588-0000")
    return value


def env_email(name: str, default: str) -> str:
    value = env_text(name, default)
    try:
        validate_email(value)
    except ValidationError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an e-mail address") from None
    return value


def env_date(name: str, default: dt.date) -> dt.date:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a date such as 2026-12-01") from None


# --- Core -----------------------------------------------------------------

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-tongtong-development-key-do-not-use-in-production"  # noqa: S105 (DEBUG only)
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "schedule",
    "simple_history",
    "csp",  # Content-Security-Policy (django-csp); its checks catch old-style CSP_* settings
    "axes",  # staff login lockout (django-axes)
    "django_ratelimit",  # only for its system checks of CACHES
    "scheduling",
    "meetings",
    "visits",
    "petitions",
]

MIDDLEWARE = [
    # First: X-Forwarded-Proto counts from TRUSTED_PROXIES only (before the
    # HTTPS redirect and HSTS of SecurityMiddleware read it).
    "scheduling.client_ip.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every response (policy below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A staff page asked in Chinese or Vietnamese answers in Korean.
    "scheduling.languages.staff_pages_in_staff_languages",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A NUL byte in the path or query answers 400 before any view (issue 14).
    "scheduling.middleware.refuse_nul_bytes",
    # Who changed a row, for its history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

CSRF_FAILURE_VIEW = "scheduling.views.csrf_failure"

# Django's form renderer, with the common widget templates written in Python
# (scheduling/form_renderer.py): the same HTML in a fraction of the time.
FORM_RENDERER = "scheduling.form_renderer.QuickWidgetRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scheduling.context_processors.site",
            ],
            # Filters every page and PDF uses without a {% load %}: |when, |kdate,
            # |won, |masked, |html_datetime (scheduling.templatetags.formatting),
            # {{ user|staff_label }} for people.
            "builtins": ["scheduling.templatetags.formatting", "scheduling.templatetags.people"],
        },
    },
]

# --- Database -------------------------------------------------------------
# Embedded default: a SQLite file beside manage.py. Production: DATABASE_URL,
# e.g. postgres://tongtong:secret@db.example:5432/tongtong

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("DB_CONN_MAX_AGE", 60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite in a multi-threaded dev server: wait for a lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, result backend and cache --------------------------------

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer must not hold a page: the feed
            # cache and the rate limits then fall back (render in full,
            # limit skipped) instead of waiting.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tongtong"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
    # No broker configured: run every task in-process, so the embedded
    # default needs nothing but Python.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

# Rendered parts of pages shared by every visitor (scheduling/fragments.py):
# always local memory in each process, keyed on a digest of what they show.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "tongtong-fragments",
    "OPTIONS": {"MAX_ENTRIES": 200},
}

CELERY_TIMEZONE = "Asia/Seoul"
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is run again
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A dead broker must not hang a web request: fail fast, the outbox retries.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "interval_start": 0,  # without it kombu pauses 2 s before its one retry
    # A task whose worker died is handed to another worker after this long.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
}
# Nothing reads task results except the health check; not storing them keeps
# a dead result backend from holding up .delay() for ~20 s.
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE = {
    # The outbox (every app's): whatever stayed pending (broker down, retry due) is sent.
    "flush-outbox": {"task": "scheduling.flush_outbox", "schedule": 60.0},
    # Tomorrow's reminders; hourly, each appointment reminded once.
    "send-reminders": {"task": "meetings.send_reminders", "schedule": crontab(minute=0, hour="9-20")},
    "expire-waitlist-offers": {"task": "meetings.expire_waitlist_offers", "schedule": 600.0},
    # Department heads whose review opinion is past due, once per review.
    "remind-late-reviews": {
        "task": "meetings.remind_late_reviews",
        "schedule": crontab(minute=30, hour=9, day_of_week="mon-fri"),
    },
    "sync-meeting-days": {"task": "meetings.sync_meeting_days", "schedule": 6 * 3600.0},
    # Suggestions with no update for SUGGESTION_STALE_DAYS, to their departments.
    # Personal data past its retention period (MEETING_RETENTION_YEARS), nightly.
    "purge-personal-data": {"task": "meetings.purge_personal_data", "schedule": crontab(minute=30, hour=3)},
    "purge-suggestion-contacts": {"task": "visits.purge_contacts", "schedule": crontab(minute=45, hour=3)},
    # Petitioners' personal data past PETITION_RETENTION_YEARS after closing (petitions/retention.py).
    "purge-petitions": {"task": "petitions.purge_personal_data", "schedule": crontab(minute=40, hour=3)},
    # Neighborhood news to followers (visits announced, results, suggestions).
    "send-follow-news": {"task": "visits.send_follow_news", "schedule": crontab(minute="*/15")},
    "purge-follows": {"task": "visits.purge_follows", "schedule": crontab(minute=55, hour=3)},
    # Phone verifications (codes, what was typed before the code) after a day.
    "purge-phone-verifications": {
        "task": "scheduling.purge_phone_verifications",
        "schedule": crontab(minute=50, hour=3),
    },
    "remind-overdue-suggestions": {
        "task": "visits.remind_overdue_suggestions",
        "schedule": crontab(minute=0, hour=9, day_of_week="mon"),
    },
    # The mayor's overdue instructions, one e-mail each a day to the department (petitions/instructions/).
    "remind-overdue-instructions": {
        "task": "petitions.remind_overdue_instructions",
        "schedule": crontab(minute=10, hour=9),
    },
    # Last month's report as a PDF to the secretariat, on the 1st at 08:00
    # Seoul time (CELERY_TIMEZONE); sent once even with two beats running.
    "send-monthly-report": {
        "task": "scheduling.send_monthly_report",
        "schedule": crontab(minute=0, hour=8, day_of_month=1),
    },
    # Private feed addresses expiring within FEED_TOKEN_NOTICE_DAYS: one
    # e-mail per address to its owner, daily (a second run sends nothing).
    "notify-expiring-feed-tokens": {
        "task": "scheduling.notify_expiring_feed_tokens",
        "schedule": crontab(minute=15, hour=9),
    },
    # The petition office's satisfaction survey: daily at 10:00, it starts
    # the round of the half-year just ended in a SURVEY_MONTHS month, once.
    "start-petition-survey": {"task": "petitions.start_survey_round", "schedule": crontab(minute=0, hour=10)},
}

# --- E-mail and SMS -------------------------------------------------------
# EMAIL_URL follows django-environ: consolemail://, smtp://user:pw@host:587,
# smtp+tls://..., filemail:///path, memorymail://

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)  # a hanging SMTP server must not hold a worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="통통데이 <tongtong@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

#: Who gets the monthly report besides the secretariat's members with an
#: e-mail address: comma-separated addresses (e.g. the mayor's office).
REPORT_RECIPIENTS = [address.strip() for address in env.list("REPORT_RECIPIENTS", default=[]) if address.strip()]
for _address in REPORT_RECIPIENTS:
    try:
        validate_email(_address)
    except ValidationError:
        raise ImproperlyConfigured(f"REPORT_RECIPIENTS: {_address!r} is not an e-mail address") from None

# SMS_BACKEND: "console" (default), "file" (one file per message in
# SMS_FILE_PATH), "locmem" (tests), or the dotted path of a class that
# implements scheduling.sms.BaseSMSBackend for the city's real gateway.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms"))
SMS_SENDER = env.str("SMS_SENDER", default="0310000000")

# --- KakaoTalk 알림톡 and SMS/LMS through SOLAPI (SMS_BACKEND=solapi) -----------
# docs/notifications.md, "The provider". The API key and secret come from
# SOLAPI's console (API Key 관리); the channel's pfId from 카카오 채널 연동;
# the webhook secret is the one entered for the delivery-report webhook.
SOLAPI_API_KEY = os.environ.get("SOLAPI_API_KEY", "").strip()
SOLAPI_API_SECRET = os.environ.get("SOLAPI_API_SECRET", "").strip()
#: The KakaoTalk channel (발신 프로필) the 알림톡 templates are registered on;
#: empty: every message goes as SMS/LMS.
SOLAPI_KAKAO_PFID = os.environ.get("SOLAPI_KAKAO_PFID", "").strip()
SOLAPI_BASE_URL = env.str("SOLAPI_BASE_URL", default="https://api.solapi.com").rstrip("/")
#: The secret SOLAPI sends with each delivery report (X-Solapi-Secret);
#: empty: the report webhook answers 404.
SOLAPI_WEBHOOK_SECRET = os.environ.get("SOLAPI_WEBHOOK_SECRET", "").strip()
#: The key of the HMAC-SHA256 signature of the mayor's SMS phone's inbound
#: webhook (X-Tongtong-Signature: hex of the raw body; docs/petitions.md);
#: empty: POST /hooks/solapi/inbound/ answers 404.
SOLAPI_INBOUND_SECRET = os.environ.get("SOLAPI_INBOUND_SECRET", "").strip()
if SOLAPI_INBOUND_SECRET and len(SOLAPI_INBOUND_SECRET) < 16:
    raise ImproperlyConfigured("SOLAPI_INBOUND_SECRET must be at least 16 characters (or unset)")
if not re.match(r"^https://[^/\s]+$|^http://(127\.0\.0\.1|localhost)(:[0-9]+)?$", SOLAPI_BASE_URL):
    raise ImproperlyConfigured(
        f"SOLAPI_BASE_URL={SOLAPI_BASE_URL!r} must be https://host (plain http only for 127.0.0.1 in tests)"
    )
if SOLAPI_WEBHOOK_SECRET and len(SOLAPI_WEBHOOK_SECRET) < 16:
    raise ImproperlyConfigured("SOLAPI_WEBHOOK_SECRET must be at least 16 characters (or unset)")
if SMS_BACKEND == "solapi":
    for _name in ("SOLAPI_API_KEY", "SOLAPI_API_SECRET"):
        if not globals()[_name]:
            raise ImproperlyConfigured(f"SMS_BACKEND=solapi needs {_name}")
    if not re.match(r"^[0-9]{8,11}$", SMS_SENDER.replace("-", "")):
        raise ImproperlyConfigured(
            f"SMS_SENDER={SMS_SENDER!r} is not a registered sender number such as 031-000-0000 (SMS_BACKEND=solapi)"
        )
    if SOLAPI_KAKAO_PFID and not re.match(r"^[A-Za-z0-9_-]{8,64}$", SOLAPI_KAKAO_PFID):
        raise ImproperlyConfigured(f"SOLAPI_KAKAO_PFID={SOLAPI_KAKAO_PFID!r} is not a SOLAPI channel id (pfId)")


def env_price(name: str, default: str) -> Decimal:
    """A price per message in won (원), e.g. 8 or 8.4."""
    raw = os.environ.get(name, default).strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a price in won such as 8 or 8.4") from None
    if not value.is_finite() or value < 0 or value > 10_000:
        raise ImproperlyConfigured(f"{name}={raw!r} must be between 0 and 10000 won")
    return value


#: What one message costs, in won, for the monthly report (docs/notifications.md,
#: "Costs"): the defaults are round list prices of Korean bulk-message
#: providers for a small account; set the contract's prices.
MESSAGE_PRICE_ALIMTALK = env_price("MESSAGE_PRICE_ALIMTALK", "8")
MESSAGE_PRICE_SMS = env_price("MESSAGE_PRICE_SMS", "20")
MESSAGE_PRICE_LMS = env_price("MESSAGE_PRICE_LMS", "50")
MESSAGE_PRICE_EMAIL = env_price("MESSAGE_PRICE_EMAIL", "0")

# --- Auth -----------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
#: django-axes first: it refuses a locked-out login before any password is
#: checked; the model backend then does the checking.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Staff login lockout (django-axes), on the staff login and the admin login
# alike. Counted per (user name, client address) pair: by user name alone,
# anyone could lock the secretariat out by typing a wrong password for it; by
# address alone, one mistyping colleague behind the city hall's NAT would
# lock out the whole office. The address is scheduling.client_ip's, the same
# one the public rate limits count. docs/deployment.md "Security settings".
#: Failed attempts before the pair is locked out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
#: Minutes the lockout lasts after the last failed attempt (an attempt while
#: locked out starts the wait again).
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "scheduling.client_ip.client_ip"
AXES_LOCKOUT_TEMPLATE = "scheduling/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
#: A successful login clears the pair's earlier failures.
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
#: No start-up banner on every manage.py command; failures are still logged.
AXES_VERBOSE = False

LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "home"

# --- Language and time ------------------------------------------------------
# Korean first; English by the switcher (cookie) or Accept-Language. URLs
# carry no language prefix.

LANGUAGE_CODE = "ko"
# Citizens: Korean, English, Chinese (simplified), Vietnamese; the staff
# pages only the first two (scheduling/languages.py, docs/languages.md).
LANGUAGES = [("ko", _("Korean")), ("en", _("English")), ("zh-hans", _("Chinese (simplified)")), ("vi", _("Vietnamese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "tongtong_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------
# KRDS (npm krds-uiux) is installed by the set-up into node_modules/ and
# served under /static/krds/; it is never committed. The set-up also builds,
# into build/static/, the part of KRDS's stylesheet our pages use and KRDS's
# typeface cut to our characters (scripts/build_static.py, `make assets`):
# they are served under /static/krds/ too, beside the files they refer to.

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
KRDS_DIR = BASE_DIR / "node_modules" / "krds-uiux" / "resources"
BUILT_STATIC_DIR = BASE_DIR / "build" / "static"
if BUILT_STATIC_DIR.is_dir():
    STATICFILES_DIRS.append(BUILT_STATIC_DIR)
if KRDS_DIR.is_dir():
    STATICFILES_DIRS.append(("krds", KRDS_DIR))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
#: Files generated for staff (the all-cards PDF, reports): outside MEDIA_ROOT,
#: never mapped to a URL, served only after a permission check
#: (scheduling/private_files.py).
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
_public, _private = MEDIA_ROOT.resolve(), PRIVATE_MEDIA_ROOT.resolve()
if _private == _public or _public in _private.parents or _private in _public.parents:
    raise ImproperlyConfigured(
        f"PRIVATE_MEDIA_ROOT={str(PRIVATE_MEDIA_ROOT)!r} must be outside MEDIA_ROOT={str(MEDIA_ROOT)!r}"
        " (and not contain it)"
    )
#: Empty: private files are sent by Django (FileResponse). A path such as
#: /private-media/: the app answers with X-Accel-Redirect to that nginx
#: location, which must be `internal` (docs/deployment.md).
PRIVATE_MEDIA_ACCEL_PREFIX = env.str("PRIVATE_MEDIA_ACCEL_PREFIX", default="")
if PRIVATE_MEDIA_ACCEL_PREFIX and (
    not re.fullmatch(r"/(?:[A-Za-z0-9_-]+/)+", PRIVATE_MEDIA_ACCEL_PREFIX)
    or PRIVATE_MEDIA_ACCEL_PREFIX.startswith("/" + MEDIA_URL)
):
    raise ImproperlyConfigured(
        f"PRIVATE_MEDIA_ACCEL_PREFIX={PRIVATE_MEDIA_ACCEL_PREFIX!r} is not a location path"
        " such as /private-media/ (outside /media/)"
    )

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "scheduling.staticfiles.TolerantManifestStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security ---------------------------------------------------------------
# Behind the city's reverse proxy, which terminates TLS and sets
# X-Forwarded-Proto. With DEBUG=0 these pass
# `manage.py check --deploy --fail-level WARNING`
# (tests/config/test_deploy_check.py); docs/deployment.md
# "Security settings" lists the variables.

#: The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed:
#: only when the socket peer is one of these (scheduling/client_ip.py). From
#: anyone else the socket address is the client and the request is HTTP.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", ["127.0.0.0/8", "::1/128"])
for _gone in ("BEHIND_PROXY", "NUM_PROXIES"):
    if env.str(_gone, default=None) is not None:
        raise ImproperlyConfigured(
            f"{_gone} is no longer read: list the proxies in TRUSTED_PROXIES instead (docs/deployment.md)"
        )
#: Not Django's SECURE_PROXY_SSL_HEADER, which believes any sender:
#: scheduling.client_ip.TrustedProxyMiddleware honours X-Forwarded-Proto from
#: TRUSTED_PROXIES only.
SECURE_PROXY_SSL_HEADER = None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
#: Only adds "preload" to the header; nothing is submitted to the browsers'
#: list unless the city does it for its whole domain.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4), enforced in every environment, the
# tests and the browser suite included (tests/e2e/test_csp.py): scripts,
# styles, fonts and images from our own origin only — no inline <script>,
# <style> or style="..." anywhere in templates/ (they live in static/).
# A page that ever needs an inline script adds csp.constants.NONCE to
# script-src and writes <script nonce="{{ request.csp_nonce }}">.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_values.SELF],
        "script-src": [csp_values.SELF],
        "style-src": [csp_values.SELF],
        "img-src": [csp_values.SELF, "data:"],  # data: for small images drawn in place (an SVG icon in a stylesheet)
        "font-src": [csp_values.SELF],
        "object-src": [csp_values.NONE],
        "base-uri": [csp_values.SELF],
        "form-action": [csp_values.SELF],
        "frame-ancestors": [csp_values.NONE],
    },
}

# --- Abuse protection: public rate limits (django-ratelimit) ------------------
# Per client address (scheduling/client_ip.py), counted in Django's cache;
# see scheduling/rate_limits.py and docs/meetings.md "Abuse protection".

#: Off only for the load benchmark (bench/load.py sets RATELIMIT_ENABLE=0).
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
#: The public request form: POSTs per address ("5/10m": 5 in 10 minutes).
RATELIMIT_SUBMIT = env.str("RATELIMIT_SUBMIT", default="5/10m")
#: Pages behind a private link (status page, its actions and .ics, feedback,
#: the resident's answer): requests per address.
RATELIMIT_STATUS = env.str("RATELIMIT_STATUS", default="30/m")
#: Private calendar feeds (/calendar/feeds/<token>.ics), per address. Every
#: request counts against RATELIMIT_FEED: a calendar app polls a feed every
#: 15-60 minutes (at most 4 an hour), so 1200 an hour is an office of 100
#: people with 3 devices each behind one address. Requests with an unknown,
#: revoked or expired address count against RATELIMIT_FEED_MISS as well;
#: past it, every feed request from that address is refused, valid or not
#: (refusing only the misses would let guessing go on, answered 429 or 200):
#: 60 an hour is 15 stale subscriptions polling at once behind one address.
#: docs/security.md "Private calendar feeds".
RATELIMIT_FEED = env.str("RATELIMIT_FEED", default="1200/h")
RATELIMIT_FEED_MISS = env.str("RATELIMIT_FEED_MISS", default="60/h")
for _name in ("RATELIMIT_SUBMIT", "RATELIMIT_STATUS", "RATELIMIT_FEED", "RATELIMIT_FEED_MISS"):
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", globals()[_name]):
        raise ImproperlyConfigured(f"{_name}={globals()[_name]!r} is not a rate such as 5/10m or 30/m")
#: A counter that cannot be read or bumped (a key expiring between the two
#: calls) lets the request through instead of answering 429.
RATELIMIT_FAIL_OPEN = True
# django-ratelimit's checks want memcached or django-redis. Django's own
# RedisCache (REDIS_URL) increments atomically, it is only missing from the
# check's list (W001). Without REDIS_URL the cache is local memory (E003:
# not shared): right for the embedded default, which is one process; several
# web processes need REDIS_URL, or each counts on its own.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")

# --- django-scheduler -------------------------------------------------------
# Its own editing views are not mounted (see config/urls.py); these hooks
# make sure that even if they were, only the secretariat could edit.

SCHEDULER_PREVNEXT_LIMIT_SECONDS = 62208000
CHECK_EVENT_PERM_FUNC = can_edit_schedule
CHECK_CALENDAR_PERM_FUNC = can_edit_schedule
CHECK_OCCURRENCE_PERM_FUNC = can_edit_schedule

# --- The city ---------------------------------------------------------------

CITY_NAME = env.str("CITY_NAME", default="통통시")
CITY_PHONE = env.str("CITY_PHONE", default="031-000-0000")
# The privacy policy (/privacy/, 개인정보 보호법 제30조) and the consent
# texts read these. The defaults are the demo city's; a real city sets its
# own (docs/privacy.md). Bad values stop the start-up.
#: 개인정보 보호책임자: in a city usually the head of planning (기획조정실장).
PRIVACY_OFFICER_TITLE = env_text("PRIVACY_OFFICER_TITLE", "기획조정실장")
PRIVACY_OFFICER_NAME = env_text("PRIVACY_OFFICER_NAME", "한보호")
PRIVACY_OFFICER_DEPARTMENT = env_text("PRIVACY_OFFICER_DEPARTMENT", "기획조정실")
PRIVACY_OFFICER_PHONE = env_phone("PRIVACY_OFFICER_PHONE", "031-000-0100")
PRIVACY_OFFICER_EMAIL = env_email("PRIVACY_OFFICER_EMAIL", "privacy@tongtong.example")
#: The department that answers a citizen's request to see, correct or delete
#: their data (개인정보 보호 담당부서): the secretariat, at CITY_PHONE.
PRIVACY_CONTACT_DEPARTMENT = env_text("PRIVACY_CONTACT_DEPARTMENT", "소통민원팀")
#: Who sends our text messages for us (처리 위탁, 법 제26조): the gateway
#: behind SMS_BACKEND.
SMS_PROVIDER_NAME = env_text("SMS_PROVIDER_NAME", "문자 발송 대행업체(데모: 계약 후 업체명 기재)")
#: Who sends our e-mail, when it is not the city's own mail server
#: (EMAIL_URL); empty: the city's own.
EMAIL_PROVIDER_NAME = os.environ.get("EMAIL_PROVIDER_NAME", "").strip()
#: The date the privacy policy in force took effect (시행일).
PRIVACY_POLICY_DATE = env_date("PRIVACY_POLICY_DATE", dt.date(2026, 12, 1))
#: The public address, for links sent by SMS and e-mail.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- TongTong Day -------------------------------------------------------------

#: Working days within which a request gets its first answer (7: counted in
#: days; 5 or less: counted in working hours, 8 a day).
MEETING_ANSWER_DAYS = env_int("MEETING_ANSWER_DAYS", 7, minimum=1)
# The owning department head's review opinion (소관부서장 검토, seed 000) is
# due this many working days after the secretariat asks for it; a late one
# is reminded once and marked in the queue.
MEETING_REVIEW_DAYS = env_int("MEETING_REVIEW_DAYS", 3, minimum=1)
# Also propose the owning department's head (과장) as a substitute, after the
# deputy mayors and the bureau's director (scheduling/organisation.py).
MEETING_SUBSTITUTE_DEPARTMENT_HEADS = env_bool("MEETING_SUBSTITUTE_DEPARTMENT_HEADS", False)
#: A citizen may cancel or move their own appointment up to this many hours
#: before it; later they are asked to call.
MEETING_CHANGE_NOTICE_HOURS = env_int("MEETING_CHANGE_NOTICE_HOURS", 24)
#: How far ahead meeting days are offered to citizens.
MEETING_BOOKING_HORIZON_DAYS = env_int("MEETING_BOOKING_HORIZON_DAYS", 92, minimum=14)
#: Hours a waiting-list offer stays open.
MEETING_WAITLIST_OFFER_HOURS = env_int("MEETING_WAITLIST_OFFER_HOURS", 48, minimum=1)
#: Years a citizen's personal data is kept after their request is closed
#: (stated in the consent text; purged nightly by meetings.purge_personal_data).
MEETING_RETENTION_YEARS = env_int("MEETING_RETENTION_YEARS", 3, minimum=1)
#: Days a status link keeps working after the request is closed.
MEETING_STATUS_LINK_DAYS_AFTER_CLOSE = env_int("MEETING_STATUS_LINK_DAYS_AFTER_CLOSE", 180)

# --- Phone verification (본인확인 by SMS code; scheduling/verification.py) ----------

#: A citizen's request counts only once they typed the code sent to their
#: phone. Off only for a city that verifies citizens by other means.
PHONE_VERIFICATION = env_bool("PHONE_VERIFICATION", True)
#: Minutes a code is valid.
VERIFICATION_CODE_MINUTES = env_int("VERIFICATION_CODE_MINUTES", 5, minimum=1, maximum=30)
#: Wrong codes allowed for one code; the next try is refused and the phone locked.
VERIFICATION_MAX_WRONG = env_int("VERIFICATION_MAX_WRONG", 5, minimum=1)
#: Minutes a phone stays locked after too many wrong codes.
VERIFICATION_LOCK_MINUTES = env_int("VERIFICATION_LOCK_MINUTES", 30, minimum=1)
#: Seconds before a new code may be asked for.
VERIFICATION_RESEND_SECONDS = env_int("VERIFICATION_RESEND_SECONDS", 60, minimum=10)
#: Codes one phone may receive in an hour: the first and five resends.
VERIFICATION_CODES_PER_PHONE_HOUR = env_int("VERIFICATION_CODES_PER_PHONE_HOUR", 6, minimum=1)
#: Different phones one client address may verify in an hour, and codes it
#: may have sent: switching numbers does not get round the phone's limits.
VERIFICATION_PHONES_PER_ADDRESS_HOUR = env_int("VERIFICATION_PHONES_PER_ADDRESS_HOUR", 3, minimum=1)
VERIFICATION_CODES_PER_ADDRESS_HOUR = env_int("VERIFICATION_CODES_PER_ADDRESS_HOUR", 10, minimum=1)
#: Minutes "my requests" stays open after the phone was verified.
VERIFIED_PHONE_SESSION_MINUTES = env_int("VERIFIED_PHONE_SESSION_MINUTES", 30, minimum=5, maximum=240)

# --- The petition office: intake (petitions/intake/, petitions/public/) -----------------

#: The public web board "시장에게 바란다" at /petitions/. Off: the page tells
#: citizens that the city receives petitions through 국민신문고 and links there
#: (most local boards were merged into the national portal by 2025).
PETITION_WEB_BOARD = env_bool("PETITION_WEB_BOARD", True)
#: Years a petitioner's personal data is kept after the petition is closed
#: (stated in the consent text; the office's retention purge removes it).
PETITION_RETENTION_YEARS = env_int("PETITION_RETENTION_YEARS", 3, minimum=1)

# --- Following a neighborhood (visits/follows/) ------------------------------------

#: Days a follow lasts; then it lapses and its contact is deleted (the
#: consent text says so). Two years: one whole rotation of visits.
FOLLOW_RETENTION_DAYS = env_int("FOLLOW_RETENTION_DAYS", 730, minimum=30)
#: Days an e-mail follow waits for its confirmation link before it is deleted.
FOLLOW_CONFIRM_DAYS = env_int("FOLLOW_CONFIRM_DAYS", 7, minimum=1)
#: A visit is announced to its neighborhood's followers this many days ahead.
FOLLOW_ANNOUNCE_DAYS = env_int("FOLLOW_ANNOUNCE_DAYS", 14, minimum=1)

#: Days after its date that a cancelled item (meeting, meeting day, visit)
#: stays in the calendar feeds as STATUS:CANCELLED before it is dropped.
FEED_CANCELLED_KEEP_DAYS = env_int("FEED_CANCELLED_KEEP_DAYS", 90)
#: Days a private calendar feed address works after it is made (or renewed
#: on the staff profile page); then it answers 404, as a revoked one does.
#: At most ten years: an address that never expires is what this replaces.
FEED_TOKEN_DAYS = env_int("FEED_TOKEN_DAYS", 365, minimum=1, maximum=3650)
#: From this many days before an address expires, the profile page and the
#: dashboard say so and its owner gets one e-mail (scheduling.feed_services).
FEED_TOKEN_NOTICE_DAYS = env_int("FEED_TOKEN_NOTICE_DAYS", 30, minimum=1)
if FEED_TOKEN_NOTICE_DAYS >= FEED_TOKEN_DAYS:
    raise ImproperlyConfigured(
        f"FEED_TOKEN_NOTICE_DAYS={FEED_TOKEN_NOTICE_DAYS} must be less than FEED_TOKEN_DAYS={FEED_TOKEN_DAYS}"
        " (a new address would be announced as expiring at once)"
    )

# --- Neighborhood management cards ------------------------------------------------

#: Working days within which a suggestion's lead department gives its first
#: answer (its review), counted as for meeting requests.
SUGGESTION_FIRST_ANSWER_DAYS = env_int("SUGGESTION_FIRST_ANSWER_DAYS", 14, minimum=1)
#: Days without any activity after which an open suggestion is overdue:
#: it stands first in its department's inbox and is sent to it weekly.
SUGGESTION_STALE_DAYS = env_int("SUGGESTION_STALE_DAYS", 30, minimum=1)

# --- The petition office (petitions/) ---------------------------------------------

#: Years a petitioner's personal data is kept after the petition closed
#: (purged nightly by petitions.purge_personal_data, petitions/retention.py).
PETITION_RETENTION_YEARS = env_int("PETITION_RETENTION_YEARS", 3, minimum=1)
#: The field team of the 30-minute quick service (생활불편 신속처리): the
#: number its dispatch text goes to, and how the petition names it. Empty:
#: dispatching is refused with a message saying so.
PETITION_FIELD_TEAM_PHONE = (
    env_phone("PETITION_FIELD_TEAM_PHONE", "") if os.environ.get("PETITION_FIELD_TEAM_PHONE", "").strip() else ""
)
PETITION_FIELD_TEAM_NAME = env_text("PETITION_FIELD_TEAM_NAME", "생활불편 기동처리반")
# --- The petition office: the consultation room (petitions/rooms/) -------------------

#: Building security (청사방호): warned by e-mail and by text message of each
#: group visit (집단민원) booked into a consultation room, and again if it
#: moves. Bad values stop the start-up; the defaults are the demo city's.
BUILDING_SECURITY_EMAIL = env_email("BUILDING_SECURITY_EMAIL", "security@tongtong.example")
try:
    BUILDING_SECURITY_PHONE = normalize_mobile(env_text("BUILDING_SECURITY_PHONE", "010-2000-0112"))
except InvalidPhoneNumber:
    raise ImproperlyConfigured(
        f"BUILDING_SECURITY_PHONE={os.environ.get('BUILDING_SECURITY_PHONE')!r} is not a mobile number "
        "such as 010-1234-5678 (it receives text messages)"
    ) from None
# --- The petition office: the satisfaction survey (petitions/surveys/) ---------------


def env_months(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    """Months of the year (``1,7``): each 1 to 12, once; anything else is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    months = []
    for item in re.split(r"[\s,]+", raw.strip()):
        if not item:
            continue
        if not re.fullmatch(r"[0-9]{1,2}", item) or not 1 <= int(item) <= 12:
            raise ImproperlyConfigured(f"{name}: {item!r} is not a month (1 to 12)")
        if int(item) in months:
            raise ImproperlyConfigured(f"{name}: month {item} is given twice")
        months.append(int(item))
    if not months:
        raise ImproperlyConfigured(f"{name} is empty; give months such as 1,7 or leave it unset")
    return tuple(sorted(months))


#: The months in which the satisfaction survey of the half-year just ended
#: goes out (seed 003: twice a year): January asks about July–December,
#: July about January–June.
SURVEY_MONTHS = env_months("SURVEY_MONTHS", (1, 7))
#: Citizens asked per survey (one per mobile number).
SURVEY_SAMPLE_SIZE = env_int("SURVEY_SAMPLE_SIZE", 200, minimum=1, maximum=100_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every layout step at INFO; keep its warnings only.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
