// Scan to enter (扫码入企) judged on the phone as the server judges an `entry_scan` op, so
// a refusal at the door names the code the server would give and nothing is recorded:
// the codes by sync/tokens.py's rules (core/codes.js), then the server's. Its order (server/services/op_refusals.py, op_events.py `apply_event`,
// visits.py `enter`): the scanner on the team (not_a_team_member), the visit open
// (visit_closed), the pack's visit code genuine and this visit's (invalid_code,
// unknown_key, wrong_kind, wrong_visit_code), the premises code genuine (the same three),
// the visit company's (wrong_premises) and its current version (code_revoked), and the
// scan's time within the window with the grace either side (outside_window).
//
// Pure: the time and the signature check are passed in.

import { CodeError, tokenFromScan, verifyCode } from "./codes.js";

/** The server's default FIELDINSPECT_ENTRY_GRACE_MINUTES; a pack naming its own wins. */
export const ENTRY_GRACE_MINUTES = 120;
/** The visit states an entry is taken in (schemas/states.py VISIT_OPEN). */
export const ENTRY_STATES = ["issued", "entered"];
const CHINA_OFFSET_MS = 8 * 3600 * 1000; // China keeps UTC+8 all year
const DAY_MS = 24 * 3600 * 1000;

/** [opens, closes] in ms: the window's first day 00:00 to the day after its last, 00:00,
 * China time, the grace either side; both ends inclusive, as the server. */
export function entryWindow(windowStart, windowEnd, graceMinutes = ENTRY_GRACE_MINUTES) {
  const midnight = (date) => {
    const [y, m, d] = date.split("-").map(Number);
    return Date.UTC(y, m - 1, d) - CHINA_OFFSET_MS;
  };
  const grace = graceMinutes * 60 * 1000;
  return [midnight(windowStart) - grace, midnight(windowEnd) + DAY_MS + grace];
}

/** The server's default FIELDINSPECT_MANUAL_ENTRY_DAYS: an entry without the code is
 * taken up to this many days after the window (flagged recorded_late). */
export const MANUAL_ENTRY_DAYS = 10;

/**
 * The premises code's payload when the server would take this scan, else a CodeError
 * with the server's code. `scanned` is the text the camera read; `pack` the visit pack;
 * `state` the visit's state as the phone knows it; `at` the scan's time (ms).
 */
export async function judgeEntryScan(scanned, { pack, inspectorId, state = null, at,
  graceMinutes = null, verifySignature } = {}) {
  const options = verifySignature ? { verifySignature } : {};
  await judgeVisit(pack, inspectorId, state, options);
  const payload = await verifyCode(tokenFromScan(scanned), pack.public_keys, { kind: "p", ...options });
  if (payload.c !== pack.company.id) refuse("wrong_premises", "another company's premises code");
  const expected = pack.premises_code ? pack.premises_code.version : null;
  if (expected === null || expected === undefined || payload.n !== expected) {
    refuse("code_revoked", "the premises code has been replaced");
  }
  const [opens, closes] = entryWindow(pack.visit.window_start, pack.visit.window_end,
    graceMinutes ?? pack.entry_grace_minutes ?? ENTRY_GRACE_MINUTES);
  if (at < opens || at > closes) refuse("outside_window", "the visit's window is not open");
  return payload;
}

/** Nothing when the server would take an entry without the code (missing or damaged) at
 * `at`, else a CodeError: as a scan, but for the codes, and up to `manualDays` after the
 * window. The reason and the photo are the form's to require. */
export async function judgeManualEntry({ pack, inspectorId, state = null, at,
  graceMinutes = null, manualDays = null, verifySignature } = {}) {
  await judgeVisit(pack, inspectorId, state, verifySignature ? { verifySignature } : {});
  const [opens, closes] = entryWindow(pack.visit.window_start, pack.visit.window_end,
    graceMinutes ?? pack.entry_grace_minutes ?? ENTRY_GRACE_MINUTES);
  const days = manualDays ?? pack.manual_entry_days ?? MANUAL_ENTRY_DAYS;
  if (at < opens || at > closes + days * DAY_MS) refuse("outside_window", "too late for an entry without the code");
}

function refuse(code, message) {
  throw new CodeError(code, message);
}

/** The checks before the premises code's: the team, the visit's state, the visit code. */
async function judgeVisit(pack, inspectorId, state, options) {
  if (!pack.team.some((m) => m.inspector_id === inspectorId)) {
    refuse("not_a_team_member", "not on the visit's team");
  }
  if (!ENTRY_STATES.includes(state ?? pack.visit.state)) refuse("visit_closed", "the visit is not open");
  if (pack.visit_token) {
    const visit = await verifyCode(pack.visit_token, pack.public_keys, { kind: "v", ...options });
    if (visit.v !== pack.visit.id) refuse("wrong_visit_code", "the visit code is another visit's");
  }
}
