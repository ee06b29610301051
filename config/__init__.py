"""The project's configuration: settings, URLs, the WSGI entry point and the
celery app.

The celery app is imported here so that ``@shared_task`` binds to it whenever
Django starts (the pattern celery's Django guide prescribes).
"""

from .celery import app as celery_app

__all__ = ("celery_app",)
