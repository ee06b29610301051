from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from scheduling import params


class CountedLoginMixin:
    """Every failed login counts for the lockout (django-axes), including one
    whose user name the form refuses before trying it: longer than the
    field's 150 characters, or holding a NUL (issue 14). Without this, such
    an attempt never reached ``authenticate()``, so axes never counted it
    (and a name over 255 characters broke axes' own column on PostgreSQL)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets the field's max_length after building it,
        # so no validator enforces it: a 3,000-character name went on to
        # authenticate() and to axes' 255-character column.
        field = self.fields["username"]
        field.max_length = field.max_length or 150
        field.validators.append(validators.MaxLengthValidator(field.max_length))

    def clean(self):
        if self.has_error("username"):
            raw = str(self.data.get("username", ""))
            name = raw.replace("\x00", "")[: self.fields["username"].max_length]
            user_login_failed.send(sender=__name__, credentials={"username": name}, request=self.request)
            raise self.get_invalid_login_error()
        return super().clean()


class StaffLoginForm(CountedLoginMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("The user name or password is not correct. Check them and try again."),
        "inactive": _("This account is not active. Ask the secretariat."),
    }


_TEXT_WIDGETS = (forms.TextInput, forms.Textarea, forms.DateInput, forms.TimeInput, forms.NumberInput)
_CHOICE_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput)


class AdminLoginForm(CountedLoginMixin, AdminAuthenticationForm):
    """The admin's login, counted like the staff login."""


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but a posted key that is not an id (non-ASCII digits, a
    number too large for the database) is an invalid choice, not an
    ``OverflowError`` from the database (issue 14). Use it for every
    multiple choice of rows."""

    def _check_values(self, value):
        pk_field = self.queryset.model._meta.pk
        if (self.to_field_name or "pk") == "pk" and isinstance(pk_field, models.IntegerField):
            for key in value if isinstance(value, (list, tuple)) else []:
                if isinstance(key, str) and params.optional_id(key) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": key}
                    )
        return super()._check_values(value)


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
