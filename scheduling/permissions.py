"""Who may do what, in one place.

Kept free of model imports so that settings can hand ``can_edit_schedule``
to django-scheduler, whose default lets any logged-in user edit any event.
"""

EDIT_SCHEDULE_PERMISSION = "schedule.change_event"


def can_edit_schedule(obj, user) -> bool:
    """django-scheduler's edit check: only staff holding the event permission
    (the secretariat and administrators), never a mere logged-in user."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(EDIT_SCHEDULE_PERMISSION))


def user_roles(user) -> frozenset[str]:
    """The names of the groups (roles) ``user`` belongs to: one query, then
    kept on the user object for the rest of the request, as Django keeps its
    permission cache there (a page asks this five to ten times: the layout,
    the access checks, the dashboard panels). A change of roles shows from
    the next request, as a change of permissions does."""
    if not (user and user.is_authenticated):
        return frozenset()
    try:
        return user._tongtong_roles
    except AttributeError:
        user._tongtong_roles = frozenset(user.groups.values_list("name", flat=True))
        return user._tongtong_roles


def is_staff_member(user) -> bool:
    """Anyone who may enter the back office under /staff/: a superuser or a
    member of one of the staff roles (see scheduling.roles)."""
    from scheduling.roles import ROLE_NAMES

    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return not user_roles(user).isdisjoint(ROLE_NAMES)
