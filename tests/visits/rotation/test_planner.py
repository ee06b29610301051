"""The rotation planner (visits/rotation/planner.py): pure, so no database here.

Hypothesis properties over random cities and calendars, then the real cases:
the 2026–2027 two-year cycle with Korean public holidays and the 2018
half-year that covered all 39 neighborhoods, and every error a user can cause.
"""

import datetime as dt
import itertools
import random
from collections import Counter

import holidays
import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from visits.rotation.planner import PlannedVisit, PlannerError, PlannerInput, PlannerNeighborhood, PlannerRules, plan

DAY = dt.timedelta(days=1)
PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)


def iso_week(day: dt.date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def meeting_days(years) -> frozenset[dt.date]:
    """통통데이: the 2nd and 4th Thursday of every month."""
    days = set()
    for year in years:
        for month in range(1, 13):
            thursdays = [dt.date(year, month, d) for d in range(1, 29) if dt.date(year, month, d).isoweekday() == 4]
            days.update((thursdays[1], thursdays[3]))
    return frozenset(days)


def city(count: int) -> tuple[PlannerNeighborhood, ...]:
    """39 neighborhoods like seed 002's city: a few priority areas, varied last visits."""
    return tuple(
        PlannerNeighborhood(
            code=f"{i + 1:02d}",
            name=f"{i + 1}동",
            is_current_issue_area=i % 11 == 3,
            is_natural_village=i % 13 == 5,
            is_outlying_area=i % 7 == 6,
            last_visited=None if i % 4 == 0 else dt.date(2023, 1, 1) + dt.timedelta(days=37 * i),
        )
        for i in range(count)
    )


def mean_ordinal(visits: list[PlannedVisit]) -> float:
    return sum(v.date.toordinal() for v in visits) / len(visits)


# --------------------------------------------------------------------------
# Random inputs that fit
# --------------------------------------------------------------------------


@st.composite
def planner_inputs(draw, two_years: bool = False, with_fixed: bool = True):
    n = draw(st.integers(1, 60))
    hoods = [
        PlannerNeighborhood(
            code=f"H{i:03d}",
            name=f"동 {i}",
            is_current_issue_area=draw(st.booleans()) and draw(st.booleans()),
            is_natural_village=draw(st.booleans()) and draw(st.booleans()),
            is_outlying_area=draw(st.booleans()) and draw(st.booleans()),
            last_visited=draw(st.none() | st.dates(dt.date(2015, 1, 1), dt.date(2025, 12, 31))),
        )
        for i in range(n)
    ]
    workdays = draw(st.sets(st.integers(1, 5), min_size=1))
    weekend = draw(st.sets(st.integers(6, 7)))
    weekdays = tuple(sorted(workdays | weekend))
    max_per_week = draw(st.integers(1, 3))
    per_week = min(max_per_week, len(workdays))
    n_off = draw(st.integers(0, 10 if not two_years else 6))
    n_meet = draw(st.integers(0, 10 if not two_years else 6))
    n_busy = draw(st.integers(0, 8 if not two_years else 4))
    blackout_lengths = draw(st.lists(st.integers(1, 15), max_size=2 if not two_years else 1))
    n_fixed = draw(st.integers(0, min(5, n))) if with_fixed else 0
    # Each blocked day (or held visit) takes at most one slot.
    blocked = n_off + n_meet + 3 * n_busy + sum(blackout_lengths) + n_fixed
    start = draw(st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)))
    if two_years:
        if (start.month, start.day) == (2, 29):
            start += DAY
        end = start.replace(year=start.year + 2) - DAY
    else:
        weeks = 2 * -(-(n + blocked) // per_week) + 4 + draw(st.integers(0, 10))
        end = start + dt.timedelta(days=7 * weeks - 1)
    days = (end - start).days + 1

    def some_day():
        return start + dt.timedelta(days=draw(st.integers(0, days - 1)))

    days_off = {some_day(): f"휴일{i}" for i in range(n_off)}
    meetings = frozenset(some_day() for _ in range(n_meet))
    busy = []
    for _ in range(n_busy):
        begin = dt.datetime.combine(some_day(), dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))))
        busy.append((begin, begin + dt.timedelta(minutes=draw(st.integers(15, 36 * 60)))))
    blackouts = []
    for length in blackout_lengths:
        first = some_day()
        blackouts.append((first, first + dt.timedelta(days=length - 1), "선거"))
    fixed = []
    if n_fixed:
        for hood in draw(st.permutations(hoods))[:n_fixed]:
            fixed.append((hood.code, some_day()))
    return PlannerInput(
        neighborhoods=tuple(hoods),
        start=start,
        end=end,
        rules=PlannerRules(weekdays=weekdays, max_per_week=max_per_week, blackouts=tuple(blackouts)),
        days_off=days_off,
        meeting_days=meetings,
        busy=tuple(busy),
        fixed=tuple(fixed),
    )


