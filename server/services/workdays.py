"""Working days (工作日): the calendar every deadline is counted in. It never fails for
lack of data: a deadline is a planning aid, and no inspection, approval or follow-up may
wait for the State Council's yearly notice.

A day's answer comes from, in this order, and says which (``source``):
1. ``override``: an admin's override (``CalendarOverride``), a local correction or a day
   no other source has right; it wins over everything;
2. ``official``: the State Council's notice (国务院办公厅关于部分节假日安排的通知) as the
   ``chinesecalendar`` package carries it, make-up days included. A release that covers a
   new year takes over from an entered notice with no step;
3. ``entered``: the notice of a year the package does not cover yet, as an admin entered
   it (``CalendarNotice``, see ``calendar_notices``): its holiday ranges and make-up days;
4. ``provisional``: the law itself (``statutory_holidays``): weekends and the statutory
   holidays, no make-up days (those are unknown until the notice). The notice comes out
   in November or December, so next year's deadlines are provisional every autumn.

Counting: ``deadline_after(start, n)`` is the n-th working day *after* ``start`` (the day
of the event itself never counts, whatever day it is), the usual reading of "within N
working days of" (自...之日起N个工作日内). A deadline is ``provisional`` when any day it
counted was; its ``source`` is the least settled source among the days counted
(provisional, then entered, then override, then official). The package's answers are
cached per date (20 µs a call otherwise), overrides of a span are read in one query.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.iso_text import iso_text
from server.models import CalendarNotice, CalendarOverride, DeadlineRule
from server.models.calendar import DEADLINE_KINDS
from server.services import audit, statutory_holidays
from server.services.actors import Actor
from server.services.errors import InvalidInput, NotFound, RuleViolation
from server.services.listing import paginate

MIN_YEAR, MAX_YEAR = 2000, 2100  # the span the calendar covers
MAX_WORKING_DAYS = 250  # the deadline_rules check constraint
_MAX_SPAN_DAYS = 3 * 366  # a walk longer than this means the overrides took every day off
# From the most settled to the least: a deadline is as settled as its least settled day.
SOURCES = ("official", "override", "entered", "provisional")
_SETTLEDNESS = {source: rank for rank, source in enumerate(SOURCES)}


@dataclass(frozen=True)
class Day:
    """One date's answer: whether it works, which source says so, and the holiday it
    belongs to (its Chinese name) or whether it is a weekend day worked (调休)."""

    date: dt.date
    workday: bool
    source: str
    holiday: str | None = None
    note: str | None = None

    @property
    def makeup_day(self) -> bool:
        return self.workday and self.date.weekday() >= 5


@dataclass(frozen=True)
class Deadline:
    """The ``days``-th working day after ``start``, and how settled the count is."""

    start: dt.date
    days: int
    date: dt.date
    source: str

    @property
    def provisional(self) -> bool:
        return self.source == "provisional"


def _least_settled(a: str, b: str) -> str:
    return a if _SETTLEDNESS[a] >= _SETTLEDNESS[b] else b


# --- the official calendar and the law ------------------------------------------------------
@functools.lru_cache(maxsize=1 << 16)
def official(day: dt.date) -> bool | None:
    """The package's answer for ``day``, or None when its data does not cover the year."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


@functools.cache
def official_years() -> tuple[int, int]:
    """First and last year the package knows (2004 and 2026 for chinesecalendar 1.11)."""
    known = [y for y in range(1990, 2201) if official(dt.date(y, 6, 1)) is not None]
    return known[0], known[-1]


def is_official_year(year: int) -> bool:
    first, last = official_years()
    return first <= year <= last


@functools.lru_cache(maxsize=1 << 16)
def official_holiday(day: dt.date) -> str | None:
    _, name = chinese_calendar.get_holiday_detail(day)
    try:
        return chinese_calendar.Holiday(name).chinese
    except ValueError:  # None (an ordinary day), or a name this version cannot translate
        return name


@functools.lru_cache(maxsize=256)
def _statutory(year: int) -> dict[dt.date, str]:
    """The law's holidays of ``year`` by date (none before the 2025 rules: a year that old
    and outside the package is counted in weekends only)."""
    if not statutory_holidays.FIRST_YEAR <= year <= statutory_holidays.LAST_YEAR:
        return {}
    return {day: h.name for day, h in statutory_holidays.statutory_days(year).items()}


def provisional_day(day: dt.date) -> Day:
    """What the law alone says of ``day``: weekends and statutory holidays are off."""
    name = _statutory(day.year).get(day)
    return Day(day, name is None and day.weekday() < 5, "provisional", name)


