// The merge rule and the replica against the Python core's vectors, and the seeded random
// op sequences: the same state and checklist hash as Python's, in any arrival order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FieldState, Replica, apply, describeState, isConcurrent, stateOf as merged }
  from "../../server/pwa/static/js/core/merge.js";
import { replay, stateOf } from "./replay.mjs";
import { vectors } from "./vectors.mjs";

test("every revision set merges to Python's state, in every arrival order", () => {
  for (const v of vectors.merge) {
    const gone = new Set(v.superseded ?? []);
    for (const order of v.orders) {
      let state = new FieldState();
      for (const i of order) {
        const rev = v.revisions[i];
        state = apply(state, rev, { superseded: gone.has(rev.op_id) });
      }
      assert.deepEqual(stateOf(state), v.expected, `${v.name} ${order}`);
    }
  }
});

test("an edit is concurrent when it did not see every head, as Python judges", () => {
  for (const v of vectors.merge) {
    const before = merged(v.revisions.slice(0, -1));
    assert.equal(isConcurrent(before, v.revisions.at(-1)), v.last_is_concurrent, v.name);
  }
});

test("a conflicted state shows the siblings and the provisional winner", () => {
  const v = vectors.merge.find((m) => m.expected.conflicted);
  const shown = describeState(merged(v.revisions));
  assert.equal(shown.conflicted, true);
  assert.equal(shown.winner_op_id, v.expected.winner_op_id);
  assert.deepEqual(shown.siblings.map((s) => s.op_id), v.expected.siblings);
  assert.deepEqual(Object.keys(shown.siblings[0]).sort(), ["device_id", "hlc", "op_id", "value"]);
});

test("the replica applies a revision once, drops a refused one, and bases edits on heads", () => {
  const replica = new Replica();
  const a = { op_id: "r1", value: "yes", hlc: "1764900000001-000000-a", device_id: "a", base: [] };
  const b = { op_id: "r2", value: "no", hlc: "1764900000002-000000-b", device_id: "b", base: [] };
  assert.equal(replica.add(5, "a:7:f", a), true);
  assert.equal(replica.add(5, "a:7:f", a), false);
  replica.add(5, "a:7:f", b);
  assert.deepEqual(replica.baseFor(5, "a:7:f"), ["r1", "r2"]);
  assert.deepEqual([...replica.conflicts(5).keys()], ["a:7:f"]);
  assert.equal(replica.remove("r2"), true);
  assert.equal(replica.state(5, "a:7:f").value, "yes");
  assert.equal(replica.conflicts(5).size, 0);
  assert.deepEqual(replica.baseFor(6, "a:7:f"), []);
});

test("random op sequences from several phones give Python's state and checklist hash", async () => {
  for (const v of vectors.sequences) {
    assert.deepEqual(await replay(v.deliveries), v.expected, `seed ${v.seed}`);
    const reversed = [...v.deliveries].reverse();
    assert.deepEqual(await replay(reversed), v.expected, `seed ${v.seed}, reversed`);
  }
});
