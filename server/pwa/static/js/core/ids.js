// UUIDv7 op ids made on the phone, as sync/ids.py (RFC 9562): time-ordered, unique without
// coordination, lower-case and hyphenated. `uuid7` is pure (the caller passes the time and
// 10 random bytes); `newUuid7` takes them from the clock and crypto.getRandomValues.

export const UUID7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function uuid7(unixMs, random) {
  if (!random || random.length !== 10) throw new Error("uuid7 needs 10 random bytes");
  if (!Number.isSafeInteger(unixMs) || unixMs < 0) throw new Error("uuid7 needs a time in ms");
  const bytes = new Uint8Array(16);
  let ms = unixMs % 2 ** 48; // 48 bits of time, as Python's mask
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = 0x70 | (random[0] & 0x0f); // version 7, rand_a (12 bits)
  bytes[7] = random[1];
  bytes[8] = 0x80 | (random[2] & 0x3f); // variant 0b10, rand_b (62 bits)
  bytes.set(random.slice(3, 10), 9);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function newUuid7(unixMs = Date.now()) {
  return uuid7(unixMs, globalThis.crypto.getRandomValues(new Uint8Array(10)));
}

export function isUuid7(text) {
  return typeof text === "string" && UUID7_PATTERN.test(text);
}
