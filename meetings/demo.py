"""The meetings part of the demo city, added when ``seed_demo`` runs
(receiver of ``scheduling.signals.demo_city_seeded``)."""

from meetings.models import CategoryDepartment

#: Which demo department owns each category (codes of scheduling/demo_data.py).
CATEGORY_OWNERS = {
    "welfare": "welfare-policy",
    "roads": "roads",
    "parking": "transport",
    "education": "education-youth",
    "street_stalls": "local-economy",
    "building": "building",
    "cleaning": "resource-recycling",
    "childcare": "women-childcare",
    "health": "public-health",
    "markets": "local-economy",
    "parks": "parks",
    "culture": "culture-arts",
    "urban_development": "urban-planning",
    "transport": "transport",
    "safety": "safety",
    "other": "community-autonomy",
}


def seed_meetings_demo(sender, *, departments, officials, **kwargs):
    for category, code in CATEGORY_OWNERS.items():
        department = departments.get(code)
        if department is not None:
            CategoryDepartment.objects.get_or_create(category=category, defaults={"department": department})
