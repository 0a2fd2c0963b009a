// The ops a phone records, as sync/ops.py (the kinds, the register each writes, what a
// value may be: `valueProblem`), the op's shape as schemas/sync.py OpSchema checks it
// (`opProblems`: docs/sync-protocol.md section 4), and recording as the reference client
// does it (sync/client.py Device._record): tick the HLC, make the op id, base the edit on
// the register's heads, apply its revision locally; the caller then appends the op to the
// outbox in the same IndexedDB transaction.
//
// An op's canonical form holds the fields its kind uses and nothing else; a field left
// null is left out, but `value` (null is an answer too).
//
// Where this is stricter than the server (it never accepts less): numbers only as numbers
// (the server also reads "45.1" as a latitude), `device_time` only as
// YYYY-MM-DDTHH:MM[:SS[.ffffff]] with Z or ±HH:MM, and no trailing line break after an id.

import { compareCodePoints } from "./canonical.js";
import { HLC, receive, tick } from "./hlc.js";
import { uuid7 } from "./ids.js";
import { RegisterKey } from "./registerKey.js";
import { revision } from "./merge.js";

export const ANSWER_KINDS = ["set_answer", "resolve"];
export const REGISTER_KINDS = [...ANSWER_KINDS, "set_note", "attach_photo", "detach_photo",
  "sign", "set_result", "company_sign"];
export const EVENT_KINDS = ["entry_scan", "submit"];
export const KINDS = [...REGISTER_KINDS, ...EVENT_KINDS];

export const MAX_TEXT_VALUE = 5000; // a text answer, or a note's text
export const MAX_CHOICES = 100;
export const MAX_CHOICE_LENGTH = 64;
export const MAX_BASE = 50;
// C0 and C1 controls but tab and line breaks, bidirectional embeddings, overrides and
// isolates, lone UTF-16 surrogates (the `u` flag: a surrogate pair is one character).
export const TEXT_REFUSED = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u;
const SINGLE_LINE_REFUSED = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u;
const REFUSED_MESSAGE = "contains control characters, bidirectional controls or unpaired surrogates";

/** Python's len(): characters (code points), not UTF-16 units. */
export function textLength(text) {
  let n = 0;
  for (const _ of text) n++; // eslint-disable-line no-unused-vars
  return n;
}

/** Why an op's value is beyond what any form field or note can hold, or null: null, a
 * boolean, a number, a text of at most 5,000 characters, or a list of at most 100 choices
 * of at most 64 characters. The phone refuses to record one (the server refuses the batch). */
export function valueProblem(value) {
  if (value === null || value === undefined || typeof value === "boolean"
      || typeof value === "number") return null;
  if (typeof value === "string") {
    if (textLength(value) > MAX_TEXT_VALUE) return `longer than ${MAX_TEXT_VALUE} characters`;
    return TEXT_REFUSED.test(value) ? REFUSED_MESSAGE : null;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_CHOICES || !value.every(
      (v) => typeof v === "string" && textLength(v) <= MAX_CHOICE_LENGTH)) {
      return `a list of at most ${MAX_CHOICES} choices of at most ${MAX_CHOICE_LENGTH} characters`;
    }
    return value.some((v) => TEXT_REFUSED.test(v)) ? REFUSED_MESSAGE : null;
  }
  return "null, a boolean, a number, a text or a list of choices";
}

/** The register an op writes, [key, value]; null for events. A signature lands in the
 * signer's own register (none without an inspector). */
