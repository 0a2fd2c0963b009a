// Register keys against the Python core's vectors: format, parse, parts, refusals.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RegisterKey, answerKey, signedKey } from "../../server/pwa/static/js/core/registerKey.js";
import { vectors } from "./vectors.mjs";

const { valid, invalid, built } = vectors.register_keys;

test("a valid key parses to the parts Python names and formats back", () => {
  for (const v of valid) {
    const key = RegisterKey.parse(v.text);
    assert.deepEqual(key.parts(), v.parts, v.text);
    assert.equal(key.format(), v.text);
    assert.equal(String(key), v.text);
    assert.deepEqual(answerKey(v.text), v.answer_key, v.text);
    assert.deepEqual(signedKey(v.text), v.signed_key, v.text);
  }
});

test("a malformed key is refused as Python refuses it", () => {
  for (const text of invalid) assert.throws(() => RegisterKey.parse(text), Error, text);
  for (const text of [null, 5, undefined]) assert.throws(() => RegisterKey.parse(text));
});

test("the constructors refuse parts of the wrong shape as Python's do", () => {
  for (const v of built) {
    const name = v.kind.replace(/_(.)/g, (_, c) => c.toUpperCase()); // company_signature
    const make = () => RegisterKey[name](...v.args).format();
    if (v.expected === null) assert.throws(make, Error, JSON.stringify(v));
    else assert.equal(make(), v.expected);
  }
});

test("exactly one kind names each key", () => {
  for (const v of valid) {
    const key = RegisterKey.parse(v.text);
    const kinds = [key.isAnswer, key.isNote, key.isPhoto, key.isSignature, key.isResult,
      key.isCompanySignature];
    assert.equal(kinds.filter(Boolean).length, 1);
    assert.ok(key.equals(RegisterKey.parse(v.text)));
  }
});
