"""Property tests of the merge rules: idempotent, convergent, lossless."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.hlc import HLC, receive, tick
from sync.ids import uuid7
from sync.merge import FieldState, Revision, apply, is_concurrent

VALUES = st.sampled_from(["yes", "no", "na"])


@st.composite
def histories(draw):
    """Revisions as devices would make them: each device edits on top of the heads it
    has seen, sometimes after syncing with others, sometimes offline."""
    devices = draw(st.lists(st.sampled_from(["phone-a", "phone-b", "phone-c"]), min_size=1,
                            max_size=3, unique=True))
    seen = {d: FieldState() for d in devices}
    clocks = {d: HLC(0, 0, d) for d in devices}
    made = []
    for step in range(draw(st.integers(1, 12))):
        device = draw(st.sampled_from(devices))
        if draw(st.booleans()) and made:  # sync: learn some of what others made
            for r in draw(st.lists(st.sampled_from(made), max_size=len(made))):
                seen[device] = apply(seen[device], r)
                clocks[device] = receive(clocks[device], HLC.decode(r.hlc), step)
        clocks[device] = tick(clocks[device], draw(st.integers(0, 20)))
        r = Revision(op_id=f"{device}-{step}", value=draw(VALUES),
                     hlc=clocks[device].encode(), device_id=device,
                     base=seen[device].head_ids())
        seen[device] = apply(seen[device], r)
        made.append(r)
    return made


def merged(revisions):
    state = FieldState()
    for r in revisions:
        state = apply(state, r)
    return state


def snapshot(state):
    return (state.value, state.conflicted, [r.op_id for r in state.heads],
            sorted(state.revisions))


@settings(max_examples=300, deadline=None)
@given(histories(), st.randoms())
def test_any_arrival_order_converges_to_the_same_state(revisions, rnd):
    shuffled = list(revisions)
    rnd.shuffle(shuffled)
    assert snapshot(merged(revisions)) == snapshot(merged(shuffled))


@settings(max_examples=200, deadline=None)
@given(histories())
def test_applying_anything_twice_is_applying_it_once(revisions):
    once = merged(revisions)
    twice = merged(revisions + revisions[::-1])
    assert snapshot(once) == snapshot(twice)


@settings(max_examples=200, deadline=None)
@given(histories())
def test_no_value_is_ever_lost_from_the_history(revisions):
    state = merged(revisions)
    assert {r.op_id: r.value for r in revisions} == {k: v.value for k, v in
                                                    state.revisions.items()}


@settings(max_examples=200, deadline=None)
@given(histories())
def test_conflicted_means_distinct_head_values_and_the_winner_is_the_greatest_head(revisions):
    state = merged(revisions)
    values = {r.value for r in state.heads}
    assert state.conflicted == (len(values) > 1)
    assert state.winner == max(state.heads, key=lambda r: (r.hlc, r.device_id))
    if state.conflicted:
        assert state.siblings == state.heads


def test_two_phones_offline_conflict_and_a_resolution_clears_it():
    a = Revision("a1", "yes", HLC(100, 0, "a").encode(), "a")
    b = Revision("b1", "no", HLC(90, 0, "b").encode(), "b")
    state = merged([a, b])
    assert state.conflicted and {r.value for r in state.siblings} == {"yes", "no"}
    assert state.value == "yes"  # later HLC wins provisionally, on every replica
    assert is_concurrent(merged([a]), b)
    fix = Revision("r1", "no", HLC(120, 0, "a").encode(), "a", base=frozenset({"a1", "b1"}))
    resolved = apply(state, fix)
    assert not resolved.conflicted and resolved.value == "no"
    assert set(resolved.revisions) == {"a1", "b1", "r1"}  # both originals still in history


def test_equal_values_merge_silently():
    a = Revision("a1", "na", HLC(5, 0, "a").encode(), "a")
    b = Revision("b1", "na", HLC(6, 0, "b").encode(), "b")
    state = merged([a, b])
    assert not state.conflicted and state.value == "na" and len(state.heads) == 2


def test_hlc_never_goes_backwards_even_when_the_phone_clock_does():
    clock = HLC(0, 0, "p")
    stamps = []
    for now in [1000, 900, 900, 1500, 10, 1500]:
        clock = tick(clock, now)
        stamps.append(clock)
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    ahead = receive(clock, HLC(5000, 7, "q"), 1600)
    assert ahead > HLC(5000, 7, "q") and ahead.node == "p"
    assert HLC.decode(ahead.encode()) == ahead


def test_uuid7_is_time_ordered_and_well_formed():
    rnd = random.Random(1)
    ids = [uuid7(ms, rnd.randbytes(10)) for ms in (1, 2, 3, 1_700_000_000_000)]
    assert ids == sorted(ids)
    assert all(u.version == 7 and u.variant == "specified in RFC 4122" for u in ids)
