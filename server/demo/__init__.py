"""A realistic demo data set for ``make run`` and ``fieldinspect demo``.

Departments, tags, items and inspectors go through the services (validated and audited
like any change); companies are bulk-inserted in batches because the demo must also
produce province-scale registries (10^6 rows). Then, unless asked not to, a year of work
(``activity``: plans, draws, visits, results, follow-ups, all through the services) that
ends on the day it is built (``clock.today()``). Dates of the registries are relative to
that day too: inspectors' certificates are valid around it, companies are registered
before the activity's first year. Deterministic for a given seed and build day; running
it again adds companies after the existing ones and skips what already exists.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field

import click
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from schemas.codes import CREDIT_ALPHABET, credit_check_char, id_check_char
from schemas.states import VISIT_OPEN
from server import clock
from server.demo.catalog import DEPARTMENT_EXPERTISE, DEPARTMENT_PHONES, DEPARTMENTS, ITEMS, TAGS
from server.models import Company, Department, InspectionItem, Inspector, Tag, User, company_tags
from server.services import accounts, audit, departments, inspectors, items, tags
from server.services.actors import SYSTEM
from server.services.signing import Signer

DEMO_PASSWORD = "fieldinspect-demo"
REGIONS = [("130129", "赞皇县", 37.666, 114.386), ("130102", "长安区", 38.037, 114.539),
           ("130104", "桥西区", 38.004, 114.461), ("130105", "新华区", 38.051, 114.463),
           ("130123", "正定县", 38.146, 114.570), ("130127", "高邑县", 37.615, 114.611),
           ("130130", "无极县", 38.179, 114.976), ("130121", "井陉县", 38.032, 114.145)]
INDUSTRIES = [("ind-food-production", "食品", 6), ("ind-catering", "餐饮", 14),
              ("ind-food-retail", "食品超市", 10), ("ind-pharmacy", "大药房", 5),
              ("ind-chemicals", "化工", 3), ("ind-construction", "建筑工程", 6),
              ("ind-manufacturing", "机械制造", 12), ("ind-medical", "诊所", 4),
              ("ind-hotel", "酒店", 5), ("ind-entertainment", "文化娱乐", 3),
              ("ind-retail", "商贸", 20), ("ind-mining", "矿业", 2),
              ("ind-special-equipment", "物流", 4)]
RISK_BY_INDUSTRY = {"ind-food-production": "risk-food-safety", "ind-catering": "risk-food-safety",
                    "ind-food-retail": "risk-food-safety", "ind-chemicals": "risk-production-safety",
                    "ind-mining": "risk-production-safety", "ind-entertainment": "risk-fire",
                    "ind-hotel": "risk-fire", "ind-medical": "risk-public-health",
                    "ind-manufacturing": "risk-pollution"}
CLASS_WEIGHTS = (("A", 30), ("B", 48), ("C", 16), ("D", 6))
NAME_CHARS = "华鑫盛泰恒通达源丰瑞祥宏兴隆昌顺安康宇博远润德福嘉鸿信诚建春晨晟凯佳冀赞槐"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文博宇浩然欣怡子轩"
COMPANY_BATCH = 10_000
INDUSTRY_NAMES = {code: name for code, name, kind in TAGS if kind == "industry"}


@dataclass
class Summary:
    created: dict = field(default_factory=dict)

    def describe(self) -> str:
        return "demo data: " + ", ".join(f"{v} {k}" for k, v in self.created.items())


def accounts_help() -> str:
    sups = ", ".join(f"sup-{code.lower()}" for code, _, _ in DEPARTMENTS)
    last_month = clock.today().replace(day=1) - dt.timedelta(days=1)
    return ("  demo accounts (password for all: %s):\n"
            "    admin          admin: registries, users, audit\n"
            "    coordinator    regional 双随机 office: reads every department\n"
            "    %s\n                   supervisors, one per department\n"
            "    insp-scjg-1 .. insp-yjgl-2   inspectors (two per department; all ten of\n"
            "                   SCJG, XFJY and WSJK: insp-scjg-1 .. insp-scjg-10)\n"
            "  the demo's year of work (the twelve months up to the day it was built):\n"
            "    /dashboard as sup-scjg;\n"
            "    fieldinspect report monthly --department SCJG --month %s --xlsx out.xlsx"
            % (DEMO_PASSWORD, sups, f"{last_month:%Y-%m}"))


def app_help(session: Session, base: str, *, most: int = 4) -> str:
    """Who can try the inspector's app (/app) on this database: the inspectors with open
    visits (待检查/检查中), most first, a joint visit of several departments named. The
    demo's draws depend on the day it was built, so the names are read, not fixed."""
    from server.models import Visit, VisitMember

    open_visits = (select(VisitMember.inspector_id, Visit.id.label("visit_id"))
                   .join(Visit, Visit.id == VisitMember.visit_id)
                   .where(Visit.state.in_(VISIT_OPEN)).subquery())
    departments_of = dict(session.execute(
        select(VisitMember.visit_id, func.count(func.distinct(VisitMember.department_id)))
        .join(Visit, Visit.id == VisitMember.visit_id).where(Visit.state.in_(VISIT_OPEN))
        .group_by(VisitMember.visit_id)).all())
    rows = session.execute(
        select(User.username, open_visits.c.visit_id)
        .join(open_visits, open_visits.c.inspector_id == User.inspector_id)
        .where(User.role == "inspector").order_by(User.username, open_visits.c.visit_id)).all()
    visits_of: dict[str, list[int]] = {}
    for username, visit_id in rows:
        visits_of.setdefault(username, []).append(visit_id)
    lines = [f"  inspector's app:  {base}/app  (a phone-sized window; works offline once loaded)"]
    if not visits_of:
        return lines[0] + "\n    no inspector has an open visit today"
    ranked = sorted(visits_of.items(), key=lambda kv: (
        -max(departments_of.get(v, 1) for v in kv[1]), -len(kv[1]), kv[0]))
    lines.append("    inspectors with open visits today (same password):")
    for username, visit_ids in ranked[:most]:
        joint = [v for v in visit_ids if departments_of.get(v, 1) > 1]
        note = (f"; visit {joint[0]} is a joint visit of {departments_of[joint[0]]} departments"
                if joint else "")
        lines.append(f"      {username:<14} visits {', '.join(map(str, visit_ids))}{note}")
    return "\n".join(lines)


