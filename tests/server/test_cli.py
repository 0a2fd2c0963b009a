"""The ``fieldinspect`` command against a real, committed database per backend:
migrate, load demo data, verify the audit chain, detect tampering."""

from __future__ import annotations

from sqlalchemy import func, select, text

from schemas.codes import is_valid_credit_code
from server.db import make_engine
from server.models import Company, Department, InspectionItem, Inspector, User
from tests.cli_runner import run


def test_demo_data_is_realistic_and_the_audit_chain_verifies_until_tampered(scratch_database_url, tmp_path):
    assert run(["db", "upgrade"], scratch_database_url, tmp_path).exit_code == 0
    result = run(["demo", "--companies", "300"], scratch_database_url, tmp_path)
    assert result.exit_code == 0, result.output
    engine = make_engine(scratch_database_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Department)) >= 5
        assert conn.scalar(select(func.count()).select_from(InspectionItem)) >= 40
        assert conn.scalar(select(func.count()).select_from(Inspector)) >= 60
        codes = conn.scalars(select(Company.credit_code)).all()
        assert len(codes) == 300 and all(is_valid_credit_code(c) for c in codes)
        classes = set(conn.scalars(select(Company.credit_risk_class).distinct()))
        assert classes == {"A", "B", "C", "D"}
        assert set(conn.scalars(select(User.role).distinct())) == {
            "admin", "coordinator", "supervisor", "inspector"}

    ok = run(["audit", "verify"], scratch_database_url, tmp_path)
    assert ok.exit_code == 0 and "chain intact" in ok.output

    with engine.begin() as conn:
        target = conn.scalar(text("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 5"))
        conn.execute(text("UPDATE audit_log SET entity_id = 'forged' WHERE id = :id"), {"id": target})
    engine.dispose()
    broken = run(["audit", "verify"], scratch_database_url, tmp_path)
    assert broken.exit_code == 1
    assert f"BROKEN at entry {target}" in broken.output


def test_demo_run_twice_adds_companies_without_duplicating_the_rest(scratch_database_url, tmp_path):
    run(["db", "upgrade"], scratch_database_url, tmp_path)
    run(["demo", "--companies", "50"], scratch_database_url, tmp_path)
    result = run(["demo", "--companies", "70"], scratch_database_url, tmp_path)
    assert result.exit_code == 0, result.output
    engine = make_engine(scratch_database_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Company)) == 120
        assert conn.scalar(select(func.count()).select_from(Department)) == 6
    engine.dispose()
