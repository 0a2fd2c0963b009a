"""A year of 双随机、一公开 work in the demo data set: the twelve months up to the day it is built.

Why: with registries alone, the dashboard, the monthly report and the public result pages
show only zeros. Every figure here arises as it does in production, through the services
and with the actors who would act: supervisors build, publish and draw their departments'
plans; inspectors record the field work on their phones (``services.push`` from a registered
device: entry scan with the premises code, answers, results, two signatures, submit);
supervisors approve, return and publish results and follow problems up. Each step is
audited, so ``fieldinspect audit verify`` holds.

The demo's "today" is ``clock.today()`` when it is built, so the dashboard, the overdue
lists and the monthly report show live figures on the day ``make run`` first starts.
The schedule below is written as the year it was first told (2026, as seen on
``REFERENCE``, 20 November) and moved as a whole so that ``REFERENCE`` falls on the
demo's today: same spacing, so the same mix whatever the day (one task still running,
some visits overdue, a review backlog of the last days, one result returned,
publications due, follow-ups open and closed). When the twelve months span two calendar
years, each department has a plan for each year its tasks' windows start in (a task's
window starts in its plan's year).

Time is simulated, not read: events run in time order up to 18:00 on the demo's today,
each with ``now=`` set to its own moment, and the process clock (``server.clock``) is
a frozen one moved to each event's moment, so what a service or a column default stamps
without being told (a plan's creation, its audit entry) carries that moment too; what
falls later has not happened yet (visits still to do, results awaiting review,
publications due). Pages that ask the clock (the dashboard's "today", overdue lists)
judge these records against the app's date, as they would any records. Deterministic for
a given seed and build day: the draw seeds are derived from the seed
(``plans.publish_plan(new_seed=...)``, for demo data only).

Created once, into an empty plan register: skipped when any plan exists. The dates move
with the build day, so a check for "this year's plan" would not recognise last year's
build (and would add a second, overlapping year to it), and a plan someone made on the
demo database would collide with the simulated ones on (department, year).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import heapq
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.states import FOLLOW_UP_OWNED, VisitState
from schemas.sync import PushSchema
from server import clock
from server.clock import CHINA
from server.models import (
    Company,
    Department,
    FollowUp,
    InspectionItem,
    InspectionItemVersion,
    Inspector,
    Plan,
    Result,
    Task,
    User,
    Visit,
)
from server.services import (
    accounts,
    codes,
    devices,
    draws,
    follow_ups,
    plans,
    results,
    signing,
    workdays,
)
from server.services.actors import SYSTEM, Actor
from server.services.errors import RuleViolation
from server.services.push import push as push_batch
from server.services.signing import Signer
from sync.hlc import HLC
from sync.ids import uuid7
from sync.ops import RESULT_FIELD, checklist_hash

# The day the schedule is written for: its "MM-DD" dates are of this year, and the whole
# schedule moves so that this day falls on the demo's today.
REFERENCE = dt.date(2026, 11, 20)
END_HOUR = 18  # nothing later than 18:00 on the demo's today has happened
PLAN_TITLES = {"SCJG": "赞皇县市场监督管理局{year}年度双随机抽查工作计划",
               "XFJY": "赞皇县消防救援大队{year}年度双随机抽查工作计划",
               "WSJK": "赞皇县卫生健康局{year}年度双随机抽查工作计划"}
PLAN_PUBLISHED = (1, 20)  # plans are published on 20 January of their year ...
PLAN_LEAD_DAYS = 7  # ... and at the latest a week before their first draw
PHONES_FROM = "01-12"  # the inspectors' accounts and phones, before any plan is published
DEFAULT_ENTRY_RULES = {"grace_minutes": 120, "distance_flag_m": 500, "manual_days": 10}
PROBLEM_RATE = 0.13
MAX_WORKED_PER_TASK = 60
SKIPPED_RATE = 0.04  # visits of an ended window never made (overdue on the dashboard)
OFFLINE_RATE = 0.12  # phones that push hours after the scan (entry flagged synced_later)
BACKLOG_FROM = "11-09"  # results submitted since then are not reviewed yet
RETURNED_WITHIN_DAYS = 30  # the first result without problems submitted since: returned
UNPUBLISHED_FROM = "10-15"
UNPUBLISHED_RATE = 0.35  # of results approved since UNPUBLISHED_FROM: not yet published
PENDING_TRANSFER_FROM = "10-01"  # the first follow-up since then: a transfer not yet accepted
# Yes/no questions where "no" is the good answer.
GOOD_NO = {"price_fraud", "false_advertising", "prohibited_terms", "data_tampering",
           "living_in_shop", "illegal_subcontracting", "unorganized_emission"}
NUMBERS = {"storage_temp": (-20, -16), "shelf_temp": (16, 24), "cod_mg_l": (18, 45),
           "stock_tons": (0.5, 3), "ph": (6.5, 8.5), "noise_db": (48, 62),
           "co2_ppm": (550, 900), "strength_mpa": (30, 45), "storage_tons": (2, 18),
           "sample_count": (0, 3)}
TRANSFER_TO = {"SCJG": "YJGL", "XFJY": "ZJJ", "WSJK": "SCJG"}


@dataclass(frozen=True)
class TaskSpec:
    lead: str
    name: str
    items: tuple[str, ...]
    scope: dict
    window: tuple[str, str]
    deadline: str
    ratios: dict | None = None
    fixed_count: int | None = None
    others: tuple[str, ...] = ()
    joint_mode: str | None = None
    problems: tuple[str, ...] = ("corrected", "corrected", "corrected", "pending", "pending")


TASKS = [
    TaskSpec("XFJY", "人员密集场所消防安全检查", ("XFJY-001",),
             {"industries": ["商品零售", "住宿业", "公共娱乐场所"]}, ("02-24", "04-17"), "05-08",
             ratios={"A": 2, "B": 4, "C": 10, "D": 30}),
    TaskSpec("SCJG", "企业年度报告公示信息抽查（书面检查）", ("SCJG-001",),
             {"subject_types": ["enterprise"]}, ("03-02", "04-30"), "05-20",
             ratios={"A": 1, "B": 2, "C": 4, "D": 5},
             problems=("not_published", "not_published", "unreachable", "false_information")),
    TaskSpec("WSJK", "公共场所卫生监督检查", ("WSJK-001",),
             {"industries": ["住宿业", "公共娱乐场所", "商品零售"]}, ("04-13", "06-12"), "07-03",
             ratios={"A": 2, "B": 3, "C": 5, "D": 5}),
    TaskSpec("SCJG", "餐饮服务单位食品安全监督检查", ("SCJG-003",),
             {"industries": ["餐饮服务"]}, ("05-06", "06-30"), "07-17",
             ratios={"A": 3, "B": 5, "C": 15, "D": 40}),
    TaskSpec("XFJY", "“九小场所”消防安全检查", ("XFJY-007",),
             {"subject_types": ["individual_business"]}, ("06-15", "08-14"), "09-04",
             ratios={"A": 1, "B": 2, "C": 3, "D": 3}),
    TaskSpec("SCJG", "特种设备使用单位监督检查", ("SCJG-005",),
             {"industries": ["一般制造业", "特种设备使用"]}, ("07-01", "08-31"), "09-18",
             ratios={"A": 2, "B": 4, "C": 10, "D": 30}),
    TaskSpec("SCJG", "住宿和娱乐场所跨部门联合检查（专项整治联查）",
             ("SCJG-005", "XFJY-001", "WSJK-001"),
             {"industries": ["住宿业", "公共娱乐场所"]}, ("09-01", "10-30"), "11-13",
             fixed_count=10, others=("XFJY", "WSJK"), joint_mode="special_campaign"),
    TaskSpec("WSJK", "医疗机构依法执业检查", ("WSJK-002",),
             {"industries": ["医疗机构"]}, ("09-14", "10-30"), "11-20",
             ratios={"A": 5, "B": 10, "C": 30, "D": 60}),
    TaskSpec("SCJG", "药品零售企业经营行为检查", ("SCJG-004",),
             {"industries": ["药品零售"]}, ("10-12", "11-30"), "12-15",
             ratios={"A": 5, "B": 10, "C": 30, "D": 60}),
]


@dataclass(frozen=True)
class Schedule:
    """The schedule's dates for a demo built on ``today``."""

    today: dt.date

    def day(self, text: str) -> dt.date:
        """A "MM-DD" date of ``REFERENCE``'s year, moved by as many days as ``today`` is
        from ``REFERENCE``."""
        return dt.date.fromisoformat(f"{REFERENCE.year}-{text}") + (self.today - REFERENCE)

    @property
    def end(self) -> dt.datetime:
        return _at(self.today, END_HOUR)

    @property
    def first_window_start(self) -> dt.date:
        return min(self.day(spec.window[0]) for spec in TASKS)

    @property
    def last_window_end(self) -> dt.date:
        return max(self.day(spec.window[1]) for spec in TASKS)


