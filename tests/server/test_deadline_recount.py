"""Deadlines never wait for the State Council's notice: in December, a publication deadline
and a follow-up due date that fall in next year are counted provisionally, marked so, and
counted again when the notice is entered (each move audited and listed in the answer)."""

from __future__ import annotations

import datetime as dt

import pytest

from server.models import FollowUp, Result
from tests.assertions import audit
from tests.calendar_notices import CAL, NOTICE_2027
from tests.phones import submit

# 2027's New Year by the notice: only 1 January off, Saturday 2 January worked (a make-up day
# the law alone cannot know). The rest as in NOTICE_2027.
NOTICE_WITH_SATURDAY = {
    **NOTICE_2027,
    "holidays": [{"name": "元旦", "start": "2027-01-01", "end": "2027-01-01"},
                 *NOTICE_2027["holidays"][1:]],
    "makeup_days": ["2027-01-02", *NOTICE_2027["makeup_days"]],
}


@pytest.fixture
def december(clock_at):
    """The clock on Friday 4 December 2026, before the team is made: 20 working days from
    today run into 2027, whose notice is not out yet."""
    clock_at(dt.date(2026, 12, 4))


def test_a_deadline_in_a_year_without_its_notice_is_provisional_and_moves_when_it_comes(
        december, team, world, session):
    result_id = submit(team, team.visits[0], category="pending")
    approved = world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    # Dec 7-31 gives 19 working days; Fri 1 Jan is 元旦; the 20th is Mon 4 Jan
    assert (body["publication_due"], body["publication_due_provisional"],
            body["publication_due_source"]) == ("2027-01-04", True, "provisional")
    follow_up = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "rectify", "description": "限期整改"}).get_json()
    assert (follow_up["due_on"], follow_up["due_provisional"]) == ("2027-01-04", True)
    by_hand = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "case", "description": "立案", "case_number": "甲立〔2026〕1号",
        "due_on": "2027-01-15"}).get_json()
    assert (by_hand["due_provisional"], by_hand["due_source"]) == (False, None)
    due = world.sup_a.get("/api/v1/results/publications-due", query_string={"within": 20})
    assert due.status_code == 200, due.get_json()
    assert [(d["result_id"], d["publication_due_provisional"]) for d in due.get_json()["items"]] == \
        [(result_id, True)]

    entered = world.admin.put(f"{CAL}/years/2027/notice", json=NOTICE_WITH_SATURDAY)
    assert entered.status_code == 200, entered.get_json()
    moved = {(m["object_type"], m["object_id"], m["kind"]): m for m in entered.get_json()["moved"]}
    assert set(moved) == {("result", result_id, "publication_due"),
                          ("follow_up", follow_up["id"], "due_on")}
    for m in moved.values():
        assert (m["before"], m["after"], m["moved_days"]) == ("2027-01-04", "2027-01-02", -2)
        assert (m["provisional"], m["source"]) == (False, "entered")
    body = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()
    assert (body["publication_due"], body["publication_due_provisional"],
            body["publication_due_source"]) == ("2027-01-02", False, "entered")
    assert {(f["id"], f["due_on"], f["due_provisional"]) for f in body["follow_ups"]} == {
        (follow_up["id"], "2027-01-02", False), (by_hand["id"], "2027-01-15", False)}
    # the audit log shows each move, with the reason
    (recount, *_), = [e for e in audit(world, "result", result_id) if e[0] == "deadline.recount"],
    assert recount[1] == {"publication_due": "2027-01-04", "source": "provisional"}
    assert recount[2]["source"] == "entered"
    assert recount[2]["publication_due"] == "2027-01-02" and recount[2]["moved_days"] == -2
    assert recount[2]["reason"] == "calendar_notice 2027"
    assert [e[0] for e in audit(world, "follow_up", follow_up["id"])][0] == "deadline.recount"

    # entered again unchanged: nothing moves; withdrawn: provisional again, moved back
    again = world.admin.put(f"{CAL}/years/2027/notice", json=NOTICE_WITH_SATURDAY)
    assert again.get_json()["moved"] == []
    withdrawn = world.admin.delete(f"{CAL}/years/2027/notice").get_json()
    assert {(m["object_id"], m["after"], m["provisional"]) for m in withdrawn["moved"]} == {
        (result_id, "2027-01-04", True), (follow_up["id"], "2027-01-04", True)}


