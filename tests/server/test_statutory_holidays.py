"""The statutory holidays of 《全国年节及纪念日放假办法》 (2024) the provisional calendar
counts with, and the notice checker built on them: against the official calendar where it
exists, and as properties of any year."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.services import calendar_notices
from server.services.errors import InvalidInput
from server.services.statutory_holidays import FIRST_YEAR, HOLIDAYS, LAST_YEAR, statutory_days

years = st.integers(FIRST_YEAR, LAST_YEAR)


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_statutory_day_is_an_official_holiday_of_the_same_name(year):
    """The official notices of the years since the amendment hold every day the law gives,
    under the same holiday (the package's own data, not our computation)."""
    for day, holiday in statutory_days(year).items():
        assert not chinese_calendar.is_workday(day), day
        _, name = chinese_calendar.get_holiday_detail(day)
        assert chinese_calendar.Holiday(name).name == holiday.key, (day, name)


def test_known_dates_of_2027_by_hand():
    days = {d.isoformat(): h.name for d, h in statutory_days(2027).items()}
    assert [d for d, n in days.items() if n == "春节"] == \
        ["2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08"]
    assert days["2027-04-05"] == "清明节" and days["2027-06-09"] == "端午节"
    assert days["2027-09-15"] == "中秋节" and days["2027-01-01"] == "元旦"


@given(years)
def test_each_year_has_its_thirteen_statutory_days_in_their_seasons(year):
    days = statutory_days(year)
    by_name: dict[str, list[dt.date]] = {}
    for day, holiday in days.items():
        assert day.year == year
        by_name.setdefault(holiday.name, []).append(day)
    # 中秋 can fall on 1-3 October, then the day is counted once, under 国庆
    assert len(days) in (12, 13)
    spring = by_name["春节"]
    assert len(spring) == 4 and spring == [spring[0] + dt.timedelta(days=n) for n in range(4)]
    assert dt.date(year, 1, 20) <= spring[0] <= dt.date(year, 2, 19)
    (qingming,) = by_name["清明节"]
    assert dt.date(year, 4, 4) <= qingming <= dt.date(year, 4, 6)
    (duanwu,) = by_name["端午节"]
    assert dt.date(year, 5, 25) <= duanwu <= dt.date(year, 6, 26)
    assert by_name["劳动节"] == [dt.date(year, 5, 1), dt.date(year, 5, 2)]
    assert by_name["国庆节"] == [dt.date(year, 10, d) for d in (1, 2, 3)]
    assert len(by_name.get("中秋节", [])) == (1 if len(days) == 13 else 0)


def _statutory_notice(year: int) -> list[dict]:
    """Each holiday's statutory days as its own range (中秋 inside 国庆 when they meet)."""
    ranges: dict[str, list[dt.date]] = {}
    for day, holiday in statutory_days(year).items():
        ranges.setdefault(holiday.name, []).append(day)
    out = [{"name": name, "start": min(d), "end": max(d)} for name, d in ranges.items()]
    if "中秋节" not in ranges:
        out = [{**r, "name": "国庆节、中秋节"} if r["name"] == "国庆节" else r for r in out]
    return out


@given(years, st.data())
def test_a_notice_of_just_the_statutory_days_passes_and_a_weekday_make_up_day_never_does(
        year, data):
    holidays = _statutory_notice(year)
    normalized, makeup = calendar_notices.check(year, holidays, [])
    assert {h["name"].split("、")[0] for h in normalized} <= {h.name for h in HOLIDAYS}
    assert makeup == []
    day = data.draw(st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    if day.weekday() < 5:
        with pytest.raises(InvalidInput) as refused:
            calendar_notices.check(year, holidays, [day])
        assert "makeup_days.0" in refused.value.errors


@given(years, st.sampled_from([h.name for h in HOLIDAYS]))
def test_a_range_that_misses_its_statutory_day_is_refused(year, name):
    holidays = _statutory_notice(year)
    target = next(h for h in holidays if name in h["name"])
    if target["start"] == target["end"]:  # a one-day range: move it a day later
        moved = target["start"] + dt.timedelta(days=1)
        if moved.year != year:
            return
        target["start"] = target["end"] = moved
    else:  # start a day later: its first statutory day is left out
        target["start"] += dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as refused:
        calendar_notices.check(year, holidays, [])
    assert any("statutory day" in m or "overlaps" in m
               for messages in refused.value.errors.values() for m in messages)
