"""The lock (requirements/lock.txt, made by scripts/lock) installs what pyproject.toml
asks for: every dependency, the dev extra's too, pinned to a release its range allows,
each pin with its hashes. A range changed without `make lock` fails here."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def _pins() -> dict[str, tuple[str, int]]:
    """Name → (version, number of hashes) of every pin in the lock."""
    pins, name = {}, None
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match[1])
            pins[name] = (match[2], 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            pins[name] = (pins[name][0], pins[name][1] + 1)
    return pins


def _wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in (*project["dependencies"],
                                     *project["optional-dependencies"]["dev"])]


def test_every_dependency_is_pinned_within_its_range():
    pins = _pins()
    for req in _wanted():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements/lock.txt: run make lock"
        assert req.specifier.contains(pins[name][0], prereleases=True), \
            f"{req.name}=={pins[name][0]} is outside {req}: run make lock"


def test_an_extra_asked_for_brings_its_own_pins():
    """psycopg[binary] needs psycopg-binary in the lock, not only psycopg."""
    pins = _pins()
    for req in _wanted():
        for extra in req.extras:
            for dep in map(Requirement, metadata.requires(req.name) or ()):
                if dep.marker and dep.marker.evaluate({"extra": extra}) and \
                        not dep.marker.evaluate({"extra": ""}):
                    assert canonicalize_name(dep.name) in pins, (req, dep)


def test_every_pin_carries_hashes():
    pins = _pins()
    assert len(pins) > len(_wanted())  # the transitive ones too
    assert all(hashes for _, hashes in pins.values()), \
        [name for name, (_, hashes) in pins.items() if not hashes]
