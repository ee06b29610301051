"""What building security (청사방호) is told of a group visit (집단민원)
booked into a consultation room: one e-mail and one text message, through
the outbox (``scheduling.outbox``, rows in ``petitions.RoomNotification``),
to ``settings.BUILDING_SECURITY_EMAIL`` and ``BUILDING_SECURITY_PHONE``.
Keyed by the booking and its ``sequence``: written once per booking, and
once more each time it moves. Texts in Korean (``settings.LANGUAGE_CODE``);
no citizen's name, only the group's organisation and headcount."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from petitions.rooms.models import RoomBooking, RoomNotification
from scheduling import outbox
from scheduling.dates import local_span

Channel = RoomNotification.Channel


def security_text(booking: RoomBooking) -> str:
    moved = booking.sequence > 0
    text = (
        _("[%(city)s] Group visit moved: %(when)s, %(room)s (%(place)s), %(count)s people%(organisation)s.")
        if moved
        else _("[%(city)s] Group visit expected: %(when)s, %(room)s (%(place)s), %(count)s people%(organisation)s.")
    )
    return text % {
        "city": settings.CITY_NAME,
        "when": local_span(booking.start, booking.end),
        "room": booking.room.name,
        "place": booking.room.place,
        "count": booking.headcount,
        "organisation": f", {booking.organisation}" if booking.organisation else "",
    }


def warn_security(booking: RoomBooking) -> list[RoomNotification]:
    """Write the warning to building security (e-mail and SMS) for the
    booking as it stands now; nothing if written already for this time."""
    with translation.override(settings.LANGUAGE_CODE):
        body = security_text(booking)
        subject = _("[%(city)s] Group visit to the consultation room") % {"city": settings.CITY_NAME}
        footer = _("Sent by the petition office (직소민원실). Questions: %(phone)s") % {"phone": settings.CITY_PHONE}
    key = f"security:{booking.pk}:{booking.sequence}"
    return outbox.write(
        RoomNotification,
        [
            {
                "dedupe_key": f"{key}:email",
                "booking": booking,
                "kind": "security",
                "channel": Channel.EMAIL,
                "recipient": settings.BUILDING_SECURITY_EMAIL,
                "subject": subject,
                "body": f"{body}\n\n--\n{footer}\n",
            },
            {
                "dedupe_key": f"{key}:sms",
                "booking": booking,
                "kind": "security",
                "channel": Channel.SMS,
                "recipient": settings.BUILDING_SECURITY_PHONE,
                "subject": "",
                "body": body,
            },
        ],
    )
