"""UUIDv7 operation ids, made on the device (RFC 9562): time-ordered, unique without
coordination. Pure: the caller passes the time and 10 random bytes."""

from __future__ import annotations

import uuid


def uuid7(unix_ms: int, random: bytes) -> uuid.UUID:
    if len(random) != 10:
        raise ValueError("uuid7 needs 10 random bytes")
    value = (unix_ms & (2**48 - 1)) << 80
    value |= 0x7 << 76                                        # version 7
    value |= (int.from_bytes(random[:2], "big") & 0x0FFF) << 64  # rand_a (12 bits)
    value |= 0b10 << 62                                       # variant
    value |= int.from_bytes(random[2:], "big") & (2**62 - 1)  # rand_b (62 bits)
    return uuid.UUID(int=value)
