"""Which languages which pages speak (issue 15, point 4; docs/languages.md).

The public pages, the request form, the consent and privacy texts, the
status page and the messages to citizens speak Korean, English, Chinese
(simplified) and Vietnamese: the city's largest foreign-resident groups.
The staff pages speak Korean and English only; a staff page asked in another
language (by the cookie the public switcher set, or the browser's
``Accept-Language``) answers in Korean (``staff_pages_in_staff_languages``).

``PUBLIC_MESSAGE_SOURCES`` names the files whose messages citizens read: the
Chinese and Vietnamese catalogues hold exactly their messages, all translated
(``scripts/public_catalog.py`` builds them; tests/scheduling/test_languages.py
checks them).
"""

from __future__ import annotations

import fnmatch
import unicodedata

from django.conf import settings
from django.utils import translation

#: Every language a citizen can choose (settings.LANGUAGES, in this order).
PUBLIC_LANGUAGES = ("ko", "en", "zh-hans", "vi")
#: The staff pages' languages: the city works in Korean, English is the second.
STAFF_LANGUAGES = ("ko", "en")
#: The languages whose catalogue holds only the citizens' messages.
PUBLIC_ONLY_LANGUAGES = tuple(code for code in PUBLIC_LANGUAGES if code not in STAFF_LANGUAGES)

#: Where the staff pages live: the back office and Django's admin.
STAFF_PATH_PREFIXES = ("/staff/", "/admin/")

#: The files (as the .po files' references name them) whose messages a
#: citizen reads: the public templates and forms, the status page, the
#: consent and privacy texts, the messages to citizens, the public cards,
#: and the models whose labels (status, category …) those pages show.
PUBLIC_MESSAGE_SOURCES = (
    "templates/base.html",
    "templates/400.html",
    "templates/403.html",
    "templates/403_csrf.html",
    "templates/404.html",
    "templates/429.html",
    "templates/500.html",
    "templates/verify_code.html",
    "templates/meetings/_*.html",
    "templates/meetings/feedback*.html",
    "templates/meetings/home.html",
    "templates/meetings/my_requests*.html",
    "templates/meetings/request_*.html",
    "templates/meetings/status*.html",
    "templates/scheduling/privacy.html",
    "templates/visits/list.html",
    "templates/visits/follow*.html",
    "templates/visits/unfollow.html",
    "templates/visits/cards/public_*.html",
    "templates/visits/cards/resident_answer*.html",
    "meetings/public/*",
    "meetings/errors.py",
    "meetings/models.py",
    "meetings/services/notifications.py",
    "meetings/services/requests.py",
    "meetings/services/booking.py",
    "meetings/services/feedback.py",
    "scheduling/dates.py",
    "scheduling/workdays.py",
    "scheduling/views.py",
    "scheduling/verification.py",
    "config/settings.py",
    "scheduling/rate_limits.py",
    "scheduling/models.py",
    "scheduling/categories.py",
    "visits/views.py",
    "visits/models.py",
    "visits/cards/views.py",
    "visits/cards/public.py",
    "visits/cards/notifications.py",
    "visits/follows/*",
    "petitions/notifications.py",
    "templates/petitions/office/letter_pdf.html",
    "templates/petitions/public/*",
    "petitions/public/*",
    "petitions/intake/web.py",
    "petitions/categories.py",
    # The petition office's satisfaction survey (reports part).
    "templates/petitions/surveys/answer.html",
    "templates/petitions/surveys/thanks.html",
    "templates/petitions/surveys/expired.html",
    "templates/petitions/surveys/opted_out.html",
    "petitions/surveys/forms.py",
    "petitions/surveys/questions.py",
    "petitions/surveys/services.py",
)


def is_public_source(path: str) -> bool:
    """Whether a message referenced from ``path`` is read by citizens."""
    return any(fnmatch.fnmatch(path, pattern) for pattern in PUBLIC_MESSAGE_SOURCES)


def is_staff_path(path: str) -> bool:
    return path.startswith(STAFF_PATH_PREFIXES)


def html_lang(code: str | None) -> str:
    """The BCP 47 tag of a Django language code, for ``<html lang>`` and
    ``lang=""``: ``zh-hans`` → ``zh-Hans``, ``en-us`` → ``en-US``."""
    return translation.to_locale(code or settings.LANGUAGE_CODE).replace("_", "-")


def message_language(code: str | None) -> str:
    """The language a citizen's messages go out in: the one they used, if we
    speak it, else the city's (Korean)."""
    return code if code in PUBLIC_LANGUAGES else settings.LANGUAGE_CODE


def fits_korean_sms(text: str) -> bool:
    """Whether Korean carriers' SMS/LMS (EUC-KR) can carry ``text`` as written."""
    try:
        text.encode("euc-kr")
    except UnicodeEncodeError:
        return False
    return True


def sms_text(text: str, language: str) -> str:
    """The text as an SMS/LMS carries it. Korean carriers take EUC-KR, which
    has none of Vietnamese's letters with two marks (ư, ơ, ạ, ế …): a
    Vietnamese text goes without its marks ("khong dau"), as Vietnamese
    banks and carriers write their own SMS, rather than as question marks.
    The e-mail keeps every mark. Other texts go as written (Chinese
    characters that EUC-KR lacks are the provider's matter; docs/languages.md)."""
    if not language.startswith("vi") or fits_korean_sms(text):
        return text
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", plain)


def switcher_languages(path: str) -> list[dict]:
    """The switcher's choices on the page at ``path``: all four on a public
    page, Korean and English on a staff page. Each with its own name
    (``name_local``) and its BCP 47 tag."""
    codes = STAFF_LANGUAGES if is_staff_path(path) else PUBLIC_LANGUAGES
    languages = []
    for code in codes:
        info = translation.get_language_info(code)
        # NFC: Django writes "Tiếng Việt" with combining accents.
        name = unicodedata.normalize("NFC", info["name_local"])
        languages.append({"code": code, "name_local": name, "tag": html_lang(code)})
    return languages


def staff_pages_in_staff_languages(get_response):
    """After ``LocaleMiddleware``: a staff page asked in a language the staff
    pages do not speak (Chinese, Vietnamese) answers in Korean. The cookie
    is left alone, so the public pages keep the citizen's choice."""

    def middleware(request):
        if is_staff_path(request.path_info) and translation.get_language() not in STAFF_LANGUAGES:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return get_response(request)

    return middleware
