"""What residents and departments are told about suggestions, through the
project's one outbox (``scheduling.outbox``, rows in
``visits.SuggestionNotification``).

Called by ``visits.cards.services`` inside its transactions, so a change and
its message commit together; each message has a dedupe key, so a service
that runs again never writes a message twice:

- ``tell_resident_of_status(suggestion, event)``: a public status change,
  to the resident who left a contact with consent (SMS and/or e-mail);
- ``ask_if_resolved(suggestion)``: after completion, "is it resolved?" with
  a signed link to ``cards:resident_answer``;
- ``tell_department_of_reopening(suggestion, reason)``: an e-mail to the
  lead department's staff;
- ``overdue_suggestions_remind()``: celery beat, weekly: one list per lead
  department of its overdue suggestions, once a week.

Every text is rendered in Korean (``settings.LANGUAGE_CODE``), whatever
language the staff member who made the change uses. This module reads
through ``visits.cards.selectors`` and never imports the services.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from scheduling import alimtalk_templates, outbox
from scheduling.dates import korean_date
from visits.cards import selectors, workflow
from visits.models import Suggestion, SuggestionEvent, SuggestionNotification

logger = logging.getLogger(__name__)

Channel = SuggestionNotification.Channel

#: The signed "is it resolved?" link: its salt, and how long it may be used.
ANSWER_SALT = "tongtong.visits.resident_answer"
ANSWER_MAX_AGE = 60 * 60 * 24 * 60  # two months to answer

#: How long a public note may be inside a text message.
NOTE_IN_MESSAGE = 200


def _consent_text() -> str:
    years = settings.MEETING_RETENTION_YEARS
    return ngettext(
        "Purpose: to tell you how your suggestion goes (each change of its status, and after completion the "
        "question whether it is resolved). Items: your mobile number and/or e-mail address. Kept until the "
        "suggestion is closed, then for at most %(years)s year, then destroyed. You may refuse; the suggestion "
        "is followed all the same, and you can read how it goes on the neighborhood's public card.",
        "Purpose: to tell you how your suggestion goes (each change of its status, and after completion the "
        "question whether it is resolved). Items: your mobile number and/or e-mail address. Kept until the "
        "suggestion is closed, then for at most %(years)s years, then destroyed. You may refuse; the suggestion "
        "is followed all the same, and you can read how it goes on the neighborhood's public card.",
        years,
    ) % {"years": years}


#: The consent the resident gives before staff record their contact (개인정보
#: 보호법 제15조: purpose, items, retention period, the right to refuse). Lazy:
#: shown in the active language, with the configured retention period.
CONTACT_CONSENT_TEXT = lazy(_consent_text, str)()

MESSAGES = {
    "status": gettext_lazy("[{city}] Your suggestion for {neighborhood} “{title}”: {status}.{note} Its card: {link}"),
    "resolved_question": gettext_lazy(
        "[{city}] Your suggestion for {neighborhood} “{title}” has been completed. Is it resolved? Tell us: {link}"
    ),
}


# --- Links ----------------------------------------------------------------------------


def card_url(suggestion: Suggestion) -> str:
    """The public card of the suggestion's neighborhood."""
    return settings.SITE_URL + reverse("cards:card", args=[suggestion.neighborhood.code])


def _staff_url(suggestion: Suggestion) -> str:
    return settings.SITE_URL + reverse("staff_cards:suggestion", args=[suggestion.pk])


def answer_token(suggestion: Suggestion, completion_id: int) -> str:
    """The signed token of the "is it resolved?" link for one completion of
    ``suggestion`` (a later completion asks again with a new link)."""
    return signing.dumps([suggestion.pk, completion_id], salt=ANSWER_SALT, compress=True)


def answer_token_read(token: str) -> tuple[int, int]:
    """(suggestion id, completion event id) of a token. Raises
    ``signing.SignatureExpired`` for a link older than ``ANSWER_MAX_AGE`` and
    ``signing.BadSignature`` for anything forged or mangled."""
    value = signing.loads(token, salt=ANSWER_SALT, max_age=ANSWER_MAX_AGE)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise signing.BadSignature("unexpected payload")
    return value[0], value[1]


def answer_url(suggestion: Suggestion, completion_id: int) -> str:
    return settings.SITE_URL + reverse("cards:resident_answer", args=[answer_token(suggestion, completion_id)])


def latest_transition_id(suggestion: Suggestion, *, to_status: str, from_status: str | None = None) -> int | None:
    """The id of the suggestion's latest move to ``to_status``."""
    events = SuggestionEvent.objects.filter(
        suggestion_id=suggestion.pk, kind=SuggestionEvent.Kind.TRANSITION, to_status=to_status
    )
    if from_status is not None:
        events = events.filter(from_status=from_status)
    return events.order_by("-created_at", "-pk").values_list("pk", flat=True).first()


# --- Texts ----------------------------------------------------------------------------


