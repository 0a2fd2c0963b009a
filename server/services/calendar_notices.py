"""A year's holiday notice, entered by an admin before the calendar package carries it.

The State Council publishes next year's notice (国务院办公厅关于XXXX年部分节假日安排的
通知) in November or December; ``chinesecalendar`` follows weeks later. Until then the
year is counted provisionally from the law (``workdays``); once the notice is out an
admin enters it here, in one JSON request or one CSV/XLSX file, as the notice lists it:
each holiday's range of days off with its name, and the make-up working days (调休).

It is checked against the law before anything changes: each range holds its holiday's
statutory days (``statutory_holidays``), every holiday is there, ranges do not overlap,
make-up days are Saturdays or Sundays outside the ranges, every date is inside the year,
and a year the package already covers is refused (the package wins there anyway).
Entering, correcting or withdrawing a notice counts every open deadline that touched the
year again in the same transaction (``deadlines.recount``) and says what moved.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import clock
from server.iso_text import iso_text
from server.models import CalendarNotice
from server.services import audit, deadlines, statutory_holidays, workdays
from server.services.actors import Actor
from server.services.errors import Conflict, InvalidInput, NotFound
from server.services.statutory_holidays import BY_NAME, HOLIDAYS
from server.services.tables import detect_format, read_table

MAX_RANGE_DAYS = 31  # a sanity bound: the longest break a notice has arranged is 9 days
MAX_FILE_ROWS = 100
_NAME_SPLIT = re.compile(r"[、,，/;；\s]+|和|及")


# --- the year's status ------------------------------------------------------------------------
def status(session: Session, year: int) -> str:
    """official (the package), entered (a notice here) or provisional (the law only)."""
    if workdays.is_official_year(year):
        return "official"
    return "entered" if session.get(CalendarNotice, year) is not None else "provisional"


def years(session: Session, *, today: dt.date | None = None) -> dict:
    """Every year from the package's first to next year (and any later year with a notice),
    with its status; what the dashboard's warning and the admin's page read."""
    today = today or clock.today()
    first, last = workdays.official_years()
    notices = {n.year: n for n in session.scalars(select(CalendarNotice))}
    end = max([today.year + 1, last, *notices])
    rows = []
    for year in range(first, end + 1):
        notice = notices.get(year)
        source = "official" if first <= year <= last else ("entered" if notice else "provisional")
        rows.append({"year": year, "status": source,
                     "notice_entered_at": notice.entered_at if notice else None,
                     "notice_title": notice.title if notice else None,
                     "notice_superseded": bool(notice) and source == "official"})
    return {"official_first": first, "official_last": last, "years": rows}


WARN_FROM = (11, 1)  # the notice comes out in November or December


def missing_notice(session: Session, today: dt.date) -> dict | None:
    """From 1 November: next year's notice, if neither the package nor an admin has it.
    Deadlines running into that year are provisional until it is entered."""
    year = today.year + 1
    if (today.month, today.day) < WARN_FROM or status(session, year) != "provisional":
        return None
    return {"year": year, "since": dt.date(today.year, *WARN_FROM)}


def get_year(session: Session, year: int) -> dict:
    """A year's holidays and make-up days as the calendar counts them, and where from."""
    _check_year(year)
    source = status(session, year)
    notice = session.get(CalendarNotice, year)
    if source == "entered":
        holidays = [dict(h) for h in notice.holidays]
        makeup = list(notice.makeup_days)
    elif source == "official":
        holidays, makeup = _official_year(year)
    else:
        holidays, makeup = _statutory_ranges(year), []
    holidays = [{"name": h["name"], "start": dt.date.fromisoformat(h["start"]),
                 "end": dt.date.fromisoformat(h["end"])} for h in holidays]
    return {"year": year, "status": source, "holidays": holidays,
            "makeup_days": [dt.date.fromisoformat(d) for d in makeup],
            "notice_title": notice.title if notice else None,
            "notice_entered_at": notice.entered_at if notice else None,
            "notice_entered_by": notice.entered_by if notice else None}


