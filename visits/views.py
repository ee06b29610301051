"""The public field-visit page (no login): the published upcoming visits, and
a short result of each held one with a text ready to share on social media.
Nothing internal is shown: no notes, no planning reason, no status reason."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from scheduling.dates import korean_date, public_date
from visits.models import FieldVisit
from visits.rotation import selectors

HELD_ON_PAGE = 30


def _hashtag(text: str) -> str:
    return "#" + "".join(str(text).split())


def share_text(visit: FieldVisit) -> str:
    """Neighborhood, date, summary and hashtags, ready to paste."""
    city = settings.CITY_NAME
    lines = [
        f"[{city} 동방문] {visit.neighborhood.name} · {korean_date(visit.start)}",
        visit.public_summary.strip(),
        " ".join([_hashtag(city), "#동방문", _hashtag(visit.neighborhood.name), "#현장소통"]),
    ]
    return "\n".join(line for line in lines if line)


def visit_list(request):
    """Upcoming visits (date, neighborhood, purpose) as soon as their plan is
    accepted; held ones once their record is completed, with the results."""
    upcoming = [
        {
            "visit": visit,
            "date": public_date(timezone.localdate(visit.start)),
            "time": f"{timezone.localtime(visit.start):%H:%M}",
            "purpose": visit.purpose_labels(),
        }
        for visit in selectors.upcoming_public_visits(timezone.now())
    ]
    held = [
        {"visit": visit, "date": public_date(timezone.localdate(visit.start)), "share": share_text(visit)}
        for visit in selectors.reported_visits()[:HELD_ON_PAGE]
    ]
    return render(request, "visits/list.html", {"upcoming": upcoming, "held": held})
