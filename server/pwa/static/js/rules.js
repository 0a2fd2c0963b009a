// The app's door to the sync rules (core/: the JavaScript port of sync/, held to the
// Python by the conformance vectors). The app asks here, in the words it uses; the rules
// themselves are written once, in core/.
import { HLC, tick, receive } from "./core/hlc.js";
import { newUuid7 } from "./core/ids.js";
import { stateOf } from "./core/merge.js";
import { RegisterKey } from "./core/registerKey.js";
import { register, makeOp, opProblems, deviceTime, valueProblem } from "./core/ops.js";
import * as fieldTypes from "./core/fieldTypes.js";

export const newOpId = (nowMs) => newUuid7(nowMs);

/** The phone's clock after a local edit at ``nowMs`` (text in, text out). */
export function tickClock(last, nowMs, node) {
  return tick(last ? HLC.decode(last) : new HLC(0, 0, node), nowMs).encode();
}

/** The phone's clock after seeing a pulled revision's ``remote`` timestamp. */
export function receiveClock(last, remote, nowMs, node) {
  return receive(last ? HLC.decode(last) : new HLC(0, 0, node), HLC.decode(remote), nowMs).encode();
}

/** When an edit was made (ms), from its HLC: what "于 10:42 填写" shows. */
export function hlcTime(text) {
  return HLC.decode(text).wall;
}

export const answerKey = (itemVersionId, field) => RegisterKey.answer(itemVersionId, field).format();
export const resultKey = (itemVersionId) => RegisterKey.result(itemVersionId ?? null).format();

/** The register an op writes and the value it writes there, [key, value]; null for
 *  events (entry scans, submission). */
export const writeOf = (op, inspectorId) => register(op, inspectorId);

export { makeOp, opProblems, deviceTime, valueProblem };

/**
 * One register's merged state over stored revisions (which carry more than the rule
 * needs: who wrote them, whether they wait to sync). ``winner``, ``siblings`` and
 * ``heads`` are those stored revisions.
 */
export function mergeRevisions(stored) {
  const byId = new Map(stored.map((r) => [r.op_id, r]));
  const state = stateOf(stored);
  const mine = (r) => byId.get(r.op_id);
  return {
    value: state.value,
    conflicted: state.conflicted,
    winner: state.winner ? mine(state.winner) : null,
    siblings: state.siblings.map(mine),
    heads: state.heads.map(mine),
  };
}

export const { describe, accepts, canonical, words } = fieldTypes;

/** The photo a register links, {item_version_id, sha256}, or null for another register. */
export function photoLink(registerKey) {
  const key = RegisterKey.parse(registerKey);
  return key.kind === "p" ? { item_version_id: key.item_version_id, sha256: key.sha256 } : null;
}
