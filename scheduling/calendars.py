"""The one owner of django-scheduler's calendars: which calendars exist and
their slugs, when an official is busy, and the events that mirror the
city's rows (a field visit, a themed tour, a booked meeting) into them.

Services call these; no other module creates a ``Calendar`` or reads an
official's occurrences itself.

- Slugs: ``field-visits`` (every visit and tour), ``meeting-days`` (the
  TongTong Day series), and a random ``official-…`` slug per official.
- Busy: an official is busy when a non-cancelled occurrence of any event in
  their calendar overlaps the time (imported busy times, meetings, visits,
  tours all live there). ``first_busy`` names the first such occurrence,
  ``busy_times`` lists them for the planner.
- Mirroring: ``events_mirror`` creates or updates a row's events (one per
  calendar it appears in) to the row's time and text; ``events_drop`` frees
  the time again (a postponed or cancelled visit or tour).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Sequence
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils.translation import gettext as _
from schedule.models import Calendar, Event

from scheduling.errors import TongtongError

SEOUL = ZoneInfo("Asia/Seoul")
FIELD_VISITS_CALENDAR_SLUG = "field-visits"
MEETING_DAYS_CALENDAR_SLUG = "meeting-days"


# --- Which calendars ------------------------------------------------------------


def calendar_for(*, name: str, slug: str) -> Calendar:
    """The django-scheduler calendar with this slug, created if missing."""
    calendar, _created = Calendar.objects.get_or_create(slug=slug, defaults={"name": name})
    return calendar


def new_official_calendar_slug() -> str:
    # Random, not derived from a count or a title: a deleted official's slug
    # must never be handed to a new one (the calendar is one-to-one).
    return f"official-{uuid.uuid4().hex[:12]}"


def field_visits_calendar() -> Calendar:
    """The "field-visits" calendar (visits and tours), created on first use."""
    return calendar_for(name=_("Field visits"), slug=FIELD_VISITS_CALENDAR_SLUG)


def meeting_days_calendar() -> Calendar:
    """The "meeting-days" calendar (the TongTong Day series), created on first use."""
    return calendar_for(name=_("TongTong Day"), slug=MEETING_DAYS_CALENDAR_SLUG)


def official_calendar(official) -> Calendar:
    """The official's calendar, or a ``TongtongError`` naming them (the row
    can be gone from under an official in a damaged database: a clear
    message, never a 500)."""
    calendar = Calendar.objects.filter(pk=official.calendar_id).first() if official.calendar_id else None
    if calendar is None:
        raise TongtongError(
            _("%(official)s has no calendar, so their busy times are unknown. Give them a calendar in the admin first.")
            % {"official": official}
        )
    return calendar


# --- When an official is busy ------------------------------------------------------


def occurrences_between(events, start: dt.datetime, end: dt.datetime) -> Iterator[tuple[Event, object]]:
    """The non-cancelled occurrences of the ``events`` queryset that overlap
    ``start``–``end``, with their event."""
    events = events.filter(start__lt=end).filter(Q(rule__isnull=False) | Q(end__gt=start))
    for event in events.prefetch_related("occurrence_set"):
        for occurrence in event.get_occurrences(start, end):
            if not occurrence.cancelled and occurrence.start < end and occurrence.end > start:
                yield event, occurrence


def _events(calendar: Calendar, exclude_events: Iterable[int | None]):
    return calendar.event_set.exclude(pk__in=[pk for pk in exclude_events if pk])


def first_busy(
    calendar: Calendar, start: dt.datetime, end: dt.datetime, *, exclude_events: Iterable[int | None] = ()
) -> tuple[Event, object] | None:
    """The first event (and occurrence) of ``calendar`` that overlaps
    ``start``–``end``, leaving out ``exclude_events`` (the row's own); None
    when the official is free."""
    return next(occurrences_between(_events(calendar, exclude_events), start, end), None)


def busy_times(
    calendar: Calendar, first: dt.date, last: dt.date, *, exclude_events: Iterable[int | None] = ()
) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """The busy spans of ``calendar`` from the start of ``first`` to the end
    of ``last``, as naive Seoul times, sorted (the planner's input)."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=SEOUL)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=SEOUL)

    def naive(moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(SEOUL).replace(tzinfo=None)

    found = occurrences_between(_events(calendar, exclude_events), start, end)
    spans = {(naive(occurrence.start), naive(occurrence.end)) for _event, occurrence in found}
    return tuple(sorted(spans))


# --- Mirroring a row into the calendars ------------------------------------------------


def _creator(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def events_mirror(
    owner,
    targets: Sequence[tuple[str, Calendar]],
    *,
    title: str,
    description: str,
    start: dt.datetime,
    end: dt.datetime,
    actor=None,
) -> None:
    """Create or update ``owner``'s events, one per ``(field, calendar)`` in
    ``targets`` (``("event", field_visits_calendar())``), to the given time
    and text. An event already right is not saved again; an event in the
    wrong calendar (the official changed) moves. ``owner`` is saved (its
    event fields and ``updated_at``) only when an event was created."""
    linked = False
    for field, calendar in targets:
        event = getattr(owner, field)
        if event is None:
            event = Event(calendar=calendar, creator=_creator(actor))
            linked = True
        elif (event.calendar_id, event.title, event.description, event.start, event.end) == (
            calendar.pk,
            title,
            description,
            start,
            end,
        ):
            continue
        event.calendar = calendar
        event.title, event.description, event.start, event.end = title, description, start, end
        event.save()
        setattr(owner, field, event)
    if linked:
        owner.save(update_fields=[field for field, _calendar in targets] + ["updated_at"])


def events_drop(owner, fields: Sequence[str] = ("event", "official_event")) -> None:
    """``owner`` no longer holds anyone's time: its events are unlinked and deleted."""
    events = [event for event in (getattr(owner, field) for field in fields) if event is not None]
    if not events:
        return
    for field in fields:
        setattr(owner, field, None)
    owner.save(update_fields=[*fields, "updated_at"])
    for event in events:
        event.delete()


# --- Rooms (the petition office's consultation rooms) ------------------------------------


def new_room_calendar_slug() -> str:
    """A room's calendar slug: random, like an official's (a deleted room's
    slug is never handed to a new one)."""
    return f"room-{uuid.uuid4().hex[:12]}"


def room_calendar_create(*, name: str) -> Calendar:
    """A new calendar for a room (직소민원 상담실) named ``name``."""
    return Calendar.objects.create(name=name[:200], slug=new_room_calendar_slug())


def room_calendar_rename(calendar: Calendar, *, name: str) -> None:
    """The room's calendar follows the room's name."""
    if calendar.name != name[:200]:
        calendar.name = name[:200]
        calendar.save(update_fields=["name"])
