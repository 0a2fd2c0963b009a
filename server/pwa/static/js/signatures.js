// Who has signed what, read from the phone's replica: each team member's signature
// (s:<inspector>) against the checklist as it stands now, and the company's (cs:-).
// What counts is decided by the server at submission (core/submission.js says the same);
// this says it in words, member by member.
import { checklistHash, signedAnswers } from "./core/checklist.js";
import { RegisterKey } from "./core/registerKey.js";

/** The checklist hash of what the phone shows now: what a signature made now signs. */
export function currentHash(states) {
  return checklistHash(signedAnswers(states));
}

/**
 * Each team member's signature: {inspector_id, name, department, department_id, state,
 * sha256}, state "current" (over the checklist as it is), "stale" (over an older one),
 * "conflicted" or "missing".
 */
export function signatureStates(team, states, current) {
  return team.map((m) => {
    const st = states.get(RegisterKey.signature(m.inspector_id).format());
    const value = st && st.value;
    let state = "missing";
    if (st && st.conflicted) state = "conflicted";
    else if (value && value.state_hash) state = value.state_hash === current ? "current" : "stale";
    return { inspector_id: m.inspector_id, name: m.name, department: m.department,
      department_id: m.department_id, state, sha256: value ? value.sha256 : null };
  });
}

/** The company's signature register (当事人签字 or its refusal), or null when none. */
export function companySignature(states) {
  const st = states.get(RegisterKey.companySignature().format());
  return st && st.value ? st : null;
}

/** The hashes of every image the visit's registers name: photos, answers of photo fields,
 *  signatures (the team's and the company's). What the server must hold before 完成. */
export function namedImages(states, photoFields) {
  const out = new Set();
  for (const [register, st] of states) {
    const key = RegisterKey.parse(register);
    if (key.isPhoto && st.value === true) out.add(key.sha256);
    else if ((key.isSignature || key.isCompanySignature) && st.value && st.value.sha256) out.add(st.value.sha256);
    else if (key.isAnswer && photoFields.has(`${key.item_version_id}:${key.field}`)
      && typeof st.value === "string" && /^[0-9a-f]{64}$/.test(st.value)) out.add(st.value);
  }
  return [...out].sort();
}