export function register(op, inspectorId = null) {
  const { kind } = op;
  if (ANSWER_KINDS.includes(kind)) {
    return [RegisterKey.answer(op.item_version_id, op.field).format(), op.value ?? null];
  }
  if (kind === "set_note") return [RegisterKey.note(op.note_id).format(), op.value ?? null];
  if (kind === "attach_photo" || kind === "detach_photo") {
    return [RegisterKey.photo(op.item_version_id || null, op.sha256).format(),
      kind === "attach_photo"];
  }
  if (kind === "sign") {
    if (inspectorId === null || inspectorId === undefined) return null;
    return [RegisterKey.signature(inspectorId).format(),
      { sha256: op.sha256, state_hash: op.state_hash }];
  }
  if (kind === "set_result") {
    return [RegisterKey.result(op.item_version_id || null).format(), op.category];
  }
  if (kind === "company_sign") return [RegisterKey.companySignature().format(), companySignature(op)];
  return null;
}

export const COMPANY_SIGNATURE_FIELDS = ["representative", "statement", "sha256", "reason"];

/** A company_sign op's value (as sync.ops.company_signature): every part named, absent ones
 * null, so two phones recording the same signature write equal values. */
export function companySignature(op) {
  const value = { refused: op.refused === true, state_hash: op.state_hash };
  for (const name of COMPANY_SIGNATURE_FIELDS) value[name] = op[name] ?? null;
  return value;
}

// --- the canonical form --------------------------------------------------------------------
const COMMON = ["op_id", "kind", "visit_id", "hlc", "device_time", "base"];
const ANSWER_FIELDS = ["item_version_id", "field", "value", "note"];
const PHOTO_FIELDS = ["sha256", "item_version_id"];
export const KIND_FIELDS = {
  set_answer: ANSWER_FIELDS,
  resolve: ANSWER_FIELDS,
  set_note: ["note_id", "item_version_id", "value"],
  attach_photo: PHOTO_FIELDS,
  detach_photo: PHOTO_FIELDS,
  sign: ["sha256", "state_hash"],
  set_result: ["category", "item_version_id"],
  company_sign: ["representative", "statement", "sha256", "refused", "reason", "state_hash"],
  entry_scan: ["premises_token", "visit_token", "latitude", "longitude", "reason", "sha256"],
  submit: [],
};

/** The op of `kind` in canonical form: its kind's fields (from `fields`) and the common
 * ones; nulls left out but `value`. A field the kind does not use is an Error. */
export function makeOp(kind, fields, { op_id, hlc, base = [], device_time = null }) {
  const own = KIND_FIELDS[kind];
  if (!own) throw new Error(`not an op kind: ${JSON.stringify(kind)}`);
  const stray = Object.keys(fields).filter((k) => k !== "visit_id" && !own.includes(k));
  if (stray.length) throw new Error(`${kind} has no ${stray.join(", ")}`);
  const op = { kind, visit_id: fields.visit_id };
  for (const name of own) {
    const value = fields[name] ?? null;
    if (value !== null || name === "value") op[name] = value;
  }
  Object.assign(op, { op_id, hlc, base: [...base] });
  if (device_time !== null) op.device_time = device_time;
  return op;
}