@PROPERTY_SETTINGS
@given(planner_inputs())
def test_every_neighborhood_once_on_a_usable_day(data):
    visits = plan(data)

    fixed_codes = {code for code, _ in data.fixed}
    planned = [v.neighborhood for v in visits]
    assert sorted(planned) == sorted(h.code for h in data.neighborhoods if h.code not in fixed_codes)
    assert [(v.date, v.start) for v in visits] == sorted((v.date, v.start) for v in visits)
    fixed_days = {day for _, day in data.fixed}
    for visit in visits:
        assert data.start <= visit.date <= data.end
        assert visit.date.isoweekday() in data.rules.weekdays
        assert visit.date.isoweekday() <= 5, "never on a weekend"
        assert visit.date not in data.days_off
        assert visit.date not in data.meeting_days
        assert visit.date not in fixed_days
        assert not any(first <= visit.date <= last for first, last, _ in data.rules.blackouts)
        assert (visit.start, visit.end) == (
            dt.datetime.combine(visit.date, data.rules.day_start),
            dt.datetime.combine(visit.date, data.rules.day_end),
        )
        assert not any(b < visit.end and e > visit.start for b, e in data.busy)
        assert visit.reason


@PROPERTY_SETTINGS
@given(planner_inputs())
def test_at_most_max_per_week_counting_held_visits(data):
    visits = plan(data)

    planned = Counter(iso_week(v.date) for v in visits)
    held = Counter(iso_week(day) for _, day in data.fixed)
    for week, count in planned.items():
        assert count + held[week] <= data.rules.max_per_week, week


@PROPERTY_SETTINGS
@given(planner_inputs())
def test_priority_areas_earlier_on_average(data):
    visits = plan(data)

    priority = [v for v in visits if v.priority]
    others = [v for v in visits if not v.priority]
    if priority and others:
        assert mean_ordinal(priority) < mean_ordinal(others)
    by_code = {h.code: h for h in data.neighborhoods}
    assert all(v.priority == by_code[v.neighborhood].is_priority for v in visits)


@PROPERTY_SETTINGS
@given(planner_inputs(), st.randoms(use_true_random=False))
def test_same_input_same_plan_whatever_the_order(data, rnd):
    shuffled = list(data.neighborhoods)
    rnd.shuffle(shuffled)
    busy = list(data.busy)
    rnd.shuffle(busy)
    reordered = PlannerInput(
        neighborhoods=tuple(shuffled),
        start=data.start,
        end=data.end,
        rules=data.rules,
        days_off=dict(reversed(list(data.days_off.items()))),
        meeting_days=frozenset(sorted(data.meeting_days, reverse=True)),
        busy=tuple(busy),
        fixed=tuple(reversed(data.fixed)),
    )

    first = plan(data)
    assert plan(data) == first
    assert plan(reordered) == first


