// Ops arriving at one replica, merged by the phone app's core (as sync.conformance.replay
// in Python): every register's state and the checklist hash.
//
// Run as a script it answers one JSON line on stdout for each JSON line on stdin, so the
// property tests in tests/sync/test_conformance.py keep one node process for all their
// examples: a list of deliveries `{op, device_id, inspector_id}` is answered with `replay`;
// `{"answers": [[field, value], ...]}` with what the field types make of each answer;
// `{"values": [...]}` with each op value's problem; `{"recorded": {device_id, inspector_id,
// steps}}` (as sync.conformance.recorded_ops makes them) with what `record` gives.
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { compareCodePoints } from "../../server/pwa/static/js/core/canonical.js";
import { checklistHash, signedAnswers } from "../../server/pwa/static/js/core/checklist.js";
import { accepts, words } from "../../server/pwa/static/js/core/fieldTypes.js";
import { FieldState, Replica, apply, describeState } from "../../server/pwa/static/js/core/merge.js";
import { Recorder, register, valueProblem } from "../../server/pwa/static/js/core/ops.js";

/** A register's state as sync.conformance.state_of writes it: what the API shows, with
 * the heads and siblings by op id. */
export function stateOf(state) {
  const { value, conflicted, winner_op_id: winner } = describeState(state);
  const ids = (revisions) => revisions.map((r) => r.op_id);
  return { value, conflicted, winner_op_id: winner, heads: ids(state.heads),
    siblings: ids(state.siblings), head_ids: state.headIds() };
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

const bytes = (hex) => Uint8Array.from(hex.match(/../g), (b) => parseInt(b, 16));

/** Each step of a recording replayed by the JavaScript recorder: the op it records, or
 * (a pulled revision) the clock after it. */
export function record({ device_id, inspector_id, steps }) {
  const replica = new Replica();
  let step;
  const recorder = new Recorder({ replica, deviceId: device_id, inspectorId: inspector_id,
    now: () => step.now, random: () => bytes(step.random) });
  const out = [];
  for (step of steps) {
    if (step.pull) {
      replica.add(step.pull.visit_id, step.pull.register, step.pull.revision);
      out.push(recorder.observe(step.pull.revision.hlc));
    } else out.push(recorder.record(step.record, step.fields));
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const input = JSON.parse(line);
    let answer;
    if (Array.isArray(input)) answer = await replay(input);
    else if (input.values) answer = input.values.map(valueProblem);
    else if (input.recorded) answer = record(input.recorded);
    else {
      answer = input.answers.map(([field, value]) => (
        { accepts: accepts(field, value), words: words(field, value) }));
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
}
