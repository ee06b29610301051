from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The user name or password is not correct. Check them and try again."),
        "inactive": _("This account is not active. Ask the secretariat."),
    }
