"""The one clock every service asks for "now" and "today".

Why one clock: deadlines, overdue lists, token expiry and visit windows all depend on the
date, so tests, the demo builder and demonstrations must be able to say what day it is
without touching the machine's clock. Services call ``now()`` / ``today()`` here (or take
``now=`` from their caller, who asked here); nothing else reads the wall clock for a date.

The clock in use is process-wide: the app factory installs the one its settings name
(``FIELDINSPECT_NOW`` starts time at a given moment and lets it run on, for
demonstrations), tests install one that starts on a fixed date, and the demo builder
moves a frozen one from event to event. Elapsed-time measurements (timeouts, benchmarks)
keep using ``time.monotonic``: they are durations, not dates.

``today()`` is the date in China (UTC+8, no daylight saving): visit windows, deadlines and
working days are calendar days there, whatever the server's own time zone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time

CHINA = dt.timezone(dt.timedelta(hours=8))  # no daylight saving: calendar days in China


class Clock:
    """The real time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def describe(self) -> str:
        return "system"


class StartedClock(Clock):
    """Time that started at ``start`` when the clock was made and runs on at the real pace:
    a demonstration on a chosen date, or a test suite that fixes its date but still sees
    seconds pass (token expiry, back-off)."""

    def __init__(self, start: dt.datetime):
        if start.tzinfo is None:
            raise ValueError("the clock's start needs a time zone")
        self.start = start.astimezone(dt.UTC)
        self._origin = time.monotonic()

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self._origin)

    def describe(self) -> str:
        return f"started at {self.start.isoformat()}"


class FixedClock(Clock):
    """Time that stands still until moved: the demo builder sets it to each event's moment."""

    def __init__(self, at: dt.datetime):
        self.set(at)

    def set(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("the clock's time needs a time zone")
        self.at = at.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self.at

    def describe(self) -> str:
        return f"fixed at {self.at.isoformat()}"


_current: Clock = Clock()


def now() -> dt.datetime:
    """Now, as an aware UTC datetime."""
    return _current.now()


def today() -> dt.date:
    """Today's date in China."""
    return china_date()


def china_date(moment: dt.datetime | None = None) -> dt.date:
    """The date in China at ``moment`` (default: now)."""
    return (moment or _current.now()).astimezone(CHINA).date()


def current() -> Clock:
    return _current


def install(clock: Clock) -> Clock:
    """Make ``clock`` the one in use; returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


@contextlib.contextmanager
def using(clock: Clock):
    """``clock`` for the duration of a block (the demo builder, a test)."""
    previous = install(clock)
    try:
        yield clock
    finally:
        install(previous)


def parse_start(text: str) -> dt.datetime:
    """A ``FIELDINSPECT_NOW`` value: an ISO date or date-time; without a zone, China's."""
    text = text.strip()
    try:
        if len(text) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(9, 0))
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"FIELDINSPECT_NOW={text!r} is not an ISO date or date-time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA)


def from_setting(value: str | None) -> Clock:
    """The clock a ``FIELDINSPECT_NOW`` setting names: the real time when unset."""
    return StartedClock(parse_start(value)) if value else Clock()
