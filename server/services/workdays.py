"""Working days (工作日): the calendar every deadline is counted in.

A day's answer comes from, in this order:
1. an admin's override (``CalendarOverride``): a holiday or 调休 make-up day the package
   does not know yet, or a local correction; it wins over everything;
2. the official calendar of the State Council's yearly notice (国务院办公厅关于部分节假日
   安排的通知), as the ``chinesecalendar`` package carries it, make-up days included;
3. for a year the package does not know: if an admin declared it (``CalendarYear``, after
   entering its holidays as overrides), Monday to Friday; otherwise ``CalendarUnknown``.
   Why an error and not weekdays: a deadline counted over an unannounced Spring Festival
   would be a week early, and nobody would notice.

Counting: ``add_working_days(start, n)`` is the n-th working day *after* ``start`` (the day
of the event itself never counts, whatever day it is), the usual reading of "within N
working days of" (自...之日起N个工作日内). The package's answers are cached per date
(20 µs a call otherwise), overrides of a span are read in one query.
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.models import CalendarOverride, CalendarYear, DeadlineRule
from server.models.calendar import DEADLINE_KINDS
from server.services import audit
from server.services.actors import Actor
from server.services.errors import Conflict, InvalidInput, NotFound, RuleViolation
from server.services.listing import paginate

MIN_YEAR, MAX_YEAR = 2000, 2100  # the span overrides and declared years may cover
MAX_WORKING_DAYS = 250  # the deadline_rules check constraint
_MAX_SPAN_DAYS = 3 * 366  # a walk longer than this means the overrides took every day off
API = "/api/v1/calendar"


class CalendarUnknown(RuleViolation):
    """A date no source knows: the package's data ends, and no admin declared the year."""

    code = "calendar_unknown"

    def __init__(self, day: dt.date):
        first, last = official_years()
        super().__init__(
            f"No working-day calendar for {day.isoformat()}: the official calendar covers "
            f"{first}-{last}, and {day.year} has not been declared. An admin must enter "
            f"{day.year}'s holidays and make-up days (调休) as overrides (PUT "
            f"{API}/overrides/<date>) and then declare the year (PUT {API}/years/{day.year}).",
            date=day.isoformat(), year=day.year)


# --- the official calendar -------------------------------------------------------------------
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


def _holiday_name(day: dt.date) -> str | None:
    if official(day) is None:
        return None
    _, name = chinese_calendar.get_holiday_detail(day)
    try:
        return chinese_calendar.Holiday(name).chinese
    except ValueError:  # None (an ordinary day), or a name this version cannot translate
        return name


class _Calendar:
    """One call's view of the calendar: the overrides of a span, the declared years."""

    def __init__(self, session: Session):
        self.session = session
        self.overrides: dict[dt.date, bool] = {}
        self.loaded_until: dt.date | None = None
        self.declared: set[int] | None = None

    def load(self, first: dt.date, last: dt.date) -> None:
        rows = self.session.execute(
            select(CalendarOverride.day, CalendarOverride.workday)
            .where(CalendarOverride.day.between(first, last)))
        self.overrides.update({day: workday for day, workday in rows})
        self.loaded_until = last

    def is_declared(self, year: int) -> bool:
        if self.declared is None:
            self.declared = set(self.session.scalars(select(CalendarYear.year)))
        return year in self.declared

    def workday(self, day: dt.date) -> bool:
        """Whether ``day`` works; ``load`` must have covered it."""
        if day in self.overrides:
            return self.overrides[day]
        answer = official(day)
        if answer is not None:
            return answer
        if self.is_declared(day.year):
            return day.weekday() < 5
        raise CalendarUnknown(day)


def _next_day(day: dt.date) -> dt.date:
    if day >= dt.date(MAX_YEAR, 12, 31):
        raise CalendarUnknown(dt.date(MAX_YEAR + 1, 1, 1))
    return day + dt.timedelta(days=1)


# --- questions ---------------------------------------------------------------------------------
def is_workday(session: Session, day: dt.date) -> bool:
    cal = _Calendar(session)
    cal.load(day, day)
    return cal.workday(day)


def check(session: Session, day: dt.date) -> dict:
    """Whether ``day`` works, and why: ``source`` is override, official or declared_year;
    ``official`` is the package's own answer (None beyond its data), ``holiday`` the name
    of the official holiday the day belongs to, ``makeup_day`` a weekend day worked (调休)."""
    answer = official(day)
    row = session.get(CalendarOverride, day)
    if row is not None:
        workday, source, note = row.workday, "override", row.note
    elif answer is not None:
        workday, source, note = answer, "official", None
    elif session.get(CalendarYear, day.year) is not None:
        workday, source, note = day.weekday() < 5, "declared_year", None
    else:
        raise CalendarUnknown(day)
    return {"date": day, "workday": workday, "source": source, "note": note,
            "official": answer, "holiday": _holiday_name(day),
            "makeup_day": workday and day.weekday() >= 5}


