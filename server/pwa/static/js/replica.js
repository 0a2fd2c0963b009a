// The phone's replica of a visit: its registers' states, merged from every revision the
// phone knows by the one merge rule (core/merge.js, the port of sync/merge.py).
import { getAll } from "./store.js";
import { mergeRevisions } from "./rules.js";

/** The heads of one register's revisions: what a new edit names as its base. */
export function headsOf(revisions) {
  return mergeRevisions(revisions).heads;
}

/**
 * Every register of the visit: register key → {value, conflicted, winner, siblings,
 * heads, revisions}. ``winner`` and ``siblings`` are the stored revisions (with who
 * wrote them and when).
 */
export async function visitState(visitId) {
  const revisions = await getAll("revisions", "visit", visitId);
  const byRegister = new Map();
  for (const r of revisions) {
    if (!byRegister.has(r.register)) byRegister.set(r.register, []);
    byRegister.get(r.register).push(r);
  }
  const states = new Map();
  for (const [register, list] of byRegister) {
    states.set(register, { ...mergeRevisions(list), revisions: list });
  }
  return states;
}
