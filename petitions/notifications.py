"""What the petition office tells citizens (and the quick-service field
team), through the project's one outbox: the receipt from every channel
(intake) and every step after it (the office).

``notify(petition, kind, ...)`` renders message ``kind`` in the language of
the petition (``Petition.language``: Korean, English, Chinese or
Vietnamese) and writes it as ``PetitionNotification`` rows inside the
caller's transaction: a change and its message commit together or not at
all (``scheduling.outbox``). A text of more than 90 bytes goes as an LMS
(``scheduling.sms``). A kind with a registered 알림톡 template (the receipt)
goes as 알림톡 with SMS/LMS fallback; the others (an answer is free text)
as SMS/LMS.

- ``receipt``: the reference and the due date, once per petition however
  often it is asked for (a second text to the mayor's phone the same day, a
  double tap); 국민신문고 petitions get none (the portal tells the citizen);
- ``answer`` / ``guided``: the answer itself, by the one way staff chose
  (``answer_via``: text message or e-mail; a letter is printed, and
  국민신문고 answers through the portal, so nothing is written here);
- ``extended``, ``transferred``, ``merged``, ``thanked``, ``resolved``:
  notices, by text message and by e-mail when the citizen gave one;
- ``dispatch``: the field team's text (Korean: it is staff).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from petitions.errors import PetitionError
from petitions.models import Petition, PetitionNotification
from scheduling import alimtalk_templates, outbox
from scheduling.dates import local_when
from scheduling.languages import message_language, sms_text
from scheduling.sms import LMS_MAX_BYTES

SMS = PetitionNotification.Channel.SMS
EMAIL = PetitionNotification.Channel.EMAIL

#: What each kind of message says; ``{city}``, ``{reference}`` and the
#: kind's own values are filled in (values inserted as they are).
MESSAGES = {
    "receipt": gettext_lazy("[{city}] Your petition (reference {reference}) was received. We will answer by {due}."),
    "answer": gettext_lazy("[{city}] The answer to your petition {reference}:\n{answer}"),
    "guided": gettext_lazy("[{city}] About your petition {reference}:\n{answer}"),
    "extended": gettext_lazy(
        "[{city}] The answer to your petition {reference} is extended to {when}. Reason: {reason}"
    ),
    "transferred": gettext_lazy(
        "[{city}] Your petition {reference} was sent to {agency}, which is in charge of it and will answer you.{portal}"
    ),
    "merged": gettext_lazy(
        "[{city}] Your petition {reference} repeats petition {original}; it is answered with that one."
    ),
    "thanked": gettext_lazy("[{city}] Thank you for your message ({reference}).{note}"),
    "resolved": gettext_lazy("[{city}] What you reported ({reference}) was fixed. Thank you for telling us."),
}
#: The kinds sent only by the way staff chose (``answer_via``).
ANSWER_KINDS = frozenset({"answer", "guided"})


def message_values(kind: str, petition: Petition, **context) -> dict[str, str]:
    values = {"city": settings.CITY_NAME, "reference": petition.reference}
    for key, value in context.items():
        values[key] = local_when(value) if hasattr(value, "tzinfo") and hasattr(value, "hour") else str(value)
    if kind == "transferred":
        number = values.get("portal", "")
        values["portal"] = " " + _("국민신문고 number: %(number)s") % {"number": number} if number else ""
    if kind == "thanked":
        note = values.get("note", "").strip()
        values["note"] = f" {note}" if note else ""
    return values


def render(kind: str, petition: Petition, **context) -> str:
    """The text of message ``kind`` about ``petition`` in the active language."""
    return str(MESSAGES[kind]).format(**message_values(kind, petition, **context)).strip()


def _subject(petition: Petition) -> str:
    return _("[%(city)s] Your petition %(reference)s") % {"city": settings.CITY_NAME, "reference": petition.reference}


def _email_body(body: str) -> str:
    footer = _("This address does not take replies. Questions: %(phone)s") % {"phone": settings.CITY_PHONE}
    return f"{body}\n\n--\n{footer}\n"


def fits_a_text_message(text: str) -> bool:
    """Whether ``text`` fits one LMS (2,000 bytes in EUC-KR)."""
    return len(text.encode("euc-kr", errors="replace")) <= LMS_MAX_BYTES


def notify(
    petition: Petition, kind: str, *, via: str | None = None, once: bool = False, **context
) -> list[PetitionNotification]:
    """Queue message ``kind`` for the citizen of ``petition``. ``via``
    ("sms" or "email") sends it that way only (an answer); without it, by
    text message if there is a number and by e-mail if there is an address.
    ``once``: never a second message of this kind for this petition.
    Call it inside the transaction of the change it tells of."""
    language = message_language(petition.language)
    with translation.override(language):
        values = message_values(kind, petition, **context)
        body = str(MESSAGES[kind]).format(**values).strip()
        subject = _subject(petition)
        alimtalk = alimtalk_templates.template_fields(PetitionNotification, kind, values, language=language)
        targets = []
        if via in (None, SMS) and petition.phone:
            text = alimtalk.pop("body", None) or sms_text(body, language)
            if via == SMS and not fits_a_text_message(text):
                raise PetitionError(
                    _("The answer is too long for a text message: send it by e-mail or as a letter, or shorten it.")
                )
            targets.append((SMS, petition.phone, text, alimtalk))
        if via in (None, EMAIL) and petition.email:
            targets.append((EMAIL, petition.email, _email_body(body), {}))
    key = "once" if once else uuid.uuid4().hex
    return outbox.write(
        PetitionNotification,
        [
            {
                "dedupe_key": f"{kind}:{petition.pk}:{channel}:{key}",
                "petition": petition,
                "kind": kind,
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": text,
                **extra,
            }
            for channel, recipient, text, extra in targets
        ],
    )


def notify_field_team(petition: Petition, *, phone: str, team: str, note: str = "") -> list[PetitionNotification]:
    """The quick service's dispatch: what and where, to the field team's
    phone (staff: in Korean, without the citizen's contact)."""
    with translation.override(settings.LANGUAGE_CODE):
        where = petition.neighborhood.name if petition.neighborhood_id else _("no neighborhood given")
        body = _(
            "[%(city)s] Quick service %(reference)s (%(team)s): %(subject)s, %(where)s. %(text)s%(note)s "
            "Due by %(due)s; record the fix with a photo."
        ) % {
            "city": settings.CITY_NAME,
            "reference": petition.reference,
            "team": team,
            "subject": petition.subject,
            "where": where,
            "text": " ".join(petition.body.split())[:300],
            "note": f" ({' '.join(note.split())})" if note.strip() else "",
            "due": local_when(petition.due_at),
        }
    return outbox.write(
        PetitionNotification,
        [
            {
                "dedupe_key": f"dispatch:{petition.pk}:{uuid.uuid4().hex}",
                "petition": petition,
                "kind": "dispatch",
                "channel": SMS,
                "recipient": phone,
                "subject": "",
                "body": body,
            }
        ],
    )
