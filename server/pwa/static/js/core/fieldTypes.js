// The checklist's field types (检查表单字段类型), as sync/field_types.py: which answers
// each accepts (the server refuses the others with `bad_value`), the canonical form of an
// answer, the words the printed record shows, and what a client needs to render a field
// (`describe`). So the app judges an answer exactly as the server will.

import { pythonNumber, utf8 } from "./canonical.js";
import { MAX_TEXT_VALUE, textLength } from "./ops.js";

export const MIN_DATE = [2000, 1, 1];
export const MAX_DATE = [2100, 12, 31];
export const UNANSWERED = "（未填写）";
export const NOTHING_CHOSEN = "（未选择）";
export const BAD_VALUE = "bad_value"; // the push's refusal of an answer its field does not accept
export const YES_NO_NA = [["yes", "是"], ["no", "否"], ["na", "不涉及"]];
const SHA256 = /^[0-9a-f]{64}\n?$/; // Python's re.match with `$` allows a final line break

// --- Python's str() of a JSON value, for the words of an answer no longer in the form ----
function pyRepr(value) {
  if (typeof value !== "string") return pyStr(value);
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of value) {
    const c = ch.codePointAt(0);
    if (ch === "\\" || ch === quote) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || (c >= 0x7f && c <= 0xa0)) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + quote;
}

export function pyStr(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
}

