"""``{{ moment|html_datetime }}``: the value of a ``<time datetime="…">``.

Django's ``|date:'c'`` writes microseconds (``16:25:00.752979+09:00``); the
HTML standard allows at most three fractional digits, and the Nu HTML
Checker refuses six. Loaded as a template builtin (settings ``TEMPLATES``),
so every template has it without ``{% load %}``.
"""

from django import template

from scheduling.dates import html_datetime as _html_datetime

register = template.Library()


@register.filter
def html_datetime(value) -> str:
    return _html_datetime(value)
