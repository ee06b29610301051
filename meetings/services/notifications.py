"""What the meetings app tells citizens, through the project's one outbox.

``notify(request, kind)`` renders the message ``kind`` in the language the
citizen used (``MeetingRequest.language``: Korean, English, Chinese or
Vietnamese) and writes
it as ``Notification`` rows (one per channel: SMS, and e-mail if the citizen
gave an address) inside the caller's transaction, so a change and its
message commit together or not at all. Everything after that — handing the
rows to celery after the commit, the claim that sends each at most once, the
flush with its bounded, backed-off retries, stuck rows and an operator's
actions — is the generic outbox in ``scheduling/outbox.py`` (see
docs/notifications.md), called with the ``Notification`` model.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.models import MeetingRequest, Notification
from scheduling import alimtalk_templates, outbox
from scheduling.dates import korean_datetime, local_when
from scheduling.languages import message_language, sms_text

#: What each kind of message says. ``{city}``, ``{reference}``, ``{subject}``
#: and ``{when}`` / ``{who}`` / ``{where}`` / ``{reason}`` / ``{link}`` /
#: ``{deadline}`` are filled in (a moment given as a datetime is written in the
#: message's language). Sent in the citizen's language; 90 bytes go as an SMS,
#: longer as an LMS (scheduling.sms). The confirmation carries the private status
#: link (an LMS); the others are short and point to "the link you received".
MESSAGES = {
    "submitted": gettext_lazy("[{city}] Your meeting request {reference} was received. Follow it here: {link}"),
    "under_review": gettext_lazy("[{city}] Your meeting request {reference} is being reviewed."),
    "scheduled": gettext_lazy(
        "[{city}] Meeting {reference}: {when}, {where}, with {who}. To cancel or move it, use the link you received."
    ),
    "substituted": gettext_lazy(
        "[{city}] Meeting {reference}: {when}, {where}, with {who} on behalf of the mayor. Reason: {reason}"
    ),
    "answered": gettext_lazy("[{city}] Your request {reference} was answered in writing. See the link you received."),
    "declined": gettext_lazy("[{city}] Your request {reference} could not be accepted. Reason: {reason} {remedy}"),
    "extended": gettext_lazy("[{city}] The answer to {reference} is extended to {when}. Reason: {reason}"),
    "cancelled": gettext_lazy("[{city}] Your meeting {reference} is cancelled."),
    "meeting_day_moved": gettext_lazy(
        "[{city}] The meeting day of {reference} moved to {when}. Reason: {reason}. "
        "If that does not suit you, ask for another day with your link."
    ),
    "meeting_day_cancelled": gettext_lazy(
        "[{city}] The meeting day of {reference} is cancelled. Reason: {reason}. "
        "Your request stays open: choose another day with your link."
    ),
    "waitlist_offer": gettext_lazy(
        "[{city}] A slot is free for {reference}: {when}. Confirm it with your link before {deadline}."
    ),
    "reminder": gettext_lazy("[{city}] Reminder: meeting {reference} tomorrow, {when}, {where}."),
    "satisfaction": gettext_lazy("[{city}] How was your meeting ({reference})? Tell us in one minute: {link}"),
    "moved_by_citizen": gettext_lazy("[{city}] Your request {reference} asks for another day; we will confirm it."),
}


#: 2026. 12. 10.(목) 14:15 — how the staff pages and the history write a moment.
format_when = korean_datetime


#: 민원 처리에 관한 법률 제35조: an objection to a refusal within 90 days of
#: the notice, answered within 10 days.
APPEAL_DAYS = 90
APPEAL_ANSWER_DAYS = 10


def decline_remedy_short() -> str:
    """The remedy in one sentence, for the text message of a refusal (법 제27조:
    a refusal states the reason and the remedy). The e-mail and the status
    page give the full list (``decline_remedies``)."""
    text = _("If you disagree, you may ask us to review it again within %(days)s days (%(phone)s) or use 국민신문고.")
    return text % {"days": APPEAL_DAYS, "phone": settings.CITY_PHONE}


def decline_remedies() -> list[tuple[str, str]]:
    """What a citizen whose request was refused can do, in the active
    language: (the way, what to do). What the city says under 민원처리법
    제27조 and 제35조; a meeting request is not a disposition of statutory
    rights, so an administrative appeal is named only "if you believe" so."""
    values = {"days": APPEAL_DAYS, "answer_days": APPEAL_ANSWER_DAYS, "phone": settings.CITY_PHONE}
    return [
        (
            _("Ask us to review it again (objection)"),
            _(
                "Within %(days)s days of this notice, ask the Citizen Communication Team by phone (%(phone)s), "
                "in person or in writing, saying why you disagree. We answer within %(answer_days)s days."
            )
            % values,
        ),
        (
            _("국민신문고 (the government's online petition service)"),
            _("File a petition or a complaint at www.epeople.go.kr, or call the government's help line 110."),
        ),
        (
            _("Administrative appeal"),
            _(
                "If you believe this decision is an administrative disposition that infringes your rights or "
                "interests, you may file an administrative appeal (www.simpan.go.kr) within %(days)s days of "
                "learning of it."
            )
            % values,
        ),
    ]


def _email_extra(kind: str) -> str:
    """What an e-mail says beyond the text message: the full remedy of a refusal."""
    if kind != "declined":
        return ""
    lines = [_("What you can do if you disagree:")]
    lines += [f"- {way}: {what}" for way, what in decline_remedies()]
    return "\n".join(lines)


def message_values(kind: str, request: MeetingRequest, **context) -> dict[str, str]:
    """The values a message about ``request`` is filled in with (also the
    variables of its 알림톡 template). ``when`` / ``who`` / ``where`` come
    from the active appointment unless ``context`` gives them; every value
    on one line."""
    values = dict.fromkeys(("link", "reason", "when", "who", "where", "deadline", "remedy"), "")
    if kind == "declined":
        values["remedy"] = decline_remedy_short()
    values.update(city=settings.CITY_NAME, reference=request.reference, subject=request.subject)
    appointment = request.active_appointment
    if appointment:
        values.update(when=local_when(appointment.start), who=str(appointment.official), where=appointment.location)
    for key, value in context.items():
        if isinstance(value, dt.datetime):
            value = local_when(value)
        values[key] = " ".join(str(value).split())
    return values


def render(kind: str, request: MeetingRequest, **context) -> str:
    """The text of message ``kind`` about ``request`` in the active language.
    Values are inserted as they are (a ``{`` in a reason is not a
    placeholder)."""
    return str(MESSAGES[kind]).format(**message_values(kind, request, **context)).strip()


def _email_body(body: str, extra: str = "") -> str:
    footer = _("This address does not take replies. Questions: %(phone)s") % {"phone": settings.CITY_PHONE}
    middle = f"\n\n{extra}" if extra else ""
    return f"{body}{middle}\n\n--\n{footer}\n"


def notify(request: MeetingRequest, kind: str, *, dedupe: str | None = None, **context) -> list[Notification]:
    """Queue the message ``kind`` for the citizen of ``request``: by SMS, and
    by e-mail too if they gave one. Call it inside the transaction of the
    change it tells of; it is sent after the commit. ``dedupe`` makes a
    repeated call a no-op (e.g. one reminder per appointment version), even
    from two processes at once (the key is unique in the database)."""
    key = dedupe or uuid.uuid4().hex
    language = message_language(request.language)
    with translation.override(language):
        body = render(kind, request, **context)
        subject = _("[%(city)s] TongTong Day %(reference)s") % {
            "city": settings.CITY_NAME,
            "reference": request.reference,
        }
        # The text message of a kind with a registered 알림톡 template is
        # rendered from it (scheduling/alimtalk_templates.py): the same
        # words, and exactly the registered text, or Kakao refuses it. A
        # language with no template goes by SMS/LMS; Vietnamese without its
        # marks (EUC-KR), in full by e-mail.
        alimtalk = alimtalk_templates.template_fields(
            Notification, kind, message_values(kind, request, **context), language=language
        )
        targets = [(Notification.Channel.SMS, request.phone, alimtalk.pop("body", None) or sms_text(body, language))]
        if request.email:
            extra = _email_extra(kind)
            # The e-mail gives the full remedy instead of the SMS's one sentence.
            mail = render(kind, request, **{**context, "remedy": ""}) if extra else body
            targets.append((Notification.Channel.EMAIL, request.email, _email_body(mail, extra)))
    return outbox.write(
        Notification,
        [
            {
                "dedupe_key": f"{kind}:{request.pk}:{channel}:{key}",
                "request": request,
                "kind": kind,
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": text,
                **(alimtalk if channel == Notification.Channel.SMS else {}),
            }
            for channel, recipient, text in targets
        ],
        # Looked up when the commit happens, so that ``enqueue`` stays the
        # one place to watch (tests stand in a dead broker there).
        on_commit=lambda ids: enqueue(ids),
    )


def enqueue(ids: list[int]) -> None:
    """Hand notifications to celery (called after the commit). Never raises
    and never waits long: with the broker down the rows stay pending and
    the flush sends them when it is back."""
    outbox.enqueue(Notification, ids)
