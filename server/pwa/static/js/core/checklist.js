// What a signature signs (签字确认), as sync.ops.checklist_hash: the SHA-256 (lower-case
// hex) of the UTF-8 text json.dumps(rows, ensure_ascii=False, sort_keys=True,
// separators=(",", ":")), rows the sorted [item_version_id, field, value] of every answer
// and result whose value is not null (the company's result as [0, "@result", code]).
// docs/sync-protocol.md section 9 has a test vector. Async: crypto.subtle digests are.

import { canonicalJson, compareCodePoints, utf8 } from "./canonical.js";
import { signedKey } from "./registerKey.js";

/** The rows hashed, in order, from `answers`: [item version, field, value] triples. */
export function checklistRows(answers) {
  return answers.filter(([, , value]) => value !== null && value !== undefined)
    .map(([version, field, value]) => [version, field, value])
    .sort((a, b) => a[0] - b[0] || compareCodePoints(a[1], b[1]));
}

/** The canonical text of the rows (whole numbers as integers, also inside lists). */
export function checklistText(answers) {
  return canonicalJson(checklistRows(answers));
}

export async function sha256Hex(bytes) {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** checklist_hash over [item version, field, value] triples. */
export async function checklistHash(answers) {
  return sha256Hex(utf8(checklistText(answers)));
}

/** The signed answers of a visit's registers (a Map or object of key -> FieldState):
 * the values the phone shows now, as the reference client's checklist_hash takes them. */
export function signedAnswers(states) {
  const entries = states instanceof Map ? [...states] : Object.entries(states);
  const out = [];
  for (const [register, state] of entries) {
    const key = signedKey(register);
    if (key !== null) out.push([key[0], key[1], state.value]);
  }
  return out;
}

/** What this phone's signature would sign for a visit of `replica` (merge.js Replica). */
export async function replicaChecklistHash(replica, visitId) {
  return checklistHash(signedAnswers(replica.states(visitId)));
}
