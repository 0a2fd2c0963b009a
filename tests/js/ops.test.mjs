// Ops against the Python core's vectors: value_problem, the op's shape as the push's schema
// judges it, and recording as the reference client records (same ids, clocks and bases).
import assert from "node:assert/strict";
import { test } from "node:test";
import { replicaChecklistHash } from "../../server/pwa/static/js/core/checklist.js";
import { Replica } from "../../server/pwa/static/js/core/merge.js";
import { KINDS, Recorder, makeOp, opProblems, register, valueProblem } from "../../server/pwa/static/js/core/ops.js";
import { vectors } from "./vectors.mjs";

const hex = (text) => Uint8Array.from(text.match(/../g), (b) => parseInt(b, 16));

test("a value is refused exactly when Python refuses it, with its words", () => {
  for (const v of vectors.value_problem) {
    assert.equal(valueProblem(v.value), v.problem, JSON.stringify(v.value).slice(0, 80));
  }
});

test("an op's shape is refused on the fields the server's schema names", () => {
  for (const v of vectors.op_shapes) {
    const problems = opProblems(v.op);
    assert.deepEqual(problems === null ? null : Object.keys(problems).sort(), v.problems,
      JSON.stringify(v.op));
  }
});

test("ops are recorded as the reference client records them", async () => {
  const { device_id, inspector_id, steps } = vectors.recorded;
  const replica = new Replica();
  let step;
  const recorder = new Recorder({ replica, deviceId: device_id, inspectorId: inspector_id,
    now: () => step.now, random: () => hex(step.random) });
  const kinds = new Set();
  for (step of steps) {
    if (step.pull) {
      replica.add(step.pull.visit_id, step.pull.register, step.pull.revision);
      assert.equal(recorder.observe(step.pull.revision.hlc), step.hlc_after);
      continue;
    }
    if (step.record === "sign") {
      assert.equal(await replicaChecklistHash(replica, 5), step.expected.state_hash);
    }
    const op = recorder.record(step.record, step.fields);
    assert.deepEqual(op, step.expected, step.record);
    kinds.add(op.kind);
  }
  assert.deepEqual([...kinds].sort(), [...KINDS].sort());
  const resolve = steps.find((s) => s.record === "resolve").expected;
  assert.equal(resolve.base.length, 2); // the phone's own answer and the teammate's
});

test("the canonical form holds the kind's fields only, value even when null", () => {
  const common = { op_id: "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b", hlc: "1764900000000-000000-a" };
  assert.deepEqual(makeOp("set_answer", { visit_id: 5, item_version_id: 7, field: "f",
    value: null, note: null }, common),
  { kind: "set_answer", visit_id: 5, item_version_id: 7, field: "f", value: null, ...common,
    base: [] });
  assert.throws(() => makeOp("submit", { visit_id: 5, value: 1 }, common));
  assert.throws(() => makeOp("nothing", { visit_id: 5 }, common));
});

test("a value the server would refuse is never recorded", () => {
  const replica = new Replica();
  const recorder = new Recorder({ replica, deviceId: "0193a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b",
    now: () => 1764900000000 });
  assert.throws(() => recorder.record("set_answer", { visit_id: 5, item_version_id: 7,
    field: "f", value: "\u202e" }));
  assert.throws(() => recorder.record("set_answer", { visit_id: 0, item_version_id: 7,
    field: "f", value: 1 }));
  assert.equal(replica.states(5).size, 0);
  assert.equal(recorder.hlc, "0000000000000-000000-0193a1b2");
});

test("a signature without an inspector writes no register", () => {
  assert.equal(register({ kind: "sign", sha256: "ab".repeat(32), state_hash: "cd".repeat(32) }),
    null);
  assert.deepEqual(register({ kind: "attach_photo", sha256: "ab".repeat(32), item_version_id: 0 }),
    [`p:-:${"ab".repeat(32)}`, true]);
});
