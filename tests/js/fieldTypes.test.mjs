// The field types against the Python core's vectors: what each accepts (else bad_value),
// the canonical form, the words, and what a client is told to render a field.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NAMES, accepts, answerProblem, canonical, describe, words } from "../../server/pwa/static/js/core/fieldTypes.js";
import { vectors } from "./vectors.mjs";

const { fields, cases } = vectors.field_types;
const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));

test("every type accepts what Python's accepts, and refuses the rest with bad_value", () => {
  for (const v of cases) {
    const label = `${v.field} ${JSON.stringify(v.value).slice(0, 60)}`;
    assert.equal(accepts(byKey[v.field], v.value), v.accepts, label);
    assert.equal(answerProblem(byKey[v.field], v.value), v.problem, label);
  }
});

test("the canonical form and the words are Python's", () => {
  for (const v of cases) {
    const label = `${v.field} ${JSON.stringify(v.value).slice(0, 60)}`;
    const field = byKey[v.field];
    if (v.words_and_canonical_are_the_value) {
      assert.equal(words(field, v.value), v.value, label);
      assert.equal(canonical(field, v.value), v.value, label);
      continue;
    }
    assert.deepEqual(canonical(field, v.value), v.canonical, label);
    if ("words" in v) assert.equal(words(field, v.value), v.words, label);
  }
});

test("a field is described to the client as Python describes it", () => {
  const known = fields.filter((f) => NAMES.includes(f.type));
  assert.deepEqual(known.map(describe), vectors.field_types.describe);
  assert.deepEqual(NAMES, ["yes_no_na", "single_choice", "multiple_choice", "number", "text",
    "date", "photo"]);
});
