"""A simulated phone on the command line, the reference client of the sync protocol; each
command prints one JSON line.

    python -m sync --server URL --replica phone.sqlite login --username U --password P
    python -m sync ... record --edits 500 --seed 1 [--visit V] [--photos 10]
    python -m sync ... sync [--batch 25]        (or push / upload / pull on their own)
    python -m sync ... status

``record`` makes N more random, valid answer edits (each with a note) to the items of the
phone's department on one of its visits, offline, one durable op at a time; killed and
run again with the same arguments, it goes on with the same edits from where it stopped
(the run lives in the replica). A failure is one JSON line too, ``{"error": code,
"message": ...}`` with the server's error code where there is one, and exit status 1.
Used by the tests, ``bench/sync_bench.py`` and ``bench/chaos_sync.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import io
import json
import random
import resource
import sys
import time
from pathlib import Path

import requests

from sync import field_types
from sync.client import Device, SyncError

NOTES = ("证照齐全", "现场已整改", "台账不完整", "未见异常", "冷库温度偏高", "已拍照留存")


class CommandError(Exception):
    """A failure the command reports as ``{"error": code, "message": ...}``."""

    def __init__(self, code: str, message: str, **details):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details

    def as_dict(self) -> dict:
        return {"error": self.code, "message": self.message, **self.details}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit 2
        raise CommandError("usage", f"{self.prog}: {message}")


def main(argv: list[str] | None = None, *, http: requests.Session | None = None) -> int:
    """Run one command; 0 on success, 1 on a failure (both print one JSON line). ``http``
    carries the requests (the tests hand the app in-process)."""
    try:
        out = _run(_parser().parse_args(argv), http)
    except CommandError as exc:
        out, status = exc.as_dict(), 1
    except SyncError as exc:  # the server refused: its own code and words
        out, status = {"error": exc.body.get("code") or f"http_{exc.status}",
                       "message": exc.body.get("message") or str(exc),
                       "status": exc.status}, 1
    except requests.ConnectionError as exc:
        out, status = _unreachable(exc), 1
    except requests.Timeout as exc:
        out, status = {"error": "timeout", "message": f"the server did not answer: {exc}"}, 1
    except Exception as exc:  # a phone's user reads what failed, not a traceback
        out, status = {"error": "client_error", "message": f"{type(exc).__name__}: {exc}"}, 1
    else:
        status = 0
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return status


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m sync", description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--replica", required=True, type=Path)
    parser.add_argument("--chunk-kb", type=int, default=1024, help="tus PATCH size")
    parser.add_argument("--start-at", type=float, metavar="EPOCH", help=(
        "start the command at this Unix time, once started up: phones of a benchmark "
        "begin together instead of while the others are still starting"))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    login = sub.add_parser("login")
    login.add_argument("--username", required=True)
    login.add_argument("--password", required=True)
    login.add_argument("--name", default="simulated phone")
    record = sub.add_parser("record")
    record.add_argument("--edits", type=int, required=True, help="how many more edits")
    record.add_argument("--seed", type=int, default=0)
    record.add_argument("--visit", type=int)
    record.add_argument("--photos", type=int, default=0)
    for name in ("sync", "push"):
        sub.add_parser(name).add_argument("--batch", type=int)
    for name in ("upload", "pull", "status"):
        sub.add_parser(name)
    return parser


def _run(args, http: requests.Session | None) -> dict:
    device = Device(args.replica, args.server, chunk_bytes=args.chunk_kb * 1024,
                    ask_password=_ask_password, http=http)
    wait = 0.0
    if args.start_at is not None:
        wait = args.start_at - time.time()
        time.sleep(max(0.0, wait))
    started, cpu = time.time(), _cpu_seconds()
    try:
        out = COMMANDS[args.command](device, args)
    finally:
        device.close()
    # wall clock and this process's CPU time, for benchmarks
    out.update(started=started, finished=time.time(), cpu_s=round(_cpu_seconds() - cpu, 3))
    if args.start_at is not None:
        out["late_start_s"] = round(max(0.0, -wait), 3)  # started up after the moment
    return out


def _unreachable(exc: requests.ConnectionError) -> dict:
    """No connection: refused (nothing listens there) or no way to the server at all."""
    cause, seen = exc, set()  # requests wraps urllib3's error, which wraps the socket's
    while cause is not None and id(cause) not in seen and \
            not isinstance(cause, ConnectionRefusedError):
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__ or \
            next((a for a in cause.args if isinstance(a, BaseException)), None)
    if isinstance(cause, ConnectionRefusedError):
        return {"error": "connection_refused",
                "message": "the server refused the connection (is it running at that address?)"}
    return {"error": "offline", "message": f"the server cannot be reached: {exc}"}


def _ask_password(username: str) -> str | None:
    """The token expired: ask at the terminal, if there is one (a benchmark has none)."""
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"password for {username} (the session expired): ") or None


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _login(device: Device, args) -> dict:
    user = device.sign_in(args.username, args.password)
    device_id = device.register(args.name)
    return {"user": user["username"], "device_id": device_id, "visits": device.refresh_packs()}


def _record(device: Device, args) -> dict:
    """``--edits`` more random, valid edits to my department's answers on one visit (and
    ``--photos`` more photos); a run killed midway goes on when the command is run again."""
    if args.edits < 0 or args.photos < 0:
        raise CommandError("usage", "--edits and --photos count edits and photos: 0 or more")
    if not device.device_id or device.inspector_id is None:
        raise CommandError("not_signed_in", "This replica has no inspector signed in on a "
                                            "registered device: run login first.")
    visit_id = _visit(device, args.visit)
    fields = _my_fields(device, visit_id)
    run = _this_run(device, visit_id, args)
    rnd = random.Random(f"{args.seed}:{device.device_id}:{run['answers_before']}")
    done = _answers_recorded(device) - run["answers_before"]
    attached = {path for (path,) in device.replica.db.execute("SELECT path FROM photos")}
    for n in range(args.edits):
        version, field = rnd.choice(fields)
        value, note = _random_value(field, rnd), rnd.choice(NOTES)
        if n >= done:  # recorded before a restart: the random stream stays the same
            device.record_answer(visit_id, version, field["key"], value, note=note)
        if n < args.photos:
            number = run["photos_before"] + n
            photo = _photo(device.replica.path,
                           random.Random(f"{args.seed}:{device.device_id}:{number}"), number)
            if photo not in attached:
                device.attach_photo(visit_id, photo, version)
    device.replica.forget("recording")
    return {"visit_id": visit_id, "recorded": args.edits,
            "pending": device.replica.count("outbox", "pending")}


def _visit(device: Device, wanted: int | None) -> int:
    """The visit to record on: the one asked for, else the first whose pack the phone has."""
    visits = [v for (v,) in device.replica.db.execute(
        "SELECT visit_id FROM packs ORDER BY visit_id")]
    if not visits:
        raise CommandError("no_visits", "The phone holds no visit: the inspector has no open "
                                        "visit, or the packs were not downloaded (login).")
    if wanted is None:
        return visits[0]
    if wanted not in visits:
        raise CommandError("unknown_visit", f"The phone holds no visit {wanted}.",
                           visits=visits)
    return wanted


def _my_fields(device: Device, visit_id: int) -> list[tuple[int, dict]]:
    """(item version, field) of the items my department answers on the visit; photo fields
    are left out (their answer is a photo's hash)."""
    pack = device.pack(visit_id)
    department = next((m["department_id"] for m in pack["team"]
                       if m["inspector_id"] == device.inspector_id), None)
    if department is None:
        raise CommandError("not_on_team", f"The inspector is not on visit {visit_id}'s team.")
    fields = [(item["item_version_id"], f) for item in pack["items"]
              if item["department_id"] == department
              for f in item["form"]["fields"] if f["type"] in _RANDOM]
    if not fields:
        raise CommandError("no_fields", f"Visit {visit_id} has no field for the inspector's "
                                        "department to answer.")
    return fields


def _this_run(device: Device, visit_id: int, args) -> dict:
    """The recording under way: one killed with these same arguments goes on; otherwise a
    new one starts after what the replica already holds."""
    wanted = {"visit_id": visit_id, "edits": args.edits, "photos": args.photos,
              "seed": args.seed}
    run = device.replica.get("recording")
    if run and {k: run.get(k) for k in wanted} == wanted:
        return run
    run = {**wanted, "answers_before": _answers_recorded(device),
           "photos_before": device.replica.db.execute("SELECT count(*) FROM photos")
           .fetchone()[0]}
    device.replica.put("recording", run)
    return run


def _answers_recorded(device: Device) -> int:
    # What is in the outbox is what was recorded: each op is its own transaction.
    return device.replica.db.execute("SELECT count(*) FROM outbox WHERE body LIKE "
                                     "'%\"kind\": \"set_answer\"%'").fetchone()[0]


def _options(field: dict) -> list:
    return [o["value"] for o in field.get("options") or []]


def _number(field: dict, rnd: random.Random):
    lo = field.get("min", min(0, field.get("max", 0)))
    hi = field.get("max", lo + 1000)
    return rnd.randint(int(lo), int(hi)) if float(lo).is_integer() and float(hi).is_integer() \
        else round(rnd.uniform(lo, hi), 2)


# A random answer each type accepts (checked against sync.field_types when used).
_RANDOM = {
    "yes_no_na": lambda f, rnd: rnd.choice([v for v, _ in field_types.YES_NO_NA]),
    "single_choice": lambda f, rnd: rnd.choice(_options(f)),
    "multiple_choice": lambda f, rnd: rnd.sample(_options(f), rnd.randint(0, len(_options(f)))),
    "number": _number,
    "text": lambda f, rnd: rnd.choice(NOTES),
    "date": lambda f, rnd: (dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randrange(365)))
    .isoformat(),
}