def _runs(days: list[tuple[dt.date, str]]) -> list[dict]:
    """Consecutive days of one name as ranges."""
    out: list[dict] = []
    for day, name in sorted(days):
        last = out[-1] if out else None
        if last and last["name"] == name and \
                dt.date.fromisoformat(last["end"]) + dt.timedelta(days=1) == day:
            last["end"] = iso_text(day)
        else:
            out.append({"name": name, "start": iso_text(day), "end": iso_text(day)})
    return out


def _statutory_ranges(year: int) -> list[dict]:
    if not statutory_holidays.FIRST_YEAR <= year <= statutory_holidays.LAST_YEAR:
        return []
    return _runs([(d, h.name) for d, h in statutory_holidays.statutory_days(year).items()])


def _official_year(year: int) -> tuple[list[dict], list[str]]:
    import chinese_calendar

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    off = [(d, name) for d in chinese_calendar.get_holidays(first, last)
           if (name := workdays.official_holiday(d))]
    makeup = [iso_text(d) for d in chinese_calendar.get_workdays(first, last)
              if d.weekday() >= 5]
    return _runs(off), makeup


# --- checking a notice -------------------------------------------------------------------------
def _check_year(year: int) -> None:
    if not workdays.MIN_YEAR <= year <= workdays.MAX_YEAR:
        raise NotFound(f"The calendar covers {workdays.MIN_YEAR}-{workdays.MAX_YEAR}.")


def _date_in(year: int, value, where: str, errors: dict) -> dt.date | None:
    try:
        if isinstance(value, dt.date):
            day = value
        elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", str(value).strip()):
            day = dt.date.fromisoformat(str(value).strip())
        else:
            raise ValueError(value)
    except ValueError:
        errors[where] = [f"{str(value)[:20]!r} is not a date (YYYY-MM-DD)"]
        return None
    if day.year != year:
        errors[where] = [f"{day} is outside {year}: a notice's dates are in its "
                         "own year (a day of another year is entered as an override)"]
        return None
    return day


def holidays_named(name: str) -> list[statutory_holidays.Holiday]:
    """The holidays a range's name lists (国庆节、中秋节 names two); unknown parts raise."""
    parts = [p for p in _NAME_SPLIT.split(name.strip()) if p]
    found = []
    for part in parts:
        holiday = BY_NAME.get(part) or BY_NAME.get(part.lower())
        if holiday is None:
            raise ValueError(part)
        if holiday not in found:
            found.append(holiday)
    if not found:
        raise ValueError(name)
    return found


