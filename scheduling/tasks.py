"""Celery tasks of the shared core. Thin: ids in, call a service."""

from celery import shared_task


@shared_task(name="scheduling.ping", ignore_result=False)
def ping() -> str:
    """Answers "pong": the health check of the worker (and of eager mode)."""
    return "pong"
