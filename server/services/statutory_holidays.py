"""The statutory public holidays (法定节假日) of 《全国年节及纪念日放假办法》, as amended in
2024 (in force from 2025): what the law itself fixes for any year, before the State
Council's yearly notice arranges the breaks and their make-up working days (调休).

- 元旦 1 day: 1 January;
- 春节 4 days: 除夕 (the last day of the lunar year) to 正月初三;
- 清明节 1 day: the day of the Qingming solar term (清明);
- 劳动节 2 days: 1-2 May;
- 端午节 1 day: 五月初五 of the lunar calendar;
- 中秋节 1 day: 八月十五 of the lunar calendar;
- 国庆节 3 days: 1-3 October.

Why a library for the lunar dates and the solar term: the lunar calendar follows the
astronomical new moons and the solar terms the sun's longitude; ``lunar_python`` (6tail's
lunar calendar, the one Chinese calendar apps build on) computes both. A test checks these
days against the official calendar for every year it covers since the amendment.

Pure functions of the year: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from lunar_python import Lunar

FIRST_YEAR = 2025  # the amended rules (除夕 and 2 May became holidays) apply from 2025
LAST_YEAR = 2100  # as far as the working-day calendar goes (lunar_python knows 2100)


@dataclass(frozen=True)
class Holiday:
    """One statutory holiday: its key (``chinese_calendar.Holiday``'s name), its Chinese
    name as notices write it, and the other names a notice or a file may use."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()


HOLIDAYS = (
    Holiday("new_years_day", "元旦", ("新年",)),
    Holiday("spring_festival", "春节", ("除夕",)),
    Holiday("tomb_sweeping_day", "清明节", ("清明",)),
    Holiday("labour_day", "劳动节", ("五一", "五一劳动节", "国际劳动节")),
    Holiday("dragon_boat_festival", "端午节", ("端午",)),
    Holiday("mid_autumn_festival", "中秋节", ("中秋",)),
    Holiday("national_day", "国庆节", ("国庆",)),
)
BY_NAME = {name: h for h in HOLIDAYS for name in (h.key, h.name, *h.aliases)}


def _solar(lunar: Lunar) -> dt.date:
    solar = lunar.getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _lunar_day(year: int, month: int, day: int) -> dt.date:
    return _solar(Lunar.fromYmd(year, month, day))


def _qingming(year: int) -> dt.date:
    # The lunar year that begins in ``year`` holds that April's 清明 in its table of terms.
    term = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return dt.date(term.getYear(), term.getMonth(), term.getDay())


@functools.lru_cache(maxsize=256)
def statutory_days(year: int) -> dict[dt.date, Holiday]:
    """Every statutory holiday of ``year`` (Gregorian), by date. 除夕 always falls in the
    same Gregorian year as 正月初一 (between 20 January and 19 February). When two
    holidays share a date (中秋 on 1-3 October), the day is named after the first."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"statutory holidays are computed for {FIRST_YEAR}-{LAST_YEAR}")
    new_year = _lunar_day(year, 1, 1)
    days: dict[dt.date, Holiday] = {}
    by_key = {h.key: h for h in HOLIDAYS}

    def add(key: str, *dates: dt.date) -> None:
        for day in dates:
            days.setdefault(day, by_key[key])

    add("new_years_day", dt.date(year, 1, 1))
    add("spring_festival", *(new_year + dt.timedelta(days=n) for n in range(-1, 3)))
    add("tomb_sweeping_day", _qingming(year))
    add("labour_day", dt.date(year, 5, 1), dt.date(year, 5, 2))
    add("dragon_boat_festival", _lunar_day(year, 5, 5))
    add("national_day", *(dt.date(year, 10, d) for d in (1, 2, 3)))
    add("mid_autumn_festival", _lunar_day(year, 8, 15))
    return dict(sorted(days.items()))


def days_of(year: int, holiday: Holiday) -> list[dt.date]:
    """The statutory days of one holiday in ``year`` (中秋 included when it shares a day
    with 国庆)."""
    if holiday.key == "mid_autumn_festival":
        return [_lunar_day(year, 8, 15)]
    return [day for day, h in statutory_days(year).items() if h == holiday]
