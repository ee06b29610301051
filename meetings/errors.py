from django.utils.translation import gettext_lazy as _

from scheduling.errors import TongtongError


class MeetingError(TongtongError):
    """Anything a citizen or a staff member can get wrong about a meeting;
    the message is shown to them as it is."""


class SlotTakenError(MeetingError):
    def __init__(self, message=None):
        super().__init__(message or _("This slot was just taken. Please choose another one."))


class IllegalTransition(MeetingError):
    pass
