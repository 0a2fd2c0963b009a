"""Working days (工作日) through the HTTP API: the official calendar with its 调休 make-up
days, admins' overrides, the provisional calendar of a year without its notice and the
notice an admin enters, and the deadline rules counted in them.

The expected dates are counted by hand from the State Council's notices
(国务院办公厅关于2025年部分节假日安排的通知: 10月1日至8日放假调休，共8天；9月28日（周日）、
10月11日（周六）上班; and the 2026 notice: 1月1日至3日放假，1月4日（周日）上班), never
computed with the package under test."""

from __future__ import annotations

import datetime as dt
import io

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, func, select

import schemas.calendar
import server.models.calendar
from server.models import CalendarNotice, CalendarOverride, DeadlineRule
from server.services import workdays
from server.services.actors import SYSTEM
from server.services.statutory_holidays import statutory_days
from tests.assertions import assert_error, audit
from tests.calendar_notices import CAL, NOTICE_2027

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
    assert resp.get_json() == {"from": start, "days": days, "date": expected, "kind": None,
                               "source": "official", "provisional": False}


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
    assert {r["kind"]: r["working_days"] for r in resp.get_json()["items"]} == \
        {"result_entry": 10, "publication": 20, "follow_up": 20}
    assert world.sup_a.get(f"{CAL}/deadline-rules/publication").get_json()["working_days"] == 20
    assert schemas.calendar.DEADLINE_KINDS == server.models.calendar.DEADLINE_KINDS


def test_a_kind_counts_its_rule_and_an_admin_can_shorten_it(world, session):
    resp = add(world.sup_a, "2025-09-26", kind="publication")
    assert resp.get_json() == {"from": "2025-09-26", "days": 20, "date": "2025-10-30",
                               "kind": "publication", "source": "official",
                               "provisional": False}
    resp = world.admin.put(f"{CAL}/deadline-rules/publication", json={"working_days": 10})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["working_days"] == 10
    assert resp.get_json()["updated_by"] == world.admin_user.id
    assert added(world.sup_a, "2025-09-26", kind="publication") == "2025-10-16"
    session.expire_all()
    assert workdays.deadline(session, "publication", dt.date(2025, 9, 30)) == workdays.Deadline(
        dt.date(2025, 9, 30), 10, dt.date(2025, 10, 21), "official")
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


# --- beyond the official data: provisional, then the entered notice ---------------------------


def check_day(api, day):
    resp = api.get(f"{CAL}/workdays/check", query_string={"date": day})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_a_year_without_its_notice_is_counted_from_the_law_and_says_so(world):
    eve = check_day(world.insp_a, "2027-02-05")  # 除夕, a Friday
    assert (eve["workday"], eve["source"], eve["provisional"], eve["holiday"]) == \
        (False, "provisional", True, "春节")
    assert eve["official"] is None
    assert check_day(world.insp_a, "2027-02-09")["workday"] is True  # 初四, a Tuesday
    assert check_day(world.insp_a, "2027-06-09")["holiday"] == "端午节"
    assert check_day(world.insp_a, "2027-09-15")["holiday"] == "中秋节"
    assert check_day(world.insp_a, "2027-04-05")["holiday"] == "清明节"
    saturday = check_day(world.insp_a, "2027-02-20")
    assert (saturday["workday"], saturday["makeup_day"]) == (False, False)  # no 调休 yet
    # a count across New Year: Thu 31 Dec 2026 (1), Fri 1 Jan off, weekend, Mon 4 Jan (2)
    body = add(world.insp_a, "2026-12-30", 2).get_json()
    assert (body["date"], body["source"], body["provisional"]) == \
        ("2027-01-04", "provisional", True)
    # one working day after Thu 4 Feb: 除夕 to 初三 are off, the weekend too: Tue 9 Feb
    assert added(world.insp_a, "2027-02-04", 1) == "2027-02-09"
    official = add(world.insp_a, "2025-09-26", 10).get_json()
    assert (official["source"], official["provisional"]) == ("official", False)


