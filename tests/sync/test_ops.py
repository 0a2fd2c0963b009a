"""What a signature signs: the same checklist hashes the same on any replica."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from sync.ops import checklist_hash

numbers = st.integers(-10**9, 10**9)


@given(numbers, st.sampled_from(["temp", "area"]))
def test_a_whole_number_hashes_alike_as_int_or_float(n, field):
    """A phone may send 813.0; a database's JSON may give back 813 (SQLite does)."""
    assert checklist_hash({(1, field): float(n)}) == checklist_hash({(1, field): n})
    assert checklist_hash({(1, field): [float(n), "x"]}) == checklist_hash({(1, field): [n, "x"]})


@given(st.dictionaries(st.tuples(st.integers(1, 50), st.sampled_from(["a", "b", "c"])),
                       st.one_of(st.none(), numbers, st.floats(allow_nan=False,
                                                               allow_infinity=False),
                                 st.text(max_size=5), st.lists(st.text(max_size=3), max_size=3)),
                       max_size=8))
def test_the_hash_survives_a_json_round_trip(answers):
    """What the server reads back from its JSON column signs the same as the phone's."""
    stored = {k: json.loads(json.dumps(v)) for k, v in answers.items()}
    assert checklist_hash(stored) == checklist_hash(answers)


def test_different_answers_hash_differently():
    assert checklist_hash({(1, "temp"): 813.5}) != checklist_hash({(1, "temp"): 813})
    assert checklist_hash({(1, "temp"): None}) == checklist_hash({})
