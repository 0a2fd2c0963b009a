#!/usr/bin/env python3
"""Re-run a published company draw from the public endpoints alone (standard library only).

    python3 scripts/reproduce_draw.py http://127.0.0.1:5000 DRAW_ID

Prints "match" (exit 0), "MISMATCH: ..." (exit 1), or "seed not revealed yet" (exit 2):
the seed is published when the visit window starts, and until then there is nothing to
check, which is no mismatch.
"""
import hashlib
import hmac
import json
import sys
import urllib.request

NOT_REVEALED = "the seed is not revealed yet (the visit window has not started)"


def reproduce(get, draw_id):
    """``get(path) -> bytes`` fetches a public endpoint. Returns (ok, reasons)."""
    draw = json.loads(get(f"/api/v1/public/draws/{draw_id}"))
    if not draw["seed"]:
        return False, [NOT_REVEALED]
    seed, problems, lines = bytes.fromhex(draw["seed"]), [], []
    if hashlib.sha256(seed).hexdigest() != draw["seed_hash"]:
        problems.append("seed does not match its commitment")
    for s in sorted(draw["strata"], key=lambda s: s["stratum"]):
        codes = get(f"/api/v1/public/draws/{draw_id}/strata/{s['stratum']}").decode().split()
        lines += [f"{s['stratum']},{c}\n" for c in sorted(codes)]
        if s["ratio_bp"] is not None and s["count"] != (len(codes) * s["ratio_bp"] + 9999) // 10000:
            problems.append(f"stratum {s['stratum']}: count is not ceil(ratio x eligible)")
        ranked = sorted(codes, key=lambda c: (hmac.new(seed, c.encode(), hashlib.sha256).hexdigest(), c))
        published = [c["credit_code"] for c in draw["companies"] if c["stratum"] == s["stratum"]]
        if ranked[: len(published)] != published:
            problems.append(f"stratum {s['stratum']}: ranking differs")
    if hashlib.sha256("".join(lines).encode()).hexdigest() != draw["eligible_hash"]:
        problems.append("eligible set does not match its hash")
    return not problems, problems


def main(argv, get=None) -> int:
    """Print the verdict on draw ``argv[2]`` of the server at ``argv[1]``; the exit code."""
    base = argv[1].rstrip("/")
    get = get or (lambda path: urllib.request.urlopen(base + path).read())  # noqa: S310
    ok, why = reproduce(get, int(argv[2]))
    if why == [NOT_REVEALED]:
        print(f"seed not revealed yet: {NOT_REVEALED}")
        return 2
    print("match" if ok else "MISMATCH: " + "; ".join(why))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