def test_years_say_which_are_official_entered_or_provisional(world, session):
    years = world.insp_a.get(f"{CAL}/years").get_json()
    assert (years["official_first"], years["official_last"]) == (2004, 2026)
    status = {y["year"]: y["status"] for y in years["years"]}
    assert status[2026] == "official" and status[2027] == "provisional"
    assert max(status) == 2027  # next year of the suite's date
    year = world.insp_a.get(f"{CAL}/years/2027").get_json()
    assert year["status"] == "provisional" and year["makeup_days"] == []
    assert {"name": "春节", "start": "2027-02-05", "end": "2027-02-08"} in year["holidays"]
    resp = world.admin.put(f"{CAL}/years/2027/notice", json=NOTICE_2027)
    assert resp.status_code == 200, resp.get_json()
    status = {y["year"]: y["status"] for y in world.insp_a.get(f"{CAL}/years").get_json()["years"]}
    assert status[2027] == "entered"
    year = world.insp_a.get(f"{CAL}/years/2027").get_json()
    assert year["makeup_days"] == NOTICE_2027["makeup_days"]
    assert year["notice_entered_by"] == world.admin_user.id
    official = world.insp_a.get(f"{CAL}/years/2025").get_json()
    assert official["status"] == "official" and "2025-09-28" in official["makeup_days"]


def test_an_entered_notice_counts_its_breaks_and_make_up_days(world, session):
    assert added(world.insp_a, "2027-02-19", 1) == "2027-02-22"  # provisional: a weekend
    resp = world.admin.put(f"{CAL}/years/2027/notice", json=NOTICE_2027)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["moved"] == []  # nothing was open
    body = add(world.insp_a, "2027-02-19", 1).get_json()
    assert (body["date"], body["source"], body["provisional"]) == ("2027-02-20", "entered", False)
    day = check_day(world.insp_a, "2027-02-12")  # 初八: off by the notice, not by the law
    assert (day["workday"], day["source"], day["holiday"]) == (False, "entered", "春节")
    assert check_day(world.insp_a, "2027-10-09")["makeup_day"] is True
    # corrected: a make-up day withdrawn
    fixed = {**NOTICE_2027, "makeup_days": NOTICE_2027["makeup_days"][1:]}
    assert world.admin.put(f"{CAL}/years/2027/notice", json=fixed).status_code == 200
    assert added(world.insp_a, "2027-02-19", 1) == "2027-02-22"
    actions = [a for a, _, _ in audit(world, "calendar_notice", 2027)]
    assert actions == ["calendar_notice.correct", "calendar_notice.enter"]
    # withdrawn: provisional again
    resp = world.admin.delete(f"{CAL}/years/2027/notice")
    assert resp.status_code == 200 and resp.get_json()["status"] == "provisional"
    assert add(world.insp_a, "2027-02-19", 1).get_json()["source"] == "provisional"
    assert count(session, CalendarNotice) == 0
    # an override still wins over everything
    world.admin.put(f"{CAL}/overrides/2027-02-20", json={"workday": True, "note": "本地上班"})
    assert added(world.insp_a, "2027-02-19", 1) == "2027-02-20"


def test_a_notice_for_a_year_the_package_covers_is_refused(world, session):
    notice = {**NOTICE_2027, "holidays": [], "makeup_days": []}
    body = assert_error(world.admin.put(f"{CAL}/years/2026/notice", json={
        **notice, "holidays": [{"name": "元旦", "start": "2026-01-01", "end": "2026-01-03"}]}),
        409, "year_known")
    assert body["year"] == 2026
    assert count(session, CalendarNotice) == 0


def _with(**changes):
    notice = {**NOTICE_2027, "holidays": [dict(h) for h in NOTICE_2027["holidays"]],
              "makeup_days": list(NOTICE_2027["makeup_days"])}
    for key, value in changes.items():
        if key == "holiday":
            n, field, new = value
            notice["holidays"][n][field] = new
        else:
            notice[key] = value
    return notice