def first_window_start(today: dt.date) -> dt.date:
    """When the earliest task of a demo built on ``today`` opens (the registry predates it)."""
    return Schedule(today).first_window_start


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), CHINA)


@dataclass
class _Phone:
    actor: Actor
    device_id: str
    credential: str


@dataclass
class _Counts:
    plans: int = 0
    tasks: int = 0
    visits: int = 0
    results: int = 0
    follow_ups: int = 0


@dataclass
class _World:
    """What the simulation keeps between events."""

    session: Session
    rng: random.Random
    seed: int
    signer: Signer
    entry_rules: dict
    schedule: Schedule
    clock: clock.FixedClock
    departments: dict[str, Department] = field(default_factory=dict)
    supervisors: dict[int, Actor] = field(default_factory=dict)
    phones: dict[int, _Phone] = field(default_factory=dict)
    workdays: list[dt.date] = field(default_factory=list)
    plans: list[int] = field(default_factory=list)
    tasks: dict[str, int] = field(default_factory=dict)  # by the spec's name
    queue: list = field(default_factory=list)
    order: int = 0
    follow_up_plan: list[str] = field(default_factory=lambda: [
        "transfer_closed", "rectify_recheck", "rectify_overdue", "case"])
    transfer_pending_done: bool = False
    returned_done: bool = False

    @property
    def today(self) -> dt.date:
        return self.schedule.today

    def at(self, when: dt.datetime, fn: Callable, *args) -> None:
        """Schedule ``fn(when, *args)``; what falls after the demo's today never runs."""
        if when <= self.schedule.end:
            heapq.heappush(self.queue, (when, self.order, fn, args))
            self.order += 1

    def run(self) -> None:
        while self.queue:
            when, _, fn, args = heapq.heappop(self.queue)
            self.clock.set(when)
            fn(self, when, *args)

    def workday_after(self, day: dt.date, n: int) -> dt.date:
        return workdays.add_working_days(self.session, day, n)

    def workday_on_or_before(self, day: dt.date) -> dt.date:
        index = bisect.bisect_right(self.workdays, day) - 1
        if index < 0:
            raise ValueError(f"{day} is before the simulated working days")
        return self.workdays[index]

    def office_time(self, day: dt.date) -> dt.datetime:
        return _at(day, self.rng.randint(9, 16), self.rng.randrange(0, 60))


