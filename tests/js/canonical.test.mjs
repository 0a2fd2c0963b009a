// Canonical JSON and the checklist hash against the Python core's vectors.
import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson, compareCodePoints, pythonFloatRepr } from "../../server/pwa/static/js/core/canonical.js";
import { checklistHash, checklistText, replicaChecklistHash } from "../../server/pwa/static/js/core/checklist.js";
import { Replica } from "../../server/pwa/static/js/core/merge.js";
import { vectors } from "./vectors.mjs";

test("values are written as Python's json.dumps writes them", () => {
  for (const v of vectors.canonical) {
    assert.equal(canonicalJson(v.value, { ensureAscii: v.ensure_ascii }), v.expected,
      JSON.stringify(v));
  }
});

test("floats are written as Python's repr, exponents included", () => {
  const cases = { "1e+16": 1e16, "1e-05": 0.00001, "0.0001": 0.0001, "100.0": 100,
    "1.5e-07": 1.5e-7, "-0.0": -0, "1.7976931348623157e+308": Number.MAX_VALUE,
    "5e-324": Number.MIN_VALUE, "123456789012345.6": 123456789012345.6 };
  for (const [text, x] of Object.entries(cases)) assert.equal(pythonFloatRepr(x), text);
});

test("text compares by code point, as Python's str", () => {
  assert.equal(compareCodePoints("\uff01", "\u{1F600}"), -1);
  assert.equal(compareCodePoints("a", "ab"), -1);
  assert.equal(compareCodePoints("b", "b"), 0);
});

test("the checklist hash is Python's, the protocol's test vector included", async () => {
  for (const v of vectors.checklist) {
    assert.equal(checklistText(v.answers), v.text, v.name);
    assert.equal(await checklistHash(v.answers), v.hash, v.name);
  }
  const doc = vectors.checklist.find((v) => v.name === "the protocol's test vector");
  assert.equal(doc.hash, "83a07b29fe39e6d30f923989775f969cc89a16e1395a3d66a2efd2fc3d9a765a");
});

test("a replica's checklist hash takes answers and results, not notes or photos", async () => {
  const replica = new Replica();
  const rev = (op_id, value) => ({ op_id, value, hlc: `176490000000${op_id.at(-1)}-000000-a`,
    device_id: "a", base: [] });
  replica.add(5, "a:7:area_m2", rev("o1", 813));
  replica.add(5, "r:-", rev("o2", "no_problem"));
  replica.add(5, "n:x", rev("o3", "a note"));
  replica.add(5, `p:-:${"ab".repeat(32)}`, rev("o4", true));
  assert.equal(await replicaChecklistHash(replica, 5),
    await checklistHash([[0, "@result", "no_problem"], [7, "area_m2", 813]]));
});