def check(year: int, holidays: list[dict], makeup_days: list) -> tuple[list[dict], list[str]]:
    """The notice normalized (ranges by start, names as the law writes them, ISO dates),
    or InvalidInput naming every problem (``errors`` keyed by the field's path)."""
    errors: dict[str, list[str]] = {}
    ranges: list[tuple[dt.date, dt.date, list, int]] = []
    for n, holiday in enumerate(holidays):
        where = f"holidays.{n}"
        try:
            named = holidays_named(str(holiday.get("name") or ""))
        except ValueError as exc:
            errors[f"{where}.name"] = [
                f"{str(exc)[:20]!r} is not a statutory holiday; one of "
                + "、".join(h.name for h in HOLIDAYS)]
            continue
        start = _date_in(year, holiday.get("start"), f"{where}.start", errors)
        end = _date_in(year, holiday.get("end") or holiday.get("start"), f"{where}.end", errors)
        if start is None or end is None:
            continue
        if end < start:
            errors[f"{where}.end"] = ["before the start"]
            continue
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            errors[f"{where}.end"] = [f"a break of more than {MAX_RANGE_DAYS} days"]
            continue
        for h in named:
            missing = [d for d in statutory_holidays.days_of(year, h) if not start <= d <= end]
            if missing:
                errors.setdefault(f"{where}.start", []).append(
                    f"{h.name}'s statutory day{'s' if len(missing) > 1 else ''} "
                    f"{', '.join(iso_text(d) for d in missing)} "
                    f"{'are' if len(missing) > 1 else 'is'} outside "
                    f"{start}..{end}")
        ranges.append((start, end, named, n))
    ranges.sort(key=lambda r: r[0])
    for (s1, e1, _, n1), (s2, _, _, n2) in zip(ranges, ranges[1:], strict=False):
        if s2 <= e1:
            errors.setdefault(f"holidays.{n2}.start", []).append(
                f"overlaps holidays.{n1} ({s1}..{e1})")
    named_all = [h for r in ranges for h in r[2]]
    for h in HOLIDAYS:
        count = named_all.count(h)
        if count == 0 and not any(k.startswith("holidays.") for k in errors):
            errors.setdefault("holidays", []).append(f"{h.name} is missing")
        elif count > 1:
            errors.setdefault("holidays", []).append(f"{h.name} is named in {count} ranges")
    days: list[dt.date] = []
    for n, value in enumerate(makeup_days):
        where = f"makeup_days.{n}"
        day = _date_in(year, value, where, errors)
        if day is None:
            continue
        if day.weekday() < 5:
            errors[where] = [f"{day} is a {day.strftime('%A')}: a make-up working "
                             "day (调休上班) is a Saturday or Sunday"]
        elif any(s <= day <= e for s, e, _, _ in ranges):
            errors[where] = [f"{day} is inside a holiday range"]
        elif day in days:
            errors[where] = [f"{day} is given twice"]
        else:
            days.append(day)
    if errors:
        raise InvalidInput(f"The notice for {year} is not consistent with the law or itself: "
                           + "; ".join(f"{k}: {v[0]}" for k, v in sorted(errors.items())),
                           code="invalid_notice", errors=errors)
    normalized = [{"name": "、".join(h.name for h in named), "start": iso_text(s),
                   "end": iso_text(e)} for s, e, named, _ in ranges]
    return normalized, [iso_text(d) for d in sorted(days)]


# --- reading a file ----------------------------------------------------------------------------
_HEADERS = {
    "kind": ("kind", "类型", "安排"),
    "name": ("name", "名称", "节日", "节假日"),
    "start": ("start", "开始日期", "开始", "日期", "date"),
    "end": ("end", "结束日期", "结束"),
}
_HOLIDAY_KINDS = {"holiday", "放假", "休息", "假日", "放假调休"}
_MAKEUP_KINDS = {"makeup", "makeup_day", "workday", "上班", "调休上班", "补班", "调休"}


def read_file(data: bytes, filename: str | None, content_type: str | None) -> dict:
    """A notice from a CSV or XLSX file: one row per holiday range (kind 放假, name, start,
    end) or make-up day (kind 上班, start; name optional). Headers in English or Chinese."""
    header, rows = read_table(data, detect_format(data, filename, content_type),
                              max_rows=MAX_FILE_ROWS)
    columns = {}
    for key, names in _HEADERS.items():
        for i, title in enumerate(header):
            if title.strip().lower() in names:
                columns[key] = i
                break
    missing = [k for k in ("kind", "start") if k not in columns]
    if missing:
        raise InvalidInput("The file needs the columns kind (类型) and start (开始日期), "
                           "with name (名称) and end (结束日期) for holidays.",
                           code="bad_file", errors={"header": [f"missing {', '.join(missing)}"]})
    holidays, makeup, errors = [], [], {}
    for number, cells in rows:
        def cell(key, cells=cells):
            i = columns.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""
        kind = cell("kind").lower()
        if kind in _HOLIDAY_KINDS:
            holidays.append({"name": cell("name"), "start": cell("start"),
                             "end": cell("end") or cell("start")})
        elif kind in _MAKEUP_KINDS:
            makeup.append(cell("start"))
        else:
            errors[f"row {number}"] = [f"kind {kind[:20]!r}: 放假 (holiday) or 上班 (make-up day)"]
    if errors:
        raise InvalidInput("Some rows are neither a holiday nor a make-up day.",
                           code="invalid_notice", errors=errors)
    return {"holidays": holidays, "makeup_days": makeup}


