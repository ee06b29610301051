"""The survey's beat task (config/settings.py, ``CELERY_BEAT_SCHEDULE``):
thin, it calls the service. Imported by ``petitions.reports.register`` so
that the worker knows it (celery discovers only ``petitions.tasks``)."""

from celery import shared_task


@shared_task(name="petitions.start_survey_round", ignore_result=True)
def start_survey_round() -> str:
    """Daily: in a survey month, start the round of the half-year just ended (once)."""
    from petitions.surveys.services import survey_round_start

    survey = survey_round_start()
    return survey.period_key if survey else ""
