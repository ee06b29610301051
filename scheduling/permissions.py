"""Who may do what, in one place.

Kept free of model imports so that settings can hand ``can_edit_schedule``
to django-scheduler, whose default lets any logged-in user edit any event.
"""

EDIT_SCHEDULE_PERMISSION = "schedule.change_event"


def can_edit_schedule(obj, user) -> bool:
    """django-scheduler's edit check: only staff holding the event permission
    (the secretariat and administrators), never a mere logged-in user."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(EDIT_SCHEDULE_PERMISSION))


def is_staff_member(user) -> bool:
    """Anyone who may enter the back office under /staff/: a superuser or a
    member of one of the staff roles (see scheduling.roles)."""
    from scheduling.roles import ROLE_NAMES

    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=ROLE_NAMES).exists()