def _random_value(field: dict, rnd: random.Random):
    value = _RANDOM[field["type"]](field, rnd)
    if not field_types.accepts(field, value):  # a form whose range the guess misses
        raise CommandError("no_valid_value", f"No random answer fits field {field['key']!r}.")
    return value


def _photo(replica: Path, rnd: random.Random, n: int) -> str:
    """A distinct JPEG of a few hundred kB beside the replica (the phone's camera):
    noise, so it does not compress away and an upload takes several chunks."""
    from PIL import Image

    path = replica.with_name(f"{replica.stem}-photo-{n}.jpg")
    if not path.exists():
        size = (480, 360)
        buf = io.BytesIO()
        Image.frombytes("RGB", size, rnd.randbytes(size[0] * size[1] * 3)).save(
            buf, "JPEG", quality=85)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buf.getvalue())
        tmp.replace(path)  # a kill mid-write leaves no half photo behind
    return str(path)


def _status(device: Device, args) -> dict:
    outcomes: dict[str, int] = {}
    for outcome, _ in device.replica.outcomes().values():
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {"device_id": device.device_id,
            "ops_pending": device.replica.count("outbox", "pending"),
            "ops_acked": device.replica.count("outbox", "acked"), "outcomes": outcomes,
            "photos_pending": device.replica.count("photos", "pending"),
            "photos_uploaded": device.replica.count("photos", "uploaded"),
            "revisions": device.replica.db.execute("SELECT count(*) FROM revisions")
            .fetchone()[0], "cursor": device.replica.get("cursor")}


COMMANDS = {
    "login": _login,
    "record": _record,
    "sync": lambda d, a: d.sync(batch=a.batch).as_dict(),
    "push": lambda d, a: d.push(batch=a.batch).as_dict(),
    "upload": lambda d, a: d.upload_photos().as_dict(),
    "pull": lambda d, a: d.pull().as_dict(),
    "status": _status,
}
if __name__ == "__main__":
    sys.exit(main())
