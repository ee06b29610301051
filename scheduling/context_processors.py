from django.conf import settings

from scheduling.permissions import is_staff_member


def site(request):
    """What every page's layout needs: the city's name and phone, and whether
    to show the staff menu."""
    user = getattr(request, "user", None)
    return {
        "CITY_NAME": settings.CITY_NAME,
        "CITY_PHONE": settings.CITY_PHONE,
        "is_staff_member": bool(user is not None and is_staff_member(user)),
    }