def build(session: Session, *, seed: int, signer: Signer, entry_rules: dict | None = None,
          today: dt.date | None = None) -> dict[str, int]:
    """The twelve months of activity up to ``today`` (default: the clock's today), once;
    the counts of what was made."""
    counts = _Counts()
    if session.scalar(select(Plan.id).limit(1)) is not None:
        return vars(counts)
    schedule = Schedule(today or clock.today())
    world = _World(session, random.Random(seed), seed, signer,
                   entry_rules or DEFAULT_ENTRY_RULES, schedule,
                   clock.FixedClock(_at(schedule.day(PHONES_FROM), 9)))
    world.departments = {d.code: d for d in session.scalars(select(Department))}
    if any(code not in world.departments for code in PLAN_TITLES):
        return vars(counts)
    world.supervisors = {u.department_id: accounts.actor_for(u) for u in session.scalars(
        select(User).where(User.role == "supervisor", User.active.is_(True)))}
    # Working days from a month before the first event (plans are drafted a week before
    # they are published, snapped to working days) to the last window's end.
    first = schedule.day(PHONES_FROM) - dt.timedelta(days=31)
    world.workdays = [d for d in (first + dt.timedelta(days=i)
                                  for i in range((schedule.last_window_end - first).days + 1))
                      if workdays.is_workday(session, d)]
    with clock.using(world.clock):
        phones_at = _at(world.workday_after(schedule.day(PHONES_FROM) - dt.timedelta(days=1), 1),
                        9)
        world.at(phones_at, _phones)
        _plans(world)
        world.run()
    session.flush()
    task_ids = list(world.tasks.values())
    counts.plans = len(world.plans)
    counts.tasks = len(task_ids)
    counts.visits = session.scalar(select(func.count()).select_from(Visit).where(
        Visit.task_id.in_(task_ids))) or 0
    counts.results = session.scalar(select(func.count()).select_from(Result).where(
        Result.task_id.in_(task_ids))) or 0
    counts.follow_ups = session.scalar(select(func.count()).select_from(FollowUp)) or 0
    return vars(counts)


