"""The two random draws (双随机) as pure functions of published inputs.

Nothing here reads the database, the clock or a library PRNG, so anyone holding the
published inputs can re-run a draw in any language and get the same companies and the
same teams. The rules (strata, counts, the HMAC ranking, substitutes, the inspector
draw) are stated once, normatively, in docs/draw-algorithm.md; this module is their
reference implementation, and ``scripts/reproduce_draw.py`` an independent one.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
from dataclasses import dataclass, field

CLASSES = ("A", "B", "C", "D")
ALL = "ALL"


class DrawImpossible(Exception):
    """The constraints cannot be met: says which company and which constraint."""

    def __init__(self, message: str, *, company: str | None = None, constraint: str):
        super().__init__(message)
        self.company = company
        self.constraint = constraint


def seed_commitment(seed: bytes) -> str:
    """What is published before the draw: SHA-256 of the 32 seed bytes, hex."""
    return hashlib.sha256(seed).hexdigest()


def rank_key(seed: bytes, message: str) -> str:
    """HMAC-SHA256 over the message's UTF-8 bytes: a certificate number may hold a Chinese
    character (冀...), and for ASCII messages UTF-8 is the same bytes."""
    return hmac.digest(seed, message.encode("utf-8"), "sha256").hex()


def _hmac_sha256(seed: bytes):
    """HMAC-SHA256 with the key's pads hashed once (RFC 2104): the same digests as
    hmac.digest, three times faster over a million codes. Raw digests order exactly as
    their hex strings do."""
    if len(seed) > 64:
        raise ValueError("seeds are 32 bytes")
    key = seed.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def digest(message: bytes) -> bytes:
        i = inner.copy()
        i.update(message)
        o = outer.copy()
        o.update(i.digest())
        return o.digest()

    return digest


def eligible_hash(strata: dict[str, list[str]]) -> str:
    """SHA-256 over the lines "<stratum>,<credit code>\\n", strata in name order, codes sorted."""
    digest = hashlib.sha256()
    for name in sorted(strata):
        for code in sorted(strata[name]):
            digest.update(f"{name},{code}\n".encode("ascii"))
    return digest.hexdigest()


def count_for(eligible: int, *, ratio_bp: int | None = None, fixed: int | None = None) -> int:
    """How many of ``eligible`` to draw: ceil(N * ratio) or min(K, N). bp = 1/100 percent."""
    if fixed is not None:
        return min(fixed, eligible)
    return (eligible * ratio_bp + 9999) // 10000


def percent_to_bp(percent) -> int:
    """3 -> 300, 2.5 -> 250; more than two decimals is refused upstream."""
    return int(round(float(percent) * 100))


@dataclass
class StratumResult:
    name: str
    eligible: int
    count: int
    drawn: list[str]
    substitutes: list[str]


def draw_stratum(seed: bytes, name: str, codes: list[str], count: int,
                 substitutes: int) -> StratumResult:
    """Rank ``codes`` and take the first ``count``; keep ``substitutes`` more in order.

    Only the head of the ranking is needed, so a heap keeps this O(N log n) for a
    stratum of a million codes.
    """
    take = min(len(codes), count + substitutes)
    key = _hmac_sha256(seed)
    head = heapq.nsmallest(take, ((key(c.encode("ascii")), c) for c in codes))
    ordered = [c for _, c in head]
    return StratumResult(name, len(codes), min(count, len(codes)), ordered[:count],
                         ordered[count:])


def draw_companies(seed: bytes, strata: dict[str, list[str]], *, ratios_bp: dict | None,
                   fixed: int | None, substitutes: int) -> list[StratumResult]:
    results = []
    for name in sorted(strata):
        codes = strata[name]
        n = count_for(len(codes), fixed=fixed) if fixed is not None else \
            count_for(len(codes), ratio_bp=ratios_bp.get(name, 0))
        results.append(draw_stratum(seed, name, codes, n, substitutes))
    return results


@dataclass
class Candidate:
    inspector_id: int
    certificate: str
    department_id: int
    tags: frozenset[str] = field(default_factory=frozenset)


def assign_teams(seed: bytes, companies: list[str], *, departments: list[int],
                 pools: dict[int, list[Candidate]], required: dict[int, frozenset[str]],
                 barred: dict[str, set[int]], cap: int | None) -> dict[str, list[Candidate]]:
    """A team for each company, in the order given (draw order).

    ``barred[code]`` are inspector ids that may not go to that company (declared
    conflicts, the last team for the same items). ``required[dept]`` is the expertise
    its items ask for. Raises DrawImpossible naming the company and the constraint.
    """
    load: dict[int, int] = {}
    per_department = 2 if len(departments) == 1 else 1
    teams: dict[str, list[Candidate]] = {}
    for code in companies:
        team: list[Candidate] = []
        for dept in departments:
            pool = pools.get(dept, [])
            if not pool:
                raise DrawImpossible(f"department {dept} has no certified inspector for the "
                                     "visit window", company=code, constraint="certified")
            free = [c for c in pool if c.inspector_id not in barred.get(code, ())]
            if len(free) < per_department:
                raise DrawImpossible(f"too few inspectors of department {dept} without a "
                                     f"conflict of interest with {code}", company=code,
                                     constraint="conflict_of_interest")
            if cap is not None:
                free = [c for c in free if load.get(c.inspector_id, 0) < cap]
                if len(free) < per_department:
                    raise DrawImpossible(f"every inspector of department {dept} has reached "
                                         f"the cap of {cap} visits in this task", company=code,
                                         constraint="workload_cap")
            chosen = pick(seed, code, free, count=per_department, load=load,
                          wanted=required.get(dept) or frozenset())
            for c in chosen:
                load[c.inspector_id] = load.get(c.inspector_id, 0) + 1
            team.extend(chosen)
        teams[code] = team
    return teams


def pick(seed: bytes, code: str, free: list[Candidate], *, count: int, load: dict[int, int],
         wanted: frozenset[str]) -> list[Candidate]:
    """The ``count`` inspectors to send to ``code`` from ``free`` (already cleared of
    conflicts and capped ones): expertise first where enough have it, then least loaded,
    then by HMAC-SHA256(seed, "<code>|<certificate>")."""
    matching = [c for c in free if c.tags & wanted]
    if len(matching) >= count:
        free = matching
    return sorted(free, key=lambda c: (load.get(c.inspector_id, 0),
                                       rank_key(seed, f"{code}|{c.certificate}")))[:count]
