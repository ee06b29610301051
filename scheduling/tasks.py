"""Celery tasks of the shared core. Thin: ids in, call a service.

The outbox tasks take the outbox model's label ("meetings.Notification",
"visits.SuggestionNotification") and a row id. Nobody waits for their
results, so none is stored (``ignore_result``). Retries are counted on the
outbox row and driven by the flush (scheduling/outbox.py), not by celery's
countdown retries: the count survives a dead worker and a re-enqueue, and no
message sits in Redis with an ETA.
"""

from celery import shared_task


@shared_task(name="scheduling.ping", ignore_result=False)
def ping() -> str:
    """Answers "pong": the health check of the worker (and of eager mode)."""
    return "pong"


@shared_task(name="scheduling.send_outbox_message", acks_late=True, ignore_result=True)
def send_outbox_message(label: str, pk: int) -> bool:
    """Send one outbox row, at most once (a redelivered message finds it
    claimed already)."""
    from scheduling import outbox

    return outbox.send(outbox.model_for(label), pk)


@shared_task(name="scheduling.flush_outbox", ignore_result=True)
def flush_outbox() -> int:
    """Every minute (celery beat): hand celery whatever is pending in every
    outbox (written while the broker was down, or a failed attempt whose
    back-off has passed)."""
    from scheduling import outbox

    return outbox.flush()


@shared_task(
    name="scheduling.send_monthly_report",
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=2,
    default_retry_delay=15 * 60,
)
def send_monthly_report(self, month: str | None = None) -> str:
    """On the 1st at 08:00 (celery beat): e-mail last month's report to the
    secretariat, once (``report_services.monthly_report_send`` claims it).
    A failed sending is retried a bounded number of times, 15 minutes apart;
    the row's attempt count bounds it too."""
    from scheduling.models import ReportRun
    from scheduling.reports import services as report_services

    key = month or report_services.last_month().key
    run = report_services.monthly_report_send(month=key)
    if run is None:
        return "skipped"
    if run.status == ReportRun.Status.FAILED and run.attempts < report_services.MONTHLY_EMAIL_MAX_ATTEMPTS:
        raise self.retry(args=[key])
    return run.status


@shared_task(name="scheduling.notify_expiring_feed_tokens", ignore_result=True)
def notify_expiring_feed_tokens() -> int:
    """Daily (celery beat): one e-mail per private feed address that
    expires within ``FEED_TOKEN_NOTICE_DAYS``, sent through the outbox; a
    second run finds every such address announced already."""
    from scheduling.feed_services import feed_token_expiry_notify

    return feed_token_expiry_notify()
