"""Thin celery tasks of the visits app: ids in, call a service."""

from celery import shared_task


@shared_task(name="visits.build_all_cards", acks_late=True, ignore_result=True)
def build_all_cards(batch_id: int) -> None:
    """Render every neighborhood's card into one PDF, counting progress on
    the ``CardBatch`` row the page polls."""
    from visits.cards.pdf import all_cards_build

    all_cards_build(batch_id=batch_id)


@shared_task(name="visits.remind_overdue_suggestions", ignore_result=True)
def remind_overdue_suggestions() -> int:
    """Weekly (celery beat): each lead department hears of its suggestions
    with no update for SUGGESTION_STALE_DAYS."""
    from visits.cards.notifications import overdue_suggestions_remind

    return overdue_suggestions_remind()


@shared_task(name="visits.purge_contacts", ignore_result=True)
def purge_contacts() -> int:
    """Daily (celery beat): remove residents' contacts from suggestions
    closed longer ago than the retention period (MEETING_RETENTION_YEARS)."""
    from visits.cards.services import suggestion_contacts_purge

    return suggestion_contacts_purge()
