"""Register keys: what ``format`` writes, ``parse`` reads back, and nothing else parses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.ops import RegisterKey, RegisterKind, answer_key, register, signed_key

ids = st.integers(1, 2**31 - 1)
sha256s = st.text("0123456789abcdef", min_size=64, max_size=64)
keys = st.one_of(
    st.builds(RegisterKey.answer, ids, st.text(min_size=1, max_size=64)),
    st.builds(RegisterKey.note, st.uuids().map(str)),
    st.builds(RegisterKey.photo, st.none() | ids, sha256s),
    st.builds(RegisterKey.signature, ids),
    st.builds(RegisterKey.result, st.none() | ids),
)


@given(keys)
def test_parse_reads_back_what_format_writes(key):
    assert RegisterKey.parse(key.format()) == key
    assert str(key) == key.format()
    assert key.format().startswith(f"{key.kind.value}:")


@given(keys)
def test_the_parts_name_the_key_and_its_type(key):
    parts = key.parts()
    assert parts["register"] == key.format()
    assert parts["type"] == key.kind.type
    assert sum(getattr(key, f"is_{kind.type}") for kind in RegisterKind) == 1


SHA = "ab" * 32


@pytest.mark.parametrize("text", [
    "", "a", "a:", "a:12", "a:12:", "a:0:temp", "a:-:temp", "a:012:temp", "a:x:temp",
    "a:+1:temp", "n:", "n:a:b", "p:-", "p:-:", "p:3:" + SHA[:-1], "p:3:" + SHA.upper(),
    "p:0:" + SHA, "s:", "s:-", "s:None", "s:0", "s:1:2", "r:", "r:0", "r:1:2", "r:x",
    "x:1", "answer:1:temp", "A:1:temp", ":1",
])
def test_a_malformed_key_raises(text):
    with pytest.raises(ValueError):
        RegisterKey.parse(text)


@given(st.text(max_size=80))
def test_anything_parses_to_a_key_that_formats_back_or_raises(text):
    try:
        key = RegisterKey.parse(text)
    except ValueError:
        return
    assert key.format() == text


def test_the_constructors_refuse_parts_of_the_wrong_shape():
    for make in (lambda: RegisterKey.answer(None, "temp"), lambda: RegisterKey.answer(1, ""),
                 lambda: RegisterKey.photo(1, "nothex"), lambda: RegisterKey.signature(None),
                 lambda: RegisterKey.result(0), lambda: RegisterKey.note("")):
        with pytest.raises(ValueError):
            make()


def test_the_ops_write_the_registers_the_protocol_names():
    assert register({"kind": "set_answer", "item_version_id": 12, "field": "temp",
                     "value": 3}, 7) == ("a:12:temp", 3)
    assert register({"kind": "attach_photo", "sha256": SHA}, 7) == (f"p:-:{SHA}", True)
    assert register({"kind": "sign", "sha256": SHA, "state_hash": SHA}, 7)[0] == "s:7"
    assert register({"kind": "set_result", "item_version_id": 4, "category": "ok"}, 7) == \
        ("r:4", "ok")
    assert register({"kind": "submit"}, 7) is None
    assert answer_key("a:12:temp") == (12, "temp") and answer_key("r:-") is None
    assert signed_key("r:-") == (0, "@result") and signed_key(f"p:1:{SHA}") is None
    assert RegisterKey.photo_pattern(SHA) == f"p:%:{SHA}"
