"""``python -m sync``: the reference client the tests and benchmarks drive; whatever
happens, one JSON line on stdout."""

from __future__ import annotations

import json
import sqlite3
import time

import requests

from sync import field_types
from sync.__main__ import main
from tests import factories as f
from tests.factories import FORM
from tests.wsgi_requests import BASE, session_for


def test_phones_told_a_moment_begin_together_and_say_if_they_were_late(tmp_path, capsys):
    replica = str(tmp_path / "phone.sqlite")
    # the replica is made first, so only opening it stands between start-up and the moment,
    # and the moment is a second away: a stalled machine (CI once took 0.36 s) still meets it
    assert main(["--server", "http://127.0.0.1:9", "--replica", replica, "status"]) == 0
    capsys.readouterr()
    at = time.time() + 1.0
    assert main(["--server", "http://127.0.0.1:9", "--replica", replica, "--start-at", str(at),
                 "status"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["started"] >= at and out["late_start_s"] == 0
    main(["--server", "http://127.0.0.1:9", "--replica", replica, "--start-at",
          str(time.time() - 2), "status"])
    assert json.loads(capsys.readouterr().out)["late_start_s"] >= 2


# --- the reference client against the app in this process (both databases) ----------------
def command(app, tmp_path, capsys, *args, replica="phone.sqlite", http=None) -> tuple[int, dict]:
    """Run ``python -m sync`` on a replica in ``tmp_path``: its exit status and the one JSON
    line it printed (nothing on stderr: no traceback)."""
    status = main(["--server", BASE, "--replica", str(tmp_path / replica), *args],
                  http=http or session_for(app))
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 1 and err == "", (out, err)
    return status, json.loads(out)


def signed_in(app, tmp_path, capsys, user) -> dict:
    status, out = command(app, tmp_path, capsys, "login", "--username", user.username,
                          "--password", f.PASSWORD)
    assert status == 0, out
    return out


def outbox(tmp_path, kind="set_answer", replica="phone.sqlite") -> list[dict]:
    with sqlite3.connect(tmp_path / replica) as db:
        bodies = [json.loads(b) for (b,) in db.execute("SELECT body FROM outbox ORDER BY seq")]
    return [b for b in bodies if b["kind"] == kind]


def test_a_wrong_password_is_one_json_line_with_the_servers_code(world, app, tmp_path, capsys):
    status, out = command(app, tmp_path, capsys, "login", "--username",
                          world.insp_a_user.username, "--password", "not the password")
    assert status == 1
    assert out["error"] == "invalid_credentials" and out["status"] == 401 and out["message"]


def test_a_server_nobody_listens_at_is_connection_refused(tmp_path, capsys):
    status = main(["--server", "http://127.0.0.1:9", "--replica", str(tmp_path / "p.sqlite"),
                   "login", "--username", "someone", "--password", "x"])
    out, err = capsys.readouterr()
    assert status == 1 and err == ""
    assert json.loads(out)["error"] == "connection_refused"


class NoSignal(requests.adapters.BaseAdapter):
    """A phone without a network: every request fails before it leaves."""

    def send(self, request, **kwargs):
        raise requests.ConnectionError("[Errno 101] Network is unreachable", request=request)

    def close(self):
        pass


def test_a_phone_without_signal_says_offline_and_keeps_what_it_recorded(
        team, world, app, tmp_path, capsys):
    signed_in(app, tmp_path, capsys, world.insp_a_user)
    assert command(app, tmp_path, capsys, "record", "--edits", "3")[0] == 0
    offline = requests.Session()
    offline.mount(BASE, NoSignal())
    status, out = command(app, tmp_path, capsys, "sync", http=offline)
    assert status == 1 and out["error"] == "offline"
    assert len(outbox(tmp_path)) == 3
    status, out = command(app, tmp_path, capsys, "status")
    assert status == 0 and out["ops_pending"] == 3  # nothing marked synced


def test_an_inspector_without_visits_is_told_so_by_record(world, app, tmp_path, capsys):
    assert signed_in(app, tmp_path, capsys, world.insp_a_user)["visits"] == []
    status, out = command(app, tmp_path, capsys, "record", "--edits", "5")
    assert status == 1 and out["error"] == "no_visits"
    assert outbox(tmp_path) == []


def test_record_before_login_and_on_a_visit_the_phone_lacks_are_refused(
        team, world, app, tmp_path, capsys):
    status, out = command(app, tmp_path, capsys, "record", "--edits", "1")
    assert status == 1 and out["error"] == "not_signed_in"
    signed_in(app, tmp_path, capsys, world.insp_a_user)
    status, out = command(app, tmp_path, capsys, "record", "--edits", "1", "--visit", "999999")
    assert status == 1 and out["error"] == "unknown_visit" and out["visits"]
    status, out = command(app, tmp_path, capsys, "record", "--edits", "many")
    assert status == 1 and out["error"] == "usage"


def test_record_edits_n_records_n_more_valid_edits_that_the_server_applies(
        team, world, app, tmp_path, capsys):
    signed_in(app, tmp_path, capsys, world.insp_a_user)
    status, out = command(app, tmp_path, capsys, "record", "--edits", "6", "--seed", "3")
    assert status == 0 and out["recorded"] == 6 and out["pending"] == 6
    status, out = command(app, tmp_path, capsys, "record", "--edits", "4", "--seed", "3")
    assert status == 0 and out["pending"] == 10
    edits = outbox(tmp_path)
    assert len(edits) == 10 and {e["visit_id"] for e in edits} == {team.visits[0]}
    form = {f["key"]: f for f in FORM["fields"]}
    assert all(field_types.accepts(form[e["field"]], e["value"]) for e in edits)
    status, out = command(app, tmp_path, capsys, "sync")
    assert status == 0 and out["pushed"] == 10
    assert out["outcomes"] == {"applied": 10}


def test_a_record_cut_midway_goes_on_with_the_same_edits_when_run_again(
        team, world, app, tmp_path, capsys):
    signed_in(app, tmp_path, capsys, world.insp_a_user)
    not_a_photo = tmp_path / "phone-photo-2.jpg"  # the third photo cannot be read
    not_a_photo.mkdir()
    args = ("record", "--edits", "4", "--photos", "4", "--seed", "5")
    status, out = command(app, tmp_path, capsys, *args)
    assert status == 1 and out["error"] == "client_error"
    assert len(outbox(tmp_path)) == 3 and len(outbox(tmp_path, "attach_photo")) == 2
    not_a_photo.rmdir()
    assert command(app, tmp_path, capsys, *args)[0] == 0
    assert len(outbox(tmp_path)) == 4 and len(outbox(tmp_path, "attach_photo")) == 4
    assert command(app, tmp_path, capsys, *args)[0] == 0  # done: the same again is 4 more
    assert len(outbox(tmp_path)) == 8 and len(outbox(tmp_path, "attach_photo")) == 8