# --- people and phones ---------------------------------------------------------------------------
def _phones(world: _World, when: dt.datetime) -> None:
    """Every certified inspector of the planning departments gets an account (as the
    first two already have: insp-<dept>-<n>, by inspector id) and registers a phone."""
    session = world.session
    users = {u.inspector_id: u for u in session.scalars(
        select(User).where(User.role == "inspector"))}
    from server.demo import DEMO_PASSWORD, demo_password_hash

    for code in PLAN_TITLES:
        dept = world.departments[code]
        people = session.scalars(select(Inspector).where(
            Inspector.department_id == dept.id, Inspector.active.is_(True))
            .order_by(Inspector.id)).all()
        for n, person in enumerate(people, start=1):
            if person.certificate_valid_until and \
                    person.certificate_valid_until < world.schedule.first_window_start:
                continue  # cannot be drawn for any of the demo's tasks
            user = users.get(person.id)
            if user is None:
                user = accounts.create_user(session, SYSTEM, dict(
                    username=f"insp-{code.lower()}-{n}", role="inspector",
                    inspector_id=person.id, display_name=person.name,
                    password=DEMO_PASSWORD), now=when, password_hash=demo_password_hash())
            actor = accounts.actor_for(user)
            device, credential = devices.register_device(
                session, actor, name=f"{person.name}的执法终端", platform="android", now=when)
            world.phones[person.id] = _Phone(actor, device.id, credential)


# --- plans, tasks, draws ---------------------------------------------------------------------------
def _draw_day(world: _World, window_start: dt.date) -> dt.date:
    return world.workday_after(window_start - dt.timedelta(days=14), 3)


def _plans(world: _World) -> None:
    """A plan per department and year its tasks' windows start in (a task's window must
    start in its plan's year), drafted with its tasks a week before it is published.
    Published on 20 January of its year, but not before the schedule's 20 January (a plan
    of the year the demo's twelve months begin in is published late rather than before
    them) and at the latest a week before its first draw (a plan of the next year whose
    first task opens in early January: in December). Each task is drawn shortly before
    its window opens."""
    schedule = world.schedule
    groups: dict[tuple[int, str], list[TaskSpec]] = defaultdict(list)
    for spec in TASKS:
        groups[(schedule.day(spec.window[0]).year, spec.lead)].append(spec)
    order = {code: n for n, code in enumerate(PLAN_TITLES)}
    for (year, code), specs in sorted(groups.items(), key=lambda g: (g[0][0], order[g[0][1]])):
        first_draw = min(_draw_day(world, schedule.day(s.window[0])) for s in specs)
        published = min(max(dt.date(year, *PLAN_PUBLISHED), schedule.day("01-20")),
                        first_draw - dt.timedelta(days=PLAN_LEAD_DAYS))
        published = world.workday_on_or_before(published)
        drafted = world.workday_on_or_before(published - dt.timedelta(days=7))
        world.at(_at(drafted, 15), _draft_plan, code, year, specs)
        world.at(_at(published, 10), _publish_plan, code, year)
        for spec in specs:
            world.at(_at(_draw_day(world, schedule.day(spec.window[0])), 9, 30), _draw, spec)


def _draft_plan(world: _World, when: dt.datetime, code: str, year: int,
                specs: list[TaskSpec]) -> None:
    session, schedule = world.session, world.schedule
    versions = dict(session.execute(
        select(InspectionItem.code, InspectionItemVersion.id).join(
            InspectionItemVersion, (InspectionItemVersion.item_id == InspectionItem.id) &
            (InspectionItemVersion.version == InspectionItem.current_version))).all())
    dept = world.departments[code]
    supervisor = world.supervisors[dept.id]
    plan = plans.create_plan(session, supervisor, {
        "department_id": dept.id, "year": year, "title": PLAN_TITLES[code].format(year=year)})
    world.plans.append(plan.id)
    for spec in specs:
        data = {"name": spec.name, "kind": "random",
                "department_ids": [world.departments[o].id for o in spec.others],
                "joint_mode": spec.joint_mode,
                "item_versions": [versions[i] for i in spec.items], "scope": spec.scope,
                "ratios": spec.ratios, "fixed_count": spec.fixed_count,
                "window_start": schedule.day(spec.window[0]),
                "window_end": schedule.day(spec.window[1]),
                "result_deadline": schedule.day(spec.deadline), "exclusion_days": 365,
                "cap_per_department": 2, "cap_total": 4, "inspector_cap": None}
        world.tasks[spec.name] = plans.create_task(session, supervisor, plan.id, data).id


