"""The seasonal themed-tour prompts (pure: dates in, prompts out)."""

import datetime as dt

import pytest
from django.utils.translation import gettext

from visits.models import ThemedTour
from visits.rotation.seasons import CHUSEOK, SEOLLAL, seasonal_prompts

D = dt.date
SEOLLAL_2027 = D(2027, 2, 7)
CHUSEOK_2026 = D(2026, 9, 25)


def themes(today, holidays=None):
    return [p.theme for p in seasonal_prompts(today, lunar_holidays=holidays or {})]


@pytest.mark.parametrize("today", [D(2026, 12, 1), D(2027, 1, 15), D(2027, 2, 28), D(2028, 2, 29)])
def test_snow_is_prompted_from_december_to_february(today):
    assert ThemedTour.Theme.SNOW in themes(today)


@pytest.mark.parametrize("today", [D(2026, 11, 30), D(2027, 3, 1), D(2026, 7, 15)])
def test_snow_is_not_prompted_outside_winter(today):
    assert ThemedTour.Theme.SNOW not in themes(today)


def test_snow_window_spans_the_new_year():
    (december,) = [p for p in seasonal_prompts(D(2026, 12, 10), lunar_holidays={}) if p.theme == "snow"]
    (january,) = [p for p in seasonal_prompts(D(2027, 1, 10), lunar_holidays={}) if p.theme == "snow"]
    assert (december.window_start, december.window_end) == (D(2026, 12, 1), D(2027, 2, 28))
    assert (january.window_start, january.window_end) == (D(2026, 12, 1), D(2027, 2, 28))


@pytest.mark.parametrize(
    ("today", "rain", "heat"),
    [
        (D(2026, 5, 31), False, False),
        (D(2026, 6, 1), True, False),
        (D(2026, 6, 30), True, False),
        (D(2026, 7, 1), True, True),
        (D(2026, 8, 31), True, True),
        (D(2026, 9, 1), False, False),
    ],
)
def test_heavy_rain_june_to_august_and_heat_july_to_august(today, rain, heat):
    found = themes(today)
    assert (ThemedTour.Theme.HEAVY_RAIN in found) is rain
    assert (ThemedTour.Theme.HEAT in found) is heat


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2027, 1, 16), False),  # 22 days before Seollal
        (D(2027, 1, 17), True),  # 3 weeks before
        (D(2027, 2, 6), True),  # the day before
        (D(2027, 2, 7), False),  # the holiday itself: too late
    ],
)
def test_vulnerable_groups_in_the_three_weeks_before_seollal(today, expected):
    prompts = [
        p
        for p in seasonal_prompts(today, lunar_holidays={SEOLLAL: SEOLLAL_2027})
        if p.theme == ThemedTour.Theme.HOLIDAY_VULNERABLE
    ]
    assert bool(prompts) is expected
    if expected:
        assert prompts[0].window_start == D(2027, 1, 17)
        assert prompts[0].window_end == SEOLLAL_2027
        assert prompts[0].group == ThemedTour.Group.SEASON
        assert str(gettext("Seollal")) in str(prompts[0].title)


@pytest.mark.parametrize(
    ("today", "expected"),
    [(D(2026, 9, 3), False), (D(2026, 9, 4), True), (D(2026, 9, 24), True), (D(2026, 9, 26), False)],
)
def test_vulnerable_groups_in_the_three_weeks_before_chuseok(today, expected):
    found = themes(today, {CHUSEOK: CHUSEOK_2026, SEOLLAL: SEOLLAL_2027})
    assert (ThemedTour.Theme.HOLIDAY_VULNERABLE in found) is expected


def test_every_prompt_has_a_theme_group_and_text():
    prompts = seasonal_prompts(D(2027, 1, 20), lunar_holidays={SEOLLAL: SEOLLAL_2027})
    assert [p.theme for p in prompts] == ["snow", "holiday_vulnerable"]
    for prompt in prompts:
        assert prompt.theme in ThemedTour.Theme.values
        assert prompt.group in ThemedTour.Group.values
        assert str(prompt.text) and str(prompt.title)
        assert prompt.window_start <= D(2027, 1, 20) <= prompt.window_end


def test_no_prompt_in_spring_or_autumn_without_holidays():
    assert seasonal_prompts(D(2026, 4, 15), lunar_holidays={}) == []
    assert seasonal_prompts(D(2026, 10, 15), lunar_holidays={CHUSEOK: CHUSEOK_2026}) == []
