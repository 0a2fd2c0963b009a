"""The states of plans, visits, results, follow-ups and merge proposals, with their named groups.

A state is part of the wire contract (clients read and filter by it), so each set lives here,
once, beside the schemas, and models, services, views and the phone app's contract take it
from here. A group ("open", "counts toward caps", ...) is named once beside its states, so
changing what "open" means is one edit. `tests/server/test_states.py` fails when a state is
written as a bare string anywhere else in server/, schemas/ or sync/.
"""

from __future__ import annotations

from enum import StrEnum


def values(states) -> tuple[str, ...]:
    """The plain strings of a state set, in declaration order (for CHECK constraints)."""
    return tuple(state.value for state in states)


class PlanState(StrEnum):
    """An annual plan (年度抽查计划): drafted, published, republished after an amendment."""

    DRAFT = "draft"
    PUBLISHED = "published"
    AMENDED = "amended"


PLAN_PUBLIC = frozenset({PlanState.PUBLISHED, PlanState.AMENDED})
"""Plans the public sees (一公开) and whose tasks may be drawn."""


class VisitState(StrEnum):
    """A visit (检查任务到企业): issued to a team, entered at the premises (扫码入企),
    submitted from the phones, closed once its result is approved; cancelled, or merged into
    another department's visit to the same company (联合检查, 进一次门)."""

    ISSUED = "issued"
    ENTERED = "entered"
    SUBMITTED = "submitted"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MERGED = "merged"


VISIT_OPEN = frozenset({VisitState.ISSUED, VisitState.ENTERED})
"""The team has not finished: the visit may still be entered, recorded, merged, recused."""

VISIT_FINISHED = frozenset({VisitState.SUBMITTED, VisitState.CLOSED})
"""The team has finished and a result exists (the record can be verified and rated)."""

VISIT_ENDED = frozenset({VisitState.SUBMITTED, VisitState.CLOSED, VisitState.CANCELLED,
                         VisitState.MERGED})
"""Nothing more is recorded on it: a phone's ops against it are refused (visit closed)."""

VISIT_VOID = frozenset({VisitState.CANCELLED, VisitState.MERGED})
"""The visit will not happen as issued: not on a company's record, not a code to verify."""

VISIT_LIVE = frozenset(VisitState) - VISIT_VOID
"""Happened or will happen: counts toward a department's yearly cap on one company."""

VISIT_RATEABLE = frozenset({VisitState.ENTERED, VisitState.SUBMITTED, VisitState.CLOSED})
"""The company has met the team and may rate the visit (评价)."""


class MergeState(StrEnum):
    """A proposal to merge two departments' visits to one company into one (进一次门)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ResultState(StrEnum):
    """A visit's result (检查结果): submitted for review, approved (then published), returned."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class FollowUpState(StrEnum):
    """A follow-up (后续处置): open; transferred and waiting for the receiving department;
    accepted there; declined by it; closed with its outcome."""

    OPEN = "open"
    PENDING_ACCEPTANCE = "pending_acceptance"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"


FOLLOW_UP_OPEN = frozenset({FollowUpState.OPEN, FollowUpState.PENDING_ACCEPTANCE,
                            FollowUpState.ACCEPTED})
"""Not yet closed or declined: someone still owes work on it (and it can be overdue)."""