def _publish_plan(world: _World, when: dt.datetime, code: str, year: int) -> None:
    session = world.session
    dept = world.departments[code]
    plan_id = session.scalar(select(Plan.id).where(Plan.department_id == dept.id,
                                                   Plan.year == year))

    def seed_of(task: Task) -> bytes:
        return hashlib.sha256(f"fieldinspect-demo|{world.seed}|{task.name}".encode()).digest()

    plans.publish_plan(session, world.supervisors[dept.id], plan_id, filing_reason=None,
                       now=when, new_seed=seed_of)


def _draw(world: _World, when: dt.datetime, spec: TaskSpec) -> None:
    session = world.session
    task = session.get(Task, world.tasks[spec.name])
    supervisor = world.supervisors[task.lead_department_id]
    try:
        with session.begin_nested():
            draw = draws.run(session, supervisor, task.id, now=when)
    except RuleViolation:
        return  # a small registry may have no company in scope: the task stays undrawn
    # Field work for the first visits only: with a province-size registry a draw issues
    # thousands, and the rest simply stay undone (overdue) instead of taking minutes.
    visits = session.execute(select(Visit.id, Visit.company_id).where(Visit.draw_id == draw.id)
                             .order_by(Visit.id).limit(MAX_WORKED_PER_TASK)).all()
    on_site = any(session.get(InspectionItemVersion, i.item_version_id).method == "on_site"
                  for i in task.items)
    last = min(task.window_end, world.today)
    days = [d for d in world.workdays if task.window_start <= d <= task.window_end]
    # The teams spread their visits over the window's working days, in no particular order:
    # so the task still running has visits in its last days too, whatever the build day.
    visits = list(visits)
    world.rng.shuffle(visits)
    planned = []
    for n, (visit_id, company_id) in enumerate(visits):
        day = days[min(len(days) - 1, int((n + world.rng.random()) * len(days) / len(visits)))]
        if task.window_end < world.today and world.rng.random() < SKIPPED_RATE:
            continue  # never made: overdue
        if day > last:
            continue  # still to come
        problem = world.rng.random() < PROBLEM_RATE
        category = world.rng.choice(spec.problems) if problem else "no_problem"
        # Today's visits: every other one still under way (entered, part of the checklist),
        # the rest done and submitted this morning, so a result awaits review whose
        # publication deadline counts from today.
        partial = day == world.today and n % 2 == 0
        planned.append((day, visit_id, company_id, category, partial))
    planned.sort()
    if task.window_start <= world.today <= task.window_end:
        # The running task's first visit finds a problem to follow up: the transfer that
        # still awaits acceptance today (``_follow_up``), whatever the chance gave before.
        first = next((n for n, p in enumerate(planned) if not p[4]), None)
        needs = [c for c in spec.problems if c != "corrected"]
        if first is not None and needs:
            planned[first] = planned[first][:3] + (needs[0], False)
    for day, visit_id, company_id, category, partial in planned:
        if on_site and codes.current_premises(session, company_id) is None:
            codes.issue_premises(session, supervisor, company_id, now=when)  # posted at the door
        world.at(_at(day, world.rng.randint(8, 15), world.rng.randrange(0, 60)),
                 _field_work, visit_id, category, partial)


# --- the field work, pushed from the phones ------------------------------------------------------
def _value(rng: random.Random, f: dict, day: dt.date, bad: bool):
    kind, key = f["type"], f["key"]
    if kind == "yes_no_na":
        good = "no" if key in GOOD_NO else "yes"
        return ({"yes": "no", "no": "yes"}[good]) if bad else good
    if kind == "number":
        lo, hi = NUMBERS.get(key, (f.get("min") or 0, f.get("max") or 10))
        value = round(rng.uniform(lo, hi), 1)
        # 813.0 comes back from the JSON column as 813, which hashes differently in a
        # signature's checklist_hash: send whole numbers as integers.
        return int(value) if value == int(value) else value
    if kind == "single_choice":
        options = [o["value"] for o in f["options"]]
        return options[-1] if bad else options[0]
    if kind == "multiple_choice":
        options = [o["value"] for o in f["options"]]
        return sorted(rng.sample(options, k=rng.choice((1, 2))), key=options.index)
    if kind == "date":
        return (day - dt.timedelta(days=rng.randint(20, 200))).isoformat()
    if kind == "photo":
        return hashlib.sha256(f"photo|{key}|{day}|{rng.random()}".encode()).hexdigest()
    if key == "remark":
        return "经现场检查，发现问题已当场指出并责令整改。" if bad else None
    return None


