"""Which seasonal themed tours (민생탐방) to suggest on a given day.

Pure: plain dates in, plain data out, no database. Seed 002's seasonal tours:
snow removal (December–February), heavy rain (June–August), heat waves
(July–August) and visits to vulnerable groups in the three weeks before
Seollal and Chuseok. The lunar holidays move every year, so the caller passes
their dates (from ``holidays.KR``); the staff tours page hides a prompt once
a tour of its theme is planned in the prompt's window.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The keys of ``lunar_holidays``.
SEOLLAL = "seollal"
CHUSEOK = "chuseok"

#: The values of ``visits.models.ThemedTour.Theme`` and ``.Group`` used here
#: (repeated as plain strings so that this module needs no models).
THEME_SNOW = "snow"
THEME_HEAVY_RAIN = "heavy_rain"
THEME_HEAT = "heat"
THEME_HOLIDAY_VULNERABLE = "holiday_vulnerable"
GROUP_SEASON = "season"

#: How long before a lunar holiday the visits to vulnerable groups are prompted.
HOLIDAY_LEAD = dt.timedelta(weeks=3)

_HOLIDAY_LABELS = {SEOLLAL: _("Seollal"), CHUSEOK: _("Chuseok")}


@dataclass(frozen=True)
class Prompt:
    """One seasonal tour to suggest: its theme and group (ThemedTour values),
    a title to prefill, the text staff read, and the window it applies to
    (both days included)."""

    key: str
    theme: str
    group: str
    title: str | Promise
    text: str | Promise
    window_start: dt.date
    window_end: dt.date


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _snow_window(today: dt.date) -> tuple[dt.date, dt.date] | None:
    if today.month == 12:
        return dt.date(today.year, 12, 1), _month_end(today.year + 1, 2)
    if today.month in (1, 2):
        return dt.date(today.year - 1, 12, 1), _month_end(today.year, 2)
    return None


def _summer_window(today: dt.date, first_month: int) -> tuple[dt.date, dt.date] | None:
    if first_month <= today.month <= 8:
        return dt.date(today.year, first_month, 1), _month_end(today.year, 8)
    return None


def seasonal_prompts(today: dt.date, *, lunar_holidays: dict[str, dt.date]) -> list[Prompt]:
    """The seasonal tours that apply on ``today``, in a fixed order (weather
    first, then the holidays by date). ``lunar_holidays`` maps ``SEOLLAL`` /
    ``CHUSEOK`` (or any other name) to the holiday's main day; pass the next
    occurrence of each."""
    prompts: list[Prompt] = []
    window = _snow_window(today)
    if window:
        prompts.append(
            Prompt(
                key="snow",
                theme=THEME_SNOW,
                group=GROUP_SEASON,
                title=_("Snow removal preparation tour"),
                text=_(
                    "Winter: check the snow-removal equipment, de-icing stocks and the steep roads before heavy snow."
                ),
                window_start=window[0],
                window_end=window[1],
            )
        )
    window = _summer_window(today, 6)
    if window:
        prompts.append(
            Prompt(
                key="heavy_rain",
                theme=THEME_HEAVY_RAIN,
                group=GROUP_SEASON,
                title=_("Heavy rain preparation tour"),
                text=_(
                    "Rainy season: check the flood-prone areas, drains, semi-basement homes "
                    "and slopes before heavy rain."
                ),
                window_start=window[0],
                window_end=window[1],
            )
        )
    window = _summer_window(today, 7)
    if window:
        prompts.append(
            Prompt(
                key="heat",
                theme=THEME_HEAT,
                group=GROUP_SEASON,
                title=_("Heat-wave preparation tour"),
                text=_(
                    "Heat wave: visit the cooling shelters and check on elderly people living alone "
                    "and outdoor workers."
                ),
                window_start=window[0],
                window_end=window[1],
            )
        )
    for name, day in sorted(lunar_holidays.items(), key=lambda item: item[1]):
        start = day - HOLIDAY_LEAD
        if start <= today < day:
            label = _HOLIDAY_LABELS.get(name, name)
            prompts.append(
                Prompt(
                    key=f"holiday_vulnerable:{name}:{day.isoformat()}",
                    theme=THEME_HOLIDAY_VULNERABLE,
                    group=GROUP_SEASON,
                    title=_HolidayText(_("Visits to vulnerable groups before %(holiday)s"), label),
                    text=_HolidayText(
                        _(
                            "%(holiday)s is coming: visit welfare facilities, elderly people living alone "
                            "and other vulnerable neighbours before the holiday."
                        ),
                        label,
                    ),
                    window_start=start,
                    window_end=day,
                )
            )
    return prompts


class _HolidayText:
    """A translated text with the holiday's name, translated when shown (so
    the prompt stays right whatever language the page is in)."""

    def __init__(self, template, holiday):
        self.template = template
        self.holiday = holiday

    def __str__(self):
        return str(self.template) % {"holiday": str(self.holiday)}

    def __eq__(self, other):
        return str(self) == str(other)

    def __hash__(self):
        return hash(str(self))
