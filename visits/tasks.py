"""Thin celery tasks of the visits app: ids in, call a service.

The one import circle the layout allows is a task beside its service:
``visits.cards.pdf`` queues ``build_all_cards`` after its commit and imports
this module inside ``_enqueue``; this module imports the services at the top.
"""

from celery import shared_task

from visits.cards.notifications import overdue_suggestions_remind
from visits.cards.pdf import all_cards_build
from visits.cards.services import suggestion_contacts_purge
from visits.follows import services as follows


@shared_task(name="visits.build_all_cards", acks_late=True, ignore_result=True)
def build_all_cards(batch_id: int) -> None:
    """Render every neighborhood's card into one PDF, counting progress on
    the ``CardBatch`` row the page polls."""
    all_cards_build(batch_id=batch_id)


@shared_task(name="visits.remind_overdue_suggestions", ignore_result=True)
def remind_overdue_suggestions() -> int:
    """Weekly (celery beat): each lead department hears of its suggestions
    with no update for SUGGESTION_STALE_DAYS."""
    return overdue_suggestions_remind()


@shared_task(name="visits.purge_contacts", ignore_result=True)
def purge_contacts() -> int:
    """Daily (celery beat): remove residents' contacts from suggestions
    closed longer ago than the retention period (MEETING_RETENTION_YEARS)."""
    return suggestion_contacts_purge()


@shared_task(name="visits.send_follow_news", ignore_result=True)
def send_follow_news() -> int:
    """Every 15 minutes: a neighborhood's news to its followers (written once each)."""
    return follows.follow_news_send()


@shared_task(name="visits.purge_follows", ignore_result=True)
def purge_follows() -> int:
    """Nightly: follows past their retention period and e-mails never confirmed."""
    return follows.follows_purge()