class _Clock:
    """One phone's hybrid logical clock and op ids, from the simulated time."""

    def __init__(self, world: _World, phone: _Phone, start: dt.datetime):
        self.world, self.phone, self.time, self.counter = world, phone, start, 0

    def op(self, visit_id: int, kind: str, *, minutes: float = 0.5, **fields) -> dict:
        self.time += dt.timedelta(minutes=minutes)
        ms = int(self.time.timestamp() * 1000)
        self.counter += 1
        op_id = str(uuid7(ms, self.world.rng.randbytes(10)))
        return {"op_id": op_id, "kind": kind, "visit_id": visit_id,
                "hlc": HLC(ms, self.counter, self.phone.device_id).encode(),
                "device_time": self.time.isoformat(), **fields}


def _push(world: _World, phone: _Phone, ops: list[dict], now: dt.datetime) -> list[dict]:
    """Exactly what the push endpoint does with a phone's batch: the schema, then the
    service. Anything but ``applied`` is a mistake in this module: fail loudly."""
    data = PushSchema().load({"device_id": phone.device_id, "ops": ops})
    session = world.session
    world.clock.set(now)  # a push hours after the scan is stamped when it arrives
    out = push_batch(session, phone.actor, device_id=phone.device_id, credential=phone.credential,
                    ops=data["ops"], now=now, entry_rules=world.entry_rules,
                    public_keys=lambda: {**signing.public_keys(session),
                                         world.signer.kid: world.signer.public_bytes})
    refused = [r for r in out if r["outcome"] != "applied"]
    if refused:
        raise RuntimeError(f"demo push refused: {refused}")
    return out


