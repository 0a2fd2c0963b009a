"""Property tests of the pure draw algorithm: reproducible, exact counts, valid teams."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given, settings
from hypothesis import strategies as st

from server.services.draw_algorithm import (
    Candidate,
    DrawImpossible,
    assign_teams,
    count_for,
    draw_stratum,
    eligible_hash,
    seed_commitment,
)
from tests.factories import credit_code

seeds = st.binary(min_size=32, max_size=32)
code_lists = st.lists(st.integers(0, 10**8), min_size=0, max_size=300, unique=True).map(
    lambda ns: sorted(credit_code(n) for n in ns))
ratios = st.integers(0, 10000)


@settings(max_examples=60, deadline=None)
@given(seeds, code_lists, ratios)
def test_the_same_inputs_always_give_the_same_draw(seed, codes, bp):
    n = count_for(len(codes), ratio_bp=bp)
    a = draw_stratum(seed, "A", codes, n, 3)
    b = draw_stratum(seed, "A", list(reversed(codes)), n, 3)
    assert a == b or (a.drawn, a.substitutes) == (b.drawn, b.substitutes)


@settings(max_examples=60, deadline=None)
@given(seeds, code_lists, ratios)
def test_the_count_is_the_ceiling_of_ratio_times_eligible(seed, codes, bp):
    n = count_for(len(codes), ratio_bp=bp)
    exact = len(codes) * bp / 10000
    assert n - 1 < exact <= n or (exact == 0 and n == 0)
    result = draw_stratum(seed, "A", codes, n, 5)
    assert len(result.drawn) == n
    assert set(result.drawn) <= set(codes)
    assert not set(result.drawn) & set(result.substitutes)
    assert len(result.substitutes) == min(5, len(codes) - n)


@settings(max_examples=40, deadline=None)
@given(seeds, code_lists)
def test_ranking_is_hmac_sha256_of_the_credit_code_in_hex_order(seed, codes):
    result = draw_stratum(seed, "A", codes, len(codes), 0)
    reference = sorted(codes, key=lambda c: (hmac.new(seed, c.encode(), hashlib.sha256)
                                             .hexdigest(), c))
    assert result.drawn == reference


@settings(max_examples=30, deadline=None)
@given(seeds, code_lists, st.integers(0, 10))
def test_a_different_seed_gives_a_different_ranking(seed, codes, flip):
    other = bytes([seed[0] ^ (flip + 1)]) + seed[1:]
    if len(codes) >= 8:
        assert draw_stratum(seed, "A", codes, 8, 0).drawn != \
            draw_stratum(other, "A", codes, 8, 0).drawn or len(set(codes)) < 8


def test_eligible_hash_and_commitment_are_documented_sha256():
    strata = {"B": ["Y", "X"], "A": ["Z"]}
    assert eligible_hash(strata) == hashlib.sha256(b"A,Z\nB,X\nB,Y\n").hexdigest()
    assert seed_commitment(b"\x01" * 32) == hashlib.sha256(b"\x01" * 32).hexdigest()


def _pools(depts, per_dept, tags=()):
    pools = {}
    n = 0
    for d in depts:
        pools[d] = []
        for i in range(per_dept):
            n += 1
            pools[d].append(Candidate(n, f"CERT{n:04d}", d,
                                      frozenset(tags) if i % 2 == 0 else frozenset()))
    return pools


@settings(max_examples=50, deadline=None)
@given(seeds, st.integers(1, 4), st.integers(2, 6), st.integers(1, 40), st.data())
def test_every_team_satisfies_every_constraint(seed, n_depts, per_dept, n_companies, data):
    depts = list(range(1, n_depts + 1))
    pools = _pools(depts, per_dept, tags={"exp-x"})
    companies = [credit_code(i) for i in range(n_companies)]
    everyone = [c.inspector_id for pool in pools.values() for c in pool]
    barred = {c: set(data.draw(st.lists(st.sampled_from(everyone), max_size=2))) for c in companies}
    cap = data.draw(st.none() | st.integers(1, 30))
    required = {1: frozenset({"exp-x"})}
    try:
        teams = assign_teams(seed, companies, departments=depts, pools=pools, required=required,
                             barred=barred, cap=cap)
    except DrawImpossible as exc:
        assert exc.company in companies
        assert exc.constraint in ("certified", "conflict_of_interest", "workload_cap")
        return
    load = {}
    for code, team in teams.items():
        assert len(team) >= 2
        assert len({m.inspector_id for m in team}) == len(team)
        by_dept = {}
        for m in team:
            by_dept.setdefault(m.department_id, []).append(m)
            assert m.inspector_id not in barred[code]
            load[m.inspector_id] = load.get(m.inspector_id, 0) + 1
        assert set(by_dept) == set(depts)
        if n_depts == 1:
            assert len(by_dept[1]) == 2
        free_experts = [c for c in pools[1] if "exp-x" in c.tags and c.inspector_id not in
                        barred[code]]
        if len(free_experts) >= (2 if n_depts == 1 else 1) and cap is None:
            assert all("exp-x" in m.tags for m in by_dept[1])
    if cap is not None:
        assert max(load.values()) <= cap
    again = assign_teams(seed, companies, departments=depts, pools=pools, required=required,
                         barred=barred, cap=cap)
    assert again == teams


def test_a_department_without_inspectors_names_the_company_and_constraint():
    try:
        assign_teams(b"\0" * 32, ["91X"], departments=[1, 2], pools=_pools([1], 3), required={},
                     barred={}, cap=None)
    except DrawImpossible as exc:
        assert (exc.company, exc.constraint) == ("91X", "certified")
    else:
        raise AssertionError("expected DrawImpossible")


def test_a_certificate_number_with_a_chinese_character_ranks_by_its_utf8_bytes():
    seed = bytes(32)
    pool = [Candidate(1, "冀13012926S0001", 1), Candidate(2, "13012926S0002", 1)]
    teams = assign_teams(seed, ["91130129MA0000001X"], departments=[1], pools={1: pool},
                         required={}, barred={}, cap=None)
    keys = {c.inspector_id: hmac.new(seed, f"91130129MA0000001X|{c.certificate}".encode(),
                                     hashlib.sha256).hexdigest() for c in pool}
    assert [c.inspector_id for c in teams["91130129MA0000001X"]] == sorted(keys, key=keys.get)
