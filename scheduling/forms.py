from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The user name or password is not correct. Check them and try again."),
        "inactive": _("This account is not active. Ask the secretariat."),
    }


_TEXT_WIDGETS = (forms.TextInput, forms.Textarea, forms.DateInput, forms.TimeInput, forms.NumberInput)
_CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput)


class KrdsFormMixin:
    """KRDS classes on the widgets of a back-office form. Django (5.2) itself
    adds ``aria-invalid`` and ``aria-describedby="<id>_helptext <id>_error"``
    to a field's input; ``templates/staff/_field.html`` prints the hint and
    the error with those ids."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select) and not isinstance(widget, _CHOICE_WIDGETS):
                widget.attrs.setdefault("class", "krds-form-select")
            elif isinstance(widget, _TEXT_WIDGETS):
                widget.attrs.setdefault("class", "krds-input")
