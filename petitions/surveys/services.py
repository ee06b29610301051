"""The satisfaction survey's writes: starting a round (sampling and sending
the invitations), the citizen's answer, the citizen's opt-out.

- ``survey_round_start`` runs from celery beat every day
  (``petitions.start_survey_round``); in a month of ``SURVEY_MONTHS`` it
  starts the round of the half-year just ended, once: the round's unique
  half-year key lets one process through, a second run (another beat,
  another day of the month) finds it and does nothing.
- Who may be asked: citizens whose petition was **closed in the half-year**
  as answered, guided, transferred or merged, with a mobile number, not
  purged and not opted out. Praise (thanked) is left out (no service to
  rate), and so is a petition that became a meeting request: the meeting's
  own one-minute question asks that citizen (``meetings.services.feedback``).
  Meeting requests are not sampled here for the same reason.
- One invitation per mobile number per round (a unique constraint on the
  number's hash), ``SURVEY_SAMPLE_SIZE`` numbers drawn at random.
- The link ``/survey/<token>/`` is valid ``LINK_DAYS`` days; only the
  token's SHA-256 is stored. One answer per link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from petitions import rules
from petitions.errors import PetitionError
from petitions.models import Petition
from petitions.surveys.models import QUESTION_FIELDS, SurveyInvitation, SurveyNotification, SurveyOptOut, SurveyRound
from scheduling import alimtalk_templates, outbox
from scheduling.languages import message_language, sms_text
from scheduling.phones import InvalidPhoneNumber, normalize_mobile

logger = logging.getLogger(__name__)

#: Days a survey link can be answered.
LINK_DAYS = 30
#: The closed statuses whose citizens are asked (see the module's docstring).
SURVEYED_STATUSES = (rules.ANSWERED, rules.GUIDED, rules.TRANSFERRED, rules.MERGED)
COMMENT_MAX = 1000

MESSAGE = gettext_lazy(
    "[{city}] How did we handle your petition? Please answer five short questions (until {until}): {link}"
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def phone_hash(phone: str) -> str:
    """The hash a mobile number is known by here (normalised first)."""
    try:
        phone = normalize_mobile(phone)
    except InvalidPhoneNumber:
        phone = phone.strip()
    return hashlib.sha256(f"tongtong.survey:{phone}".encode()).hexdigest()


def survey_url(token: str) -> str:
    return settings.SITE_URL + reverse("surveys:answer", args=[token])


# --- Which half-year, and who -------------------------------------------------------------


def half_year_before(day: dt.date) -> tuple[str, dt.date, dt.date]:
    """The half-year that ended last before ``day``'s half-year:
    (key, first day, first day after)."""
    if day.month <= 6:
        year = day.year - 1
        return f"{year:04d}-H2", dt.date(year, 7, 1), dt.date(year + 1, 1, 1)
    return f"{day.year:04d}-H1", dt.date(day.year, 1, 1), dt.date(day.year, 7, 1)


def eligible_contacts(start: dt.date, end: dt.date) -> list[tuple[str, Petition]]:
    """(phone hash, the number's last petition) of every mobile number that
    may be asked about [start, end): one row per number, in one query
    (plus one for the opt-outs)."""
    from scheduling.clock import SEOUL

    since = dt.datetime.combine(start, dt.time.min, tzinfo=SEOUL)
    until = dt.datetime.combine(end, dt.time.min, tzinfo=SEOUL)
    petitions = (
        Petition.objects.filter(
            closed_at__gte=since,
            closed_at__lt=until,
            status__in=SURVEYED_STATUSES,
            purged_at__isnull=True,
        )
        .exclude(phone="")
        .only("pk", "phone", "language", "reference")
        .order_by("closed_at", "pk")
    )
    opted_out = set(SurveyOptOut.objects.values_list("phone_hash", flat=True))
    latest: dict[str, Petition] = {}
    for petition in petitions:
        key = phone_hash(petition.phone)
        if key not in opted_out:
            latest[key] = petition
    return list(latest.items())


# --- Starting a round -----------------------------------------------------------------------


def survey_round_start(*, today: dt.date | None = None, rng: random.Random | None = None) -> SurveyRound | None:
    """In a ``SURVEY_MONTHS`` month, start the round of the half-year just
    ended: draw the sample and write one invitation (and its text message)
    per number. Returns the new round, or None (not a survey month, or the
    round exists already)."""
    today = today or timezone.localdate()
    if today.month not in settings.SURVEY_MONTHS:
        return None
    key, start, end = half_year_before(today)
    if SurveyRound.objects.filter(period_key=key).exists():
        return None
    try:
        with transaction.atomic():
            return _start(key, start, end, rng or secrets.SystemRandom())
    except IntegrityError:
        logger.info("survey round %s already started elsewhere", key)
        return None


def _start(key: str, start: dt.date, end: dt.date, rng) -> SurveyRound:
    now = timezone.now()
    contacts = eligible_contacts(start, end)
    survey = SurveyRound.objects.create(
        period_key=key, period_start=start, period_end=end, started_at=now, eligible=len(contacts)
    )
    sample = rng.sample(contacts, min(settings.SURVEY_SAMPLE_SIZE, len(contacts)))
    expires_at = now + dt.timedelta(days=LINK_DAYS)
    tokens = {}
    invitations = []
    for number_hash, petition in sample:
        token = secrets.token_urlsafe(24)
        invitation = SurveyInvitation(
            round=survey,
            petition=petition,
            phone_hash=number_hash,
            token_hash=hash_token(token),
            language=message_language(petition.language),
            sent_at=now,
            expires_at=expires_at,
        )
        invitations.append(invitation)
        tokens[invitation.token_hash] = (token, petition.phone)
    SurveyInvitation.objects.bulk_create(invitations)
    saved = SurveyInvitation.objects.filter(round=survey).only("pk", "token_hash", "language")
    messages = []
    for invitation in saved:
        token, phone = tokens[invitation.token_hash]
        messages.append(_message(invitation, token, phone, expires_at))
    outbox.write(SurveyNotification, messages)
    logger.info("survey round %s: %d asked of %d", key, len(invitations), len(contacts))
    return survey


def message_values(link: str, until: dt.datetime) -> dict[str, str]:
    from scheduling.dates import local_date

    return {"city": settings.CITY_NAME, "link": link, "until": local_date(timezone.localdate(until))}


def _message(invitation: SurveyInvitation, token: str, phone: str, expires_at: dt.datetime) -> dict:
    language = invitation.language
    with translation.override(language):
        values = message_values(survey_url(token), expires_at)
        body = str(MESSAGE).format(**values)
        alimtalk = alimtalk_templates.template_fields(SurveyNotification, "invitation", values, language=language)
    return {
        "dedupe_key": f"survey:{invitation.pk}",
        "invitation": invitation,
        "kind": "invitation",
        "channel": SurveyNotification.Channel.SMS,
        "recipient": phone,
        "body": alimtalk.pop("body", None) or sms_text(body, language),
        **alimtalk,
    }


# --- The citizen's side -----------------------------------------------------------------------


def invitation_for_token(token: str) -> SurveyInvitation | None:
    """The invitation of a link, expired or not (the page says which); None
    for a token that was never given."""
    if not token or len(token) > 100:
        return None
    return SurveyInvitation.objects.select_related("round").filter(token_hash=hash_token(token)).first()


def is_expired(invitation: SurveyInvitation, *, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) >= invitation.expires_at


@transaction.atomic
def survey_answer(*, invitation: SurveyInvitation, scores: dict[str, int], comment: str = "") -> SurveyInvitation:
    """Record the citizen's answer: each of the four questions 1–5, and an
    optional comment. Once per link; not after it expired."""
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:
        raise PetitionError(_("Thank you, your answer was already recorded."))
    if is_expired(invitation):
        raise PetitionError(_("This survey closed on %(date)s.") % {"date": _closed_on(invitation)})
    for name in QUESTION_FIELDS:
        value = scores.get(name)
        if value not in range(1, 6):
            raise PetitionError(_("Choose a score from 1 to 5 for every question."))
        setattr(invitation, name, value)
    invitation.comment = (comment or "").strip()[:COMMENT_MAX]
    invitation.answered_at = timezone.now()
    invitation.full_clean()
    invitation.save()
    return invitation


def _closed_on(invitation: SurveyInvitation) -> str:
    from scheduling.dates import local_date

    return local_date(timezone.localdate(invitation.expires_at))


@transaction.atomic
def survey_opt_out(*, invitation: SurveyInvitation) -> None:
    """The citizen of ``invitation`` asks not to be surveyed again."""
    SurveyOptOut.objects.get_or_create(phone_hash=invitation.phone_hash)
