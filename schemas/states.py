"""The states of plans, visits, results, follow-ups and merge proposals, with their named groups.

Also the smaller state sets read on the wire: a recusal request's, a result's closed loop
(闭环), a visit's phase on the company's page, a printed record's standing.

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
"""The team has not finished: the visit may still be entered, recorded, merged, recused,
rescheduled; it blocks a second draw of the same items, and its company's premises code
may be shown."""

VISIT_WITH_TEAM = frozenset({VisitState.ISSUED, VisitState.ENTERED, VisitState.SUBMITTED})
"""On the inspectors' own list (``/me/visits``): to do, under way, or submitted and not yet
closed (a result sent back for correction returns the visit to them)."""

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


RESULT_UNAPPROVED = frozenset({ResultState.SUBMITTED, ResultState.RETURNED})
"""Entered but not approved yet: the result-entry deadline (录入期限) still runs."""

RESULT_STANDING = frozenset({ResultState.SUBMITTED, ResultState.APPROVED})
"""Not sent back: its on-site record (现场检查笔录) stands; a returned result's record is
withdrawn until the team submits again."""


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
"""Not yet closed or declined: someone still owes work on it (and it can be overdue).
Wider than the state ``FollowUpState.OPEN`` itself, which is one of its members."""

FOLLOW_UP_OWNED = frozenset({FollowUpState.OPEN, FollowUpState.ACCEPTED})
"""A department holds it and works on it, so it may close it: its own, or a transfer it
has accepted (a transfer still awaiting acceptance is not yet anyone's to close)."""


class RecusalState(StrEnum):
    """A company's request that an inspector step aside (申请回避). Only the waiting state is
    recorded so far: a second request for the same inspector is refused while one waits."""

    PENDING = "pending"


class LoopState(StrEnum):
    """A result's closed loop (闭环) as its follow-ups make it: none needed or none opened;
    open while any live follow-up is; closed once every live one is (a declined transfer
    does not count), at least one of them closed."""

    NONE = "none"
    OPEN = "open"
    CLOSED = "closed"


class VisitPhase(StrEnum):
    """Where a visit stands in time on the company's verification page (入企检查码核验):
    before its window, within it and not finished, or over (window past or team finished)."""

    UPCOMING = "upcoming"
    CURRENT = "current"
    ENDED = "ended"


class CapStatus(StrEnum):
    """Where a company's inspections this year stand against a yearly cap, this visit
    counted (每年检查次数上限): one more still allowed after it (near), this visit reaches
    the cap (at), or goes beyond it (over); else below."""

    BELOW = "below"
    NEAR = "near"
    AT = "at"
    OVER = "over"

    @classmethod
    def of(cls, count: int, cap: int) -> CapStatus:
        if count > cap:
            return cls.OVER
        if count == cap:
            return cls.AT
        return cls.NEAR if count == cap - 1 else cls.BELOW


class PremisesCodeStatus(StrEnum):
    """What scanning a premises poster finds: the company's code as it stands, or one a
    reissued version has replaced (the poster on the wall is out of date)."""

    CURRENT = "current"
    SUPERSEDED = "superseded"


class RecordStatus(StrEnum):
    """What checking a printed on-site record's SHA-256 finds: the record of the result as
    it stands, the record of a result since returned for correction, or a record a later
    submission has replaced."""

    CURRENT = "current"
    RETURNED = "returned"
    SUPERSEDED = "superseded"
