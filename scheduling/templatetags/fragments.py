"""``{% fragment "template.html" key %}``: an include kept by its key (see
``scheduling.fragments``); with ``key`` None, a plain include."""

from django import template

from scheduling.fragments import render_fragment

register = template.Library()


@register.simple_tag(takes_context=True)
def fragment(context, template_name: str, key: str | None):
    return render_fragment(template_name, context, key)