def _one_line(value, limit: int | None = None) -> str:
    text = " ".join(str(value or "").split())
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _email_body(body: str) -> str:
    footer = _("This address does not take replies. Questions: %(phone)s") % {"phone": settings.CITY_PHONE}
    return f"{body}\n\n--\n{footer}\n"


def render(kind: str, suggestion: Suggestion, **context) -> str:
    """The text of the resident's message ``kind`` in the active language."""
    return str(MESSAGES[kind]).format(**message_values(suggestion, **context))


def message_values(suggestion: Suggestion, **context) -> dict[str, str]:
    """The values a resident's message is filled in with (also the
    variables of its 알림톡 template)."""
    values = {
        "city": settings.CITY_NAME,
        "neighborhood": suggestion.neighborhood.name,
        "title": _one_line(suggestion.title),
        "status": str(suggestion.get_status_display()),
        "note": "",
        "link": "",
    }
    values.update({key: _one_line(value) for key, value in context.items()})
    return values


def _to_resident(
    suggestion: Suggestion, kind: str, key: str, body: str, values: dict | None = None
) -> list[SuggestionNotification]:
    """Queue ``body`` to the resident's mobile and/or e-mail. The text
    message of a kind with a registered 알림톡 template is rendered from it
    with ``values`` (scheduling/alimtalk_templates.py)."""
    alimtalk = alimtalk_templates.template_fields(SuggestionNotification, kind, values) if values else {}
    subject = _("[%(city)s] Your suggestion for %(neighborhood)s") % {
        "city": settings.CITY_NAME,
        "neighborhood": suggestion.neighborhood.name,
    }
    targets = []
    if suggestion.contact_phone:
        targets.append((Channel.SMS, suggestion.contact_phone, alimtalk.pop("body", body)))
    if suggestion.contact_email:
        targets.append((Channel.EMAIL, suggestion.contact_email, _email_body(body)))
    return outbox.write(
        SuggestionNotification,
        [
            {
                "dedupe_key": f"{key}:{channel}",
                "suggestion": suggestion,
                "kind": kind,
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": text,
                **(alimtalk if channel == Channel.SMS else {}),
            }
            for channel, recipient, text in targets
        ],
    )


def department_recipients(department_ids) -> dict[int, list[tuple[int, str]]]:
    """For each department, its active staff with an e-mail address:
    (user id, address), in one query."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__department_id__in=list(department_ids))
        .exclude(email="")
        .order_by("pk")
        .values_list("staff_profile__department_id", "pk", "email")
    )
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for department_id, user_id, email in users:
        result[department_id].append((user_id, email))
    return result


# --- To the resident ------------------------------------------------------------------


def tell_resident_of_status(suggestion: Suggestion, event: SuggestionEvent) -> list[SuggestionNotification]:
    """The resident who left a contact (with consent) hears of a public
    status change: the neighborhood, the title, the new status, the public
    note and the link to the public card. Once per change (keyed by the
    event)."""
    if not suggestion.has_contact:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        note = _one_line(event.public_note, NOTE_IN_MESSAGE)
        context = {
            "status": Suggestion.Status(event.to_status or suggestion.status).label,
            "note": f" {note}" if note else "",
            "link": card_url(suggestion),
        }
        body = render("status", suggestion, **context)
        values = message_values(suggestion, **context)
        return _to_resident(suggestion, "status", f"status:{suggestion.pk}:{event.pk}", body, values)


def ask_if_resolved(suggestion: Suggestion) -> list[SuggestionNotification]:
    """After completion, the resident who left a contact is asked whether it
    is resolved, with a signed link (valid ``ANSWER_MAX_AGE``) to answer on
    the site. Once per completion."""
    if not suggestion.has_contact:
        return []
    completion_id = latest_transition_id(suggestion, to_status=workflow.COMPLETED)
    if completion_id is None:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        link = answer_url(suggestion, completion_id)
        body = render("resolved_question", suggestion, link=link)
        values = message_values(suggestion, link=link)
        key = f"resolved_question:{suggestion.pk}:{completion_id}"
        return _to_resident(suggestion, "resolved_question", key, body, values)


# --- To the lead department -----------------------------------------------------------


def tell_department_of_reopening(suggestion: Suggestion, reason: str) -> list[SuggestionNotification]:
    """An e-mail to every active member of the lead department's staff with
    an address: the suggestion is back in progress with them, and why."""
    department_id = suggestion.lead_department_id
    if department_id is None:
        return []
    reopening_id = latest_transition_id(
        suggestion, to_status=workflow.IN_PROGRESS, from_status=workflow.COMPLETED
    ) or timezone.now().strftime("%Y%m%d%H%M%S%f")
    recipients = department_recipients([department_id]).get(department_id, [])
    if not recipients:
        logger.warning("suggestion %s reopened; its lead department has no staff with an e-mail", suggestion.pk)
        return []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[%(city)s] Suggestion reopened: %(title)s") % {
            "city": settings.CITY_NAME,
            "title": _one_line(suggestion.title, 120),
        }
        body = _(
            "The suggestion “%(title)s” (%(neighborhood)s) was reopened and is in progress again with your "
            "department.\nReason: %(reason)s\n\nOpen it: %(link)s"
        ) % {
            "title": _one_line(suggestion.title),
            "neighborhood": suggestion.neighborhood.name,
            "reason": _one_line(reason) or "-",
            "link": _staff_url(suggestion),
        }
        body = _email_body(body)
    return outbox.write(
        SuggestionNotification,
        [
            {
                "dedupe_key": f"reopened:{suggestion.pk}:{reopening_id}:{user_id}",
                "suggestion": suggestion,
                "kind": "reopened",
                "channel": Channel.EMAIL,
                "recipient": email,
                "subject": subject,
                "body": body,
            }
            for user_id, email in recipients
        ],
    )


def week_key(day: dt.date) -> str:
    """The ISO week of ``day`` (2027-W09): the weekly reminder's period."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _digest(department_name: str, suggestions: list[Suggestion]) -> tuple[str, str]:
    """The weekly list; ``suggestions`` come from ``selectors.overdue`` (with
    ``is_late_answer``)."""
    subject = ngettext(
        "[%(city)s] %(count)s suggestion is waiting for your department",
        "[%(city)s] %(count)s suggestions are waiting for your department",
        len(suggestions),
    ) % {"city": settings.CITY_NAME, "count": len(suggestions)}
    lines = [
        _(
            "These suggestions led by %(department)s have had no update for %(days)s days, or their first answer "
            "is late:"
        )
        % {"department": department_name, "days": settings.SUGGESTION_STALE_DAYS},
        "",
    ]
    for suggestion in suggestions:
        line = _("- %(neighborhood)s · %(title)s · %(status)s · last update %(date)s") % {
            "neighborhood": suggestion.neighborhood.name,
            "title": _one_line(suggestion.title),
            "status": suggestion.get_status_display(),
            "date": korean_date(timezone.localdate(suggestion.last_activity_at)),
        }
        if suggestion.is_late_answer:
            line += _(" · first answer was due %(date)s") % {"date": korean_date(suggestion.first_answer_due)}
        lines += [line, f"  {_staff_url(suggestion)}"]
    lines += ["", _("Your department's inbox: %(link)s") % {"link": settings.SITE_URL + reverse("staff_cards:inbox")}]
    return subject, _email_body("\n".join(lines))


