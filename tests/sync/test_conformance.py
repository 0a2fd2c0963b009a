"""One set of rules, two languages: the conformance vectors (``sync/conformance.py`` writes
``tests/conformance/vectors.json`` from the Python core) are current, Python passes them,
the phone app's JavaScript port passes them (``node --test tests/js/``), and random input
gives the same answers in both languages: op sequences (the merged state and checklist
hash), answers to the field types, op values, and ops recorded by the reference client.

No database: these run once, not per backend. Without node the JavaScript tests skip
locally with the reason and fail when CI=true (.ci/run installs nodejs).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.sync import OpSchema
from sync import conformance, field_types, tokens
from sync.hlc import HLC, receive, tick
from sync.ids import uuid7
from sync.merge import FieldState, Revision, apply
from sync.ops import RegisterKey, checklist_hash, value_problem

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads(conformance.VECTORS.read_text())


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the JavaScript conformance tests "
                    "(.ci/run installs nodejs)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        _unavailable("node is not installed (apt-get install nodejs)")
    return path


def test_the_vectors_are_what_the_python_core_makes_now():
    assert conformance.VECTORS.read_text() == conformance.dumps(conformance.vectors()), \
        "stale conformance vectors: run python -m sync.conformance and commit the file"


def test_python_passes_the_clock_id_and_key_vectors():
    for v in VECTORS["hlc"]["tick"]:
        assert tick(HLC.decode(v["clock"]), v["now"]).encode() == v["expected"]
    for v in VECTORS["hlc"]["receive"]:
        assert receive(HLC.decode(v["clock"]), HLC.decode(v["remote"]), v["now"]).encode() \
            == v["expected"]
    for v in VECTORS["uuid7"]:
        assert str(uuid7(v["unix_ms"], bytes.fromhex(v["random"]))) == v["expected"]
    for v in VECTORS["register_keys"]["valid"]:
        assert RegisterKey.parse(v["text"]).parts() == v["parts"]
    for text in VECTORS["register_keys"]["invalid"]:
        with pytest.raises(ValueError):
            RegisterKey.parse(text)


def test_python_passes_the_merge_vectors_in_every_arrival_order():
    for v in VECTORS["merge"]:
        revisions = [Revision(**{**r, "base": frozenset(r["base"])}) for r in v["revisions"]]
        for order in v["orders"]:
            state = FieldState()
            for i in order:
                state = apply(state, revisions[i],
                              superseded=revisions[i].op_id in v.get("superseded", ()))
            assert conformance.state_of(state) == v["expected"], (v["name"], order)


def test_python_passes_the_value_hash_field_and_shape_vectors():
    for v in VECTORS["value_problem"]:
        assert value_problem(v["value"]) == v["problem"]
    for v in VECTORS["checklist"]:
        assert checklist_hash({(i, f): value for i, f, value in v["answers"]}) == v["hash"]
    fields = {f["key"]: f for f in VECTORS["field_types"]["fields"]}
    for v in VECTORS["field_types"]["cases"]:
        assert field_types.accepts(fields[v["field"]], v["value"]) == v["accepts"]
    for v in VECTORS["op_shapes"]:
        assert sorted(OpSchema().validate(v["op"])) == (v["problems"] or [])
    keys = {kid: tokens.b64decode(key) for kid, key in VECTORS["codes"]["public_keys"].items()}
    for v in VECTORS["codes"]["cases"]:
        today = v["today"] and dt.date.fromisoformat(v["today"])
        try:
            assert tokens.verify(v["token"], keys, kind=v["kind"], today=today) == v["payload"]
        except tokens.TokenError as error:
            assert error.code == v["error"]


def test_each_random_sequence_converges_whatever_the_arrival_order():
    for v in VECTORS["sequences"]:
        deliveries = v["deliveries"]
        assert conformance.replay(deliveries) == v["expected"]
        shuffled = random.Random(v["seed"]).sample(deliveries, len(deliveries))
        assert conformance.replay(shuffled) == v["expected"]
        assert conformance.replay(deliveries + deliveries[:3]) == v["expected"]


def test_the_javascript_port_passes_the_vectors(node):
    run = subprocess.run([node, "--test", "tests/js/"], cwd=ROOT, capture_output=True,  # noqa: S603
                         text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
    assert "# pass 0" not in run.stdout


@pytest.fixture(scope="module")
def javascript_replica(node):
    """One node process for every example: a JSON line in, a JSON line out."""
    process = subprocess.Popen([node, str(ROOT / "tests" / "js" / "replay.mjs")],  # noqa: S603
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def replay(deliveries: list[dict]) -> dict:
        process.stdin.write(json.dumps(deliveries) + "\n")
        process.stdin.flush()
        line = process.stdout.readline()
        assert line, "the node replica stopped"
        return json.loads(line)

    yield replay
    process.stdin.close()
    process.wait(timeout=10)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False), st.integers(1, 40))
def test_random_ops_merged_in_javascript_give_pythons_state_and_hash(javascript_replica, rng,
                                                                     steps):
    deliveries = conformance.random_sequence(rng, steps)
    assert javascript_replica(deliveries) == conformance.replay(deliveries)


OPTION_VALUES = ["yes", "no", "na", "ok", "bad", "other"]
answers = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
    st.sampled_from(OPTION_VALUES), st.from_regex(r"\A[0-9W-]{6,11}\Z"),
    st.from_regex(r"\A(19|20|21)[0-9]{2}-?(W[0-5][0-9]-?[0-8]?|[01][0-9]-?[0-3][0-9])\Z"),
    st.lists(st.sampled_from(OPTION_VALUES) | st.text(max_size=3), max_size=4),
).map(conformance._whole)  # JSON carries a whole float to JavaScript as the int it is


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(conformance.FIELDS[:-1]), answers), min_size=1,
                max_size=20))
def test_random_answers_are_judged_and_worded_in_javascript_as_in_python(javascript_replica,
                                                                         pairs):
    judged = javascript_replica({"answers": pairs})
    for (field, value), js in zip(pairs, judged, strict=True):
        accepted = field_types.accepts(field, value)
        assert js["accepts"] == accepted, (field["key"], value)
        if accepted:
            assert js["words"] == field_types.words(field, value), (field["key"], value)


any_character = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, categories=None,
                              exclude_categories=())
op_values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(any_character, max_size=12),
    st.tuples(st.integers(4995, 5005), st.sampled_from(["x", "😀", "中"])).map(
        lambda n_char: n_char[1] * n_char[0]),
    st.lists(st.text(any_character, max_size=3) | st.integers(0, 9), max_size=4),
    st.tuples(st.integers(98, 102), st.integers(62, 66)).map(lambda n: ["a" * n[1]] * n[0]),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(op_values, min_size=1, max_size=20))
def test_random_values_are_refused_in_javascript_exactly_when_python_refuses_them(
        javascript_replica, values):
    assert javascript_replica({"values": values}) == [value_problem(v) for v in values]


record_values = st.one_of(st.none(), st.integers(-100, 10**6), st.sampled_from(
    [12.5, -0.25, 1e-05, "yes", "营业执照", "", "a\tb", "😀", ["ok"], [], ["b", "a"]]))
record_actions = st.one_of(
    st.tuples(st.just("record_answer"),
              st.builds(lambda where, value: (*where, value),  # mostly where teammates write
                        st.sampled_from([(7, "temp"), (7, "temp"), (12, "remark")]),
                        record_values), st.sampled_from([{}, {"note": "复查"}])),
    st.tuples(st.just("resolve"), st.tuples(st.sampled_from(["a:7:temp", "a:12:temp"]),
                                            record_values), st.just({})),
    st.tuples(st.just("record_note"), st.tuples(st.sampled_from(["记录", None])),
              st.sampled_from([{}, {"note_id": "NOTE"}, {"note_id": "NOTE", "item_version_id": 7}])),
    st.tuples(st.just("record_result"), st.tuples(st.sampled_from(["no_problem", "not_found"])),
              st.sampled_from([{}, {"item_version_id": 12}])),
    st.tuples(st.just("submit"), st.just(()), st.just({})),
    st.builds(lambda key, value, wall, counter, n: (
        "pull", key, {"op_id": f"0193a1b2-0000-7000-8000-{n:012d}", "value": value,
                      "hlc": f"{conformance.T0 + wall:013d}-{counter:06d}-teammate",
                      "device_id": conformance.DEVICES[1][0], "base": []}),
              st.sampled_from(["a:7:temp", "a:7:temp", "a:12:remark", "r:-"]), record_values,
              st.integers(-120_000, 120_000), st.integers(0, 5), st.integers(0, 10**6)),
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(record_actions, min_size=1, max_size=12),
       st.lists(st.integers(-400, 400), min_size=30, max_size=30), st.integers(0, 1000))
def test_random_recordings_give_the_reference_clients_ops_in_javascript(javascript_replica,
                                                                          script, steps, seed):
    times = [conformance.T0 + 125 * k for k in steps]  # a phone clock that jumps both ways
    recorded = conformance.recorded_ops(script, times, seed)
    expected = [s.get("expected") or s["hlc_after"] for s in recorded["steps"]]
    assert javascript_replica({"recorded": recorded}) == expected