def add_working_days(session: Session, start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (n >= 1; ``start`` itself is not counted)."""
    if not 1 <= n <= MAX_WORKING_DAYS:
        raise InvalidInput(f"The number of working days must be 1-{MAX_WORKING_DAYS}.",
                           errors={"days": [f"between 1 and {MAX_WORKING_DAYS}"]})
    cal = _Calendar(session)
    day, left = start, n
    # n working days span about n * 7/5 calendar days; 30 more cover the longest breaks
    # (Spring Festival, National Day). Overrides that take more cost one more query.
    span = dt.timedelta(days=n * 7 // 5 + 30)
    while left:
        day = _next_day(day)
        if (day - start).days > _MAX_SPAN_DAYS:
            raise RuleViolation(
                f"No {n} working days within {_MAX_SPAN_DAYS} days after {start.isoformat()}: "
                "check the calendar overrides.", date=start.isoformat())
        if cal.loaded_until is None or day > cal.loaded_until:
            cal.load(day, day + span)
        if cal.workday(day):
            left -= 1
    return day


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
    count, day = 0, start
    while day < end:
        day = day + dt.timedelta(days=1)
        count += cal.workday(day)
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


def deadline(session: Session, kind: str, start: dt.date) -> dt.date:
    """The last day of a ``kind`` deadline whose clock starts on ``start``."""
    return add_working_days(session, start, _rule_or_raise(session, kind).working_days)


def count_from(session: Session, start: dt.date, *, days: int | None = None,
               kind: str | None = None) -> dict:
    """``days`` working days after ``start``, or as many as ``kind``'s rule gives."""
    if kind is not None:
        days = _rule_or_raise(session, kind).working_days
    return {"from_": start, "days": days, "kind": kind,
            "date": add_working_days(session, start, days)}


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


# --- overrides and declared years (admin) -----------------------------------------------------------
def _check_year(year: int, field: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"The calendar covers {MIN_YEAR}-{MAX_YEAR}.",
                           errors={field: [f"a year between {MIN_YEAR} and {MAX_YEAR}"]})


def _override_snapshot(row: CalendarOverride) -> dict:
    return {"workday": row.workday, "note": row.note}


def get_override(session: Session, day: dt.date) -> CalendarOverride:
    row = session.get(CalendarOverride, day)
    if row is None:
        raise NotFound(f"No calendar override for {day.isoformat()}.")
    return row


def put_override(session: Session, actor: Actor, day: dt.date, workday: bool,
                 note: str) -> CalendarOverride:
    """Set ``day`` to work or not. Allowed on any date: a local correction wins over the
    package (a regional holiday, a notice the package got wrong)."""
    actor.require_role("admin")
    _check_year(day.year, "day")
    row = session.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day, workday=workday, note=note, created_by=actor.user_id)
        session.add(row)
        session.flush()
        audit.record(session, actor, "calendar_override.create", "calendar_override",
                     day.isoformat(), after=_override_snapshot(row))
        return row
    before = _override_snapshot(row)
    row.workday, row.note = workday, note
    session.flush()
    b, a = audit.diff(before, _override_snapshot(row))
    if a:
        audit.record(session, actor, "calendar_override.update", "calendar_override",
                     day.isoformat(), before=b, after=a)
    return row


def delete_override(session: Session, actor: Actor, day: dt.date) -> None:
    actor.require_role("admin")
    row = get_override(session, day)
    before = _override_snapshot(row)
    session.delete(row)
    session.flush()
    audit.record(session, actor, "calendar_override.delete", "calendar_override",
                 day.isoformat(), before=before)


def list_overrides(session: Session, actor: Actor, *, year: int | None = None,
                   page: int = 1, page_size: int = 100, sort: str | None = None):
    stmt = select(CalendarOverride)
    if year is not None:
        stmt = stmt.where(CalendarOverride.day.between(dt.date(year, 1, 1),
                                                       dt.date(year, 12, 31)))
    return paginate(session, stmt, page=page, page_size=page_size, sort=sort,
                    sortable={"day": CalendarOverride.day}, default_sort="day",
                    tiebreak=CalendarOverride.day)


def years(session: Session) -> dict:
    first, last = official_years()
    return {"official_first": first, "official_last": last,
            "declared": list(session.scalars(select(CalendarYear).order_by(CalendarYear.year)))}


def get_year(session: Session, year: int) -> CalendarYear:
    row = session.get(CalendarYear, year) if MIN_YEAR <= year <= MAX_YEAR else None
    if row is None:
        raise NotFound(f"{year} has not been declared.")
    return row


def declare_year(session: Session, actor: Actor, year: int, note: str | None) -> CalendarYear:
    """Declare ``year`` complete: its holidays and make-up days are in the overrides, every
    other Monday to Friday works. Only for years the package does not know."""
    actor.require_role("admin")
    _check_year(year, "year")
    if official(dt.date(year, 6, 1)) is not None:
        first, last = official_years()
        raise Conflict(f"{year} is in the official calendar ({first}-{last}); declaring it is "
                       "not needed. Enter local corrections as overrides.", code="year_known",
                       year=year)
    row = session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year, note=note, declared_by=actor.user_id)
        session.add(row)
        session.flush()
        audit.record(session, actor, "calendar_year.declare", "calendar_year", year,
                     after={"note": note})
    elif row.note != note:
        before = row.note
        row.note = note
        session.flush()
        audit.record(session, actor, "calendar_year.update", "calendar_year", year,
                     before={"note": before}, after={"note": note})
    return row


def undeclare_year(session: Session, actor: Actor, year: int) -> None:
    """Deadlines in ``year`` become errors again until it is redeclared; its overrides stay."""
    actor.require_role("admin")
    row = get_year(session, year)
    before = {"note": row.note}
    session.delete(row)
    session.flush()
    audit.record(session, actor, "calendar_year.undeclare", "calendar_year", year, before=before)