def test_a_published_result_and_a_closed_follow_up_keep_their_deadlines(
        december, team, world, session):
    result_id = submit(team, team.visits[0], category="pending")
    world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    follow_up = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "rectify", "description": "限期整改"}).get_json()
    assert world.sup_a.post(f"/api/v1/results/{result_id}/publish").status_code == 200
    closed = world.sup_a.post(f"/api/v1/follow-ups/{follow_up['id']}/close",
                              json={"outcome": "已整改", "resolved": True})
    assert closed.status_code == 200, closed.get_json()
    entered = world.admin.put(f"{CAL}/years/2027/notice", json=NOTICE_WITH_SATURDAY)
    assert entered.get_json()["moved"] == []
    session.expire_all()
    assert session.get(Result, result_id).publication_due == dt.date(2027, 1, 4)
    assert session.get(FollowUp, follow_up["id"]).due_on == dt.date(2027, 1, 4)


def test_an_override_moves_the_open_deadlines_counted_over_its_day(
        team, world, session):
    result_id = submit(team, team.visits[0])
    body = world.sup_a.post(f"/api/v1/results/{result_id}/approve").get_json()
    assert (body["publication_due"], body["publication_due_provisional"]) == ("2026-12-18", False)
    # a local day off inside the span pushes it one working day on
    resp = world.admin.put(f"{CAL}/overrides/2026-12-01", json={"workday": False, "note": "本地"})
    assert resp.status_code == 200, resp.get_json()
    assert world.sup_a.get(f"/api/v1/results/{result_id}").get_json()["publication_due"] == \
        "2026-12-21"
    assert world.admin.delete(f"{CAL}/overrides/2026-12-01").status_code == 204
    assert world.sup_a.get(f"/api/v1/results/{result_id}").get_json()["publication_due"] == \
        "2026-12-18"


def test_when_the_package_covers_the_year_its_days_take_over_and_the_deadlines_follow(
        december, team, world, session, monkeypatch):
    result_id = submit(team, team.visits[0], category="pending")
    world.sup_a.post(f"/api/v1/results/{result_id}/approve")
    follow_up = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "rectify", "description": "限期整改"}).get_json()
    assert follow_up["due_provisional"] is True
    assert world.admin.put(f"{CAL}/years/2027/notice", json=NOTICE_2027).status_code == 200
    body = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()
    assert (body["publication_due"], body["publication_due_provisional"]) == ("2027-01-04", False)

    # a package release that carries 2027 (with Saturday 2 January worked, unlike the notice
    # the admin entered): the package's data, as chinesecalendar would answer
    from server.models import CalendarNotice
    from server.services import calendar_notices, workdays
    from server.services.actors import SYSTEM

    package = {d: w for d, (w, _) in workdays.notice_days(
        CalendarNotice(year=2027, holidays=NOTICE_WITH_SATURDAY["holidays"],
                       makeup_days=NOTICE_WITH_SATURDAY["makeup_days"])).items()}
    known, known_name = workdays.official, workdays.official_holiday
    monkeypatch.setattr(workdays, "official", lambda d: package.get(d, d.weekday() < 5)
                        if d.year == 2027 else known(d))
    monkeypatch.setattr(workdays, "official_holiday",
                        lambda d: None if d.year == 2027 else known_name(d))
    monkeypatch.setattr(workdays, "official_years", lambda: (2004, 2027))

    moved = calendar_notices.take_over(session, SYSTEM)
    session.commit()
    assert {(m["object_type"], m["after"], m["source"]) for m in moved} == {
        ("result", dt.date(2027, 1, 2), "official"), ("follow_up", dt.date(2027, 1, 2), "official")}
    body = world.sup_a.get(f"/api/v1/results/{result_id}").get_json()
    assert (body["publication_due"], body["publication_due_provisional"]) == ("2027-01-02", False)
    assert body["follow_ups"][0]["due_provisional"] is False
    assert session.get(CalendarNotice, 2027) is None  # superseded, and audited
    assert audit(world, "calendar_notice", 2027)[0][0] == "calendar_notice.superseded"
    assert calendar_notices.take_over(session, SYSTEM) == []  # nothing left to do
