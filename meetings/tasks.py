"""Thin celery tasks: ids in, call a service.

Nobody waits for these results, so none is stored (``ignore_result``): a
task sent while the result backend is down must not wait for it either.
Messages go through the project's one outbox (scheduling/outbox.py, tasks
``scheduling.send_outbox_message`` and ``scheduling.flush_outbox``). Celery
beat calls each task here by its name (config/settings.py,
``CELERY_BEAT_SCHEDULE``): a name is kept as long as a message may be queued
under it.
"""

from celery import shared_task


@shared_task(name="meetings.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Hourly: queue tomorrow's reminders, once per appointment version."""
    from meetings.services.booking import reminders_due

    return reminders_due()


@shared_task(name="meetings.remind_late_reviews", ignore_result=True)
def remind_late_reviews() -> int:
    """Working mornings: remind each department head whose review is late, once."""
    from meetings.services.review import reviews_remind_late

    return reviews_remind_late()


@shared_task(name="meetings.expire_waitlist_offers", ignore_result=True)
def expire_waitlist_offers() -> int:
    from meetings.services.booking import waitlist_expire_offers

    return waitlist_expire_offers()


@shared_task(name="meetings.sync_meeting_days", ignore_result=True)
def sync_meeting_days() -> int:
    """Daily: build the meeting days of the booking horizon ahead."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from meetings.services.series import meeting_days_sync

    today = timezone.localdate()
    return len(
        meeting_days_sync(start=today, end=today + dt.timedelta(days=settings.MEETING_BOOKING_HORIZON_DAYS + 31))
    )


@shared_task(name="meetings.purge_personal_data", ignore_result=True)
def purge_personal_data() -> int:
    """Daily (celery beat): remove the personal data of requests past the
    retention period (MEETING_RETENTION_YEARS); statistics stay."""
    from meetings.services.retention import requests_purge

    return requests_purge()
