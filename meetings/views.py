from django.shortcuts import render

from meetings.selectors import upcoming_meeting_days
from scheduling.models import Neighborhood


def home(request):
    """The public front page: what TongTong Day is, the next meeting days,
    the way to ask for a meeting, and the city's neighborhoods."""
    return render(
        request,
        "meetings/home.html",
        {
            "meeting_days": upcoming_meeting_days(count=4),
            "neighborhoods": Neighborhood.objects.all(),
        },
    )
