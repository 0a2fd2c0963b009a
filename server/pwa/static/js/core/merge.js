// The merge rule of one register, as sync/merge.py (多端协同), and the phone's replica of
// the registers, as sync/replica.py (in memory: the app keeps the revisions in IndexedDB
// and hands them here).
//
// A revision is `{op_id, value, hlc, device_id, base}` (the wire's names; `base` the op ids
// it was based on). The state of a register is a pure function of the *set* of its
// revisions:
// - heads: the revisions no other known revision was based on;
// - one head, or several with equal values (canonical JSON): that value, not conflicted;
// - several heads with different values: `conflicted`; all kept as siblings, and the
//   provisional winner is the head with the greatest (hlc, device_id) as text;
// - a revision based on the siblings resolves them: it becomes the only head.
// So any arrival order, and any revision applied twice, gives the same state.
//
// One difference JavaScript cannot avoid: it has no integral floats, so `5.0` and `5`
// are one value here, while Python's canonical JSON tells them apart.

import { canonicalJson, compareCodePoints } from "./canonical.js";

export function revision({ op_id, value = null, hlc, device_id, base = [] }) {
  return Object.freeze({ op_id, value, hlc, device_id, base: Object.freeze([...base]) });
}

/** (hlc, device_id) compared as text: the order of the provisional winner. */
export function compareOrder(a, b) {
  return compareCodePoints(a.hlc, b.hlc) || compareCodePoints(a.device_id, b.device_id);
}

const valueKeys = new WeakMap();

/** The value in canonical JSON: equal values have equal keys, whatever their dicts' order. */
export function valueKey(rev) {
  let key = valueKeys.get(rev);
  if (key === undefined) {
    key = canonicalJson(rev.value);
    valueKeys.set(rev, key);
  }
  return key;
}

export class FieldState {
  /** `revisions`: a Map of op id to revision; `superseded`: held revisions known to be
   * superseded by a revision the state does not hold (the server's partial view). */
  constructor(revisions = new Map(), superseded = new Set()) {
    this.revisions = revisions;
    this.superseded = superseded;
    Object.freeze(this);
  }

  get heads() {
    if (!cache.has(this)) {
      const gone = new Set(this.superseded);
      for (const r of this.revisions.values()) for (const b of r.base) gone.add(b);
      const heads = [...this.revisions.values()].filter((r) => !gone.has(r.op_id));
      heads.sort(compareOrder);
      const conflicted = heads.length > 1 && new Set(heads.map(valueKey)).size > 1;
      cache.set(this, { heads, conflicted });
    }
    return cache.get(this).heads;
  }

  /** The provisional winner: greatest (hlc, device id) among the heads; null when empty. */
  get winner() {
    const heads = this.heads;
    return heads.length ? heads[heads.length - 1] : null;
  }

  get value() {
    const winner = this.winner;
    return winner === null ? null : winner.value;
  }

  get conflicted() {
    this.heads; // eslint-disable-line no-unused-expressions
    return cache.get(this).conflicted;
  }

  /** The concurrent values kept while conflicted (empty when not). */
  get siblings() {
    return this.conflicted ? this.heads : [];
  }

  /** The op ids of the heads, sorted: the `base` of a new edit on this register. */
  headIds() {
    return this.heads.map((r) => r.op_id).sort(compareCodePoints);
  }
}

const cache = new WeakMap(); // states are immutable: heads computed once per state

/** The state after `rev`; the same state if it was seen already. With `superseded`, the
 * revision is known to be superseded by one the state does not hold. */
export function apply(state, rev, { superseded = false } = {}) {
  if (state.revisions.has(rev.op_id)) return state;
  const revisions = new Map(state.revisions);
  revisions.set(rev.op_id, revision(rev));
  const gone = superseded ? new Set([...state.superseded, rev.op_id]) : state.superseded;
  return new FieldState(revisions, gone);
}

/** The state of a set of revisions (any order, duplicates ignored). */
export function stateOf(revisions) {
  return revisions.reduce((state, rev) => apply(state, rev), new FieldState());
}

/** Whether the edit was made without seeing every current head (another device wrote the
 * register meanwhile): the server answers such an op `conflict` when values then differ. */
export function isConcurrent(state, rev) {
  const base = new Set(rev.base);
  return state.heads.some((r) => !base.has(r.op_id));
}

/** A register's state as the API shows it (schemas/sync.py FieldStateSchema). */
export function describeState(state) {
  const winner = state.winner;
  return {
    value: state.value,
    conflicted: state.conflicted,
    winner_op_id: winner ? winner.op_id : null,
    siblings: state.siblings.map(({ op_id, value, hlc, device_id }) => (
      { op_id, value, hlc, device_id })),
  };
}

/** The phone's registers, as sync/replica.py keeps them: every revision it knows (its own
 * and its teammates'), per visit and register key; applying one twice changes nothing. */
export class Replica {
  constructor() {
    this.visits = new Map(); // visit id -> Map(register -> FieldState)
    this.where = new Map(); // op id -> [visit id, register]
  }

  /** Add a revision (recorded here or pulled); false when it was known already. */
  add(visitId, register, rev) {
    if (this.where.has(rev.op_id)) return false;
    if (!this.visits.has(visitId)) this.visits.set(visitId, new Map());
    const registers = this.visits.get(visitId);
    registers.set(register, apply(registers.get(register) ?? new FieldState(), rev));
    this.where.set(rev.op_id, [visitId, register]);
    return true;
  }

  /** Drop a revision the server refused (it never took effect). */
  remove(opId) {
    const place = this.where.get(opId);
    if (!place) return false;
    const [visitId, register] = place;
    const registers = this.visits.get(visitId);
    const left = [...registers.get(register).revisions.values()].filter((r) => r.op_id !== opId);
    if (left.length) registers.set(register, stateOf(left));
    else registers.delete(register);
    this.where.delete(opId);
    return true;
  }

  state(visitId, register) {
    return this.visits.get(visitId)?.get(register) ?? new FieldState();
  }

  /** Every register of a visit with its state. */
  states(visitId) {
    return new Map(this.visits.get(visitId) ?? []);
  }

  /** The `base` of a new edit: the register's heads as the phone shows them now. */
  baseFor(visitId, register) {
    return this.state(visitId, register).headIds();
  }

  /** The registers of a visit the phone shows as conflicted, by key. */
  conflicts(visitId) {
    return new Map([...this.states(visitId)].filter(([, s]) => s.conflicted)
      .sort(([a], [b]) => compareCodePoints(a, b)));
  }
}
