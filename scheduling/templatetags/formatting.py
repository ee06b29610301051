"""The formatting filters every template has without ``{% load %}`` (a
template builtin, settings ``TEMPLATES``); each is a call of the one
function in ``scheduling.dates`` or ``scheduling.phones`` that the views,
PDFs and messages use, so a page and its PDF write a date alike.

- ``{{ moment|when }}``: ``2026. 12. 10.(목) 14:00`` (``Thu 10 Dec 2026, 14:00``)
- ``{{ day|kdate }}``: ``2026. 12. 10.(목)`` (``Thu 10 Dec 2026``); a moment's Seoul date
- ``{{ amount|won }}``: ``3,000,000원``; ``-`` for nothing, or ``{{ amount|won:"" }}``
- ``{{ phone_or_email|masked }}``: ``010-****-5678``, ``ho***@example.kr``
- ``{{ moment|html_datetime }}``: the value of a ``<time datetime="…">``.
  Django's ``|date:'c'`` writes microseconds (``16:25:00.752979+09:00``);
  the HTML standard allows at most three fractional digits, and the Nu
  HTML Checker refuses six.

Nothing (None or "") is written as an empty string, except by ``won``.
"""

from django import template

from scheduling import dates, phones

register = template.Library()


@register.filter
def html_datetime(value) -> str:
    return dates.html_datetime(value)


@register.filter
def when(value) -> str:
    return dates.local_when(value) if value else ""


@register.filter
def kdate(value) -> str:
    return dates.local_date(value) if value else ""


@register.filter
def won(value, empty: str = "-") -> str:
    return dates.won(None if value in (None, "") else value, empty=empty)


@register.filter
def masked(value) -> str:
    return phones.mask_contact(value) if value else ""