# --- entering and withdrawing ------------------------------------------------------------------------
def _snapshot(notice: CalendarNotice) -> dict:
    return {"title": notice.title, "holidays": notice.holidays, "makeup_days": notice.makeup_days}


def enter(session: Session, actor: Actor, year: int, *, holidays: list[dict],
          makeup_days: list, title: str | None = None, now: dt.datetime | None = None) -> dict:
    """Enter (or correct) ``year``'s notice; every open deadline that touched the year is
    counted again. The answer holds the year and what moved."""
    actor.require_role("admin")
    _check_year(year)
    now = now or clock.now()
    if workdays.is_official_year(year):
        first, last = workdays.official_years()
        raise Conflict(f"{year} is in the official calendar ({first}-{last}); its notice is "
                       "already there. Enter a local correction as an override.",
                       code="year_known", year=year)
    normalized, makeup = check(year, holidays, makeup_days)
    notice = session.get(CalendarNotice, year)
    before = None if notice is None else _snapshot(notice)
    if notice is None:
        notice = CalendarNotice(year=year)
        session.add(notice)
    notice.title, notice.holidays, notice.makeup_days = title, normalized, makeup
    notice.entered_by, notice.entered_at = actor.user_id, now
    session.flush()
    after = _snapshot(notice)
    if before != after:
        audit.record(session, actor, "calendar_notice.enter" if before is None
                     else "calendar_notice.correct", "calendar_notice", year,
                     before=before, after=after, now=now)
    moved = deadlines.recount(session, actor, dt.date(year, 1, 1), dt.date(year, 12, 31),
                              reason=f"calendar_notice {year}", now=now)
    return {**get_year(session, year), "moved": moved}


def withdraw(session: Session, actor: Actor, year: int, *, now: dt.datetime | None = None) -> dict:
    """Withdraw an entered notice (entered by mistake): the year is provisional again and its
    open deadlines are counted again."""
    actor.require_role("admin")
    _check_year(year)
    now = now or clock.now()
    notice = session.get(CalendarNotice, year)
    if notice is None:
        raise NotFound(f"No notice has been entered for {year}.")
    before = _snapshot(notice)
    session.delete(notice)
    session.flush()
    audit.record(session, actor, "calendar_notice.withdraw", "calendar_notice", year,
                 before=before, now=now)
    moved = deadlines.recount(session, actor, dt.date(year, 1, 1), dt.date(year, 12, 31),
                              reason=f"calendar_notice {year} withdrawn", now=now)
    return {**get_year(session, year), "moved": moved}


# --- when the package catches up ----------------------------------------------------------------
def take_over(session: Session, actor: Actor, *, now: dt.datetime | None = None) -> list[dict]:
    """A ``chinesecalendar`` release now covers years that were entered or provisional: its
    days count from now on (the calendar asks it first); here the stored deadlines follow.
    Every open deadline still marked provisional, and every one counted over an entered
    notice, whose year the package now covers is counted again, and the superseded notices
    are removed (audited). Run when a host starts (``fieldinspect serve``); a second run
    finds nothing to do."""
    now = now or clock.now()
    superseded = [n for n in session.scalars(select(CalendarNotice).order_by(CalendarNotice.year))
                  if workdays.is_official_year(n.year)]
    years = {n.year for n in superseded}
    for due in deadlines.unsettled_due_dates(session):
        # a deadline spans less than a year and a half (250 working days at most)
        years |= {y for y in (due.year - 1, due.year) if workdays.is_official_year(y)}
    moved: list[dict] = []
    for year in sorted(years):
        moved += deadlines.recount(session, actor, dt.date(year, 1, 1), dt.date(year, 12, 31),
                                   reason=f"chinesecalendar covers {year}", now=now)
    for notice in superseded:
        audit.record(session, actor, "calendar_notice.superseded", "calendar_notice",
                     notice.year, before=_snapshot(notice), now=now)
        session.delete(notice)
    session.flush()
    return moved