@pytest.mark.parametrize(("body", "field", "words"), [
    (_with(makeup_days=["2027-02-17"]), "makeup_days.0", "Wednesday"),
    (_with(holiday=(2, "end", "2027-05-02")), "holidays.3.start", "overlaps"),
    (_with(holiday=(1, "start", "2027-02-06")), "holidays.1.start", "2027-02-05"),
    (_with(holiday=(4, "start", "2027-06-10")), "holidays.4.start", "端午节"),
    (_with(holiday=(0, "start", "2026-12-31")), "holidays.0.start", "outside 2027"),
    (_with(makeup_days=["2028-01-08"]), "makeup_days.0", "outside 2027"),
    (_with(makeup_days=["2027-02-06"]), "makeup_days.0", "inside a holiday"),
    (_with(makeup_days=["2027-02-20", "2027-02-20"]), "makeup_days.1", "twice"),
    (_with(holiday=(5, "name", "重阳节")), "holidays.5.name", "重阳节"),
    (_with(holidays=NOTICE_2027["holidays"][:-1]), "holidays", "国庆节 is missing"),
    (_with(holiday=(6, "end", "2027-09-30")), "holidays.6.end", "before the start"),
])
def test_a_notice_that_breaks_the_law_or_itself_is_refused_and_changes_nothing(
        world, session, body, field, words):
    resp = world.admin.put(f"{CAL}/years/2027/notice", json=body)
    err = assert_error(resp, 422, "invalid_notice")
    assert field in err["errors"], err
    assert words in " ".join(err["errors"][field]) and words in err["message"]
    assert count(session, CalendarNotice) == 0
    assert audit(world, "calendar_notice", 2027) == []


@pytest.mark.parametrize("body", [
    {"holidays": "元旦", "makeup_days": []},
    {"holidays": [{"name": "元旦", "start": "2027-01-01"}], "makeup_days": []},
    {"holidays": [{"name": "元旦", "start": "2027-13-01", "end": "2027-01-01"}], "makeup_days": []},
    {**NOTICE_2027, "extra": 1},
    {**NOTICE_2027, "makeup_days": ["someday"]},
    {**NOTICE_2027, "title": "长" * 201},
])
def test_a_malformed_notice_is_a_422(world, session, body):
    assert_error(world.admin.put(f"{CAL}/years/2027/notice", json=body), 422)
    assert count(session, CalendarNotice) == 0


def test_a_notice_can_be_entered_from_a_file(world, session):
    rows = ["类型,名称,开始日期,结束日期"]
    rows += [f"放假,{h['name']},{h['start']},{h['end']}" for h in NOTICE_2027["holidays"]]
    rows += [f"上班,,{d}," for d in NOTICE_2027["makeup_days"]]
    data = ("\n".join(rows) + "\n").encode("gb18030")
    resp = world.admin.post(f"{CAL}/years/2027/notice/file",
                            data={"file": (io.BytesIO(data), "2027.csv")},
                            content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["makeup_days"] == NOTICE_2027["makeup_days"]
    assert check_day(world.insp_a, "2027-05-08")["workday"] is True
    bad = ("类型,名称,开始日期,结束日期\n上班,,2027-02-17,\n").encode()
    resp = world.admin.post(f"{CAL}/years/2027/notice/file",
                            data={"file": (io.BytesIO(bad), "2027.csv")},
                            content_type="multipart/form-data")
    assert_error(resp, 422, "invalid_notice")
    assert session.get(CalendarNotice, 2027).makeup_days == NOTICE_2027["makeup_days"]
    resp = world.sup_a.post(f"{CAL}/years/2027/notice/file",
                            data={"file": (io.BytesIO(data), "2027.csv")},
                            content_type="multipart/form-data")
    assert_error(resp, 403, "forbidden")


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
    world.admin.put(f"{CAL}/years/2027/notice", json=NOTICE_2027)
    assert_error(api.put(f"{CAL}/overrides/2025-10-10", json={"workday": False, "note": "x"}),
                 403, "forbidden")
    assert_error(api.delete(f"{CAL}/overrides/2025-10-09"), 403, "forbidden")
    assert_error(api.put(f"{CAL}/years/2027/notice", json=NOTICE_2027), 403, "forbidden")
    assert_error(api.delete(f"{CAL}/years/2027/notice"), 403, "forbidden")
    assert count(session, CalendarOverride) == 1 and count(session, CalendarNotice) == 1
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
    assert_error(world.admin.get(f"{CAL}/years/1999"), 404, "not_found")
    assert_error(world.admin.delete(f"{CAL}/years/2027/notice"), 404, "not_found")


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
    assert between("2026-12-30", "2027-01-04") == 2  # provisional: 1 January off


def test_is_workday_reads_overrides_then_the_package_then_the_notice_then_the_law(
        session, world):
    assert workdays.is_workday(session, dt.date(2025, 9, 28)) is True
    assert workdays.is_workday(session, dt.date(2025, 10, 8)) is False
    assert workdays.is_workday(session, dt.date(2027, 2, 1)) is True
    assert workdays.is_workday(session, dt.date(2027, 2, 5)) is False  # 除夕
    assert workdays.is_workday(session, dt.date(2027, 2, 20)) is False
    world.admin.put(f"{CAL}/years/2027/notice", json=NOTICE_2027)
    session.expire_all()
    assert workdays.is_workday(session, dt.date(2027, 2, 20)) is True
    assert workdays.is_workday(session, dt.date(2027, 2, 12)) is False
    world.admin.put(f"{CAL}/overrides/2027-02-12", json={"workday": True, "note": "本地"})
    session.expire_all()
    assert workdays.is_workday(session, dt.date(2027, 2, 12)) is True


def test_a_long_count_reads_the_calendar_in_a_few_queries_not_one_per_day(session):
    workdays.put_override(session, SYSTEM, dt.date(2027, 1, 1), False, "元旦")
    statements = []
    engine = session.get_bind().engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        # 250 working days from mid-2026 run well into the provisional 2027
        assert workdays.add_working_days(session, dt.date(2026, 6, 1), 250) > dt.date(2027, 1, 1)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert 1 <= len(statements) <= 3, statements  # the overrides, 2027's notice


# --- the property --------------------------------------------------------------------------------
def test_the_nth_working_day_has_exactly_n_working_days_before_it(world, session):
    """For any start in 2024-2026 and n in 1..40: the answer is a working day after the
    start with exactly n working days in (start, answer], walking the package day by day;
    a count that runs past the package's data goes on, provisional, from the law."""

    @settings(max_examples=150, deadline=None)
    @given(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)), st.integers(1, 40))
    def prop(start, n):
        day, seen = start, 0
        while seen < n:
            day += dt.timedelta(days=1)
            if day.year < 2027:
                seen += chinese_calendar.is_workday(day)
            else:  # the law alone: weekends and the statutory days
                seen += day.weekday() < 5 and day not in statutory_days(day.year)
        resp = add(world.insp_a, start.isoformat(), n)
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        result = dt.date.fromisoformat(body["date"])
        assert result == day and result > start
        assert body["provisional"] is (result.year > 2026)
        assert workdays.is_workday(session, result)
        assert workdays.working_days_between(session, start, result) == n
        assert workdays.working_days_between(session, result, start) == -n

    prop()


