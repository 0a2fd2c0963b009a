// The hybrid logical clock and UUIDv7 op ids against the Python core's vectors.
import assert from "node:assert/strict";
import { test } from "node:test";
import { HLC, HybridClock, compareHlc, isHlc, receive, tick } from "../../server/pwa/static/js/core/hlc.js";
import { isUuid7, newUuid7, uuid7 } from "../../server/pwa/static/js/core/ids.js";
import { vectors } from "./vectors.mjs";

const hex = (text) => Uint8Array.from(text.match(/../g), (b) => parseInt(b, 16));

test("a tick moves the clock as Python's does", () => {
  for (const v of vectors.hlc.tick) {
    assert.equal(tick(HLC.decode(v.clock), v.now).encode(), v.expected, JSON.stringify(v));
  }
});

test("a received timestamp moves the clock as Python's does", () => {
  for (const v of vectors.hlc.receive) {
    const got = receive(HLC.decode(v.clock), HLC.decode(v.remote), v.now).encode();
    assert.equal(got, v.expected, JSON.stringify(v));
  }
});

test("an hlc is valid where the server's schema says so", () => {
  for (const v of vectors.hlc.valid) assert.equal(isHlc(v.text), v.valid, v.text);
});

test("a decoded hlc encodes back, its node keeping its dashes", () => {
  for (const v of vectors.hlc.receive) assert.equal(HLC.decode(v.remote).encode(), v.remote);
  assert.equal(HLC.decode("1764900000000-000001-0193a1b2-c3d4").node, "0193a1b2-c3d4");
  assert.throws(() => HLC.decode("nonsense"));
});

test("a phone's clock never goes backwards and stays ahead of what it pulled", () => {
  let now = 1000;
  const clock = HybridClock.start("05c0ffee", { now: () => now });
  const first = clock.tick();
  now = 500; // the phone's clock jumped back
  const second = clock.tick();
  assert.equal(compareHlc(first, second), -1);
  const pulled = "0000000009000-000004-0193a1b2";
  const third = clock.receive(pulled);
  assert.equal(third, "0000000009000-000005-05c0ffee");
  assert.equal(compareHlc(pulled, clock.tick()), -1);
});

test("uuid7 makes the ids Python makes from the same time and bytes", () => {
  for (const v of vectors.uuid7) {
    assert.equal(uuid7(v.unix_ms, hex(v.random)), v.expected, JSON.stringify(v));
  }
  assert.throws(() => uuid7(1, new Uint8Array(9)));
});

test("a new uuid7 is a valid, time-ordered op id", () => {
  const a = newUuid7(1764900000000);
  const b = newUuid7(1764900000001);
  assert.ok(isUuid7(a) && isUuid7(b));
  assert.ok(a < b);
  assert.notEqual(newUuid7(1764900000000), a);
});
