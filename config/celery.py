"""The celery application.

Without ``REDIS_URL`` the settings switch celery to eager mode, so every task
runs in-process; with it, Redis is the broker and a real worker runs them.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tongtong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
