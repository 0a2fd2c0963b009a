// Submission (提交条件) against the Python core's vectors: the same problems, in the same
// order, for visits in every state of readiness.
import assert from "node:assert/strict";
import { test } from "node:test";
import { submissionProblems } from "../../server/pwa/static/js/core/submission.js";
import { vectors } from "./vectors.mjs";

test("every visit meets the problems Python finds, in Python's order", async () => {
  assert.ok(vectors.submission.length >= 50);
  for (const v of vectors.submission) {
    const got = await submissionProblems(v);
    assert.deepEqual(got, v.expected, v.name);
  }
});

test("registers given as a Map are judged as an object", async () => {
  for (const v of vectors.submission.slice(0, 16)) {
    const registers = new Map(Object.entries(v.registers));
    assert.deepEqual(await submissionProblems({ ...v, registers }), v.expected, v.name);
  }
});
