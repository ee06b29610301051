"""Thin celery tasks of the mayor's instructions."""

from celery import shared_task

from petitions.instructions.notifications import overdue_instructions_remind


@shared_task(name="petitions.remind_overdue_instructions", ignore_result=True)
def remind_overdue_instructions() -> int:
    """Daily (celery beat): each overdue instruction to its department's staff, once a day."""
    return overdue_instructions_remind()
