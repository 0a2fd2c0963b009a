// When a visit can be submitted (提交条件), as sync/submission.py: the problems the server
// would answer a `submit` op with (`not_ready`, docs/sync-protocol.md section 9), in the
// same order, from what the phone holds: the pack's items and team, every register's
// merged value and conflicted flag, and whether an entry is known; on site, the company's
// signature (当事人签字) or its recorded refusal. Held to the Python by
// the conformance vectors. Async: the checklist hash is (crypto.subtle).

import { compareCodePoints } from "./canonical.js";
import { checklistHash } from "./checklist.js";
import { RegisterKey, signedKey } from "./registerKey.js";

export const SIGNATURES_NEEDED = 2; // two inspectors at least, one of each department

/** Python's truth of a JSON value: null, false, 0, "", [] and {} are false. */
function truthy(value) {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

/**
 * The problems, [] when the visit can be submitted.
 * `registers`: a Map or object of register key -> {value, conflicted} (extra keys ignored);
 * `items`: [{item_version_id, department_id, method, form: {fields}}] (the pack's);
 * `team`: [{inspector_id, department_id}] (the pack's); `entered`: an entry is known.
 */
export async function submissionProblems({ entered, items, team, registers }) {
  const entries = registers instanceof Map ? [...registers] : Object.entries(registers);
  const byKey = new Map(entries);
  const keys = [...byKey.keys()].sort(compareCodePoints);
  const sortedItems = [...items].sort((a, b) => a.item_version_id - b.item_version_id);
  const problems = [];
  const onSite = sortedItems.some((i) => i.method === "on_site");
  if (!entered && onSite) problems.push({ problem: "not_entered" });
  const answers = new Map(); // "version\u0000field" -> [version, field, value]
  for (const key of keys) {
    const state = byKey.get(key);
    if (state.conflicted) problems.push({ problem: "conflicted", register: key });
    const signed = signedKey(key);
    if (signed !== null) answers.set(`${signed[0]}\u0000${signed[1]}`, [signed[0], signed[1], state.value ?? null]);
  }
  for (const item of sortedItems) {
    for (const field of item.form.fields) {
      const answer = answers.get(`${item.item_version_id}\u0000${field.key}`);
      if ((field.required ?? true) && (answer === undefined || answer[2] === null)) {
        problems.push({ problem: "unanswered", item_version_id: item.item_version_id, field: field.key });
      }
    }
  }
  const companyResult = byKey.get(RegisterKey.result().format());
  if (companyResult === undefined || companyResult.value === null || companyResult.value === undefined) {
    problems.push({ problem: "result_missing" });
  }
  const current = await checklistHash([...answers.values()]);
  const departments = new Map(team.map((m) => [m.inspector_id, m.department_id]));
  const signedBy = new Set();
  for (const key of keys) {
    const state = byKey.get(key);
    const register = RegisterKey.parse(key);
    if (!register.isSignature || !truthy(state.value) || state.conflicted) continue;
    const signer = register.inspector_id;
    if (state.value.state_hash !== current) problems.push({ problem: "signature_stale", inspector_id: signer });
    else if (departments.has(signer)) signedBy.add(signer);
  }
  if (signedBy.size < SIGNATURES_NEEDED) {
    problems.push({ problem: "signatures_missing", signed: signedBy.size, needed: SIGNATURES_NEEDED });
  }
  const itemDepartments = [...new Set(sortedItems.map((i) => i.department_id))].sort((a, b) => a - b);
  for (const department of itemDepartments) {
    if (![...signedBy].some((s) => departments.get(s) === department)) {
      problems.push({ problem: "department_unsigned", department_id: department });
    }
  }
  // on site, the company's signature or its recorded refusal (当事人签字 / 拒绝签字)
  const company = byKey.get(RegisterKey.companySignature().format());
  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (onSite && (company === undefined || !isObject(company.value))) problems.push({ problem: "company_unsigned" });
  return problems;
}
