from django.conf import settings
from django.urls import reverse
from django.utils import translation

from scheduling.languages import html_lang, switcher_languages
from scheduling.people import staff_label
from scheduling.permissions import is_staff_member
from scheduling.staff import menu_for


def site(request):
    """What every page's layout needs: the city's name and phone, whether to
    show the staff link, and on a staff page (under /staff/) the staff menu
    and who is logged in, as the city writes them ("도로과 이준호 주무관");
    staff_page then picks the back office's stylesheet, which keeps the KRDS
    rules the public pages' lighter one leaves out.

    Worked out once per request and kept on it: the staff dashboard renders
    each panel with the request, which runs the context processors again."""
    try:
        return request._tongtong_site
    except AttributeError:
        request._tongtong_site = _site(request)
        return request._tongtong_site


def _site(request) -> dict:
    user = getattr(request, "user", None)
    staff = bool(user is not None and is_staff_member(user))
    context = {
        "CITY_NAME": settings.CITY_NAME,
        "CITY_PHONE": settings.CITY_PHONE,
        "is_staff_member": staff,
        "staff_page": False,
        "staff_menu": [],
        "staff_who": "",
        # <html lang> as a BCP 47 tag (zh-Hans), and the switcher's choices:
        # four languages on a public page, Korean and English on a staff page.
        "html_lang": html_lang(translation.get_language()),
        "site_languages": switcher_languages(request.path),
    }
    if staff and request.path.startswith(reverse("staff:home")):
        context["staff_page"] = True
        context["staff_menu"] = menu_for(user, request.path)
        context["staff_who"] = staff_label(user)
    return context
