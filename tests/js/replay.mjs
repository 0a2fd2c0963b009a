// Ops arriving at one replica, merged by the phone app's core (as sync.conformance.replay
// in Python): every register's state and the checklist hash.
//
// Run as a script it answers one JSON line on stdout for each JSON line on stdin, so the
// property tests in tests/sync/test_conformance.py keep one node process for all their
// examples: a list of deliveries `{op, device_id, inspector_id}` is answered with `replay`;
// `{"answers": [[field, value], ...]}` with what the field types make of each answer;
// `{"values": [...]}` with each op value's problem.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { compareCodePoints } from "../../server/pwa/static/js/core/canonical.js";
import { checklistHash, signedAnswers } from "../../server/pwa/static/js/core/checklist.js";
import { accepts, words } from "../../server/pwa/static/js/core/fieldTypes.js";
import { FieldState, apply } from "../../server/pwa/static/js/core/merge.js";
import { register, valueProblem } from "../../server/pwa/static/js/core/ops.js";

export function stateOf(state) {
  const winner = state.winner;
  return {
    value: state.value,
    conflicted: state.conflicted,
    winner_op_id: winner ? winner.op_id : null,
    heads: state.heads.map((r) => r.op_id),
    siblings: state.siblings.map((r) => r.op_id),
    head_ids: state.headIds(),
  };
}

export async function replay(deliveries) {
  const states = new Map();
  for (const { op, device_id, inspector_id } of deliveries) {
    const write = register(op, inspector_id ?? null);
    if (write === null) continue;
    const [key, value] = write;
    states.set(key, apply(states.get(key) ?? new FieldState(), {
      op_id: op.op_id, value, hlc: op.hlc, device_id, base: op.base ?? [] }));
  }
  const keys = [...states.keys()].sort(compareCodePoints);
  return {
    registers: Object.fromEntries(keys.map((k) => [k, stateOf(states.get(k))])),
    checklist_hash: await checklistHash(signedAnswers(states)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const input = JSON.parse(line);
    let answer;
    if (Array.isArray(input)) answer = await replay(input);
    else if (input.values) answer = input.values.map(valueProblem);
    else {
      answer = input.answers.map(([field, value]) => (
        { accepts: accepts(field, value), words: words(field, value) }));
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
}