function pyTruthy(value) {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

// --- what each type accepts -------------------------------------------------------------
const isNumber = (v) => typeof v === "number";
const optionValues = (field) => new Set((field.options || []).map((o) => o.value));
const labels = (field) => new Map((field.options || []).map((o) => [o.value, o.label]));
const oneOf = (value, allowed) => typeof value === "string" && allowed.has(value);

function inRange(field, value) {
  const lo = field.min ?? null;
  const hi = field.max ?? null;
  return isNumber(value) && (lo === null || value >= lo) && (hi === null || value <= hi);
}

function choicesAccepted(field, value) {
  if (!Array.isArray(value)) return false;
  const allowed = optionValues(field);
  return value.every((v) => allowed.has(v)) && new Set(value).size === value.length;
}

const DIGIT = (b) => b >= 0x30 && b <= 0x39;
const daysIn = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();
function fullYear(y, m, d) { // Date.UTC maps years 0-99 to 1900-1999
  const date = new Date(Date.UTC(2000, m - 1, d));
  date.setUTCFullYear(y);
  return date;
}

/** Python 3.11's date.fromisoformat: [year, month, day] or null. It takes YYYY-MM-DD,
 * YYYYMMDD and the ISO week forms (2026-W49, 2026W491, ...), measures the text in UTF-8
 * bytes (7, 8 or 10) and, like CPython, ignores what follows a complete date. */
export function isoDate(text) {
  if (typeof text !== "string" || /[\ud800-\udfff]/u.test(text)) return null;
  const b = utf8(text);
  if (![7, 8, 10].includes(b.length)) return null;
  let p = 0;
  const digits = (n) => {
    let value = 0;
    for (let i = 0; i < n; i++, p++) {
      if (!DIGIT(b[p])) return null;
      value = value * 10 + b[p] - 0x30;
    }
    return value;
  };
  const year = digits(4);
  if (year === null) return null;
  const separator = b[p] === 0x2d;
  if (separator) p++;
  if (b[p] === 0x57) { // W: an ISO week date
    p++;
    const week = digits(2);
    if (week === null) return null;
    let weekday = 1;
    if (p < b.length) {
      if (separator && b[p++] !== 0x2d) return null;
      weekday = digits(1);
      if (weekday === null) return null;
    }
    if (year < 1) return null;
    const jan1 = fullYear(year, 1, 1).getUTCDay(); // 0 Sunday
    const firstWeekday = (jan1 + 6) % 7; // 0 Monday
    const leap = daysIn(year, 2) === 29;
    const weeks = firstWeekday === 3 || (firstWeekday === 2 && leap) ? 53 : 52;
    if (week < 1 || week > weeks || weekday < 1 || weekday > 7) return null;
    const jan4 = fullYear(year, 1, 4);
    const monday = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * 86400000;
    const date = new Date(monday + ((week - 1) * 7 + weekday - 1) * 86400000);
    return [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  }
  const month = digits(2);
  if (month === null) return null;
  if (separator && b[p++] !== 0x2d) return null;
  const day = digits(2);
  if (day === null || year < 1 || month < 1 || month > 12 || day < 1) return null;
  return day <= daysIn(year, month) ? [year, month, day] : null;
}

function compareYmd(a, b) {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function dateAccepted(field, value) {
  const date = isoDate(value);
  return date !== null && compareYmd(MIN_DATE, date) <= 0 && compareYmd(date, MAX_DATE) <= 0;
}

const textAccepted = (field, value) => typeof value === "string"
  && textLength(value) <= MAX_TEXT_VALUE;

function numberWords(field, value) {
  if (!isNumber(value)) return pyStr(value);
  return field.unit ? `${pythonNumber(value)} ${field.unit}` : pythonNumber(value);
}

function choicesWords(field, value) {
  if (!Array.isArray(value)) return pyStr(value);
  const names = labels(field);
  return value.map((v) => (names.has(v) ? names.get(v) : pyStr(v))).join("、") || NOTHING_CHOSEN;
}

const label = (map, value) => (map.has(value) ? map.get(value) : pyStr(value));

function type(name, input, accepts, { words = (f, v) => pyStr(v), options = false,
  ranged = false, fixed = [] } = {}) {
  return Object.freeze({ name, input, accepts, words, options, ranged, fixed });
}

export const TYPES = Object.freeze(Object.fromEntries([
  type("yes_no_na", "single_choice", (f, v) => oneOf(v, new Map(YES_NO_NA)),
    { words: (f, v) => label(new Map(YES_NO_NA), v), fixed: YES_NO_NA }),
  type("single_choice", "single_choice", (f, v) => oneOf(v, optionValues(f)),
    { words: (f, v) => label(labels(f), v), options: true }),
  type("multiple_choice", "multiple_choice", choicesAccepted,
    { words: choicesWords, options: true }),
  type("number", "number", inRange, { words: numberWords, ranged: true }),
  type("text", "text", textAccepted),
  type("date", "date", dateAccepted),
  type("photo", "photo", textAccepted, { words: (f, v) => (
    typeof v === "string" && SHA256.test(v) ? `见照片 ${v.slice(0, 12)}` : pyStr(v)) }),
].map((t) => [t.name, t])));
export const NAMES = Object.keys(TYPES);

function typeOf(field) {
  return Object.hasOwn(TYPES, field.type) ? TYPES[field.type] : null;
}

/** A field is required unless its form says otherwise. */
export function required(field) {
  return Object.hasOwn(field, "required") ? field.required : true;
}

/** Whether `value` answers `field`: nothing is an answer only to an optional field; a type
 * no entry names accepts nothing. */
export function accepts(field, value) {
  if (value === null || value === undefined) return !pyTruthy(required(field));
  const kind = typeOf(field);
  return kind !== null && kind.accepts(field, value);
}

/** `bad_value` when the server would refuse this answer to `field`, else null. */
export function answerProblem(field, value) {
  return accepts(field, value) ? null : BAD_VALUE;
}

/** The one form of an answer. Python turns a whole float into an int; JavaScript's numbers
 * already are one form, so the value is its own canonical form. */
export function canonical(field, value) {
  return value;
}

/** An answer as people read it: 是/否/不涉及, choices by their labels, numbers with their
 * unit; an answer no longer in the form as it was given. */
export function words(field, value) {
  if (value === null || value === undefined) return UNANSWERED;
  const kind = typeOf(field);
  return kind === null ? pyStr(value) : kind.words(field, value);
}

/** What a client needs to render the field. */
export function describe(field) {
  const kind = TYPES[field.type];
  const out = { key: field.key, label: field.label || field.key, type: kind.name,
    input: kind.input, required: required(field), help: field.help ?? null };
  if (kind.fixed.length) out.options = kind.fixed.map(([value, name]) => ({ value, label: name }));
  else if (kind.options) {
    out.options = (field.options || []).map((o) => ({ value: o.value, label: o.label }));
  }
  if (kind.ranged) {
    Object.assign(out, { unit: field.unit ?? null, min: field.min ?? null, max: field.max ?? null });
  }
  return out;
}