@PROPERTY_SETTINGS
@given(planner_inputs(two_years=True, with_fixed=False))
def test_two_year_window_splits_half_per_year(data):
    visits = plan(data)

    anniversary = data.start.replace(year=data.start.year + 1)  # never 29 February
    first_year = [v for v in visits if v.date < anniversary]
    assert len(first_year) == len(data.neighborhoods) // 2
    assert len(visits) - len(first_year) == -(-len(data.neighborhoods) // 2)


# --------------------------------------------------------------------------
# The real cases
# --------------------------------------------------------------------------


def test_the_2026_2027_cycle_with_korean_holidays():
    days_off = dict(holidays.KR(years=[2026, 2027], language="ko"))
    meetings = meeting_days([2026, 2027])
    data = PlannerInput(
        neighborhoods=city(39),
        start=dt.date(2026, 1, 1),
        end=dt.date(2027, 12, 31),
        days_off=days_off,
        meeting_days=meetings,
    )

    visits = plan(data)

    assert len(visits) == 39
    assert len({v.neighborhood for v in visits}) == 39
    assert sum(v.date.year == 2026 for v in visits) == 19
    assert sum(v.date.year == 2027 for v in visits) == 20
    dates = {v.date for v in visits}
    assert not dates & {dt.date(2026, 9, 24), dt.date(2026, 9, 25), dt.date(2027, 9, 14), dt.date(2027, 9, 15)}
    assert not dates & set(days_off)
    assert not dates & meetings
    assert all(v.date.isoweekday() in (2, 3, 4) for v in visits)
    assert all((v.start.time(), v.end.time()) == (dt.time(10), dt.time(12)) for v in visits)
    assert len({iso_week(v.date) for v in visits}) == 39, "at most one a week"
    # Spread over each year: no two visits within a week of each other, none
    # more than two months apart.
    ordered = sorted(dates)
    gaps = [(b - a).days for a, b in itertools.pairwise(ordered)]
    assert min(gaps) >= 7 and max(gaps) <= 62
    # The priority areas come first.
    priority = [v for v in visits if v.priority]
    assert max(v.date for v in priority) < min(v.date for v in visits if not v.priority)


def test_reasons_name_the_priority_and_what_blocked_the_date():
    days_off = dict(holidays.KR(years=[2026], language="ko"))
    hood = PlannerNeighborhood(code="07", name="7동", is_outlying_area=True, is_natural_village=True)
    data = PlannerInput(
        neighborhoods=(hood,),
        start=dt.date(2026, 9, 14),
        end=dt.date(2026, 10, 2),
        rules=PlannerRules(weekdays=(5,)),
        days_off=days_off,
    )

    with translation.override("en"):
        (visit,) = plan(data)

    # Its evenly spaced date is Friday 25 September, 추석.
    assert visit.date == dt.date(2026, 10, 2)
    assert visit.reason == "priority: natural village, outlying area; first free Friday after 추석"


def test_reasons_for_blackouts_meeting_days_and_the_longest_unvisited():
    hoods = (
        PlannerNeighborhood(code="01", name="1동", last_visited=dt.date(2024, 5, 20)),
        PlannerNeighborhood(code="02", name="2동"),
    )
    base = PlannerInput(
        neighborhoods=hoods[:1], start=dt.date(2026, 5, 25), end=dt.date(2026, 6, 14)
    )  # its evenly spaced day: Thursday 4 June
    blackout = PlannerRules(blackouts=((dt.date(2026, 5, 21), dt.date(2026, 6, 5), "election"),))

    with translation.override("en"):
        assert plan(base)[0].reason == "longest unvisited since 2024-05; evenly spaced Thursday"
        (after_blackout,) = plan(PlannerInput(neighborhoods=hoods[:1], start=base.start, end=base.end, rules=blackout))
        assert after_blackout.date == dt.date(2026, 6, 9)
        assert after_blackout.reason.endswith("first free Tuesday after the election blackout")
        (not_on_meeting,) = plan(
            PlannerInput(
                neighborhoods=hoods[1:], start=base.start, end=base.end, meeting_days=frozenset({dt.date(2026, 6, 4)})
            )
        )
        assert not_on_meeting.date == dt.date(2026, 6, 3)
        assert not_on_meeting.reason == "not visited before; Wednesday before a meeting day"

    with translation.override("ko"):
        assert plan(base)[0].reason  # whatever the catalog says, some text


def test_the_2018_half_year_covers_all_39():
    days_off = dict(holidays.KR(years=[2018], language="ko"))
    meetings = meeting_days([2018])
    data = PlannerInput(
        neighborhoods=city(39),
        start=dt.date(2018, 7, 1),
        end=dt.date(2018, 12, 31),
        rules=PlannerRules(max_per_week=2),
        days_off=days_off,
        meeting_days=meetings,
    )

    visits = plan(data)

    assert sorted(v.neighborhood for v in visits) == sorted(h.code for h in data.neighborhoods)
    assert all(dt.date(2018, 7, 1) <= v.date <= dt.date(2018, 12, 31) for v in visits)
    assert max(Counter(iso_week(v.date) for v in visits).values()) <= 2
    dates = {v.date for v in visits}
    assert not dates & set(days_off)  # 추석 (24–26 Sep), 개천절, 한글날, 성탄절
    assert not dates & meetings


def test_held_visits_stay_out_of_the_plan_and_fill_their_weeks():
    hoods = city(10)
    # Held visits in the first weeks: re-planning the rest never uses those weeks.
    fixed = (("01", dt.date(2026, 3, 3)), ("02", dt.date(2026, 3, 10)))
    data = PlannerInput(neighborhoods=hoods, start=dt.date(2026, 3, 2), end=dt.date(2026, 5, 31), fixed=fixed)

    visits = plan(data)

    assert sorted(v.neighborhood for v in visits) == [h.code for h in hoods[2:]]
    assert not {iso_week(v.date) for v in visits} & {iso_week(day) for _, day in fixed}


def test_several_visits_a_day_share_the_time_window():
    data = PlannerInput(
        neighborhoods=city(12),
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 13),
        rules=PlannerRules(weekdays=(1, 2, 3, 4, 5), max_per_week=6, max_per_day=2),
    )

    visits = plan(data)

    assert len(visits) == 12
    by_day: dict[dt.date, list[PlannedVisit]] = {}
    for visit in visits:
        by_day.setdefault(visit.date, []).append(visit)
    for same_day in by_day.values():
        assert len(same_day) <= 2
        assert [(v.start.time(), v.end.time()) for v in same_day] in (
            [(dt.time(10), dt.time(11))],
            [(dt.time(11), dt.time(12))],
            [(dt.time(10), dt.time(11)), (dt.time(11), dt.time(12))],
        )


