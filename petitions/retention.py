"""The retention purge of the petition office: a petitioner's personal data
is removed ``PETITION_RETENTION_YEARS`` (default 3) after the petition was
closed, as the consent text says; the statistics stay (docs/petitions.md,
docs/privacy.md). Decided as ``meetings/services/retention.py`` decides for
meeting requests.

When: from ``closed_at`` (answered, guided, transferred, merged, thanked or
made a meeting request). An open petition is never purged: it is overdue in
the inbox until someone closes it, and the clock starts then.

What goes: everything the citizen wrote or that was written to or about
them — name, mobile number, e-mail, subject, the petition's text, the
answer, the reason of an extension, the closing note, the photo of a quick
fix (the file too), the texts of their messages to the mayor's SMS phone
and their number, the notes of its events, its outbox messages (recipient,
subject, text; one still waiting is marked failed) — in the row, in every
historical row of it (django-simple-history) and in the admin's log. What
stays: reference, the 국민신문고 numbers, kind, channel, category,
neighborhood, status, department, every date (received, due, extended,
assigned, drafted, closed), how the answer was sent, the agency of a
transfer, the links to what it came from or became, and who did what when:
everything the reports count.

Idempotent (``purged_at``); in batches, each in its own transaction.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from petitions.models import InboundMessage, Petition, PetitionEvent, PetitionNotification
from scheduling.clock import years_before

BATCH_SIZE = 200
PURGE_REASON = "retention purge"

#: Fields of a petition cleared by the purge (and of its historical rows).
BLANK_FIELDS = {
    "name": "",
    "phone": "",
    "email": "",
    "subject": "",
    "body": "",
    "answer": "",
    "extension_reason": "",
    "closing_note": "",
    "resolution_photo": "",
}


def retention_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Petitions closed at or before this moment are purged."""
    return years_before(now or timezone.now(), settings.PETITION_RETENTION_YEARS)


def petitions_due_for_purge(*, now: dt.datetime | None = None) -> QuerySet[Petition]:
    return Petition.objects.filter(
        purged_at__isnull=True, closed_at__isnull=False, closed_at__lte=retention_cutoff(now)
    )


def _purge_one(petition: Petition, now: dt.datetime) -> None:
    photo = petition.resolution_photo.name if petition.resolution_photo else ""
    for field, value in BLANK_FIELDS.items():
        setattr(petition, field, value)
    petition.purged_at = now
    petition._change_reason = PURGE_REASON
    petition.save()
    if photo:
        # The file goes once the purge commits (a rollback keeps both).
        storage = Petition._meta.get_field("resolution_photo").storage
        transaction.on_commit(lambda: storage.delete(photo))

    Petition.audit_history.model.objects.filter(id=petition.pk).update(**BLANK_FIELDS)
    PetitionEvent.objects.filter(petition=petition).exclude(note="").update(note="")
    InboundMessage.objects.filter(petition=petition).update(phone="", text="")

    messages = PetitionNotification.objects.filter(petition=petition)
    messages.update(recipient="", subject="", body="", last_error="", variables={})
    messages.exclude(status__in=[PetitionNotification.Status.SENT, PetitionNotification.Status.DELIVERED]).update(
        status=PetitionNotification.Status.FAILED, last_error="personal data removed"
    )

    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Petition), object_id=str(petition.pk)
    ).update(object_repr=petition.reference, change_message="")


def petitions_purge(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Remove the personal data of every petition past its retention period
    (celery beat, nightly: ``petitions.purge_personal_data``). Returns how many were purged; running it
    again purges nothing more."""
    now = now or timezone.now()
    purged = 0
    while True:
        with transaction.atomic():
            due = list(
                petitions_due_for_purge(now=now)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            for petition in due:
                _purge_one(petition, now)
        purged += len(due)
        if len(due) < batch_size:
            return purged
