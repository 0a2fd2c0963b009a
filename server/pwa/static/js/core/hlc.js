// Hybrid logical clocks, as sync/hlc.py: ordering edits from phones whose clocks are wrong.
//
// A timestamp is (wall ms, counter, node), written `<13 digits>-<6 digits>-<node>` so that
// text order is time order. It never goes backwards on a phone and stays ahead of every
// timestamp the phone has seen (docs/sync-protocol.md section 5). `tick` and `receive` are
// pure (the caller passes the time); `HybridClock` holds one and reads an injectable clock.

import { compareCodePoints } from "./canonical.js";

export const HLC_PATTERN = /^[0-9]{13}-[0-9]{6}-[A-Za-z0-9._-]{1,36}$/;

export class HLC {
  constructor(wall, counter, node) {
    this.wall = wall;
    this.counter = counter;
    this.node = node;
    Object.freeze(this);
  }

  /** Sortable text: compares like the (wall, counter, node) tuple. */
  encode() {
    return `${String(this.wall).padStart(13, "0")}-${String(this.counter).padStart(6, "0")}-${this.node}`;
  }

  toString() {
    return this.encode();
  }

  /** The timestamp `text` encodes (split at the first two dashes: a node may hold more). */
  static decode(text) {
    const first = text.indexOf("-");
    const second = first < 0 ? -1 : text.indexOf("-", first + 1);
    if (second < 0) throw new Error(`not an HLC: ${JSON.stringify(text)}`);
    const wall = decimal(text.slice(0, first), text);
    const counter = decimal(text.slice(first + 1, second), text);
    return new HLC(wall, counter, text.slice(second + 1));
  }
}

function decimal(part, text) {
  if (!/^[0-9]+$/.test(part)) throw new Error(`not an HLC: ${JSON.stringify(text)}`);
  return Number(part);
}

/** Whether `text` is an op's `hlc` as the server takes it. */
export function isHlc(text) {
  return typeof text === "string" && HLC_PATTERN.test(text);
}

/** A local event (an edit on the phone) at physical time `nowMs`. */
export function tick(clock, nowMs) {
  if (nowMs > clock.wall) return new HLC(nowMs, 0, clock.node);
  return new HLC(clock.wall, clock.counter + 1, clock.node);
}

/** Merge a timestamp seen from elsewhere (a pulled revision's `hlc`). */
export function receive(clock, remote, nowMs) {
  const wall = Math.max(clock.wall, remote.wall, nowMs);
  let counter;
  if (wall === clock.wall && wall === remote.wall) {
    counter = Math.max(clock.counter, remote.counter) + 1;
  } else if (wall === clock.wall) counter = clock.counter + 1;
  else if (wall === remote.wall) counter = remote.counter + 1;
  else counter = 0;
  return new HLC(wall, counter, clock.node);
}

/** -1, 0 or 1: two encoded HLCs compared as text, which is time order. */
export function compareHlc(a, b) {
  return compareCodePoints(a, b);
}

/** A phone's clock: its last timestamp, moved by its own edits and by what it pulls.
 * `now` is the wall clock in ms (injectable for tests); `node` is a short id of the device
 * (the reference client uses the device id's first 8 characters). */
export class HybridClock {
  constructor(last, { now = () => Date.now() } = {}) {
    this.last = typeof last === "string" ? HLC.decode(last) : last;
    this.now = now;
  }

  static start(node, options) {
    return new HybridClock(new HLC(0, 0, node), options);
  }

  /** The timestamp of a new local edit (encoded). */
  tick() {
    this.last = tick(this.last, this.now());
    return this.last.encode();
  }

  /** Take in a pulled timestamp (encoded); the clock is then ahead of it. */
  receive(remote) {
    this.last = receive(this.last, HLC.decode(remote), this.now());
    return this.last.encode();
  }

  encode() {
    return this.last.encode();
  }
}