def test_the_plan_does_not_depend_on_the_hash_seed_or_order():
    hoods = list(city(39))
    random.Random(4).shuffle(hoods)
    data = PlannerInput(neighborhoods=city(39), start=dt.date(2026, 1, 1), end=dt.date(2027, 12, 31))
    assert plan(PlannerInput(neighborhoods=tuple(hoods), start=data.start, end=data.end)) == plan(data)


# --------------------------------------------------------------------------
# Errors a user can cause name their cause
# --------------------------------------------------------------------------

HOODS = city(3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            PlannerInput(neighborhoods=HOODS, start=dt.date(2026, 3, 1), end=dt.date(2026, 2, 1)),
            "The window starts (2026-03-01) after it ends (2026-02-01).",
        ),
        (
            PlannerInput(neighborhoods=HOODS, start=dt.date(2026, 9, 25), end=dt.date(2026, 9, 28)),
            "No working Tuesday/Wednesday/Thursday between 2026-09-25 and 2026-09-28.",
        ),
        (
            PlannerInput(
                neighborhoods=HOODS,
                start=dt.date(2026, 9, 21),
                end=dt.date(2026, 9, 25),
                rules=PlannerRules(weekdays=(4,)),
                days_off={dt.date(2026, 9, 24): "추석 전날", dt.date(2026, 9, 25): "추석"},
            ),
            "No working Thursday between 2026-09-21 and 2026-09-25.",
        ),
        (
            PlannerInput(neighborhoods=city(39), start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30)),
            "The window is too short: 77 usable days (27 weeks at 1 a week) between 2026-01-01 and "
            "2026-06-30 for 39 neighborhoods.",
        ),
        (
            PlannerInput(neighborhoods=HOODS + HOODS[:1], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)),
            "The neighborhood code 01 appears more than once.",
        ),
        (
            PlannerInput(
                neighborhoods=HOODS,
                start=dt.date(2026, 1, 1),
                end=dt.date(2026, 12, 31),
                fixed=(("99", dt.date(2026, 2, 3)),),
            ),
            "The held visit's neighborhood 99 is not in the neighborhoods list.",
        ),
        (
            PlannerInput(
                neighborhoods=HOODS,
                start=dt.date(2026, 1, 1),
                end=dt.date(2026, 12, 31),
                rules=PlannerRules(day_start=dt.time(12), day_end=dt.time(10)),
            ),
            "The daily time window must end after it starts (12:00–10:00).",
        ),
        (
            PlannerInput(
                neighborhoods=HOODS,
                start=dt.date(2026, 1, 1),
                end=dt.date(2026, 12, 31),
                rules=PlannerRules(day_start=dt.time(10), day_end=dt.time(10)),
            ),
            "The daily time window must end after it starts (10:00–10:00).",
        ),
        (
            PlannerInput(
                neighborhoods=HOODS,
                start=dt.date(2026, 1, 1),
                end=dt.date(2026, 12, 31),
                rules=PlannerRules(weekdays=()),
            ),
            "No weekday is allowed for visits.",
        ),
        (
            PlannerInput(
                neighborhoods=HOODS,
                start=dt.date(2026, 1, 1),
                end=dt.date(2026, 12, 31),
                rules=PlannerRules(weekdays=(6, 7)),
            ),
            "No working Saturday/Sunday between 2026-01-01 and 2026-12-31.",
        ),
    ],
    ids=[
        "start-after-end",
        "no-allowed-weekday-in-window",
        "only-holidays",
        "too-short",
        "duplicate-code",
        "unknown-fixed",
        "day-end-before-start",
        "empty-time-window",
        "no-weekdays",
        "weekend-only",
    ],
)
def test_errors_name_their_cause(data, message):
    with translation.override("en"), pytest.raises(PlannerError) as caught:
        plan(data)
    assert str(caught.value) == message
