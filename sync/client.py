"""The device-side sync client: record offline, sync when there is signal (离线采集、联网同步).

``record_*`` work without a network: each writes one op to the durable outbox and its
revision to the local registers, in one transaction. ``sync()`` then

1. pushes the outbox in order, in batches within the server's caps, and marks an op
   synced only once the server answered for it (a lost answer means the batch is sent
   again: the server answers ``duplicate`` with the stored outcome);
2. uploads the photos the server lacks over tus, resuming from the server's offset,
   and marks a photo synced only once the server confirms it holds the hash;
3. pulls the changes since its cursor and applies them, storing the new cursor in the
   same local transaction.

Each step is safe to interrupt anywhere and to call again. No Flask, no server code:
this is what a phone runs (``python -m sync`` drives one from the command line).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from sync.hlc import HLC, receive, tick
from sync.ids import uuid7
from sync.merge import FieldState, Revision
from sync.ops import answer_key, checklist_hash, register, signed_key, value_problem
from sync.replica import Replica

API = "/api/v1"
CHUNK_BYTES = 1 << 20


class SyncError(Exception):
    """The server refused a request outright (not an op): status and its JSON error."""

    def __init__(self, status: int, body: dict | None):
        super().__init__(f"{status}: {(body or {}).get('message', '')}")
        self.status, self.body = status, body or {}


@dataclass
class Report:
    pushed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    uploaded: int = 0
    uploaded_bytes: int = 0
    pulled: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class Device:
    """One phone: its replica file and its way to the server."""

    def __init__(self, replica: str | Path, server: str, *, http: requests.Session | None = None,
                 clock: Callable[[], float] = time.time,
                 random_bytes: Callable[[int], bytes] = os.urandom, timeout: float = 30,
                 chunk_bytes: int = CHUNK_BYTES,
                 ask_password: Callable[[str], str | None] | None = None):
        """``ask_password(username)`` asks the user again when the token has expired (None:
        not now); the password itself is never stored, only the token it buys."""
        self.replica = Replica(replica)
        self.server = server.rstrip("/")
        self.http = http or requests.Session()
        self.clock, self.random_bytes, self.timeout = clock, random_bytes, timeout
        self.chunk_bytes = chunk_bytes
        self.ask_password = ask_password
        login = self.replica.get("login")
        if login:  # a replica written before passwords stopped being kept: keep the name only
            self.replica.put("username", login[0])
            self.replica.forget("login")

    def close(self) -> None:
        self.replica.close()
        self.http.close()

    # --- the way in ---------------------------------------------------------------------------
    def sign_in(self, username: str, password: str) -> dict:
        body = self._call("POST", "/auth/token", json={"username": username,
                                                       "password": password}, auth=False)
        self.replica.put("token", body["access_token"])
        self.replica.put("username", username)  # to ask for the password again, by name
        self.replica.put("user", body["user"])
        return body["user"]

    def register(self, name: str, platform: str = "simulated") -> str:
        """Register once; the credential stays in the replica."""
        if self.replica.get("device_id"):
            return self.replica.get("device_id")
        body = self._call("POST", "/devices", json={"name": name, "platform": platform})
        with self.replica.transaction() as db:
            self.replica.put("device_id", body["id"], db)
            self.replica.put("credential", body["credential"], db)
            self.replica.put("hlc", HLC(0, 0, body["id"][:8]).encode(), db)
        return body["id"]

    @property
    def device_id(self) -> str:
        return self.replica.get("device_id")

    @property
    def inspector_id(self) -> int | None:
        return (self.replica.get("user") or {}).get("inspector_id")

    def refresh_packs(self) -> list[int]:
        """Download the packs of my open visits that changed (ETag)."""
        fresh = []
        known = dict(self.replica.db.execute("SELECT visit_id, etag FROM packs"))
        for visit in self._call("GET", "/me/visits")["items"]:
            if known.get(visit["id"]) == visit["pack_etag"]:
                continue
            pack = self._call("GET", f"/visits/{visit['id']}/pack")
            self.replica.db.execute(
                "INSERT INTO packs VALUES (?, ?, ?, ?) ON CONFLICT (visit_id) DO UPDATE SET "
                "etag = excluded.etag, state = excluded.state, body = excluded.body",
                (visit["id"], visit["pack_etag"], visit["state"], json.dumps(pack)))
            fresh.append(visit["id"])
        return fresh

    def pack(self, visit_id: int) -> dict | None:
        row = self.replica.db.execute("SELECT body FROM packs WHERE visit_id = ?",
                                      (visit_id,)).fetchone()
        return json.loads(row[0]) if row else None

    # --- recording, offline --------------------------------------------------------------------
    def record_answer(self, visit_id: int, item_version_id: int, field_key: str, value: Any,
                      note: str | None = None) -> str:
        """Based on what this phone shows now: if that is a conflict, this resolves it."""
        return self._record({"kind": "set_answer", "visit_id": visit_id,
                             "item_version_id": item_version_id, "field": field_key,
                             "value": value, "note": note})

    def resolve(self, visit_id: int, register_key: str, value: Any) -> str:
        """End a conflict: the new value supersedes every sibling this phone holds."""
        answer = answer_key(register_key)
        if answer is None:
            raise ValueError("resolve answers with resolve(); other registers by writing them")
        return self._record({"kind": "resolve", "visit_id": visit_id,
                             "item_version_id": answer[0], "field": answer[1], "value": value})

    def record_note(self, visit_id: int, text: str | None, *, note_id: str | None = None,
                    item_version_id: int | None = None) -> str:
        """A new note (no ``note_id``) or an edit of one; ``None`` deletes it."""
        return self._record({"kind": "set_note", "visit_id": visit_id,
                             "note_id": note_id or str(self._uuid7()),
                             "item_version_id": item_version_id, "value": text})

    def attach_photo(self, visit_id: int, path: str | Path,
                     item_version_id: int | None = None) -> str:
        sha256, size = _hash_file(path)
        self.replica.db.execute("INSERT OR IGNORE INTO photos (sha256, path, size) "
                                "VALUES (?, ?, ?)", (sha256, str(path), size))
        self._record({"kind": "attach_photo", "visit_id": visit_id, "sha256": sha256,
                      "item_version_id": item_version_id})
        return sha256

    def detach_photo(self, visit_id: int, sha256: str, item_version_id: int | None = None) -> str:
        return self._record({"kind": "detach_photo", "visit_id": visit_id, "sha256": sha256,
                             "item_version_id": item_version_id})

    def sign(self, visit_id: int, signature_image: str | Path) -> str:
        """Sign the checklist as this phone shows it now (签字确认)."""
        sha256, size = _hash_file(signature_image)
        self.replica.db.execute("INSERT OR IGNORE INTO photos (sha256, path, size) "
                                "VALUES (?, ?, ?)", (sha256, str(signature_image), size))
        return self._record({"kind": "sign", "visit_id": visit_id, "sha256": sha256,
                             "state_hash": self.checklist_hash(visit_id)})

    def company_sign(self, visit_id: int, signature_image: str | Path | None = None, *,
                     representative: str | None = None, statement: str | None = None,
                     refused_because: str | None = None) -> str:
        """The company's representative signs the checklist as this phone shows it now
        (当事人签字, with their statement, 当事人意见); or, with ``refused_because`` (the
        inspectors' note) and no image, their refusal to sign (当事人拒绝签字)."""
        sha256 = None
        if signature_image is not None:
            sha256, size = _hash_file(signature_image)
            self.replica.db.execute("INSERT OR IGNORE INTO photos (sha256, path, size) "
                                    "VALUES (?, ?, ?)", (sha256, str(signature_image), size))
        return self._record({"kind": "company_sign", "visit_id": visit_id,
                             "representative": representative, "statement": statement,
                             "sha256": sha256, "refused": True if refused_because else None,
                             "reason": refused_because,
                             "state_hash": self.checklist_hash(visit_id)})

    def record_result(self, visit_id: int, category: str,
                      item_version_id: int | None = None) -> str:
        """The result category of one item, or of the company without an item (检查结果)."""
        return self._record({"kind": "set_result", "visit_id": visit_id, "category": category,
                             "item_version_id": item_version_id})

    def record_entry_scan(self, visit_id: int, premises_token: str, *,
                          latitude: float | None = None, longitude: float | None = None) -> str:
        """The premises code scanned at the door; the server verifies it again."""
        pack = self.pack(visit_id) or {}
        return self._record({"kind": "entry_scan", "visit_id": visit_id,
                             "premises_token": premises_token,
                             "visit_token": pack.get("visit_token"),
                             "latitude": latitude, "longitude": longitude})

    def submit(self, visit_id: int) -> str:
        return self._record({"kind": "submit", "visit_id": visit_id})

    def _record(self, op: dict) -> str:
        op = {k: v for k, v in op.items() if v is not None or k == "value"}
        for name in ("value", "note"):
            if (problem := value_problem(op.get(name))) is not None:
                # the server refuses every batch holding it: never let it into the outbox
                raise ValueError(f"{name}: {problem}")
        now_ms = int(self.clock() * 1000)
        with self.replica.transaction() as db:
            clock = tick(HLC.decode(self.replica.get("hlc")), now_ms)
            op_id = str(self._uuid7(now_ms))
            op.update(op_id=op_id, hlc=clock.encode(), base=[],
                      device_time=time.strftime("%Y-%m-%dT%H:%M:%S+00:00",
                                                time.gmtime(now_ms / 1000)))
            write = register(op, self.inspector_id)
            if write is not None:
                op["base"] = sorted(self.replica.state(op["visit_id"], write[0]).head_ids())
                self.replica.add_revision(db, op["visit_id"], write[0], Revision(
                    op_id, write[1], op["hlc"], self.device_id, frozenset(op["base"])))
            db.execute("INSERT INTO outbox (op_id, body) VALUES (?, ?)",
                       (op_id, json.dumps(op, ensure_ascii=False)))
            self.replica.put("hlc", clock.encode(), db)
        return op_id

    def _uuid7(self, now_ms: int | None = None) -> uuid.UUID:
        return uuid7(now_ms if now_ms is not None else int(self.clock() * 1000),
                     self.random_bytes(10))

    # --- what the phone shows -----------------------------------------------------------------
    def state(self, visit_id: int, register_key: str) -> FieldState:
        return self.replica.state(visit_id, register_key)

    def conflicts(self, visit_id: int) -> dict[str, FieldState]:
        return {k: s for k, s in sorted(self.replica.states(visit_id).items()) if s.conflicted}

    def checklist_hash(self, visit_id: int) -> str:
        """What this phone's signature would sign: its answers and results now."""
        return checklist_hash({key: s.value for k, s in self.replica.states(visit_id).items()
                               if (key := signed_key(k)) is not None})

    # --- sync -----------------------------------------------------------------------------------
    def sync(self, *, batch: int | None = None) -> Report:
        report = Report()
        self.push(report, batch=batch)
        self.upload_photos(report)
        self.pull(report)
        return report

    def push(self, report: Report | None = None, *, batch: int | None = None) -> Report:
        report = report or Report()
        limits = self._call("GET", "/sync/limits")
        size = min(batch or limits["max_ops"], limits["max_ops"])
        while ops := self.replica.pending_bodies(size):
            # the body is put together from the ops' stored JSON: a phone's CPU is not
            # spent decoding each op and encoding it again
            ops = _within_bytes(ops, limits["max_bytes"])
            data = f'{{"device_id": {json.dumps(self.device_id)}, "ops": [{",".join(ops)}]}}'
            body = self._call("POST", "/sync/push", data=data.encode(), device=True)
            acks = [(r.get("stored_outcome") or r["outcome"], r.get("reason"), r["op_id"])
                    for r in body["results"]]
            with self.replica.transaction() as db:
                db.executemany("UPDATE outbox SET state = 'acked', outcome = ?, reason = ? "
                               "WHERE op_id = ?", acks)
                # A refused op never took effect: the phone drops its value too.
                db.executemany("DELETE FROM revisions WHERE op_id = ?",
                               [(op_id,) for outcome, _, op_id in acks if outcome == "rejected"])
            for result in body["results"]:
                report.outcomes[result["outcome"]] = report.outcomes.get(result["outcome"], 0) + 1
            report.pushed += len(ops)
        return report

    def upload_photos(self, report: Report | None = None) -> Report:
        report = report or Report()
        pending = self.replica.pending_photos()
        if not pending:
            return report
        missing = set(self._missing([p[0] for p in pending]))
        for sha256, path, size, url in pending:
            if sha256 in missing:
                self._tus_upload(sha256, Path(path), size, url)
                report.uploaded += 1
                report.uploaded_bytes += size
        still = set(self._missing([p[0] for p in pending]))
        with self.replica.transaction() as db:
            db.executemany("UPDATE photos SET state = 'uploaded' WHERE sha256 = ?",
                           [(p[0],) for p in pending if p[0] not in still])
        return report

    def pull(self, report: Report | None = None, *, limit: int = 500) -> Report:
        report = report or Report()
        while True:
            params = {"device_id": self.device_id, "limit": limit}
            if self.replica.get("cursor"):
                params["cursor"] = self.replica.get("cursor")
            body = self._call("GET", "/sync/pull", params=params, device=True)
            now_ms = int(self.clock() * 1000)
            with self.replica.transaction() as db:
                clock = HLC.decode(self.replica.get("hlc"))
                for change in body["changes"]:
                    if change["kind"] == "field":
                        self.replica.add_revision(db, change["visit_id"], change["register"],
                                                  Revision(change["op_id"], change["value"],
                                                           change["hlc"], change["device_id"],
                                                           frozenset(change["base"])))
                        clock = receive(clock, HLC.decode(change["hlc"]), now_ms)
                    else:
                        db.execute("UPDATE packs SET state = ? WHERE visit_id = ?",
                                   (change["state"], change["visit_id"]))
                self.replica.put("hlc", clock.encode(), db)
                self.replica.put("cursor", body["cursor"], db)  # with the changes, not before
            report.pulled += len(body["changes"])
            if not body["more"]:
                return report

    # --- tus ------------------------------------------------------------------------------------
    def _tus_upload(self, sha256: str, path: Path, size: int, url: str | None) -> None:
        """Upload one photo, resuming at the server's offset (tus 1.0, checksum per chunk)."""
        offset = None
        if url:
            head = self._raw("HEAD", url)
            if head.status_code == 200:
                offset = int(head.headers["Upload-Offset"])
        if offset is None:
            meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}"
                            for k, v in (("sha256", sha256), ("filename", path.name)))
            created = self._raw("POST", f"{self.server}{API}/sync/uploads",
                                headers={"Upload-Length": str(size), "Upload-Metadata": meta})
            if created.status_code != 201:
                raise SyncError(created.status_code, _json(created))
            url = requests.compat.urljoin(self.server, created.headers["Location"])
            self.replica.db.execute("UPDATE photos SET upload_url = ? WHERE sha256 = ?",
                                    (url, sha256))
            offset = int(created.headers.get("Upload-Offset", 0))
        with path.open("rb") as f:
            while offset < size:
                f.seek(offset)
                chunk = f.read(self.chunk_bytes)
                digest = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
                sent = self._raw("PATCH", url, data=chunk, headers={
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset), "Upload-Checksum": f"sha256 {digest}"})
                if sent.status_code == 204:
                    offset = int(sent.headers["Upload-Offset"])
                elif sent.status_code == 409:  # we were behind or ahead: ask where it stands
                    offset = int(self._raw("HEAD", url).headers["Upload-Offset"])
                else:
                    if sent.status_code in (404, 410, 460) or \
                            _json(sent).get("code") == "hash_mismatch":
                        self.replica.db.execute("UPDATE photos SET upload_url = NULL "
                                                "WHERE sha256 = ?", (sha256,))
                    raise SyncError(sent.status_code, _json(sent))

    def _missing(self, hashes: list[str]) -> list[str]:
        out = []
        for i in range(0, len(hashes), 1000):
            out += self._call("POST", "/sync/blobs/missing",
                              json={"hashes": hashes[i:i + 1000]})["missing"]
        return out

    # --- HTTP -----------------------------------------------------------------------------------
    def _headers(self, device: bool) -> dict:
        headers = {"Authorization": f"Bearer {self.replica.get('token')}"}
        if device:
            headers["X-Device-Id"] = self.device_id
            headers["X-Device-Credential"] = self.replica.get("credential")
        return headers

    def _raw(self, method: str, url: str, *, headers: dict | None = None,
             **kw) -> requests.Response:
        """A tus request: the device proves itself as in push and pull."""
        def send():
            return self.http.request(method, url, timeout=self.timeout, headers={
                **self._headers(True), "Tus-Resumable": "1.0.0", **(headers or {})}, **kw)
        response = send()
        if response.status_code == 401 and self._sign_in_again():
            response = send()
        return response

    def _call(self, method: str, path: str, *, auth: bool = True, device: bool = False,
              **kw) -> Any:
        def send():
            headers = self._headers(device) if auth else {}
            if "data" in kw:  # a JSON body already encoded
                headers["Content-Type"] = "application/json"
            return self.http.request(method, f"{self.server}{API}{path}", headers=headers,
                                     timeout=self.timeout, **kw)
        response = send()
        if response.status_code == 401 and auth and self._sign_in_again():
            response = send()
        if response.status_code >= 400:
            raise SyncError(response.status_code, _json(response))
        return response.json()

    def _sign_in_again(self) -> bool:
        """The token expired: ask the user for the password (never stored) and sign in."""
        username = self.replica.get("username")
        password = self.ask_password(username) if username and self.ask_password else None
        if not password:
            return False
        self.sign_in(username, password)
        return True


def _hash_file(path: str | Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _within_bytes(ops: list[str], max_bytes: int) -> list[str]:
    """The longest prefix of the ops (JSON text) whose push body stays under the
    server's byte cap."""
    total, out = 200, []
    for op in ops:
        total += len(op.encode()) + 1
        if out and total > max_bytes:
            break
        out.append(op)
    return out


def _json(response: requests.Response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {"message": response.text[:200]}
