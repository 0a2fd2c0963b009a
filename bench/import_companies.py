"""Time a CSV import of N companies through the HTTP API; print one JSON line.

Each run uses a fresh, migrated database (SQLite file by default, or --database-url for
PostgreSQL, whose public schema is dropped and rebuilt). What is timed is the whole
request: multipart upload, parsing, validation of every row, the bulk upsert, one audit
entry per company, commit. Reported: the median of --runs runs, and a re-import of the
same file (all rows unchanged) for comparison.

    .venv/bin/python bench/import_companies.py [--rows 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from schemas.codes import CREDIT_ALPHABET, credit_check_char  # noqa: E402
from server.app import create_app  # noqa: E402
from server.config import Settings  # noqa: E402
from server.db import Database, make_engine  # noqa: E402
from server.migrations import upgrade  # noqa: E402
from server.services import accounts, tags  # noqa: E402
from server.services.actors import SYSTEM  # noqa: E402


def credit_code(n: int) -> str:
    digits = []
    for _ in range(7):
        n, r = divmod(n, 31)
        digits.append(CREDIT_ALPHABET[r])
    body = "91130129MA" + "".join(reversed(digits))
    return body + credit_check_char(body)


def make_csv(rows: int) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["统一社会信用代码", "企业名称", "主体类型", "法定代表人", "住所", "成立日期",
                  "行业", "所属区域", "信用风险分类", "状态", "标签"])
    for i in range(rows):
        out.writerow([credit_code(i), f"石家庄市测试{i}商贸有限公司", "企业", "张三",
                      f"河北省石家庄市赞皇县槐阳路{i % 500}号", "2015-06-01", "商品零售", "130129",
                      "ABCD"[i % 4], "在营", "ind-retail;scale-small"])
    return buf.getvalue().encode()


def fresh_database(url: str | None, tmp: Path, run: int) -> str:
    if url is None:
        return f"sqlite:///{tmp / f'bench{run}.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def one_run(url: str, data: bytes, tmp: Path) -> tuple[float, float, dict]:
    upgrade(url)
    db = Database(make_engine(url))
    with db.write_session() as s:
        tags.create(s, SYSTEM, {"code": "ind-retail", "name": "商品零售", "kind": "industry"})
        tags.create(s, SYSTEM, {"code": "scale-small", "name": "小微企业", "kind": "scale"})
        accounts.create_user(s, SYSTEM, {"username": "bench", "password": "bench-password",
                                         "role": "admin"})
        s.commit()
    settings = Settings.from_env(database_url=url, secret_key="bench", blob_dir=tmp)
    client = create_app(settings, db).test_client()
    token = client.post("/api/v1/auth/token", json={"username": "bench",
                                                    "password": "bench-password"}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}

    def post():
        start = time.perf_counter()
        resp = client.post("/api/v1/companies/import", headers=headers,
                           data={"file": (io.BytesIO(data), "companies.csv")},
                           content_type="multipart/form-data")
        elapsed = time.perf_counter() - start
        if resp.status_code != 200:
            raise SystemExit(f"import failed: {resp.status_code} {resp.get_data(as_text=True)[:500]}")
        return elapsed, resp.get_json()

    first, report = post()
    again, _ = post()
    db.engine.dispose()
    return first, again, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="PostgreSQL URL (its public schema is rebuilt)")
    args = parser.parse_args()
    data = make_csv(args.rows)
    firsts, agains = [], []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for run in range(args.runs):
            url = fresh_database(args.database_url, tmp, run)
            first, again, report = one_run(url, data, tmp)
            assert report["created"] == args.rows, report
            firsts.append(first)
            agains.append(again)
    median = statistics.median(firsts)
    print(json.dumps({
        "bench": "import_companies",
        "backend": "postgresql" if args.database_url else "sqlite",
        "rows": args.rows, "runs": args.runs, "file_bytes": len(data),
        "seconds_median": round(median, 3), "seconds_all": [round(x, 3) for x in firsts],
        "rows_per_second": round(args.rows / median),
        "reimport_unchanged_seconds_median": round(statistics.median(agains), 3),
        "target_seconds": 3.0, "met": median < 3.0,
    }))


if __name__ == "__main__":
    main()