@functools.cache
def demo_password_hash() -> str:
    """One argon2 hash of the shared demo password for every demo account: fresh hashes
    (0.1-0.3 s each) would be most of the demo's build time."""
    return accounts.hash_password(DEMO_PASSWORD)


def credit_code(index: int, subject_type: str, region: str) -> str:
    """A valid, unique code: 9 (market regulation) + type + region + 'MA' + index in base 31."""
    kind = {"enterprise": "1", "individual_business": "2", "farmer_cooperative": "3"}.get(
        subject_type, "9")
    digits = []
    n = index
    for _ in range(7):
        n, r = divmod(n, 31)
        digits.append(CREDIT_ALPHABET[r])
    body = "9" + kind + region + "MA" + "".join(reversed(digits))
    return body + credit_check_char(body)


def id_number(rng: random.Random, region: str, used: set[str]) -> str:
    while True:
        born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 33))
        body = f"{region}{born:%Y%m%d}{rng.randrange(1, 999):03d}"
        number = body + id_check_char(body)
        if number not in used:
            used.add(number)
            return number


def load(session: Session, *, companies: int = 2000, seed: int = 20250101, pii_key: str,
         progress: bool = False, signer: Signer | None = None, activity: bool = True,
         entry_rules: dict | None = None) -> Summary:
    """``signer`` (the server's code signer) is needed for the activity: the phones scan
    premises codes it signed."""
    if activity and signer is None:
        raise ValueError("the demo activity needs the server's signer")
    rng = random.Random(seed)
    today = clock.today()  # the day the demo is built: its dates are relative to it
    summary = Summary()
    summary.created["departments"] = _departments(session)
    summary.created["tags"] = _tags(session)
    summary.created["items"] = _items(session)
    summary.created["inspectors"] = _inspectors(session, rng, pii_key, today)
    accounts_before = session.scalar(select(func.count()).select_from(User))
    summary.created["users"] = _users(session)
    summary.created["companies"] = _companies(session, rng, companies, progress, today)
    if activity:
        from server.demo import activity as year

        summary.created.update(year.build(session, seed=seed, signer=signer,
                                          entry_rules=entry_rules, today=today))
        # the year of work gives every inspector it sends out an account: count them all
        summary.created["users"] = session.scalar(
            select(func.count()).select_from(User)) - accounts_before
    return summary


