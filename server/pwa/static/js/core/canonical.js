// Canonical JSON as Python's json.dumps(value, sort_keys=True, separators=(",", ":"),
// ensure_ascii=...) writes it (the checklist hash in sync/ops.py: ensure_ascii=False; the
// signed codes' payloads in sync/tokens.py: ensure_ascii=True). Hashes and signatures are
// over this text, so it must match Python's byte for byte.
//
// Numbers: JavaScript has one number type, so a whole number is written as Python writes
// an int (the checklist writes integral floats as ints: docs/sync-protocol.md section 9),
// and any other as Python writes a float (repr: the shortest text that reads back as the
// same double, with Python's exponent form below 1e-4: `1e-05`, not `0.00001`).
// Object keys sort by code point as Python's do, not by UTF-16 unit as Array.sort does.

/** -1, 0 or 1: `a` against `b` by Unicode code point (Python's str order). */
export function compareCodePoints(a, b) {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i);
    const y = b.codePointAt(j);
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  if (i < a.length) return 1;
  return j < b.length ? -1 : 0;
}

/** A double as Python's repr(float) writes it: `12.5`, `100.0`, `1e-05`, `1e+16`. */
export function pythonFloatRepr(x) {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // toExponential() without digits gives the shortest round-trip digits, as repr does.
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** A number as Python's json writes it: a whole one as an int, any other as a float. */
export function pythonNumber(x) {
  if (!Number.isFinite(x)) throw new TypeError(`not a JSON number: ${x}`);
  if (Number.isInteger(x)) return BigInt(x).toString(); // exact, never `1e+21`
  return pythonFloatRepr(x);
}

const SHORT_ESCAPES = { '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n",
  "\r": "\\r", "\t": "\\t" };

/** A string as Python's json writes it; with ensureAscii every unit outside ' '..'~' as
 * \uXXXX (lower-case hex; astral characters as their surrogate pair, as Python does). */
export function pythonString(s, ensureAscii = false) {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const unit = s.charCodeAt(i);
    if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (unit < 0x20 || (ensureAscii && unit > 0x7e)) {
      out += `\\u${unit.toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=ensureAscii). */
export function canonicalJson(value, { ensureAscii = false } = {}) {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "string") return pythonString(value, ensureAscii);
  if (Array.isArray(value)) {
    return `[${value.map((v) => canonicalJson(v, { ensureAscii })).join(",")}]`;
  }
  if (typeof value === "object") {
    const keys = Object.keys(value).sort(compareCodePoints);
    return `{${keys.map((k) => `${pythonString(k, ensureAscii)}:${
      canonicalJson(value[k], { ensureAscii })}`).join(",")}}`;
  }
  throw new TypeError(`not JSON: ${typeof value}`);
}

/** The UTF-8 bytes of `text` (what Python's str.encode() gives for well-formed text). */
export function utf8(text) {
  return new TextEncoder().encode(text);
}
