"""The public meeting-day calendar (``/calendar/meeting-days.ics``).

Every meeting day from 2025-01-01 to two years ahead, one VEVENT per
:class:`~meetings.models.MeetingDay` (expanded rather than an RRULE, so
that every reader sees exactly the days the app shows). A moved day is
at its new time with the reason in DESCRIPTION; a cancelled day stays in
the feed with ``STATUS:CANCELLED`` so subscribed calendars remove it, until
``FEED_CANCELLED_KEEP_DAYS`` after its date. Nothing about citizens or
their requests is in it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meetings.models import MeetingDay, MeetingSeries
from meetings.selectors import MEETING_DAYS, active_series, meeting_days_between
from scheduling.feeds import cancelled_cutoff
from scheduling.ical import CANCELLED, CONFIRMED, Feed, IcalEvent, RenderedFeed
from scheduling.versions import CLOSURES, kept

FEED_FIRST_DAY = dt.date(2025, 1, 1)
#: DTSTAMP / LAST-MODIFIED for rows never changed by hand (they carry no
#: creation time); fixed so that the same rows give the same bytes.
FEED_EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def feed_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """2025-01-01 to the same date two years after ``today``."""
    today = today or timezone.localdate()
    try:
        last = today.replace(year=today.year + 2)
    except ValueError:  # 29 February
        last = today.replace(year=today.year + 2, day=28)
    return FEED_FIRST_DAY, last


def meeting_day_uid(day: MeetingDay) -> str:
    """Stable for the life of the day: the series and the rule's date."""
    return f"meeting-day-{day.series_id}-{day.original_date.isoformat()}@tongtong"


def _event(day: MeetingDay) -> IcalEvent:
    lines = [_("Citizens meet the mayor by appointment; apply on the TongTong website.")]
    if day.status == MeetingDay.Status.MOVED:
        lines.insert(0, _("Moved: %(reason)s") % {"reason": day.reason})
    elif day.status == MeetingDay.Status.CANCELLED:
        lines = [_("Cancelled: %(reason)s") % {"reason": day.reason}]
    return IcalEvent(
        uid=meeting_day_uid(day),
        start=day.start,
        end=day.end,
        summary=_("TongTong Day (the mayor's regular meeting with citizens)"),
        sequence=day.sequence,
        location=day.series.location,
        description="\n".join(lines),
        status=CANCELLED if day.status == MeetingDay.Status.CANCELLED else CONFIRMED,
        last_modified=day.changed_at or FEED_EPOCH,
    )


def meeting_days_feed(*, today: dt.date | None = None) -> Feed:
    """The feed (rendered when its body is read) and the time it last changed."""
    first, last = feed_range(today)
    series = active_series()
    if series is not None and series.pk is None:
        # Not created yet: nothing until it is, so that no day's UID changes (it names the series).
        series = None
    cutoff = cancelled_cutoff(today)
    days = [
        day
        for day in (meeting_days_between(first, last, series=series) if series else [])
        if first <= day.original_date <= last and not (day.is_cancelled and day.start < cutoff)
    ]
    changed = MeetingDay.objects.filter(series=series).aggregate(m=Max("changed_at"))["m"] if series else None
    # The range grows by a day each day, and cancelled days leave it at a
    # midnight: the feed's stamp is at least today.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    if today is not None:
        midnight = dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_current_timezone())
    stamp = max(filter(None, [changed, midnight, FEED_EPOCH])).astimezone(dt.UTC)
    with translation.override("ko"):
        # The series' own (Korean) name; before there is a series, the one it will have.
        name = f"{settings.CITY_NAME} {(series or MeetingSeries()).name}"
        events = [_event(day) for day in days]
    return Feed(name, events, now=stamp, last_modified=stamp)


def meeting_days_feed_rendered() -> RenderedFeed:
    """Today's feed, rendered, the same for every subscriber: kept until the
    series, a day or a city closure changes (``scheduling/versions.py``;
    the date is part of the key, as the range and the stamp move with it)."""
    today = timezone.localdate()
    return kept(
        f"meeting-days-feed:{today}", (MEETING_DAYS, CLOSURES), lambda: meeting_days_feed(today=today).rendered()
    )
