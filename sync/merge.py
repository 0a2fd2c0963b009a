"""Merge rules for one checklist field, edited on several phones (多端协同).

Every edit is a revision: (op id, value, HLC, device, the revisions it was based on).
The state of a field is a pure function of the *set* of revisions it has seen:

- heads: the revisions no other known revision was based on;
- one head, or several with equal values: the field has that value, not conflicted
  (equal values merge silently);
- several heads with different values: ``conflicted``; every value is kept as a
  sibling, and the provisional winner is the head with the greatest (HLC, device id),
  so every replica shows the same;
- a resolution is a revision based on the siblings it supersedes; it becomes the head.

Because the state depends only on the set, applying the same revisions in any order, or
any revision twice, gives the same state (convergence, idempotence), and nothing is
ever dropped: the history is the whole set. No I/O, no clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class Revision:
    op_id: str
    value: Any
    hlc: str  # encoded HLC, sortable
    device_id: str
    base: frozenset[str] = frozenset()  # op ids of the revisions this edit was based on

    @property
    def order_key(self) -> tuple[str, str]:
        return (self.hlc, self.device_id)

    @cached_property
    def value_key(self) -> str:
        """The value in canonical JSON: equal values have equal keys, whatever their
        dicts' order. Once per revision: a revision is in many states."""
        return json.dumps(self.value, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class FieldState:
    revisions: dict[str, Revision] = field(default_factory=dict)
    # Held revisions that a revision the state does not hold was based on. A state built
    # from part of the history (the server reads a register's heads only) learns this of
    # a revision arriving after one based on it; the full history never needs it.
    superseded: frozenset[str] = frozenset()

    @cached_property
    def heads(self) -> list[Revision]:
        """Computed once per state (states are immutable: ``apply`` makes a new one)."""
        superseded = self.superseded.union(*(r.base for r in self.revisions.values()))
        return sorted((r for op, r in self.revisions.items() if op not in superseded),
                      key=lambda r: r.order_key)

    @property
    def winner(self) -> Revision | None:
        """The provisional winner: greatest (HLC, device id) among the heads."""
        heads = self.heads
        return heads[-1] if heads else None

    @property
    def value(self) -> Any:
        winner = self.winner
        return None if winner is None else winner.value

    @cached_property
    def conflicted(self) -> bool:
        """Cached like ``heads``: a push asks it of every op's state, and more than once."""
        heads = self.heads
        return len(heads) > 1 and len({r.value_key for r in heads}) > 1

    @property
    def siblings(self) -> list[Revision]:
        """The concurrent values kept while conflicted (empty when not)."""
        return self.heads if self.conflicted else []

    def head_ids(self) -> frozenset[str]:
        return self._head_ids

    @cached_property
    def _head_ids(self) -> frozenset[str]:
        return frozenset(r.op_id for r in self.heads)


def apply(state: FieldState, revision: Revision, *, superseded: bool = False) -> FieldState:
    """The state after ``revision``; the same state if it was seen already. With
    ``superseded``, the revision is known to be superseded by one the state does not
    hold: it is never a head, but it still supersedes its own bases."""
    if revision.op_id in state.revisions:
        return state
    return FieldState({**state.revisions, revision.op_id: revision},
                      state.superseded | {revision.op_id} if superseded else state.superseded)


def is_concurrent(state: FieldState, revision: Revision) -> bool:
    """Whether the edit was made without seeing every current head (another device
    wrote the field meanwhile): the server answers such an op ``conflict`` when the
    values then differ."""
    return not state.head_ids() <= revision.base
