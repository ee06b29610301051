"""Read queries the meeting pages share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from meetings.series import regular_meeting_dates
from scheduling.workdays import working_calendar


@dataclass(frozen=True)
class UpcomingMeetingDay:
    date: dt.date
    holiday: str | None  # set when the regular date is a holiday or closure

    @property
    def is_offered(self) -> bool:
        return self.holiday is None


def upcoming_meeting_days(*, count: int = 4, today: dt.date | None = None) -> list[UpcomingMeetingDay]:
    """The next ``count`` regular meeting days from today, each marked when it
    falls on a public holiday or city closure (never offered as it stands)."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=31 * ((count + 1) // 2 + 1))
    calendar = working_calendar(today, horizon)
    days = []
    for day in regular_meeting_dates(today, horizon)[:count]:
        reason = calendar.non_working_reason(day) if calendar.is_holiday_or_closure(day) else None
        days.append(UpcomingMeetingDay(date=day, holiday=reason))
    return days