@pytest.mark.parametrize(("rows", "field"), [
    (["放假,元旦,2027-W01-5,2027-01-01"], "holidays.0.start"),
    (["放假,元旦,20270101,"], "holidays.0.start"),
    (["休息吧,元旦,2027-01-01,"], "row 2"),
    (["放假,<script>x</script>,2027-01-01,"], "holidays.0.name"),
])
def test_a_notice_file_with_bad_rows_is_refused_naming_them(world, session, rows, field):
    data = ("类型,名称,开始日期,结束日期\n" + "\n".join(rows) + "\n").encode()
    resp = world.admin.post(f"{CAL}/years/2027/notice/file",
                            data={"file": (io.BytesIO(data), "2027.csv")},
                            content_type="multipart/form-data")
    assert field in assert_error(resp, 422, "invalid_notice")["errors"]
    assert count(session, CalendarNotice) == 0


def test_a_notice_file_without_its_columns_or_not_a_table_is_refused(world, session):
    for data, name in ((b"name,when\nx,y\n", "a.csv"), (b"\x00\x01PK garbage", "a.xlsx")):
        resp = world.admin.post(f"{CAL}/years/2027/notice/file",
                                data={"file": (io.BytesIO(data), name)},
                                content_type="multipart/form-data")
        assert resp.status_code == 422, resp.get_json()
    assert count(session, CalendarNotice) == 0


def test_a_notice_can_be_entered_from_a_spreadsheet_with_date_cells(world, session):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["类型", "名称", "开始日期", "结束日期"])
    for h in NOTICE_2027["holidays"]:
        sheet.append(["放假", h["name"], dt.datetime.fromisoformat(h["start"]),
                      dt.datetime.fromisoformat(h["end"])])
    for d in NOTICE_2027["makeup_days"]:
        sheet.append(["上班", None, dt.datetime.fromisoformat(d), None])
    out = io.BytesIO()
    book.save(out)
    resp = world.admin.post(f"{CAL}/years/2027/notice/file",
                            data={"file": (io.BytesIO(out.getvalue()), "2027年放假安排.xlsx")},
                            content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "entered" and body["makeup_days"] == NOTICE_2027["makeup_days"]
    assert [h["name"] for h in body["holidays"]] == [h["name"] for h in NOTICE_2027["holidays"]]
