"""The overdue reminder of the mayor's instructions, through the outbox
(``scheduling.outbox``, rows in ``petitions.InstructionNotification``).

``overdue_instructions_remind()`` (celery beat, daily): one e-mail per
overdue instruction per day to each active member of its department's staff
with an address. The dedupe key names the instruction, the day and the
person, so a second run that day (or two beats at once) writes nothing.
Texts are in Korean (``settings.LANGUAGE_CODE``)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from petitions.instructions import selectors
from petitions.instructions.models import Instruction, InstructionNotification
from scheduling import outbox
from scheduling.dates import korean_date

logger = logging.getLogger(__name__)


def department_recipients(department_ids) -> dict[int, list[tuple[int, str]]]:
    """For each department, its active staff with an e-mail address: (user id, address), one query."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, staff_profile__department_id__in=list(department_ids))
        .exclude(email="")
        .order_by("pk")
        .values_list("staff_profile__department_id", "pk", "email")
    )
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for department_id, user_id, email in users:
        found[department_id].append((user_id, email))
    return found


def _text(instruction: Instruction, today: dt.date) -> tuple[str, str]:
    subject = _("[%(city)s] Overdue instruction %(reference)s: %(title)s") % {
        "city": settings.CITY_NAME,
        "reference": instruction.reference,
        "title": instruction.title[:80],
    }
    body = _(
        "The mayor's instruction %(reference)s “%(title)s”, assigned to %(department)s, was due on %(due)s "
        "and is not completed (%(days)s days overdue).\nReport its progress or its completion: %(link)s"
    ) % {
        "reference": instruction.reference,
        "title": instruction.title,
        "department": instruction.department.name,
        "due": korean_date(instruction.due_on),
        "days": (today - instruction.due_on).days,
        "link": settings.SITE_URL + reverse("staff_instructions:detail", args=[instruction.pk]),
    }
    footer = _("This address does not take replies. Questions: %(phone)s") % {"phone": settings.CITY_PHONE}
    return subject, f"{body}\n\n--\n{footer}\n"


def overdue_instructions_remind(*, now: dt.datetime | None = None) -> int:
    """Write today's reminders of every overdue instruction. Returns how
    many messages were written now (0 on a second run the same day)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = list(
        selectors.overdue(Instruction.objects.all(), today).select_related("department").order_by("due_on", "pk")
    )
    recipients = department_recipients({i.department_id for i in overdue})
    written = 0
    with translation.override(settings.LANGUAGE_CODE):
        for instruction in overdue:
            people = recipients.get(instruction.department_id, [])
            if not people:
                logger.warning("instruction %s is overdue; its department has no staff with an e-mail", instruction.pk)
                continue
            subject, body = _text(instruction, today)
            with transaction.atomic():
                written += len(
                    outbox.write(
                        InstructionNotification,
                        [
                            {
                                "dedupe_key": f"instruction-overdue:{instruction.pk}:{today.isoformat()}:{user_id}",
                                "instruction": instruction,
                                "kind": "overdue",
                                "channel": InstructionNotification.Channel.EMAIL,
                                "recipient": email,
                                "subject": subject,
                                "body": body,
                            }
                            for user_id, email in people
                        ],
                    )
                )
    return written
