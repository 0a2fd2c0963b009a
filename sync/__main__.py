"""A simulated phone on the command line; each command prints one JSON line.

    python -m sync --server URL --replica phone.sqlite login --username U --password P
    python -m sync ... record --edits 500 --seed 1 [--visit V] [--photos 10]
    python -m sync ... sync [--batch 25]        (or push / upload / pull on their own)
    python -m sync ... status

``record`` makes random answer edits (each with a note) to the items of the phone's
department on one of its visits, offline, one durable op at a time; killed and run
again, it goes on from where it stopped (the count lives in the replica). Used by the
tests, ``bench/sync_bench.py`` and ``bench/chaos_sync.py``.
"""

from __future__ import annotations

import argparse
import getpass
import io
import json
import random
import resource
import sys
import time
from pathlib import Path

from sync.client import Device

VALUES = {"yes_no_na": ("yes", "no", "na")}
NOTES = ("证照齐全", "现场已整改", "台账不完整", "未见异常", "冷库温度偏高", "已拍照留存")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync", description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--replica", required=True, type=Path)
    parser.add_argument("--chunk-kb", type=int, default=1024, help="tus PATCH size")
    parser.add_argument("--start-at", type=float, metavar="EPOCH", help=(
        "start the command at this Unix time, once started up: phones of a benchmark "
        "begin together instead of while the others are still starting"))
    sub = parser.add_subparsers(dest="command", required=True)
    login = sub.add_parser("login")
    login.add_argument("--username", required=True)
    login.add_argument("--password", required=True)
    login.add_argument("--name", default="simulated phone")
    record = sub.add_parser("record")
    record.add_argument("--edits", type=int, required=True)
    record.add_argument("--seed", type=int, default=0)
    record.add_argument("--visit", type=int)
    record.add_argument("--photos", type=int, default=0)
    for name in ("sync", "push"):
        sub.add_parser(name).add_argument("--batch", type=int)
    for name in ("upload", "pull", "status"):
        sub.add_parser(name)
    args = parser.parse_args(argv)

    device = Device(args.replica, args.server, chunk_bytes=args.chunk_kb * 1024,
                    ask_password=_ask_password)
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
    print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


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
    """Random offline edits to my department's answers on one visit, resumable."""
    visit_id = args.visit or device.replica.db.execute(
        "SELECT min(visit_id) FROM packs").fetchone()[0]
    pack = device.pack(visit_id)
    department = next(m["department_id"] for m in pack["team"]
                      if m["inspector_id"] == device.inspector_id)
    fields = [(item["item_version_id"], f["key"], VALUES[f["type"]])
              for item in pack["items"] if item["department_id"] == department
              for f in item["form"]["fields"] if f["type"] in VALUES]
    rnd = random.Random(f"{args.seed}:{device.device_id}")
    # What is in the outbox is what was recorded: each op is its own transaction.
    done = device.replica.db.execute("SELECT count(*) FROM outbox WHERE body LIKE "
                                     "'%\"kind\": \"set_answer\"%'").fetchone()[0]
    attached = {path for (path,) in device.replica.db.execute("SELECT path FROM photos")}
    for n in range(args.edits):
        version, key, values = rnd.choice(fields)
        value, note = rnd.choice(values), rnd.choice(NOTES)
        if n >= done:  # recorded before a restart: the random stream stays the same
            device.record_answer(visit_id, version, key, value, note=note)
        if n < args.photos:
            photo = _photo(device.replica.path,
                           random.Random(f"{args.seed}:{device.device_id}:{n}"), n)
            if photo not in attached:
                device.attach_photo(visit_id, photo, version)
    return {"visit_id": visit_id, "recorded": args.edits,
            "pending": device.replica.count("outbox", "pending")}


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
