"""The quick form renderer writes exactly the HTML Django's templates do."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from scheduling.form_renderer import QuickWidgetRenderer


class Everything(forms.Form):
    text = forms.CharField(initial='a "quoted" <b>value</b> & more', help_text="help")
    email = forms.EmailField(required=False)
    number = forms.IntegerField(min_value=1, max_value=9)
    password = forms.CharField(widget=forms.PasswordInput)
    hidden = forms.CharField(widget=forms.HiddenInput, initial="x")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), initial=dt.date(2026, 12, 10))
    area = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), initial="line <1>\nline 2")
    empty_area = forms.CharField(widget=forms.Textarea, required=False)
    check = forms.BooleanField(initial=True, required=False)
    select = forms.ChoiceField(choices=[("", "Choose"), ("a", "A & B"), (1, "<one>")], initial=1)
    grouped = forms.ChoiceField(choices=[("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")])
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], initial=["b"])
    boxes = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple, initial=["a"]
    )
    radios = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    disabled = forms.CharField(disabled=True, initial="fixed")


def both_renderers(make):
    quick, django_ = make(QuickWidgetRenderer()), make(DjangoTemplates())
    for form in (quick, django_):
        if form.is_bound:
            form.is_valid()
    return quick, django_


def widgets_html(form) -> list[str]:
    """Every field's widget, every choice's tag, and the whole form."""
    parts = [str(form)]
    for field in form:
        parts.append(str(field))
        if hasattr(field.field.widget, "allow_multiple_selected") or isinstance(
            field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            parts.extend(str(choice.tag()) for choice in field)
    return parts


@pytest.mark.parametrize("data", [None, {"text": "", "number": "12", "select": "nope", "area": "<x>"}])
def test_every_widget_is_written_as_djangos_templates_write_it(data):
    quick, django_ = both_renderers(lambda renderer: Everything(data, renderer=renderer))
    assert widgets_html(quick) == widgets_html(django_)
