"""Test data, made through the services (so it is valid and audited like real data)."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

from argon2 import PasswordHasher
from sqlalchemy import select

from schemas.codes import CREDIT_ALPHABET, credit_check_char, id_check_char
from server import clock
from server.models import ApiToken, User
from server.services import companies, departments, inspectors, items, tags
from server.services.accounts import _token_digest
from server.services.actors import SYSTEM

# The suite's own date: every test starts at this moment and sees time run on from it
# (tests/conftest.py), so nothing depends on the day the suite runs; CI also runs it with
# the process clock years ahead. A test that needs another date uses the ``clock_at`` fixture.
SUITE_START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=clock.CHINA)
TODAY = SUITE_START.date()

PASSWORD = "correct horse battery"
# argon2 at minimal cost: the tests check behaviour, not hashing strength.
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
PII_KEY = "test-secret-key"
_seq = itertools.count(1)


def credit_code(n: int | None = None, prefix: str = "91130129MA") -> str:
    n = next(_seq) if n is None else n
    digits = []
    for _ in range(17 - len(prefix)):
        n, r = divmod(n, 31)
        digits.append(CREDIT_ALPHABET[r])
    body = prefix + "".join(reversed(digits))
    return body + credit_check_char(body)


def id_number(n: int | None = None, region: str = "130129", born: str = "19800101") -> str:
    n = next(_seq) if n is None else n
    body = f"{region}{born}{n % 1000:03d}"
    return body + id_check_char(body)


def department(session, code=None, **kw):
    code = code or f"D{next(_seq)}"
    return departments.create(session, SYSTEM, {"code": code, "name": kw.pop("name", f"部门{code}"), **kw})


def tag(session, code=None, kind="expertise", **kw):
    code = code or f"tag-{next(_seq)}"
    return tags.create(session, SYSTEM, {"code": code, "name": kw.pop("name", code), "kind": kind})


def company(session, **kw):
    data = {"credit_code": credit_code(), "name": f"测试公司{next(_seq)}有限公司", **kw}
    return companies.create(session, SYSTEM, data)


def inspector(session, department_id, **kw):
    n = next(_seq)
    data = {"name": f"检查员{n}", "id_number": id_number(n), "certificate_number": f"CERT{n:06d}",
            "department_id": department_id, "certificate_valid_from": dt.date(2024, 1, 1),
            "certificate_valid_until": dt.date(2030, 12, 31), **kw}
    return inspectors.create(session, SYSTEM, data, pii_key=PII_KEY)


FORM = {"fields": [
    {"key": "licensed", "label": "是否持证经营", "type": "yes_no_na"},
    {"key": "temp", "label": "冷库温度", "type": "number", "unit": "℃", "min": -30, "max": 10},
    {"key": "remark", "label": "备注", "type": "text", "required": False},
]}


def item_data(department_id, **kw):
    return {"code": kw.pop("code", f"IT-{next(_seq)}"), "department_id": department_id,
            "name": "食品生产企业监督检查", "legal_basis": "《中华人民共和国食品安全法》第八十七条",
            "subject_type": "enterprise", "method": "on_site", "item_class": "key",
            "form": FORM, **kw}


def item(session, department_id, **kw):
    return items.create(session, SYSTEM, item_data(department_id, **kw))


def user(session, role, department_id=None, inspector_id=None, username=None):
    """A user with a ready bearer token (login itself is tested separately)."""
    u = User(username=username or f"{role}{next(_seq)}", role=role, department_id=department_id,
             inspector_id=inspector_id, password_hash=PASSWORD_HASH)
    session.add(u)
    session.flush()
    token = secrets.token_urlsafe(16)
    session.add(ApiToken(token_hash=_token_digest(token), user_id=u.id,
                         expires_at=clock.now() + dt.timedelta(hours=1)))
    session.flush()
    return u, token


def user_by_name(session, username):
    return session.scalar(select(User).where(User.username == username))


class Api:
    """The Flask test client with a bearer token and JSON by default."""

    def __init__(self, client, token=None):
        self.client = client
        self.token = token

    def _headers(self, headers):
        out = dict(headers or {})
        if self.token:
            out.setdefault("Authorization", f"Bearer {self.token}")
        return out

    def get(self, url, **kw):
        return self.client.get(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, url, json=None, **kw):
        return self.client.post(url, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, url, json=None, **kw):
        return self.client.patch(url, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, url, json=None, **kw):
        return self.client.put(url, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, url, **kw):
        return self.client.delete(url, headers=self._headers(kw.pop("headers", None)), **kw)