def _field_work(world: _World, when: dt.datetime, visit_id: int, category: str,
                partial: bool, recheck_of: int | None = None) -> None:
    session, rng = world.session, world.rng
    visit = session.get(Visit, visit_id)
    if visit.state != VisitState.ISSUED:
        return
    task = session.get(Task, visit.task_id)
    company = session.get(Company, visit.company_id)
    members = sorted(visit.members, key=lambda m: (m.department_id != task.lead_department_id,
                                                   m.department_id, m.inspector_id))
    links = sorted(visit.items, key=lambda i: i.item_version_id)
    versions = {v.id: v for v in session.scalars(select(InspectionItemVersion).where(
        InspectionItemVersion.id.in_([i.item_version_id for i in links])))}
    on_site = any(v.method == "on_site" for v in versions.values())
    problem = category != "no_problem"
    bad_item = rng.choice(links).item_version_id if problem else None
    clocks = {m.inspector_id: _Clock(world, world.phones[m.inspector_id], when) for m in members}
    lead = members[0]
    batches: dict[int, list[dict]] = defaultdict(list)
    answers: dict[tuple[int, str], object] = {}
    if on_site:
        premises = codes.current_premises(session, company.id)
        batches[lead.inspector_id].append(clocks[lead.inspector_id].op(
            visit.id, "entry_scan", minutes=0,
            premises_token=codes.premises_token(premises, world.signer),
            visit_token=codes.visit_token(visit, world.signer),
            latitude=round(company.latitude + rng.uniform(-0.0004, 0.0004), 6),
            longitude=round(company.longitude + rng.uniform(-0.0004, 0.0004), 6)))
    for link in links:
        member = next(m for m in members if m.department_id == link.department_id)
        clock = clocks[member.inspector_id]
        fields = versions[link.item_version_id].form["fields"]
        flip = rng.choice([f["key"] for f in fields if f["type"] == "yes_no_na"]) \
            if link.item_version_id == bad_item else None
        for f in fields:
            value = _value(rng, f, when.date(), f["key"] == flip or (
                f["key"] == "remark" and flip is not None))
            if value is None:
                continue
            answers[(link.item_version_id, f["key"])] = value
            batches[member.inspector_id].append(clock.op(
                visit.id, "set_answer", minutes=rng.uniform(0.5, 3),
                item_version_id=link.item_version_id, field=f["key"], value=value))
        if link.item_version_id == bad_item and len(versions) > 1:
            answers[(link.item_version_id, RESULT_FIELD)] = category
            batches[member.inspector_id].append(clock.op(
                visit.id, "set_result", item_version_id=link.item_version_id,
                category=category))
    offline = rng.random() < OFFLINE_RATE
    delay = dt.timedelta(hours=rng.uniform(2, 5)) if offline else dt.timedelta(minutes=1)
    pushed = [when]

    def push(member, ops):
        # Phones push in the order things happen; an offline phone hours later.
        last = dt.datetime.fromisoformat(ops[-1]["device_time"])
        pushed.append(max(pushed[-1], last + delay))
        return _push(world, world.phones[member.inspector_id], ops, pushed[-1])

    lead_ops = batches[lead.inspector_id]
    if on_site and not offline:  # online at the door: the scan goes up at once
        push(lead, lead_ops[:1])
        del lead_ops[:1]
    if partial:  # under way today: entered, part of the checklist, nothing signed
        if lead_ops:
            push(lead, lead_ops[:max(1, len(lead_ops) // 2)])
        return
    lead_ops.append(clocks[lead.inspector_id].op(visit.id, "set_result", category=category))
    answers[(0, RESULT_FIELD)] = category
    state = checklist_hash(answers)
    answering = [m for m in members if batches[m.inspector_id]]
    signers = [m for m in members if m not in answering] + answering[:-1]
    for n, member in enumerate(answering):
        ops = batches[member.inspector_id]
        if n == len(answering) - 1:
            ops.append(clocks[member.inspector_id].op(
                visit.id, "sign", minutes=2, sha256=_signature(member, visit), state_hash=state))
        push(member, ops)
    submitted = None
    for n, member in enumerate(signers):
        clock = clocks[member.inspector_id]
        clock.time = max(c.time for c in clocks.values())
        ops = [clock.op(visit.id, "sign", minutes=1, sha256=_signature(member, visit),
                        state_hash=state)]
        if n == len(signers) - 1 and on_site:  # the party signs last, on this phone
            ops.append(clock.op(visit.id, "company_sign", minutes=1,
                                **_company_signature(company, visit, state)))
        if n == len(signers) - 1:
            ops.append(clock.op(visit.id, "submit", minutes=1))
        submitted = push(member, ops)[-1]
    _after_submit(world, pushed[-1], submitted["result"]["id"], category, recheck_of)


def _company_signature(company, visit, state: str) -> dict:
    """The representative signs (当事人签字); about one visit in twelve records a refusal
    (当事人拒绝签字), chosen by the visit's id so the demo's random draws stay as they are."""
    if visit.id % 12 == 0:
        return {"refused": True, "state_hash": state,
                "reason": "当事人拒绝在笔录上签字，检查人员二人在场见证"}
    return {"representative": company.legal_representative or "现场负责人",
            "statement": "对检查记录无异议", "state_hash": state,
            "sha256": hashlib.sha256(f"company|{visit.id}".encode()).hexdigest()}


def _signature(member, visit) -> str:
    return hashlib.sha256(f"signature|{member.inspector_id}|{visit.id}".encode()).hexdigest()


# --- review, publication, follow-up ----------------------------------------------------------------
def _after_submit(world: _World, submitted: dt.datetime, result_id: int, category: str,
                  recheck_of: int | None) -> None:
    day = submitted.astimezone(CHINA).date()
    if day >= world.schedule.day(BACKLOG_FROM):
        return  # the last days' reviews run behind: still awaiting review today
    review = world.office_time(world.workday_after(day, world.rng.randint(1, 4)))
    if (not world.returned_done and recheck_of is None and category == "no_problem"
            and day >= world.today - dt.timedelta(days=RETURNED_WITHIN_DAYS)):
        world.returned_done = True
        world.at(review, _return, result_id)
        return
    world.at(review, _approve, result_id, category, recheck_of)


def _supervisor_of(world: _World, result: Result) -> Actor:
    task = world.session.get(Task, result.task_id)
    return world.supervisors[task.lead_department_id]


def _return(world: _World, when: dt.datetime, result_id: int) -> None:
    result = world.session.get(Result, result_id)
    results.return_(world.session, _supervisor_of(world, result), result_id,
                    reason="现场照片不清晰，无法核对检查情况，请补拍后重新提交。", now=when)


def _approve(world: _World, when: dt.datetime, result_id: int, category: str,
             recheck_of: int | None) -> None:
    session, rng = world.session, world.rng
    result = session.get(Result, result_id)
    supervisor = _supervisor_of(world, result)
    results.approve(session, supervisor, result_id, now=when)
    recent = when.astimezone(CHINA).date() >= world.schedule.day(UNPUBLISHED_FROM)
    if not (recent and rng.random() < UNPUBLISHED_RATE):
        world.at(world.office_time(world.workday_after(when.date(), rng.randint(1, 5))),
                 _publish, result_id)
    if recheck_of is not None:
        world.at(when + dt.timedelta(hours=1), _close, recheck_of,
                 "复查确认已整改到位。", True)
        return
    if category == "no_problem" or not session.get(Result, result_id).problem:
        return
    needs = category not in ("corrected",)
    if needs:
        world.at(world.office_time(world.workday_after(when.date(), rng.randint(1, 3))),
                 _follow_up, result_id)


def _publish(world: _World, when: dt.datetime, result_id: int) -> None:
    result = world.session.get(Result, result_id)
    results.publish(world.session, _supervisor_of(world, result), result_id, now=when)


def _follow_up(world: _World, when: dt.datetime, result_id: int) -> None:
    session, rng = world.session, world.rng
    result = session.get(Result, result_id)
    supervisor = _supervisor_of(world, result)
    task = session.get(Task, result.task_id)
    lead_code = next(c for c, d in world.departments.items() if d.id == task.lead_department_id)
    day = when.astimezone(CHINA).date()
    if day >= world.schedule.day(PENDING_TRANSFER_FROM) and not world.transfer_pending_done:
        kind = "transfer_pending"
        world.transfer_pending_done = True
    elif world.follow_up_plan:
        kind = world.follow_up_plan.pop(0)
    else:
        kind = "rectify_closed"
    if kind.startswith("transfer"):
        target = world.departments[TRANSFER_TO[lead_code]]
        follow = follow_ups.open_follow_up(
            session, supervisor, result_id, kind="transfer", department_id=target.id,
            description=f"检查中发现的问题属{target.short_name or target.name}职责，依法移送处理。",
            now=when)
        if kind == "transfer_closed":
            receiver = world.supervisors[target.id]
            accepted = world.office_time(world.workday_after(when.date(), 2))
            world.at(accepted, _accept, follow.id, receiver)
            world.at(world.office_time(world.workday_after(accepted.date(), rng.randint(6, 12))),
                     _close, follow.id, "已立案调查，依法作出行政处罚并督促整改。", True,
                     receiver)
    elif kind == "case":
        number = f"赞{lead_code[:2]}立字〔{day.year}〕{rng.randint(10, 99)}号"
        follow = follow_ups.open_follow_up(session, supervisor, result_id, kind="case",
                                           description="涉嫌违法，依法立案调查。",
                                           case_number=number, now=when)
        world.at(world.office_time(world.workday_after(when.date(), rng.randint(10, 18))),
                 _close, follow.id, "作出警告并处罚款的行政处罚决定，已执行完毕。", True)
    else:
        follow = follow_ups.open_follow_up(
            session, supervisor, result_id, kind="rectify",
            description="责令限期改正，逾期未改正的依法处理。", recheck=kind == "rectify_recheck",
            now=when)
        if kind == "rectify_recheck":
            visit_day = world.workday_after(when.date(), rng.randint(5, 9))
            world.at(_at(visit_day, 10), _field_work, follow.recheck_visit_id, "no_problem",
                     False, follow.id)
        elif kind == "rectify_closed":
            world.at(world.office_time(world.workday_after(when.date(), rng.randint(8, 15))),
                     _close, follow.id, "企业已提交整改报告，经核查整改到位。", True)
        # rectify_overdue: nobody closes it


def _accept(world: _World, when: dt.datetime, follow_up_id: int, receiver: Actor) -> None:
    follow_ups.decide(world.session, receiver, follow_up_id, accept=True, now=when)


def _close(world: _World, when: dt.datetime, follow_up_id: int, outcome: str, resolved: bool,
           actor: Actor | None = None) -> None:
    session = world.session
    follow = session.get(FollowUp, follow_up_id)
    if follow.state not in FOLLOW_UP_OWNED:
        return
    actor = actor or world.supervisors[follow.department_id]
    follow_ups.close(session, actor, follow_up_id, outcome=outcome, resolved=resolved, now=when)
