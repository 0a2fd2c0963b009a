"""One clock (server/clock.py): the app and its services take "now" and "today" from it, so
tests, the demo builder and demonstrations set the date; nothing else reads the machine's
clock for a date."""

from __future__ import annotations

import ast
import datetime as dt
import time
from pathlib import Path

import pytest

from server import clock
from server.app import create_app
from tests.factories import SUITE_START, TODAY

ROOT = Path(__file__).resolve().parents[2]
# Calls that read the machine's date: only server/clock.py may make them.
WALL_CLOCK = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"),
              ("datetime", "today")}


def _wall_clock_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else \
                owner.id if isinstance(owner, ast.Name) else None
            if (name, node.func.attr) in WALL_CLOCK:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_the_clock_module_reads_the_machines_date():
    calls = [c for package in ("server", "schemas", "sync") for path in (ROOT / package).rglob("*.py")
             if path != ROOT / "server" / "clock.py" for c in _wall_clock_calls(path)]
    assert calls == []


def test_tests_never_read_the_machines_date():
    calls = [c for path in (ROOT / "tests").rglob("*.py") for c in _wall_clock_calls(path)]
    assert calls == []


def test_every_test_starts_on_the_suites_date_and_time_runs_on():
    assert clock.today() == TODAY
    first = clock.now()
    assert dt.timedelta(0) <= first - SUITE_START < dt.timedelta(seconds=60)
    time.sleep(0.01)
    assert clock.now() > first


def test_a_fixed_clock_stands_still_until_moved():
    fixed = clock.FixedClock(dt.datetime(2031, 2, 1, 23, 30, tzinfo=dt.UTC))
    with clock.using(fixed):
        assert clock.now() == dt.datetime(2031, 2, 1, 23, 30, tzinfo=dt.UTC)
        assert clock.today() == dt.date(2031, 2, 2)  # already the 2nd in China
        fixed.set(dt.datetime(2031, 3, 1, 9, 0, tzinfo=clock.CHINA))
        assert clock.today() == dt.date(2031, 3, 1)
    assert clock.today() == TODAY  # the suite's clock again


@pytest.mark.parametrize(("setting", "expected"), [
    ("2031-02-03", dt.datetime(2031, 2, 3, 9, 0, tzinfo=clock.CHINA)),
    ("2031-02-03T18:30", dt.datetime(2031, 2, 3, 18, 30, tzinfo=clock.CHINA)),
    ("2031-02-03T18:30:00+00:00", dt.datetime(2031, 2, 3, 18, 30, tzinfo=dt.UTC)),
])
def test_the_demonstration_setting_starts_the_apps_clock_on_its_date(
        settings, db, setting, expected):
    previous = clock.current()
    try:
        app = create_app(settings.__class__(**{**vars(settings), "now": setting}), db)
        assert abs(clock.now() - expected) < dt.timedelta(seconds=60)
        client = app.test_client()
        assert client.get("/api/v1/calendar/years").status_code == 401  # the app serves
    finally:
        clock.install(previous)


@pytest.mark.parametrize("setting", ["tomorrow", "2031-13-01", "31/01/2031"])
def test_a_bad_demonstration_setting_is_refused_with_its_name(setting):
    with pytest.raises(ValueError, match="FIELDINSPECT_NOW"):
        clock.from_setting(setting)


def test_a_clock_without_a_time_zone_is_refused():
    with pytest.raises(ValueError):
        clock.StartedClock(dt.datetime(2031, 1, 1))
    with pytest.raises(ValueError):
        clock.FixedClock(dt.datetime(2031, 1, 1))