def overdue_suggestions_remind(*, now: dt.datetime | None = None) -> int:
    """Celery beat, weekly: each lead department gets ONE list of its
    overdue suggestions (e-mailed to each of its active staff with an
    address); each listed suggestion gets a REMINDER event and
    ``last_reminded_at``. Once per department and ISO week: a second run in
    the same week (or two beats at once) writes nothing. Returns how many
    departments were reminded."""
    now = now or timezone.now()
    period = week_key(timezone.localdate(now))
    overdue = list(
        selectors.overdue(Suggestion.objects.filter(lead_department__isnull=False), now)
        .select_related("neighborhood", "lead_department")
        .order_by("lead_department_id", "first_answer_due", "last_activity_at", "pk")
    )
    by_department: dict[int, list[Suggestion]] = defaultdict(list)
    for suggestion in overdue:
        by_department[suggestion.lead_department_id].append(suggestion)
    prefix = f"overdue:{period}:"
    done_already = {
        int(key[len(prefix) :].split(":")[0])
        for key in SuggestionNotification.objects.filter(dedupe_key__startswith=prefix).values_list(
            "dedupe_key", flat=True
        )
    }
    recipients = department_recipients(by_department)
    reminded = 0
    for department_id, suggestions in by_department.items():
        if department_id in done_already:
            continue
        if not recipients.get(department_id):
            logger.warning("department %s has overdue suggestions but no staff with an e-mail", department_id)
            continue
        department_name = suggestions[0].lead_department.name
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _digest(department_name, suggestions)
            note = _("Weekly reminder to %(department)s") % {"department": department_name}
        with transaction.atomic():
            written = outbox.write(
                SuggestionNotification,
                [
                    {
                        "dedupe_key": f"{prefix}{department_id}:{user_id}",
                        "kind": "overdue",
                        "channel": Channel.EMAIL,
                        "recipient": email,
                        "subject": subject,
                        "body": body,
                    }
                    for user_id, email in recipients[department_id]
                ],
            )
            if not written:  # another beat got there first
                continue
            SuggestionEvent.objects.bulk_create(
                [
                    SuggestionEvent(
                        suggestion=suggestion,
                        kind=SuggestionEvent.Kind.REMINDER,
                        note=note,
                        created_at=now,
                    )
                    for suggestion in suggestions
                ]
            )
            Suggestion.objects.filter(pk__in=[s.pk for s in suggestions]).update(last_reminded_at=now)
        reminded += 1
    return reminded
