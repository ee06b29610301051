"""``{{ user|staff_label }}``: a staff member as the city writes them
(``scheduling.people.staff_label``). Registered as a template builtin in
settings, so templates need no ``{% load %}``."""

from django import template

from scheduling.people import staff_label as _staff_label

register = template.Library()


@register.filter
def staff_label(user) -> str:
    return _staff_label(user)
