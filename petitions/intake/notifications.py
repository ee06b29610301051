"""What the petition office tells a citizen when their petition is
received, through the project's one outbox (``scheduling.outbox``).

``receipt_notify(petition)`` writes the receipt — the reference and the
answer's due date — in the citizen's language as ``PetitionNotification``
rows of kind "receipt": by text message (an 알림톡 on the registered
template, else SMS/LMS) when there is a mobile number, and by e-mail when
there is an address. Called inside the transaction that records the
petition; sent after the commit. The dedupe key is the petition's: one
receipt per petition, however often the call is made (a second text to the
mayor's phone the same day, a double tap)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from petitions.models import Petition, PetitionNotification
from scheduling import alimtalk_templates, outbox
from scheduling.dates import local_when
from scheduling.languages import message_language, sms_text

RECEIPT = "receipt"
RECEIPT_TEXT = gettext_lazy("[{city}] Your petition (reference {reference}) was received. We will answer by {due}.")


def receipt_values(petition: Petition) -> dict[str, str]:
    """The values the receipt is filled in with (the 알림톡 template's variables)."""
    return {
        "city": settings.CITY_NAME,
        "reference": petition.reference,
        "due": local_when(petition.due_at),
    }


def receipt_notify(petition: Petition) -> list[PetitionNotification]:
    """Queue the receipt of ``petition`` for its citizen (see the module)."""
    language = message_language(petition.language)
    targets = []
    with translation.override(language):
        values = receipt_values(petition)
        body = str(RECEIPT_TEXT).format(**values)
        subject = _("[%(city)s] Petition %(reference)s") % {
            "city": settings.CITY_NAME,
            "reference": petition.reference,
        }
        alimtalk = alimtalk_templates.template_fields(PetitionNotification, RECEIPT, values, language=language)
        if petition.phone:
            text = alimtalk.pop("body", None) or sms_text(body, language)
            targets.append((PetitionNotification.Channel.SMS, petition.phone, text, alimtalk))
        if petition.email:
            footer = _("This address does not take replies. Questions: %(phone)s") % {"phone": settings.CITY_PHONE}
            targets.append((PetitionNotification.Channel.EMAIL, petition.email, f"{body}\n\n--\n{footer}\n", {}))
    return outbox.write(
        PetitionNotification,
        [
            {
                "dedupe_key": f"petition:{RECEIPT}:{petition.pk}:{channel}",
                "petition": petition,
                "kind": RECEIPT,
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": text,
                **extra,
            }
            for channel, recipient, text, extra in targets
        ],
    )
