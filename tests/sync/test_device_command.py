"""``python -m sync``: the simulated phone the benchmarks drive."""

from __future__ import annotations

import json
import time

from sync.__main__ import main


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