def notice_days(notice: CalendarNotice) -> dict[dt.date, tuple[bool, str | None]]:
    """An entered notice as days: each holiday range's days off (with its name), and the
    make-up working days."""
    days: dict[dt.date, tuple[bool, str | None]] = {}
    for holiday in notice.holidays:
        day, last = dt.date.fromisoformat(holiday["start"]), dt.date.fromisoformat(holiday["end"])
        while day <= last:
            days[day] = (False, holiday["name"])
            day += dt.timedelta(days=1)
    for text in notice.makeup_days:
        days[dt.date.fromisoformat(text)] = (True, None)
    return days


class _Calendar:
    """One call's view of the calendar: the overrides of a span, the entered notices."""

    def __init__(self, session: Session):
        self.session = session
        self.overrides: dict[dt.date, CalendarOverride] = {}
        self.loaded_until: dt.date | None = None
        self.notices: dict[int, dict | None] = {}

    def load(self, first: dt.date, last: dt.date) -> None:
        rows = self.session.scalars(
            select(CalendarOverride).where(CalendarOverride.day.between(first, last)))
        self.overrides.update({row.day: row for row in rows})
        self.loaded_until = last

    def notice(self, year: int) -> dict | None:
        if year not in self.notices:
            row = self.session.get(CalendarNotice, year)
            self.notices[year] = None if row is None else notice_days(row)
        return self.notices[year]

    def day(self, day: dt.date) -> Day:
        """``day``'s answer; ``load`` must have covered it for its override to count."""
        row = self.overrides.get(day)
        answer = official(day)
        if row is not None:
            holiday = official_holiday(day) if answer is not None else None
            return Day(day, row.workday, "override", holiday, row.note)
        if answer is not None:
            return Day(day, answer, "official", official_holiday(day))
        notice = self.notice(day.year)
        if notice is not None:
            workday, name = notice.get(day, (day.weekday() < 5, None))
            return Day(day, workday, "entered", name)
        return provisional_day(day)


def _next_day(day: dt.date) -> dt.date:
    if day >= dt.date(MAX_YEAR, 12, 31):
        raise RuleViolation(f"The working-day calendar ends on {MAX_YEAR}-12-31.",
                            code="calendar_range", date=iso_text(day))
    return day + dt.timedelta(days=1)


# --- questions ---------------------------------------------------------------------------------
def day(session: Session, day: dt.date) -> Day:
    cal = _Calendar(session)
    cal.load(day, day)
    return cal.day(day)


def is_workday(session: Session, day_: dt.date) -> bool:
    return day(session, day_).workday


def check(session: Session, day_: dt.date) -> dict:
    """Whether ``day_`` works, and why: ``source`` (official, override, entered or
    provisional); ``official`` is the package's own answer (None beyond its data),
    ``holiday`` the name of the holiday the day belongs to, ``makeup_day`` a weekend day
    worked (调休)."""
    answer = day(session, day_)
    return {"date": day_, "workday": answer.workday, "source": answer.source,
            "provisional": answer.source == "provisional", "note": answer.note,
            "official": official(day_), "holiday": answer.holiday,
            "makeup_day": answer.makeup_day}


