"""The categories of what citizens ask for, shared by meeting requests and
the suggestions heard in the field (one list, so reports can join them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The complaint categories of seeds 000/001 (the petition office adds praise
    and guidance, ``petitions.categories``), plus transport and safety."""

    WELFARE = "welfare", _("Welfare")
    ROADS = "roads", _("Roads and facilities")
    PARKING = "parking", _("Parking")
    EDUCATION = "education", _("Education")
    STREET_STALLS = "street_stalls", _("Street stalls and obstructions")
    BUILDING = "building", _("Building")
    CLEANING = "cleaning", _("Cleaning")
    CHILDCARE = "childcare", _("Childcare")
    HEALTH = "health", _("Health")
    MARKETS = "markets", _("Markets")
    PARKS = "parks", _("Parks")
    CULTURE = "culture", _("Culture")
    URBAN_DEVELOPMENT = "urban_development", _("Urban development")
    TRANSPORT = "transport", _("Transport")
    SAFETY = "safety", _("Safety")
    SPORTS = "sports", _("Sports")
    PLANNING_PR = "planning_pr", _("Planning and public relations")
    COMMUNITY = "community", _("Community self-governance")
    REDEVELOPMENT = "redevelopment", _("Redevelopment")
    OTHER = "other", _("Other")
