"""Working days (工作日) through the HTTP API: the official calendar with its 调休 make-up
days, admins' overrides and declared years, and the deadline rules counted in them.

The expected dates are counted by hand from the State Council's notices
(国务院办公厅关于2025年部分节假日安排的通知: 10月1日至8日放假调休，共8天；9月28日（周日）、
10月11日（周六）上班; and the 2026 notice: 1月1日至3日放假，1月4日（周日）上班), never
computed with the package under test."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

import schemas.calendar
import server.models.calendar
from server.models import CalendarOverride, CalendarYear, DeadlineRule
from server.services import workdays
from server.services.actors import SYSTEM
from tests.server.test_app import assert_error

CAL = "/api/v1/calendar"
ADD = f"{CAL}/workdays/add"
NON_ADMINS = ["coordinator", "sup_a", "insp_a"]


def add(api, start, days=None, kind=None):
    query = {"from": start, **({"days": days} if days is not None else {}),
             **({"kind": kind} if kind else {})}
    return api.get(ADD, query_string=query)


def added(api, start, days=None, kind=None) -> str:
    resp = add(api, start, days, kind)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["date"]


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def audit(world, entity_type, entity_id):
    resp = world.admin.get("/api/v1/audit", query_string={
        "entity_type": entity_type, "entity_id": str(entity_id)})
    assert resp.status_code == 200, resp.get_json()
    return [(e["action"], e["before"], e["after"]) for e in resp.get_json()["items"]]


# --- the official calendar around National Day and Mid-Autumn 2025 -----------------------------
@pytest.mark.parametrize(("start", "days", "expected"), [
    # Fri before the holiday: Sun 28 Sep and Sat 11 Oct are make-up working days.
    ("2025-09-26", 1, "2025-09-28"),
    ("2025-09-26", 10, "2025-10-16"),
    ("2025-09-26", 20, "2025-10-30"),
    # the last working day before the break: the next one is Thu 9 Oct
    ("2025-09-30", 1, "2025-10-09"),
    ("2025-09-30", 10, "2025-10-21"),
    ("2025-09-30", 20, "2025-11-04"),
    # the first working day after it
    ("2025-10-09", 2, "2025-10-11"),
    ("2025-10-09", 10, "2025-10-22"),
    ("2025-10-09", 20, "2025-11-05"),
    # a clock that starts on a day off: that day is not counted either
    ("2025-09-27", 1, "2025-09-28"),
    ("2025-09-27", 10, "2025-10-16"),
    ("2025-10-03", 10, "2025-10-21"),
    # across New Year 2026: 1-3 Jan off, Sun 4 Jan worked
    ("2025-12-30", 2, "2026-01-04"),
    ("2025-12-30", 3, "2026-01-05"),
])
def test_working_days_follow_the_official_holidays_and_make_up_days(world, start, days, expected):
    resp = add(world.insp_a, start, days)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"from": start, "days": days, "date": expected, "kind": None}


def test_check_says_whether_a_day_works_and_why(world):
    def check(day):
        resp = world.insp_a.get(f"{CAL}/workdays/check", query_string={"date": day})
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    sunday = check("2025-09-28")
    assert (sunday["workday"], sunday["source"], sunday["makeup_day"]) == (True, "official", True)
    holiday = check("2025-10-03")
    assert (holiday["workday"], holiday["holiday"], holiday["makeup_day"]) == \
        (False, "国庆节", False)
    assert check("2025-10-13")["workday"] is True
    assert check("2025-10-12")["workday"] is False


# --- deadline rules ----------------------------------------------------------------------------
def test_the_seeded_deadline_rules_are_read_by_everyone(world):
    resp = world.insp_a.get(f"{CAL}/deadline-rules")
    assert resp.status_code == 200, resp.get_json()
    assert {r["kind"]: r["working_days"] for r in resp.get_json()} == \
        {"result_entry": 10, "publication": 20, "follow_up": 20}
    assert world.sup_a.get(f"{CAL}/deadline-rules/publication").get_json()["working_days"] == 20
    assert schemas.calendar.DEADLINE_KINDS == server.models.calendar.DEADLINE_KINDS


def test_a_kind_counts_its_rule_and_an_admin_can_shorten_it(world, session):
    resp = add(world.sup_a, "2025-09-26", kind="publication")
    assert resp.get_json() == {"from": "2025-09-26", "days": 20, "date": "2025-10-30",
                               "kind": "publication"}
    resp = world.admin.put(f"{CAL}/deadline-rules/publication", json={"working_days": 10})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["working_days"] == 10
    assert resp.get_json()["updated_by"] == world.admin_user.id
    assert added(world.sup_a, "2025-09-26", kind="publication") == "2025-10-16"
    session.expire_all()
    assert workdays.deadline(session, "publication", dt.date(2025, 9, 30)) == dt.date(2025, 10, 21)
    assert audit(world, "deadline_rule", "publication") == \
        [("deadline_rule.update", {"working_days": 20}, {"working_days": 10})]


@pytest.mark.parametrize("who", NON_ADMINS)
def test_only_admins_change_deadline_rules(world, session, who):
    assert_error(getattr(world, who).put(f"{CAL}/deadline-rules/publication",
                                         json={"working_days": 10}), 403, "forbidden")
    session.expire_all()
    assert session.get(DeadlineRule, "publication").working_days == 20


@pytest.mark.parametrize("body", [{"working_days": 0}, {"working_days": 251},
                                  {"working_days": "ten"}, {"working_days": 10, "kind": "x"},
                                  {}, {"working_days": 10.5}])
def test_invalid_deadline_rules_are_refused(world, session, body):
    assert_error(world.admin.put(f"{CAL}/deadline-rules/publication", json=body), 422,
                 "validation_error")
    session.expire_all()
    assert session.get(DeadlineRule, "publication").working_days == 20


def test_an_unknown_deadline_kind_is_a_404(world):
    assert_error(world.admin.get(f"{CAL}/deadline-rules/appeal"), 404, "not_found")
    assert_error(world.admin.put(f"{CAL}/deadline-rules/appeal", json={"working_days": 5}),
                 404, "not_found")


# --- beyond the official data ----------------------------------------------------------------
def test_a_date_beyond_the_official_calendar_is_an_error_not_a_guess(world):
    body = assert_error(add(world.insp_a, "2027-03-01", 5), 422, "calendar_unknown")
    assert body["date"] == "2027-03-02" and body["year"] == 2027
    assert "2027-03-02" in body["message"]
    assert f"{CAL}/years/2027" in body["message"] and f"{CAL}/overrides" in body["message"]
    body = assert_error(world.insp_a.get(f"{CAL}/workdays/check",
                                         query_string={"date": "2027-03-01"}),
                        422, "calendar_unknown")
    assert body["date"] == "2027-03-01"
    # a count that runs into 2027 stops at the first day nobody knows
    body = assert_error(add(world.insp_a, "2026-12-30", 3), 422, "calendar_unknown")
    assert body["date"] == "2027-01-01"


def test_a_declared_year_counts_weekdays_and_skips_its_overrides(world, session):
    admin = world.admin
    resp = admin.put(f"{CAL}/overrides/2027-01-01", json={"workday": False, "note": "2027年元旦"})
    assert resp.status_code == 200, resp.get_json()
    # the override alone is known; the next day is not, until the year is declared
    assert_error(add(world.insp_a, "2026-12-30", 2), 422, "calendar_unknown")
    resp = admin.put(f"{CAL}/years/2027", json={"note": "国办发明电〔2026〕X号"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["declared_by"] == world.admin_user.id
    # Thu 31 Dec 2026 (1), Fri 1 Jan off, weekend, Mon 4 Jan (2)
    assert added(world.insp_a, "2026-12-30", 2) == "2027-01-04"
    assert added(world.insp_a, "2027-03-01", 5) == "2027-03-08"
    check = world.insp_a.get(f"{CAL}/workdays/check", query_string={"date": "2027-01-01"})
    assert (check.get_json()["source"], check.get_json()["workday"]) == ("override", False)
    check = world.insp_a.get(f"{CAL}/workdays/check", query_string={"date": "2027-01-05"})
    assert (check.get_json()["source"], check.get_json()["workday"]) == ("declared_year", True)
    # a make-up Saturday of the declared year counts
    admin.put(f"{CAL}/overrides/2027-01-09", json={"workday": True, "note": "调休上班"})
    assert added(world.insp_a, "2027-01-08", 1) == "2027-01-09"
    years = world.insp_a.get(f"{CAL}/years").get_json()
    assert (years["official_first"], years["official_last"]) == (2004, 2026)
    assert [y["year"] for y in years["declared"]] == [2027]
    assert audit(world, "calendar_year", 2027) == \
        [("calendar_year.declare", None, {"note": "国办发明电〔2026〕X号"})]
    # withdrawn, the year is unknown again; its overrides stay
    assert admin.delete(f"{CAL}/years/2027").status_code == 204
    assert_error(add(world.insp_a, "2027-03-01", 5), 422, "calendar_unknown")
    assert count(session, CalendarOverride) == 2
    assert audit(world, "calendar_year", 2027)[0][0] == "calendar_year.undeclare"


def test_declaring_a_year_the_official_calendar_knows_is_refused(world, session):
    body = assert_error(world.admin.put(f"{CAL}/years/2025", json={}), 409, "year_known")
    assert "not needed" in body["message"] and body["year"] == 2025
    assert count(session, CalendarYear) == 0


@pytest.mark.parametrize(("url", "status"), [
    (f"{CAL}/years/1999", 422), (f"{CAL}/years/99999", 422), (f"{CAL}/years/abc", 404)])
def test_declaring_an_impossible_year_is_refused(world, session, url, status):
    assert_error(world.admin.put(url, json={}), status)
    assert count(session, CalendarYear) == 0


# --- overrides -------------------------------------------------------------------------------------
def test_an_override_on_a_known_date_wins_over_the_official_calendar(world, session):
    admin = world.admin
    assert added(world.insp_a, "2025-09-30", 1) == "2025-10-09"
    resp = admin.put(f"{CAL}/overrides/2025-10-09", json={"workday": False, "note": "本地停工"})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"day": "2025-10-09", "workday": False, "note": "本地停工",
                               "created_by": world.admin_user.id,
                               "created_at": resp.get_json()["created_at"]}
    assert added(world.insp_a, "2025-09-30", 1) == "2025-10-10"
    check = world.insp_a.get(f"{CAL}/workdays/check", query_string={"date": "2025-10-09"})
    assert check.get_json()["source"] == "override" and check.get_json()["official"] is True
    # a day off of the package made a working day
    admin.put(f"{CAL}/overrides/2025-10-08", json={"workday": True, "note": "本地上班"})
    assert added(world.insp_a, "2025-09-30", 1) == "2025-10-08"
    admin.put(f"{CAL}/overrides/2025-10-08", json={"workday": True, "note": "本地上班（更正）"})
    listed = world.sup_a.get(f"{CAL}/overrides", query_string={"year": 2025}).get_json()
    assert [(o["day"], o["workday"]) for o in listed["items"]] == \
        [("2025-10-08", True), ("2025-10-09", False)]
    assert world.sup_a.get(f"{CAL}/overrides", query_string={"year": 2024}).get_json()["total"] == 0
    assert world.sup_a.get(f"{CAL}/overrides/2025-10-08").get_json()["note"] == "本地上班（更正）"
    assert admin.delete(f"{CAL}/overrides/2025-10-08").status_code == 204
    assert admin.delete(f"{CAL}/overrides/2025-10-09").status_code == 204
    assert added(world.insp_a, "2025-09-30", 1) == "2025-10-09"
    assert count(session, CalendarOverride) == 0
    assert audit(world, "calendar_override", "2025-10-08") == [
        ("calendar_override.delete", {"workday": True, "note": "本地上班（更正）"}, None),
        ("calendar_override.update", {"note": "本地上班"}, {"note": "本地上班（更正）"}),
        ("calendar_override.create", None, {"workday": True, "note": "本地上班"}),
    ]


@pytest.mark.parametrize("who", NON_ADMINS)
def test_only_admins_change_the_calendar(world, session, who):
    api = getattr(world, who)
    world.admin.put(f"{CAL}/overrides/2025-10-09", json={"workday": False, "note": "停工"})
    world.admin.put(f"{CAL}/years/2027", json={"note": "x"})
    assert_error(api.put(f"{CAL}/overrides/2025-10-10", json={"workday": False, "note": "x"}),
                 403, "forbidden")
    assert_error(api.delete(f"{CAL}/overrides/2025-10-09"), 403, "forbidden")
    assert_error(api.put(f"{CAL}/years/2028", json={}), 403, "forbidden")
    assert_error(api.delete(f"{CAL}/years/2027"), 403, "forbidden")
    assert count(session, CalendarOverride) == 1 and count(session, CalendarYear) == 1
    # reading is for every signed-in user, and nobody else
    assert api.get(f"{CAL}/overrides/2025-10-09").status_code == 200
    assert api.get(f"{CAL}/years/2027").status_code == 200
    assert_error(world.anon.get(f"{CAL}/overrides"), 401)
    assert_error(add(world.anon, "2025-09-26", 10), 401)


@pytest.mark.parametrize(("url", "body"), [
    (f"{CAL}/overrides/2025-02-30", {"workday": False, "note": "x"}),
    (f"{CAL}/overrides/20250210", {"workday": False, "note": "x"}),
    (f"{CAL}/overrides/yesterday", {"workday": False, "note": "x"}),
    (f"{CAL}/overrides/1999-10-01", {"workday": False, "note": "x"}),
    (f"{CAL}/overrides/2025-10-10", {"workday": False}),
    (f"{CAL}/overrides/2025-10-10", {"workday": False, "note": ""}),
    (f"{CAL}/overrides/2025-10-10", {"workday": False, "note": "长" * 201}),
    (f"{CAL}/overrides/2025-10-10", {"workday": "sometimes", "note": "x"}),
    (f"{CAL}/overrides/2025-10-10", {"workday": False, "note": "x", "day": "2025-10-11"}),
    (f"{CAL}/overrides/2025-10-10", {"workday": False, "note": "a\x00b"}),
])
def test_invalid_overrides_are_refused_and_change_nothing(world, session, url, body):
    assert_error(world.admin.put(url, json=body), 422)
    assert count(session, CalendarOverride) == 0


def test_missing_overrides_and_years_are_404(world):
    assert_error(world.admin.get(f"{CAL}/overrides/2025-10-10"), 404, "not_found")
    assert_error(world.admin.delete(f"{CAL}/overrides/2025-10-10"), 404, "not_found")
    assert_error(world.admin.get(f"{CAL}/years/2027"), 404, "not_found")
    assert_error(world.admin.delete(f"{CAL}/years/2027"), 404, "not_found")


@pytest.mark.parametrize("query", [
    {"from": "2025-13-01", "days": 10}, {"from": "someday", "days": 10}, {"days": 10},
    {"from": "2025-09-26", "days": 0}, {"from": "2025-09-26", "days": 251},
    {"from": "2025-09-26", "days": "ten"}, {"from": "2025-09-26"},
    {"from": "2025-09-26", "days": 10, "kind": "publication"},
    {"from": "2025-09-26", "kind": "appeal"}, {"from": "2025-09-26", "days": 10, "to": "x"},
    {"from": "9999-12-31", "days": 1}, {"from": "1900-01-01", "days": 1},
])
def test_bad_counting_questions_are_a_422(world, query):
    assert_error(world.insp_a.get(ADD, query_string=query), 422, "validation_error")


def test_bad_check_questions_are_a_422(world):
    for query in ({}, {"date": "2025-02-29"}, {"date": "2025-10-01", "x": 1}):
        assert_error(world.insp_a.get(f"{CAL}/workdays/check", query_string=query), 422)


# --- counting between two days -------------------------------------------------------------------
def test_working_days_between_counts_after_start_up_to_end(session):
    def between(a, b):
        return workdays.working_days_between(session, dt.date.fromisoformat(a),
                                             dt.date.fromisoformat(b))

    assert between("2025-09-30", "2025-10-09") == 1
    assert between("2025-09-30", "2025-10-08") == 0
    assert between("2025-10-09", "2025-09-30") == -1
    assert between("2025-09-26", "2025-10-16") == 10
    assert between("2025-10-16", "2025-09-26") == -10
    assert between("2025-10-16", "2025-10-16") == 0
    # overdue: a Friday deadline is 0 working days late on Saturday, 1 on Monday
    assert between("2025-10-17", "2025-10-18") == 0
    assert between("2025-10-17", "2025-10-20") == 1
    with pytest.raises(workdays.CalendarUnknown):
        between("2026-12-30", "2027-01-04")


def test_is_workday_reads_overrides_then_the_package_then_declared_years(session, world):
    assert workdays.is_workday(session, dt.date(2025, 9, 28)) is True
    assert workdays.is_workday(session, dt.date(2025, 10, 8)) is False
    with pytest.raises(workdays.CalendarUnknown) as exc:
        workdays.is_workday(session, dt.date(2027, 2, 1))
    assert exc.value.details == {"date": "2027-02-01", "year": 2027}
    world.admin.put(f"{CAL}/years/2027", json={})
    session.expire_all()
    assert workdays.is_workday(session, dt.date(2027, 2, 1)) is True
    assert workdays.is_workday(session, dt.date(2027, 2, 6)) is False


def test_a_long_count_reads_the_calendar_in_a_few_queries_not_one_per_day(session):
    workdays.declare_year(session, SYSTEM, 2027, None)
    workdays.put_override(session, SYSTEM, dt.date(2027, 1, 1), False, "元旦")
    statements = []
    engine = session.get_bind().engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        # 250 working days from mid-2026 run well into the declared 2027
        assert workdays.add_working_days(session, dt.date(2026, 6, 1), 250) > dt.date(2027, 1, 1)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert 1 <= len(statements) <= 2, statements  # the overrides, the declared years


# --- the property --------------------------------------------------------------------------------
def test_the_nth_working_day_has_exactly_n_working_days_before_it(world, session):
    """For any start in 2024-2026 and n in 1..40: the answer is a working day after the
    start with exactly n working days in (start, answer], walking the package day by day;
    a count that runs past the package's data is a calendar_unknown naming 2027-01-01."""

    @settings(max_examples=150, deadline=None)
    @given(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)), st.integers(1, 40))
    def prop(start, n):
        day, seen = start, 0
        while seen < n and day.year < 2027:
            day += dt.timedelta(days=1)
            seen += day.year < 2027 and chinese_calendar.is_workday(day)
        resp = add(world.insp_a, start.isoformat(), n)
        if seen < n:
            assert assert_error(resp, 422, "calendar_unknown")["date"] == "2027-01-01"
            return
        assert resp.status_code == 200, resp.get_json()
        result = dt.date.fromisoformat(resp.get_json()["date"])
        assert result == day and result > start
        assert chinese_calendar.is_workday(result)
        assert workdays.working_days_between(session, start, result) == n
        assert workdays.working_days_between(session, result, start) == -n

    prop()
