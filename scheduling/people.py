"""How a staff member or an official is named on every page, PDF and message.

A city writes its people as department, name and title: "소통민원팀 홍길동
주무관", and an official by their post: "시장 김통통", "도로과장 임재훈". A
login id is never a name: it is shown only for an account that has nothing
else (no name, no department, no post), so that an administrator can still
tell who did something and fill the account in.

``staff_label`` is the one function for it; templates use the
``staff_label`` filter (``scheduling.templatetags.people``, a builtin).
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _


def related_or_none(obj, name: str):
    """A reverse one-to-one that may be missing (``user.official``). Django
    keeps what it read (a missing one too) on ``obj``: asked again in the
    same request, it costs no query."""
    try:
        return getattr(obj, name, None)
    except ObjectDoesNotExist:
        return None


def _has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def person_name(user) -> str:
    """The user's name as the city writes it: a Korean name family name
    first without a space (홍길동), another name as the account has it."""
    first = (getattr(user, "first_name", "") or "").strip()
    last = (getattr(user, "last_name", "") or "").strip()
    if _has_hangul(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


def official_label(official) -> str:
    """An official by post and name: "제1부시장 오정희"."""
    return " ".join(part for part in (official.title, official.name) if part)


def staff_label(user, *, with_department: bool = True) -> str:
    """ "소통민원팀 홍길동 주무관" for ``user``.

    - An account linked to an active official is that official: "시장 김통통".
    - Otherwise the staff profile's department, the name and the position
      (직위·직급), each left out when missing: "홍길동", "도로과 주무관".
    - An account with no name, department or position: its login id, the
      only thing that tells it apart (the admin should give it a name).
    - ``None`` (a citizen or the system): an empty string; the caller says
      what fits ("시민 또는 시스템").
    ``with_department=False`` leaves the department out where the page
    already names it (a department's own inbox)."""
    if user is None:
        return ""
    official = related_or_none(user, "official")
    if official is not None and official.is_active:
        return official_label(official)
    profile = related_or_none(user, "staff_profile")
    department = profile.department.name if profile is not None and profile.department_id else ""
    position = (profile.position or "").strip() if profile is not None else ""
    name = person_name(user)
    if not name and official is not None:
        name = official.name
    parts = [department if with_department else "", name, position]
    label = " ".join(part for part in parts if part)
    if name or label:
        return label
    return user.get_username() or _("Staff member")


def staff_department(user):
    """The department ``user`` works for (their staff profile's, else the one
    they head as an official), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    profile = related_or_none(user, "staff_profile")
    if profile is not None and profile.department_id:
        return profile.department
    official = related_or_none(user, "official")
    if official is not None and official.is_active and official.department_id:
        return official.department
    return None


def label_related(field: str) -> tuple[str, ...]:
    """What ``select_related`` needs so that ``staff_label`` of the user in
    ``field`` runs no query: ``queryset.select_related(*label_related("actor"))``."""
    return (field, f"{field}__official", f"{field}__staff_profile__department")