def _departments(session: Session) -> int:
    have = set(session.scalars(select(Department.code)))
    new = [d for d in DEPARTMENTS if d[0] not in have]
    for code, name, short in new:
        departments.create(session, SYSTEM, dict(code=code, name=name, short_name=short,
                                                 region="130129",
                                                 phone=DEPARTMENT_PHONES.get(code)))
    return len(new)


def _tags(session: Session) -> int:
    have = set(session.scalars(select(Tag.code)))
    new = [t for t in TAGS if t[0] not in have]
    for code, name, kind in new:
        tags.create(session, SYSTEM, dict(code=code, name=name, kind=kind))
    return len(new)


def _dept_ids(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Department.code, Department.id)).all())


def _items(session: Session) -> int:
    dept = _dept_ids(session)
    have = set(session.scalars(select(InspectionItem.code)))
    count = 0
    for (d, code, name, basis, subject, method, klass, cap, expertise, fields,
         guide) in ITEMS:
        if code in have:
            continue
        items.create(session, SYSTEM, dict(
            code=code, department_id=dept[d], name=name, legal_basis=basis,
            subject_type=subject, content=name, method=method, item_class=klass,
            ratio_cap=cap, frequency="每年一次", required_expertise=expertise, work_guide=guide,
            form={"fields": [{k: v for k, v in f.items() if v is not None} for f in fields]}))
        count += 1
    return count


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def certificate_dates(today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """(valid from, valid until, the lapsed one's end) for a demo built on ``today``:
    valid from three years before its year to two years after, so through the whole of
    the activity's twelve months and for a while after; one per department lapsed in the
    summer two years before, so it is never drawn."""
    return (dt.date(today.year - 3, 1, 1), dt.date(today.year + 2, 12, 31),
            dt.date(today.year - 2, 6, 30))


def registered_at(today: dt.date) -> dt.datetime:
    """When the demo's companies entered the registry: 1 December before the year of the
    activity's first task, so they are the monthly report's coverage base (companies
    registered by the end of the previous year) in every year the activity touches."""
    from server.demo.activity import first_window_start

    return dt.datetime(first_window_start(today).year - 1, 12, 1, tzinfo=dt.UTC)


def _inspectors(session: Session, rng: random.Random, pii_key: str, today: dt.date) -> int:
    if session.scalar(select(func.count()).select_from(Inspector)):
        return 0
    dept = _dept_ids(session)
    valid_from, valid_until, lapsed = certificate_dates(today)
    used: set[str] = set()
    count = 0
    for d_index, (code, _name, _) in enumerate(DEPARTMENTS):
        expertise = DEPARTMENT_EXPERTISE[code]
        for n in range(11):
            until = valid_until if n != 10 else lapsed
            inspectors.create(session, SYSTEM, dict(
                name=_person_name(rng), id_number=id_number(rng, "130129", used),
                mobile=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                certificate_number=f"13012920{d_index + 1:02d}{n + 1:04d}",
                certificate_valid_from=valid_from, certificate_valid_until=until,
                issuing_authority="石家庄市人民政府", department_id=dept[code],
                section=("综合执法科", "监督检查科", "法规科")[n % 3],
                tags=sorted(rng.sample(expertise, k=min(len(expertise), rng.choice((1, 2)))))),
                pii_key=pii_key)
            count += 1
    return count


def _users(session: Session) -> int:
    have = set(session.scalars(select(User.username)))
    dept = _dept_ids(session)
    wanted = [dict(username="admin", role="admin", display_name="系统管理员"),
              dict(username="coordinator", role="coordinator", display_name="县双随机办")]
    for code, _name, short in DEPARTMENTS:
        wanted.append(dict(username=f"sup-{code.lower()}", role="supervisor",
                           department_id=dept[code], display_name=f"{short}科长"))
        for n, inspector in enumerate(session.scalars(
                select(Inspector).where(Inspector.department_id == dept[code])
                .order_by(Inspector.id).limit(2)), start=1):
            wanted.append(dict(username=f"insp-{code.lower()}-{n}", role="inspector",
                               inspector_id=inspector.id, display_name=inspector.name))
    count = 0
    for user in wanted:
        if user["username"] not in have:
            accounts.create_user(session, SYSTEM, {**user, "password": DEMO_PASSWORD},
                                 password_hash=demo_password_hash())
            count += 1
    return count


def _companies(session: Session, rng: random.Random, total: int, progress: bool,
               today: dt.date) -> int:
    tag_ids = dict(session.execute(select(Tag.code, Tag.id)).all())
    offset = session.scalar(select(func.count()).select_from(Company)) or 0
    classes = [c for c, _ in CLASS_WEIGHTS]
    class_weights = [w for _, w in CLASS_WEIGHTS]
    industry_weights = [w for *_, w in INDUSTRIES]
    # In the registry since before the activity's first year: the monthly report's
    # coverage base is the companies registered by the end of the previous year.
    now = min(clock.now(), registered_at(today))
    batches = range(0, total, COMPANY_BATCH)
    bar = click.progressbar(batches, label="companies", show_pos=True) if progress else None
    with bar if bar else _Null() as it:
        for start in (it if bar else batches):
            rows, links = [], []
            for i in range(offset + start, offset + min(start + COMPANY_BATCH, total)):
                region, region_name, lat, lon = rng.choice(REGIONS)
                ind_code, ind_word, _ = rng.choices(INDUSTRIES, industry_weights)[0]
                subject = "individual_business" if ind_code in ("ind-catering", "ind-retail") \
                    and rng.random() < 0.4 else "enterprise"
                code = credit_code(i, subject, region)
                name_core = "".join(rng.sample(NAME_CHARS, 2))
                name = (f"{region_name}{name_core}{ind_word}店" if subject == "individual_business"
                        else f"石家庄{name_core}{ind_word}有限公司")
                status = rng.choices(("operating", "deregistered", "unreachable"), (94, 3, 3))[0]
                rows.append(dict(
                    credit_code=code, name=name, subject_type=subject,
                    legal_representative=_person_name(rng),
                    address=f"河北省石家庄市{region_name}{rng.choice('东西南北')}环路{rng.randrange(1, 400)}号",
                    business_scope=f"{ind_word}相关经营活动（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
                    established_on=dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 30)),
                    phone=f"0311-{rng.randrange(10**7, 10**8)}", industry=INDUSTRY_NAMES[ind_code],
                    region=region, credit_risk_class=rng.choices(classes, class_weights)[0],
                    status=status, latitude=round(lat + rng.uniform(-0.05, 0.05), 6),
                    longitude=round(lon + rng.uniform(-0.05, 0.05), 6),
                    active=True, created_at=now, updated_at=now))
                company_tag_codes = [ind_code]
                if ind_code in RISK_BY_INDUSTRY:
                    company_tag_codes.append(RISK_BY_INDUSTRY[ind_code])
                company_tag_codes.append("scale-large" if rng.random() < 0.1 else "scale-small")
                links.append(company_tag_codes)
            ids = session.execute(insert(Company).returning(Company.id, sort_by_parameter_order=True),
                                  rows).scalars().all()
            session.execute(insert(company_tags), [
                {"company_id": cid, "tag_id": tag_ids[t]}
                for cid, codes in zip(ids, links, strict=True) for t in codes])
            # A batch per transaction: a 10^7-row demo must not hold one giant transaction
            # (SQLite's WAL would grow to gigabytes), and an interrupted run keeps its batches.
            session.commit()
    if total:
        audit.record(session, SYSTEM, "demo.companies", "company", None,
                     after={"count": total, "first_index": offset, "seed_batch": total})
    return total


class _Null:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
