// Register keys, as RegisterKey in sync/ops.py: the name of one register, e.g. `a:12:temp`.
// Written by `format`, read back by `parse`, so no caller splits the string; a key whose
// parts are not those of its kind is refused (an Error) with the same rules as Python.
//
//   a:<item version>:<field>   a checklist answer        n:<note id>      a note
//   p:<item version|->:<sha256> a photo link             s:<inspector id> a signature
//   r:<item version|->         an item's result, or (-) the company's
//   cs:-                       the company's signature of the visit's record (or refusal)
//
// Ids are decimal integers >= 1; JavaScript holds them exactly up to 2^53 - 1 (database ids
// are 32-bit), and refuses larger ones.

const KINDS = { a: "answer", n: "note", p: "photo", s: "signature", r: "result",
  cs: "company_signature" };
const PARTS = {
  a: ["item_version_id", "field"],
  n: ["note_id"],
  p: ["item_version_id", "sha256"],
  s: ["inspector_id"],
  r: ["item_version_id"],
  cs: [],
};
const ID = /^[1-9][0-9]*$/; // a database id, written one way only
const SHA256 = /^[0-9a-f]{64}$/;
const WHOLE = "-"; // the visit (a photo) or the company (a result) rather than one item

function isId(value) {
  return Number.isSafeInteger(value) && value >= 1;
}

export class RegisterKey {
  /** Use the constructor of a kind (`RegisterKey.answer(...)` ...) or `parse`. */
  constructor(kind, { item_version_id = null, field = null, sha256 = null, note_id = null,
    inspector_id = null } = {}) {
    Object.assign(this, { kind, item_version_id, field, sha256, note_id, inspector_id });
    Object.freeze(this);
  }

  static answer(itemVersionId, field) {
    return new RegisterKey("a", { item_version_id: itemVersionId, field })._checked();
  }

  static note(noteId) {
    return new RegisterKey("n", { note_id: noteId })._checked();
  }

  static photo(itemVersionId, sha256) {
    return new RegisterKey("p", { item_version_id: itemVersionId ?? null, sha256 })._checked();
  }

  static signature(inspectorId) {
    return new RegisterKey("s", { inspector_id: inspectorId })._checked();
  }

  /** An item's result, or (no item) the company's as a whole. */
  static result(itemVersionId = null) {
    return new RegisterKey("r", { item_version_id: itemVersionId ?? null })._checked();
  }

  /** The company's signature (or refusal) of the visit's record: one per visit. */
  static companySignature() {
    return new RegisterKey("cs")._checked();
  }

  /** The key `text` names; an Error when it names none. */
  static parse(text) {
    const refuse = () => new Error(`not a register key: ${JSON.stringify(text)}`);
    if (typeof text !== "string") throw refuse();
    const colon = text.indexOf(":");
    const prefix = colon < 0 ? text : text.slice(0, colon);
    if (colon < 0 || !Object.hasOwn(KINDS, prefix)) throw refuse();
    const rest = text.slice(colon + 1);
    const id = (part) => {
      if (!ID.test(part) || !Number.isSafeInteger(Number(part))) throw refuse();
      return Number(part);
    };
    if (prefix === "a" || prefix === "p") {
      const sep = rest.indexOf(":");
      if (sep < 0) throw refuse();
      const version = rest.slice(0, sep);
      const name = rest.slice(sep + 1);
      if (prefix === "a") return RegisterKey.answer(id(version), name);
      return RegisterKey.photo(version === WHOLE ? null : id(version), name);
    }
    if (prefix === "n") return RegisterKey.note(rest);
    if (prefix === "s") return RegisterKey.signature(id(rest));
    if (prefix === "cs") {
      if (rest !== WHOLE) throw refuse();
      return RegisterKey.companySignature();
    }
    return RegisterKey.result(rest === WHOLE ? null : id(rest));
  }

  format() {
    const version = this.item_version_id === null ? WHOLE : String(this.item_version_id);
    const parts = {
      a: [version, this.field],
      n: [this.note_id],
      p: [version, this.sha256],
      s: [String(this.inspector_id)],
      r: [version],
      cs: [WHOLE],
    }[this.kind];
    return [this.kind, ...parts].join(":");
  }

  toString() {
    return this.format();
  }

  /** answer, note, photo, signature or result: what a client is told (`type`). */
  get type() {
    return KINDS[this.kind];
  }

  get isAnswer() { return this.kind === "a"; }
  get isNote() { return this.kind === "n"; }
  get isPhoto() { return this.kind === "p"; }
  get isSignature() { return this.kind === "s"; }
  get isResult() { return this.kind === "r"; }
  get isCompanySignature() { return this.kind === "cs"; }

  /** The key's parts, named, as pull and history answers give them next to a value. */
  parts() {
    const out = { register: this.format(), type: this.type };
    for (const name of PARTS[this.kind]) out[name] = this[name];
    return out;
  }

  equals(other) {
    return other instanceof RegisterKey && other.format() === this.format();
  }

  _checked() {
    const { kind, item_version_id: version } = this;
    const problems = [
      version !== null && !isId(version),
      kind === "a" && (version === null || typeof this.field !== "string" || !this.field),
      kind === "n" && (typeof this.note_id !== "string" || !this.note_id
        || this.note_id.includes(":")),
      kind === "p" && !(typeof this.sha256 === "string" && SHA256.test(this.sha256)),
      kind === "s" && !isId(this.inspector_id),
      kind === "cs" && version !== null,
    ];
    if (problems.some(Boolean)) {
      throw new Error(`not a ${KINDS[kind]} register: ${JSON.stringify(this)}`);
    }
    return this;
  }
}

export const RESULT_FIELD = "@result"; // not a form field key (those are [a-z0-9_]): no clash

/** [item version, field] of an answer register; null for the other kinds. */
export function answerKey(registerKey) {
  const key = RegisterKey.parse(registerKey);
  return key.isAnswer ? [key.item_version_id, key.field] : null;
}

/** Where a register's value sits in what a signature signs: answers, and results (the
 * company's as item 0, field "@result"); null for notes, photos and signatures (the
 * inspectors' and the company's). */
export function signedKey(registerKey) {
  const key = RegisterKey.parse(registerKey);
  if (key.isAnswer) return [key.item_version_id, key.field];
  if (key.isResult) return [key.item_version_id ?? 0, RESULT_FIELD];
  return null;
}
