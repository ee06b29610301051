"""The form renderer: Django's, with its most used widget templates written
in Python.

Django renders every widget, and every option of a select, through its
template engine; on the public request form that was about half of the
page's time (39 neighborhoods, 16 topics, the checkboxes; issue 16). For
Django's own templates of inputs, text areas, selects and their options,
this renderer writes the same HTML directly from the same context (so the
attributes Django adds, ``aria-describedby``, ``aria-invalid``,
``required``, are all there); any other template — a project's own widget
template, a form or field layout — still goes through the template
engine. ``tests/scheduling/test_form_renderer.py`` holds the two to the
same output.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html

WIDGETS = "django/forms/widgets/"
#: Every template that is only ``input.html`` under another name.
INPUTS = {
    f"{WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "number",
        "password",
        "hidden",
        "url",
        "tel",
        "search",
        "date",
        "time",
        "datetime",
        "checkbox",
        "color",
    )
}
SELECT_OPTION = f"{WIDGETS}select_option.html"
OPTIONS = {f"{WIDGETS}checkbox_option.html", f"{WIDGETS}radio_option.html", f"{WIDGETS}input_option.html"}


def _text(value) -> str:
    """``{{ value|stringformat:'s' }}``: str(), escaped."""
    return conditional_escape(str(value))


def attrs(attributes: dict) -> str:
    """``attrs.html``: False leaves an attribute out, True writes its name alone."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_text(value)}"'
        for name, value in attributes.items()
        if value is not False
    )


def input_html(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{attrs(widget["attrs"])}>'


def option_html(widget: dict) -> str:
    """``input_option.html`` (a checkbox or radio button of a list)."""
    if not widget.get("wrap_label"):
        return input_html(widget)
    label_for = f' for="{_text(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    return f"<label{label_for}>{input_html(widget)} {conditional_escape(widget['label'])}</label>"


def textarea_html(widget: dict) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{attrs(widget["attrs"])}>\n{value}</textarea>'


def select_html(widget: dict) -> str | None:
    if any(o["template_name"] != SELECT_OPTION for _g, options, _i in widget["optgroups"] for o in options):
        return None  # a widget with its own option template: the template engine
    parts = [f'<select name="{_text(widget["name"])}"{attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group_choices:
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # the option template's last line break
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


QUICK = {
    **dict.fromkeys(INPUTS, input_html),
    **dict.fromkeys(OPTIONS, option_html),
    f"{WIDGETS}textarea.html": textarea_html,
    f"{WIDGETS}select.html": select_html,
}


class QuickWidgetRenderer(DjangoTemplates):
    """``FORM_RENDERER``: Django's default renderer, with the widget
    templates above written in Python."""

    def render(self, template_name, context, request=None):
        quick = QUICK.get(template_name)
        if quick is not None and "widget" in context:
            html = quick(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
