"""The petition office's celery tasks: thin, they call a service."""

from celery import shared_task


@shared_task(name="petitions.purge_personal_data", ignore_result=True)
def purge_personal_data() -> int:
    """Daily (celery beat): remove the personal data of petitions closed more
    than PETITION_RETENTION_YEARS ago; statistics stay (petitions/retention.py)."""
    from petitions.retention import petitions_purge

    return petitions_purge()