/** The phone's clock as the reference client writes `device_time`: UTC, whole seconds. */
export function deviceTime(unixMs) {
  return `${new Date(Math.floor(unixMs / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

/** Records ops as sync/client.py does: one HLC tick, one UUIDv7 and the register's heads as
 * `base` per op, its revision applied to `replica` (merge.js Replica, or anything with its
 * `baseFor(visitId, register)` and `add(visitId, register, revision)`). `hlc` is the
 * clock's last timestamp (encoded: store it with the outbox, in the same transaction);
 * `now` the wall clock in ms and `random(n)` n random bytes, injectable for tests. */
export class Recorder {
  constructor({ replica, deviceId, hlc, inspectorId = null, now = () => Date.now(),
    random = (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)) }) {
    Object.assign(this, { replica, deviceId, inspectorId, now, random });
    this.hlc = hlc ?? new HLC(0, 0, deviceId.slice(0, 8)).encode();
  }

  /** The op (canonical), recorded in the replica; an Error, and nothing recorded, when the
   * op is one the server would refuse whole. */
  record(kind, fields) {
    for (const name of ["value", "note"]) {
      const problem = valueProblem(fields[name]);
      if (problem !== null) throw new Error(`${name}: ${problem}`);
    }
    const nowMs = this.now();
    const clock = tick(HLC.decode(this.hlc), nowMs);
    const op = makeOp(kind, fields, { op_id: uuid7(nowMs, this.random(10)), hlc: clock.encode(),
      device_time: deviceTime(nowMs) });
    const write = register(op, this.inspectorId);
    if (write !== null) op.base = this.replica.baseFor(op.visit_id, write[0]);
    const problems = opProblems(op);
    if (problems !== null) throw new Error(`not an op the server takes: ${JSON.stringify(problems)}`);
    if (write !== null) {
      this.replica.add(op.visit_id, write[0], revision({ op_id: op.op_id, value: write[1],
        hlc: op.hlc, device_id: this.deviceId, base: op.base }));
    }
    this.hlc = clock.encode();
    return op;
  }

  /** Take in a pulled revision's `hlc` (as sync/client.py's pull): the clock moves past it. */
  observe(remoteHlc) {
    this.hlc = receive(HLC.decode(this.hlc), HLC.decode(remoteHlc), this.now()).encode();
    return this.hlc;
  }
}

// --- the op's shape (schemas/sync.py OpSchema) -------------------------------------------
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const CATEGORY = /^[a-z0-9_]{1,40}$/;
const HLC_TEXT = /^[0-9]{13}-[0-9]{6}-[A-Za-z0-9._-]{1,36}$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
// What Python's str.strip() removes (Unicode white space; not U+FEFF, which trim() takes).
const PY_SPACE = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, "g");
const NOT_NULL = "Field may not be null.";
export const MAX_REPRESENTATIVE = 50;
export const MAX_STATEMENT = 1000;

const checks = {
  string: (pattern) => (v) => {
    if (typeof v !== "string") return "Not a valid string.";
    return pattern.test(v) ? null : "String does not match expected pattern.";
  },
  text: (max, { multiline = false, pattern = null } = {}) => (v) => {
    if (typeof v !== "string") return "Not a valid string.";
    const text = v.replace(STRIP, "");
    if ((multiline ? TEXT_REFUSED : SINGLE_LINE_REFUSED).test(text)) return REFUSED_MESSAGE;
    if (textLength(text) > max) return `longer than ${max} characters`;
    if (pattern && !pattern.test(text)) return "String does not match expected pattern.";
    return null;
  },
  id: (v) => {
    if (typeof v !== "number" || !Number.isInteger(v)) return "Not a valid integer.";
    return v >= 1 && v <= 2 ** 31 - 1 ? null
      : "Must be greater than or equal to 1 and less than or equal to 2147483647.";
  },
  degrees: (limit) => (v) => {
    if (typeof v !== "number" || !Number.isFinite(v)) return "Not a valid number.";
    return v >= -limit && v <= limit ? null : `Must be between ${-limit} and ${limit}.`;
  },
  value: (v) => valueProblem(v),
  bool: (v) => (typeof v === "boolean" ? null : "Not a valid boolean."),
  kind: (v) => (KINDS.includes(v) ? null : `Must be one of: ${KINDS.join(", ")}.`),
  base: (v) => {
    if (!Array.isArray(v)) return "Not a valid list.";
    if (!v.every((id) => typeof id === "string" && UUID.test(id))) {
      return "String does not match expected pattern.";
    }
    return v.length <= MAX_BASE ? null : `Longer than maximum length ${MAX_BASE}.`;
  },
  dateTime: (v) => {
    const m = typeof v === "string" ? DATE_TIME.exec(v) : null;
    if (!m) return "Not a valid aware datetime.";
    const [year, month, day, hour, minute, second = "0"] = m.slice(1, 7).map(Number);
    const date = new Date(Date.UTC(year, month - 1, day));
    const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1
      && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
    if (!real) return "Not a valid aware datetime.";
    return year >= 2000 && year <= 2100 ? null : "a date between 2000-01-01 and 2100-12-31";
  },
};

// name -> [check, required, nullable], in OpSchema's order
const OP_FIELDS = {
  op_id: [checks.string(UUID), true, false],
  kind: [checks.kind, true, false],
  visit_id: [checks.id, true, false],
  item_version_id: [checks.id, false, true],
  field: [checks.text(64), false, false],
  value: [checks.value, false, true],
  note: [checks.text(MAX_TEXT_VALUE, { multiline: true }), false, true],
  note_id: [checks.string(UUID), false, false],
  sha256: [checks.string(SHA256), false, false],
  state_hash: [checks.string(SHA256), false, false],
  representative: [checks.text(MAX_REPRESENTATIVE), false, false],
  statement: [checks.text(MAX_STATEMENT, { multiline: true }), false, true],
  refused: [checks.bool, false, true],
  category: [checks.string(CATEGORY), false, false],
  premises_token: [checks.text(2000), false, false],
  visit_token: [checks.text(2000), false, false],
  reason: [checks.text(500), false, false],
  latitude: [checks.degrees(90), false, true],
  longitude: [checks.degrees(180), false, true],
  base: [checks.base, false, false],
  hlc: [checks.text(60, { pattern: HLC_TEXT }), true, false],
  device_time: [checks.dateTime, false, true],
};
// What each kind must carry besides the common fields (schemas/sync.py REQUIRED).
const REQUIRED = {
  set_answer: ["item_version_id", "field", "value"],
  resolve: ["item_version_id", "field", "value"],
  set_note: ["note_id", "value"],
  attach_photo: ["sha256"],
  detach_photo: ["sha256"],
  sign: ["sha256", "state_hash"],
  set_result: ["category"],
  company_sign: ["state_hash"],
  entry_scan: [],
  submit: [],
};

/** What the server would refuse in this op's shape, {field: [message]}, or null when it
 * takes it (docs/sync-protocol.md section 4). The kind's required fields are judged once
 * every field is well formed, as the server does. */
export function opProblems(op) {
  if (op === null || typeof op !== "object" || Array.isArray(op)) {
    return { _schema: ["Invalid input type."] };
  }
  const problems = {};
  for (const [name, [check, required, nullable]] of Object.entries(OP_FIELDS)) {
    if (!Object.hasOwn(op, name) || op[name] === undefined) {
      if (required) problems[name] = ["Missing data for required field."];
      continue;
    }
    const value = op[name];
    const problem = value === null ? (nullable ? null : NOT_NULL) : check(value);
    if (problem !== null) problems[name] = [problem];
  }
  for (const name of Object.keys(op).sort(compareCodePoints)) {
    if (!Object.hasOwn(OP_FIELDS, name)) problems[name] = ["Unknown field."];
  }
  if (Object.keys(problems).length) return problems;
  for (const name of REQUIRED[op.kind]) {
    if (!Object.hasOwn(op, name) || (name !== "value" && op[name] === null)) {
      problems[name] = [`required for ${op.kind}`];
    }
  }
  if (Object.keys(problems).length) return problems;
  if (op.kind === "company_sign") Object.assign(problems, companySignProblems(op));
  return Object.keys(problems).length ? problems : null;
}

/** A company's signature names who signed and the image; a refusal says what happened (the
 * inspectors' note) and carries no image (schemas/sync.py _company_sign). */
function companySignProblems(op) {
  const refused = op.refused === true;
  const given = (name) => typeof op[name] === "string" && op[name].replace(STRIP, "") !== "";
  const problems = {};
  for (const name of refused ? ["reason"] : ["representative", "sha256"]) {
    if (!given(name)) problems[name] = [refused ? "required for a refusal" : "required for company_sign"];
  }
  if (refused && op.sha256 !== undefined && op.sha256 !== null) problems.sha256 = ["not with a refusal"];
  return problems;
}
