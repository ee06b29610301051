"""The visits part of the demo city, added when ``seed_demo`` runs
(receiver of ``scheduling.signals.demo_city_seeded``)."""

from visits.models import MonitorGroup

#: The citizen groups invited along on visits (seed 002).
DEMO_MONITOR_GROUPS = ("주부시정모니터", "소셜기자단")


def seed_visits_demo(sender, **kwargs):
    for name in DEMO_MONITOR_GROUPS:
        MonitorGroup.objects.get_or_create(name=name)
