"""The rotation planner: a pure module (plain data in, plain data out, no
ORM), so it is fast and property-testable.

The interface below is fixed (services, the command and the pages use it);
the algorithm is free.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _


class PlannerError(ValueError):
    """The input cannot give a plan; the message names the cause."""


@dataclass(frozen=True)
class PlannerNeighborhood:
    code: str
    name: str
    is_current_issue_area: bool = False
    is_natural_village: bool = False
    is_outlying_area: bool = False
    last_visited: dt.date | None = None

    @property
    def is_priority(self) -> bool:
        return self.is_current_issue_area or self.is_natural_village or self.is_outlying_area


@dataclass(frozen=True)
class PlannerRules:
    weekdays: tuple[int, ...] = (2, 3, 4)  # ISO weekdays (1 = Monday)
    day_start: dt.time = dt.time(10, 0)
    day_end: dt.time = dt.time(12, 0)
    max_per_week: int = 1
    #: Visits a day; more than one splits the time window into equal parts.
    max_per_day: int = 1
    blackouts: tuple[tuple[dt.date, dt.date, str], ...] = ()  # (first, last, reason)


@dataclass(frozen=True)
class PlannerInput:
    neighborhoods: tuple[PlannerNeighborhood, ...]
    start: dt.date
    end: dt.date  # included
    rules: PlannerRules = PlannerRules()
    #: Days off (public holidays and city closures) with their names.
    days_off: dict[dt.date, str] = field(default_factory=dict)
    #: Meeting days (통통데이): no visit on those dates.
    meeting_days: frozenset[dt.date] = frozenset()
    #: The official's busy times, as (start, end) naive local datetimes.
    busy: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    #: Visits that stay where they are (held ones, when re-planning): their
    #: neighborhoods are not planned again and their weeks count as used.
    fixed: tuple[tuple[str, dt.date], ...] = ()


@dataclass(frozen=True)
class PlannedVisit:
    neighborhood: str  # code
    name: str
    date: dt.date
    start: dt.datetime  # naive local (Asia/Seoul)
    end: dt.datetime
    priority: bool
    reason: str


# --------------------------------------------------------------------------
# The algorithm
#
# 1. Validate the input (PlannerError names the cause).
# 2. List the usable slots: allowed workdays in the window that are not a day
#    off, a meeting day, a blackout, a held (fixed) visit's day, and whose
#    time window does not overlap a busy interval.
# 3. Order the neighborhoods to plan: current-issue areas, natural villages,
#    outlying areas, then the others; inside each group the longest unvisited
#    first (never visited before all), ties by code.
# 4. A window of about two years (>= 700 days) is split at its first
#    anniversary: floor(n/2) in the first year, the rest in the second (held
#    visits count in their year), the earlier half of the order first.
# 5. In each part the i-th of k visits aims at the evenly spaced date
#    start + (i + 1/2) * span / k (moved to the next allowed weekday) and
#    takes the nearest free slot after the previous visit whose ISO week is
#    not full, among the slots that still leave room for every visit after
#    it (so the plan never paints itself into a corner). O(slots) a visit.
# --------------------------------------------------------------------------

TWO_YEAR_DAYS = 700


def _monday(day: dt.date) -> int:
    """The ISO week of a date, as the ordinal of its Monday."""
    return day.toordinal() - day.isoweekday() + 1


def _weekday_name(day_or_iso: dt.date | int) -> str:
    iso = day_or_iso if isinstance(day_or_iso, int) else day_or_iso.isoweekday()
    return str(WEEKDAYS[iso - 1])


def _anniversary(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return dt.date(day.year + 1, 3, 1)


def _sort_key(hood: PlannerNeighborhood) -> tuple:
    if hood.is_current_issue_area:
        group = 0
    elif hood.is_natural_village:
        group = 1
    elif hood.is_outlying_area:
        group = 2
    else:
        group = 3
    last = hood.last_visited
    return (group, last is not None, last or dt.date.min, hood.code)


def _validate(data: PlannerInput) -> None:
    rules = data.rules
    if data.start > data.end:
        raise PlannerError(
            _("The window starts (%(start)s) after it ends (%(end)s).")
            % {"start": data.start.isoformat(), "end": data.end.isoformat()}
        )
    if not rules.weekdays:
        raise PlannerError(_("No weekday is allowed for visits."))
    for value in rules.weekdays:
        if not isinstance(value, int) or not 1 <= value <= 7:
            raise PlannerError(
                _("Weekdays are ISO numbers from 1 (Monday) to 7 (Sunday), not %(value)s.") % {"value": value}
            )
    if rules.day_end <= rules.day_start:
        raise PlannerError(
            _("The daily time window must end after it starts (%(start)s–%(end)s).")
            % {"start": rules.day_start.strftime("%H:%M"), "end": rules.day_end.strftime("%H:%M")}
        )
    if rules.max_per_week < 1:
        raise PlannerError(_("At least one visit a week must be allowed."))
    if rules.max_per_day < 1:
        raise PlannerError(_("At least one visit a day must be allowed."))
    codes: set[str] = set()
    for hood in data.neighborhoods:
        if hood.code in codes:
            raise PlannerError(_("The neighborhood code %(code)s appears more than once.") % {"code": hood.code})
        codes.add(hood.code)
    fixed_codes: set[str] = set()
    for code, _day in data.fixed:
        if code not in codes:
            raise PlannerError(
                _("The held visit's neighborhood %(code)s is not in the neighborhoods list.") % {"code": code}
            )
        if code in fixed_codes:
            raise PlannerError(_("The neighborhood %(code)s has more than one held visit.") % {"code": code})
        fixed_codes.add(code)


class _Calendar:
    """The usable slots of the window, and why the other days are not usable."""

    def __init__(self, data: PlannerInput):
        rules = data.rules
        self.data = data
        self.weekdays = sorted({w for w in rules.weekdays if w <= 5})
        self.blackout_of: dict[dt.date, str] = {}
        for first, last, reason in sorted(rules.blackouts, key=lambda b: (b[0], b[1], b[2])):
            day = max(first, data.start)
            while day <= min(last, data.end):
                self.blackout_of.setdefault(day, reason)
                day += dt.timedelta(days=1)
        self.busy_on: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = {}
        for busy_start, busy_end in data.busy:
            if busy_end <= busy_start:
                continue
            day = max(busy_start.date(), data.start)
            while day <= min(busy_end.date(), data.end):
                self.busy_on.setdefault(day, []).append((busy_start, busy_end))
                day += dt.timedelta(days=1)
        self.fixed_days = {day for _code, day in data.fixed}
        # The time slots of one day.
        start_s = rules.day_start.hour * 3600 + rules.day_start.minute * 60 + rules.day_start.second
        end_s = rules.day_end.hour * 3600 + rules.day_end.minute * 60 + rules.day_end.second
        length = (end_s - start_s) // rules.max_per_day
        self.times = [
            (dt.timedelta(seconds=start_s + i * length), dt.timedelta(seconds=start_s + (i + 1) * length))
            for i in range(rules.max_per_day)
        ]
        if rules.max_per_day == 1:
            self.times = [(dt.timedelta(seconds=start_s), dt.timedelta(seconds=end_s))]
        # The usable slots, by date.
        self.slots: list[tuple[dt.date, dt.datetime, dt.datetime]] = []
        allowed = set(self.weekdays)
        day = data.start
        while day <= data.end:
            if day.isoweekday() in allowed and self.blocker(day) is None:
                midnight = dt.datetime.combine(day, dt.time())
                intervals = self.busy_on.get(day, ())
                for begin, finish in self.times:
                    slot_start, slot_end = midnight + begin, midnight + finish
                    if not any(b < slot_end and e > slot_start for b, e in intervals):
                        self.slots.append((day, slot_start, slot_end))
            day += dt.timedelta(days=1)
        self.slot_dates = [slot[0] for slot in self.slots]
        self.slot_weeks = [_monday(day) for day in self.slot_dates]

    def blocker(self, day: dt.date) -> str | None:
        """What makes a whole day unusable, or None."""
        data = self.data
        if day in data.days_off:
            return str(data.days_off[day])
        if day in data.meeting_days:
            return str(_("a meeting day"))
        if day in self.blackout_of:
            return str(_("the %(reason)s blackout") % {"reason": self.blackout_of[day]})
        if day in self.fixed_days:
            return str(_("a held visit"))
        return None

    def blocker_with_busy(self, day: dt.date) -> str | None:
        reason = self.blocker(day)
        if reason is None and day in self.busy_on:
            midnight = dt.datetime.combine(day, dt.time())
            intervals = self.busy_on[day]
            if all(
                any(b < midnight + finish and e > midnight + begin for b, e in intervals)
                for begin, finish in self.times
            ):
                reason = str(_("a busy time"))
        return reason


def _who(hood: PlannerNeighborhood) -> str:
    if hood.is_priority:
        flags = []
        if hood.is_current_issue_area:
            flags.append(str(_("current issues")))
        if hood.is_natural_village:
            flags.append(str(_("natural village")))
        if hood.is_outlying_area:
            flags.append(str(_("outlying area")))
        return str(_("priority: %(flags)s") % {"flags": ", ".join(flags)})
    if hood.last_visited is not None:
        return str(_("longest unvisited since %(month)s") % {"month": hood.last_visited.strftime("%Y-%m")})
    return str(_("not visited before"))


def _ideal_date(seg_start: dt.date, seg_end: dt.date, i: int, k: int, weekdays: list[int]) -> dt.date:
    span = (seg_end - seg_start).days + 1
    target = seg_start + dt.timedelta(days=((2 * i + 1) * span) // (2 * k))
    for step in range(7):
        day = target + dt.timedelta(days=step)
        if day > seg_end:
            break
        if day.isoweekday() in weekdays:
            return day
    for step in range(1, 7):
        day = target - dt.timedelta(days=step)
        if day < seg_start:
            break
        if day.isoweekday() in weekdays:
            return day
    return target


def _too_short(cal: _Calendar, count: int, first: dt.date, last: dt.date) -> PlannerError:
    days = sorted({d for d in cal.slot_dates if first <= d <= last})
    weeks = len({_monday(d) for d in days})
    return PlannerError(
        _(
            "The window is too short: %(days)s usable days (%(weeks)s weeks at %(per_week)s a "
            "week) between %(start)s and %(end)s for %(count)s neighborhoods."
        )
        % {
            "days": len(days),
            "weeks": weeks,
            "per_week": cal.data.rules.max_per_week,
            "start": first.isoformat(),
            "end": last.isoformat(),
            "count": count,
        }
    )


def _capacity(cal: _Calendar, lo: int, hi: int, week_left: dict[int, int], reserve: dict[int, int]) -> int:
    per_week: dict[int, int] = {}
    for j in range(lo, hi):
        week = cal.slot_weeks[j]
        per_week[week] = per_week.get(week, 0) + 1
    return sum(max(0, min(count, week_left[week] - reserve.get(week, 0))) for week, count in per_week.items())


def _schedule(
    cal: _Calendar,
    hoods: list[PlannerNeighborhood],
    seg_start: dt.date,
    seg_end: dt.date,
    week_left: dict[int, int],
    reserve: dict[int, int],
) -> list[PlannedVisit]:
    """Plan hoods (in order) in [seg_start, seg_end]; updates week_left."""
    k = len(hoods)
    if not k:
        return []
    lo = bisect.bisect_left(cal.slot_dates, seg_start)
    hi = bisect.bisect_right(cal.slot_dates, seg_end)
    weeks = cal.slot_weeks
    left = {week: week_left[week] - reserve.get(week, 0) for week in set(weeks[lo:hi])}
    # Slots after j in its week, and the capacity of the weeks after j's.
    after_in_week = [0] * (hi - lo)
    suffix_after = [0] * (hi - lo)
    running = 0  # capacity of the weeks after the current one
    week_count = 0
    for j in range(hi - 1, lo - 1, -1):
        if j + 1 < hi and weeks[j + 1] != weeks[j]:
            running += max(0, min(week_count, left[weeks[j + 1]]))
            week_count = 0
        after_in_week[j - lo] = week_count
        suffix_after[j - lo] = running
        week_count += 1
    if hi > lo:
        total = running + max(0, min(week_count, left[weeks[lo]]))
    else:
        total = 0
    if total < k:
        raise _too_short(cal, k, seg_start, seg_end)

    visits: list[PlannedVisit] = []
    prev = lo - 1
    dates = cal.slot_dates
    for i, hood in enumerate(hoods):
        need = k - i - 1
        ideal = _ideal_date(seg_start, seg_end, i, k, cal.weekdays)
        right = max(bisect.bisect_left(dates, ideal, lo, hi), prev + 1)
        leftp = min(bisect.bisect_left(dates, ideal, lo, hi) - 1, hi - 1)
        chosen = -1
        while True:
            # The next valid slot on the right (stop when it would not leave room).
            while right < hi:
                week = weeks[right]
                if left[week] >= 1:
                    if min(left[week] - 1, after_in_week[right - lo]) + suffix_after[right - lo] >= need:
                        break
                    right = hi  # later slots leave even less room
                    break
                right += 1
            while leftp > prev and left[weeks[leftp]] < 1:
                leftp -= 1
            has_right = right < hi
            has_left = leftp > prev
            if not has_right and not has_left:
                break
            if has_right and (not has_left or (dates[right] - ideal).days <= (ideal - dates[leftp]).days):
                chosen = right
            else:
                # The left slot: room is guaranteed if a later one had room,
                # but check it (it may be the only candidate).
                week = weeks[leftp]
                if min(left[week] - 1, after_in_week[leftp - lo]) + suffix_after[leftp - lo] >= need:
                    chosen = leftp
                else:
                    leftp -= 1
                    continue
            break
        if chosen < 0:  # cannot happen: the capacity was checked
            raise _too_short(cal, k, seg_start, seg_end)
        day, slot_start, slot_end = cal.slots[chosen]
        week = weeks[chosen]
        when = _when(cal, ideal, day, left, prev, chosen)
        left[week] -= 1
        week_left[week] -= 1
        prev = chosen
        visits.append(
            PlannedVisit(
                neighborhood=hood.code,
                name=hood.name,
                date=day,
                start=slot_start,
                end=slot_end,
                priority=hood.is_priority,
                reason=f"{_who(hood)}; {when}",
            )
        )
    return visits


def _when(cal: _Calendar, ideal: dt.date, day: dt.date, left: dict[int, int], prev: int, chosen: int) -> str:
    """Why this date: on its evenly spaced date, or what blocked that date."""
    weekday = _weekday_name(day)
    if day == ideal:
        return str(_("evenly spaced %(weekday)s") % {"weekday": weekday})
    blocker = cal.blocker_with_busy(ideal)
    if blocker is None:
        ideal_week = _monday(ideal)
        if left.get(ideal_week, 1) < 1:
            blocker = str(_("a full week"))
        elif prev >= 0 and cal.slot_dates[prev] >= ideal:
            blocker = str(_("another visit"))
    if blocker is None:
        return str(_("nearest free %(weekday)s") % {"weekday": weekday})
    if day > ideal:
        return str(_("first free %(weekday)s after %(blocker)s") % {"weekday": weekday, "blocker": blocker})
    return str(_("%(weekday)s before %(blocker)s") % {"weekday": weekday, "blocker": blocker})


def plan(data: PlannerInput) -> list[PlannedVisit]:
    """Each neighborhood (not fixed) exactly once in the window, ordered by date."""
    _validate(data)
    fixed_codes = {code for code, _day in data.fixed}
    hoods = sorted((h for h in data.neighborhoods if h.code not in fixed_codes), key=_sort_key)
    if not hoods:
        return []
    cal = _Calendar(data)
    if not cal.slots:
        names = "/".join(_weekday_name(w) for w in sorted(set(data.rules.weekdays)))
        raise PlannerError(
            _("No working %(weekdays)s between %(start)s and %(end)s.")
            % {"weekdays": names, "start": data.start.isoformat(), "end": data.end.isoformat()}
        )
    week_left: dict[int, int] = {week: data.rules.max_per_week for week in cal.slot_weeks}
    for _code, day in data.fixed:
        week = _monday(day)
        if week in week_left:
            week_left[week] -= 1

    n = len(hoods)
    if (data.end - data.start).days + 1 < TWO_YEAR_DAYS:
        if _capacity(cal, 0, len(cal.slots), week_left, {}) < n:
            raise _too_short(cal, n, data.start, data.end)
        return _schedule(cal, hoods, data.start, data.end, week_left, {})

    # Two years: half in each (floor(total/2) in the first, held visits count).
    first_end = _anniversary(data.start) - dt.timedelta(days=1)
    second_start = first_end + dt.timedelta(days=1)
    total = len(data.neighborhoods)
    held_first = sum(1 for _code, day in data.fixed if day <= first_end)
    split = bisect.bisect_right(cal.slot_dates, first_end)
    if _capacity(cal, 0, len(cal.slots), week_left, {}) < n:
        raise _too_short(cal, n, data.start, data.end)
    cap_first = _capacity(cal, 0, split, week_left, {})
    cap_second = _capacity(cal, split, len(cal.slots), week_left, {})
    k1 = min(max(total // 2 - held_first, 0), n)
    # When a year cannot take its half, the other takes the rest.
    k1 = max(min(k1, cap_first), n - cap_second, 0)
    k1 = min(k1, n)
    # The ISO week across the anniversary is shared: keep in it what the
    # second year needs.
    reserve: dict[int, int] = {}
    boundary = _monday(second_start)
    if boundary == _monday(first_end) and boundary in week_left and split < len(cal.slots):
        full_week = week_left[boundary]
        without = _capacity(cal, split, len(cal.slots), week_left, {boundary: full_week})
        short = (n - k1) - without
        if short > 0:
            reserve[boundary] = min(short, full_week)
    first = _schedule(cal, hoods[:k1], data.start, first_end, week_left, reserve)
    second = _schedule(cal, hoods[k1:], second_start, data.end, week_left, {})
    return first + second
