// Signed codes against the Python core's vectors: genuine ones give Python's payload, the
// others the same refusal (invalid_code, unknown_key, wrong_kind, code_expired).
import assert from "node:assert/strict";
import { test } from "node:test";
import { CodeError, b64decode, canonicalPayload, keyId, tokenFromScan, verifyCode }
  from "../../server/pwa/static/js/core/codes.js";
import { vectors } from "./vectors.mjs";

const { public_keys: keys, cases, scans } = vectors.codes;
const DOC_CODE = "eyJjIjoxMjAzLCJrIjoiNTY0NzVhYTc1NDYzNDc0YyIsIm4iOjIsInQiOiJwIn0."
  + "W2Xy8EfxYQKZYs-7U9rJAQi3_JaOzB39gNvw8L_yF1e1Bh_5dyhfuM_ITG6BVIXzWK1tWFZ2qvA0CElrs1KqDQ";

test("every code is judged as Python judges it", async () => {
  for (const v of cases) {
    const label = `${v.token.slice(0, 40)}… ${v.kind} ${v.today}`;
    const verdict = verifyCode(v.token, keys, { kind: v.kind, today: v.today });
    if (v.error) {
      await assert.rejects(verdict, (e) => e instanceof CodeError && e.code === v.error, label);
    } else assert.deepEqual(await verdict, v.payload, label);
  }
});

test("the protocol's test vector: key id, payload and code", async () => {
  assert.equal(cases[0].token, DOC_CODE);
  const [kid, key] = Object.entries(keys)[0];
  assert.equal(await keyId(b64decode(key)), kid);
  assert.equal(kid, "56475aa75463474c");
  assert.equal(canonicalPayload({ t: "p", n: 2, k: kid, c: 1203 }), DOC_CODE.split(".")[0]);
});

test("a fallback verifier is used when given, and a throwing one refuses the code", async () => {
  const calls = [];
  const payload = await verifyCode(DOC_CODE, keys, { verifySignature: (...args) => {
    calls.push(args);
    return true;
  } });
  assert.equal(payload.c, 1203);
  assert.equal(calls[0][0].length, 32);
  await assert.rejects(verifyCode(DOC_CODE, keys, { verifySignature: () => {
    throw new Error("no Ed25519");
  } }), (e) => e.code === "invalid_code");
});

test("the token is taken out of a scanned text as Python takes it (URL or bare)", () => {
  for (const v of scans) assert.equal(tokenFromScan(v.text), v.token, JSON.stringify(v.text));
  assert.equal(tokenFromScan(null), null);
});