def deadline_after(session: Session, start: dt.date, n: int) -> Deadline:
    """The n-th working day after ``start`` (n >= 1; ``start`` itself is not counted)."""
    if not 1 <= n <= MAX_WORKING_DAYS:
        raise InvalidInput(f"The number of working days must be 1-{MAX_WORKING_DAYS}.",
                           errors={"days": [f"between 1 and {MAX_WORKING_DAYS}"]})
    cal = _Calendar(session)
    current, left, source = start, n, "official"
    # n working days span about n * 7/5 calendar days; 30 more cover the longest breaks
    # (Spring Festival, National Day). Overrides that take more cost one more query.
    span = dt.timedelta(days=n * 7 // 5 + 30)
    while left:
        current = _next_day(current)
        if (current - start).days > _MAX_SPAN_DAYS:
            raise RuleViolation(
                f"No {n} working days within {_MAX_SPAN_DAYS} days after {start}: "
                "check the calendar overrides.", date=iso_text(start))
        if cal.loaded_until is None or current > cal.loaded_until:
            cal.load(current, current + span)
        answer = cal.day(current)
        source = _least_settled(source, answer.source)
        if answer.workday:
            left -= 1
    return Deadline(start, n, current, source)


def add_working_days(session: Session, start: dt.date, n: int) -> dt.date:
    """The date of ``deadline_after(start, n)``."""
    return deadline_after(session, start, n).date


def working_days_between(session: Session, start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative, -(working days in (end, start]), when end is
    before start; 0 when they are equal. So ``add_working_days(s, n) == e`` gives
    ``working_days_between(s, e) == n``, and ``working_days_between(deadline, today)``
    is how many working days a deadline is overdue (0 on the day itself and on the days
    off right after it: compare the dates to know whether it has passed)."""
    if end < start:
        return -working_days_between(session, end, start)
    if end == start:
        return 0
    cal = _Calendar(session)
    cal.load(start + dt.timedelta(days=1), end)
    count, current = 0, start
    while current < end:
        current = current + dt.timedelta(days=1)
        count += cal.day(current).workday
    return count


# --- deadline rules ------------------------------------------------------------------------------
def _rule_or_raise(session: Session, kind: str) -> DeadlineRule:
    rule = session.get(DeadlineRule, kind) if kind in DEADLINE_KINDS else None
    if rule is None:
        raise NotFound(f"No deadline rule {kind!r}; kinds: {', '.join(DEADLINE_KINDS)}.")
    return rule


def rules(session: Session) -> list[DeadlineRule]:
    return list(session.scalars(select(DeadlineRule).order_by(DeadlineRule.kind)))


def rule(session: Session, kind: str) -> DeadlineRule:
    return _rule_or_raise(session, kind)


def deadline(session: Session, kind: str, start: dt.date) -> Deadline:
    """A ``kind`` deadline whose clock starts on ``start``: its rule's working days."""
    return deadline_after(session, start, _rule_or_raise(session, kind).working_days)


def count_from(session: Session, start: dt.date, *, days: int | None = None,
               kind: str | None = None) -> dict:
    """``days`` working days after ``start``, or as many as ``kind``'s rule gives."""
    if kind is not None:
        days = _rule_or_raise(session, kind).working_days
    counted = deadline_after(session, start, days)
    return {"from_": start, "days": days, "kind": kind, "date": counted.date,
            "source": counted.source, "provisional": counted.provisional}


def set_rule(session: Session, actor: Actor, kind: str, working_days: int) -> DeadlineRule:
    """E.g. publication within 10 instead of 20 working days where the region says so."""
    actor.require_role("admin")
    rule = _rule_or_raise(session, kind)
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise InvalidInput(f"working_days must be 1-{MAX_WORKING_DAYS}.",
                           errors={"working_days": [f"between 1 and {MAX_WORKING_DAYS}"]})
    before = rule.working_days
    if before != working_days:
        rule.working_days = working_days
        rule.updated_by = actor.user_id
        session.flush()
        audit.record(session, actor, "deadline_rule.update", "deadline_rule", kind,
                     before={"working_days": before}, after={"working_days": working_days})
    return rule


# --- overrides (admin) -----------------------------------------------------------
def _check_year(year: int, field: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"The calendar covers {MIN_YEAR}-{MAX_YEAR}.",
                           errors={field: [f"a year between {MIN_YEAR} and {MAX_YEAR}"]})


def _override_snapshot(row: CalendarOverride) -> dict:
    return {"workday": row.workday, "note": row.note}


def get_override(session: Session, day: dt.date) -> CalendarOverride:
    row = session.get(CalendarOverride, day)
    if row is None:
        raise NotFound(f"No calendar override for {day}.")
    return row


def _recount(session: Session, actor: Actor, day: dt.date) -> None:
    """Open deadlines whose span holds ``day`` are counted again (see ``deadlines``)."""
    from server.services import deadlines  # it counts with this module

    deadlines.recount(session, actor, day, day, reason=f"calendar_override {day}")


def put_override(session: Session, actor: Actor, day: dt.date, workday: bool,
                 note: str) -> CalendarOverride:
    """Set ``day`` to work or not. Allowed on any date: a local correction wins over the
    package (a regional holiday, a notice the package got wrong). Open deadlines counted
    over the day are counted again."""
    actor.require_role("admin")
    _check_year(day.year, "day")
    row = session.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day, workday=workday, note=note, created_by=actor.user_id)
        session.add(row)
        session.flush()
        audit.record(session, actor, "calendar_override.create", "calendar_override",
                     iso_text(day), after=_override_snapshot(row))
        _recount(session, actor, day)
        return row
    before = _override_snapshot(row)
    row.workday, row.note = workday, note
    session.flush()
    b, a = audit.diff(before, _override_snapshot(row))
    if a:
        audit.record(session, actor, "calendar_override.update", "calendar_override",
                     iso_text(day), before=b, after=a)
        _recount(session, actor, day)
    return row


def delete_override(session: Session, actor: Actor, day: dt.date) -> None:
    actor.require_role("admin")
    row = get_override(session, day)
    before = _override_snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(session, actor, "calendar_override.delete", "calendar_override",
                 iso_text(day), before=before)
    _recount(session, actor, day)


def list_overrides(session: Session, actor: Actor, *, year: int | None = None,
                   page: int = 1, page_size: int = 100, sort: str | None = None):
    stmt = select(CalendarOverride)
    if year is not None:
        stmt = stmt.where(CalendarOverride.day.between(dt.date(year, 1, 1),
                                                       dt.date(year, 12, 31)))
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"day": CalendarOverride.day}, default_sort="day",
                    tiebreak=CalendarOverride.day)
