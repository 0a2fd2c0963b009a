// Signed inspection codes (扫码入企) verified offline, as sync/tokens.py: a code is
// `<payload>.<signature>`, the payload canonical JSON (sorted keys, no spaces, ASCII) in
// base64url without padding, the signature Ed25519 over the payload's text. Only the one
// canonical spelling of each part is genuine, so both are re-encoded and compared.
// Refusals carry the same codes as Python's: invalid_code, unknown_key, wrong_kind,
// code_expired (docs/sync-protocol.md section 3).
//
// The signature is checked by `verifySignature(publicKey, signature, message)` (bytes;
// true or false, or a promise of it): by default WebCrypto's Ed25519 (Chrome 137+, Safari
// 17, Firefox 129, node 20); older browsers pass a fallback (the vendored @noble/ed25519).

import { canonicalJson, utf8 } from "./canonical.js";

export const MAX_CODE_LENGTH = 1024;

export class CodeError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// What a printed code may hold besides a bare token: the URL of its page, `<public url>/p/<token>`
// (premises) or `/v/<token>` (visit), any host, maybe with a query or fragment a messenger's
// scanner added (sync/tokens.py SCANNED_URL, ASCII classes only, as there).
const SCANNED_URL = /^[Hh][Tt][Tt][Pp][Ss]?:\/\/[^/?#\x00-\x20]+(?:\/[^?#\x00-\x20]*)?\/[pv]\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\/?(?:[?#][^\x00-\x20]*)?$/;
const MAX_SCANNED_LENGTH = 2 * MAX_CODE_LENGTH;

/** The code in what a camera read (as sync/tokens.py token_from_scan): the token of a code's
 * page URL (posters since the URL form), else the text itself, trimmed (older posters hold
 * the bare token). Whether it is genuine, and of which kind, is `verifyCode`'s to say. */
export function tokenFromScan(text) {
  if (typeof text !== "string") return text;
  const trimmed = text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
  if (Array.from(trimmed).length > MAX_SCANNED_LENGTH) return trimmed;
  const match = SCANNED_URL.exec(trimmed);
  return match ? match[1] : trimmed;
}

const INVALID = () => new CodeError("invalid_code", "not a valid inspection code");

export function b64encode(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function b64decode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/")
    + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** The exact text that is signed for `payload`. */
export function canonicalPayload(payload) {
  return b64encode(utf8(canonicalJson(payload, { ensureAscii: true })));
}

export async function webCryptoEd25519(publicKey, signature, message) {
  const key = await globalThis.crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" },
    false, ["verify"]);
  return globalThis.crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

/** The payload of a genuine code, or a CodeError. `publicKeys` maps key ids to raw 32-byte
 * public keys (bytes, or base64url text as the pack carries them); `kind` "v" or "p" asks
 * for one kind; with `today` ("YYYY-MM-DD") a visit code past its window's end is refused. */
export async function verifyCode(token, publicKeys, { kind = null, today = null,
  verifySignature = webCryptoEd25519 } = {}) {
  if (typeof token !== "string" || token.length > MAX_CODE_LENGTH
      || token.split(".").length !== 2) throw INVALID();
  const [payloadText, signatureText] = token.split(".");
  let payload;
  let signature;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(b64decode(payloadText)));
    signature = b64decode(signatureText);
  } catch {
    throw INVALID();
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)
      || canonicalPayload(payload) !== payloadText || b64encode(signature) !== signatureText) {
    throw INVALID();
  }
  const raw = Object.hasOwn(publicKeys, payload.k) ? publicKeys[payload.k] : null;
  if (raw === null || raw === undefined) {
    throw new CodeError("unknown_key", "the code was signed by an unknown key");
  }
  let genuine;
  try {
    genuine = await verifySignature(typeof raw === "string" ? b64decode(raw) : raw, signature,
      utf8(payloadText));
  } catch {
    genuine = false;
  }
  if (!genuine) throw INVALID();
  if (kind !== null && payload.t !== kind) {
    throw new CodeError("wrong_kind", `expected a ${kind === "v" ? "visit" : "premises"} code`);
  }
  if (today !== null && payload.t === "v" && payload.e && today > payload.e) {
    throw new CodeError("code_expired", "the visit's window has ended");
  }
  return payload;
}

/** A public key's id: the first 16 hex characters of its SHA-256. */
export async function keyId(publicKey) {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", publicKey));
  return Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}
