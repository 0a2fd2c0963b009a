"""Hybrid logical clocks: ordering events from phones whose clocks are wrong.

A timestamp is (wall milliseconds, counter, node id). It never goes backwards on a node,
is always ahead of every timestamp the node has seen, and stays close to real time when
clocks are right. Pure: callers pass the current physical time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class HLC:
    wall: int
    counter: int
    node: str

    def encode(self) -> str:
        """Sortable text: compares like the tuple."""
        return f"{self.wall:013d}-{self.counter:06d}-{self.node}"

    @classmethod
    def decode(cls, text: str) -> HLC:
        wall, counter, node = text.split("-", 2)
        return cls(int(wall), int(counter), node)


def tick(clock: HLC, now_ms: int) -> HLC:
    """A local event (an edit on the phone)."""
    if now_ms > clock.wall:
        return HLC(now_ms, 0, clock.node)
    return HLC(clock.wall, clock.counter + 1, clock.node)


def receive(clock: HLC, remote: HLC, now_ms: int) -> HLC:
    """Merge a timestamp seen from elsewhere (a pulled change)."""
    wall = max(clock.wall, remote.wall, now_ms)
    if wall == clock.wall == remote.wall:
        counter = max(clock.counter, remote.counter) + 1
    elif wall == clock.wall:
        counter = clock.counter + 1
    elif wall == remote.wall:
        counter = remote.counter + 1
    else:
        counter = 0
    return HLC(wall, counter, clock.node)
