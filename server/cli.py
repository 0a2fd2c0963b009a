"""The ``fieldinspect`` command.

    fieldinspect serve            migrate, load demo data into an empty database, run gunicorn
    fieldinspect db upgrade       apply migrations
    fieldinspect demo [--companies N] [--no-activity]
    fieldinspect audit verify     recompute the audit hash chain
    fieldinspect draw verify ID   re-run a draw from its stored inputs
    fieldinspect keys rotate      sign new codes with a new key
    fieldinspect users create     make an account
    fieldinspect report monthly --month YYYY-MM [--department CODE] [--xlsx F] [--json F]
"""

from __future__ import annotations

import os
import shutil
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup
from sqlalchemy import func, select

from server.app import create_app


def _fi():
    return current_app.extensions["fieldinspect"]


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=False,
             add_version_option=False)
def main():
    """Field inspections under 双随机、一公开."""


@main.group()
def db():
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head")
def db_upgrade(revision):
    """Apply migrations up to REVISION (default: head)."""
    from server.migrations import upgrade

    upgrade(_fi().settings.database_url, revision=revision)
    click.echo(f"database at {revision}")


@main.command()
@click.option("--companies", default=2000, show_default=True, type=click.IntRange(1, 20_000_000))
@click.option("--seed", default=20250101, show_default=True, help="same seed and day, same data")
@click.option("--activity/--no-activity", default=True, show_default=True,
              help="a year of plans, draws, visits, results and follow-ups ending on the "
                   "clock's today (FIELDINSPECT_NOW moves it), once")
def demo(companies, seed, activity):
    """Load a realistic demo data set (departments, items, companies, inspectors, users,
    and a year of inspection work)."""
    from server import demo as demo_data

    fi = _fi()
    signer = fi.signer() if activity else None  # before the write session: it writes too
    with fi.db.write_session() as session:
        summary = demo_data.load(session, companies=companies, seed=seed,
                                 pii_key=fi.settings.secret_key, progress=True,
                                 signer=signer, activity=activity,
                                 entry_rules=_entry_rules(fi.settings))
        session.commit()
    click.echo(summary.describe())


def _entry_rules(settings) -> dict:
    return {"grace_minutes": settings.entry_grace_minutes,
            "distance_flag_m": settings.entry_distance_flag_m,
            "manual_days": settings.manual_entry_days}


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), show_default="$PORT or 5000")
@click.option("--workers", default=lambda: int(os.environ.get("WEB_CONCURRENCY", 3)), show_default="3")
@click.option("--demo/--no-demo", default=None,
              help="load demo data into an empty database (default: only for SQLite)")
def serve(host, port, workers, demo):
    """Migrate, load demo data if the database is empty, and serve with gunicorn."""
    from server import demo as demo_data
    from server.migrations import upgrade
    from server.models import Department
    from server.services import calendar_notices
    from server.services.actors import SYSTEM

    fi = _fi()
    fi.settings.blob_dir.mkdir(parents=True, exist_ok=True)
    upgrade(fi.settings.database_url)
    signer = fi.signer()  # before the write session: registering the key writes too
    with fi.db.write_session() as session:
        empty = not session.scalar(select(func.count()).select_from(Department))
        if demo is None:
            demo = fi.settings.database_url.startswith("sqlite")
        if empty and demo:
            click.echo("empty database: loading demo data ...")
            summary = demo_data.load(session, pii_key=fi.settings.secret_key, progress=True,
                                     signer=signer, entry_rules=_entry_rules(fi.settings))
            session.commit()
            click.echo(summary.describe())
        moved = calendar_notices.take_over(session, SYSTEM)
        session.commit()
        if moved:
            click.echo(f"the calendar package covers more years: {len(moved)} deadline(s) "
                       "counted again (audited as deadline.recount)")
    fi.db.engine.dispose()
    base = f"http://{host}:{port}"
    click.echo(f"\nfieldinspect on {base}\n  API docs:  {base}/docs\n"
               f"  OpenAPI:   {base}/api/v1/openapi.json\n  database:  {fi.settings.database_url}")
    click.echo(demo_data.accounts_help())
    with fi.db.read_session() as session:
        click.echo(demo_data.app_help(session, base))
    fi.db.engine.dispose()
    gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    os.execv(gunicorn, [gunicorn, "--workers", str(workers), "--bind", f"{host}:{port}",
                        "--access-logfile", "-", "--timeout", "120", "server.wsgi:app"])


@main.group()
def audit():
    """The audit log."""


@audit.command("verify")
def audit_verify():
    """Recompute the hash chain; exit 1 at the first broken link."""
    from server.services import audit as audit_service

    with _fi().db.read_session() as session:
        result = audit_service.verify(session)
    if result.ok:
        click.echo(f"audit log OK: {result.checked} entries, chain intact")
        return
    click.echo(f"audit log BROKEN at entry {result.first_bad_id}: {result.reason} "
               f"({result.checked} entries verified before it)", err=True)
    sys.exit(1)


@main.group()
def draw():
    """The random draws."""


@draw.command("verify")
@click.argument("draw_id", type=int)
def draw_verify(draw_id):
    """Re-run DRAW_ID from its stored inputs; exit 1 on a mismatch."""
    from server.services import publication
    from server.services.draws import verify

    with _fi().db.read_session() as session:
        result = verify(session, publication.draw(session, draw_id))
    for name, ok in result["checks"].items():
        click.echo(f"  {'ok      ' if ok else 'MISMATCH'}  {name}")
    if result["match"]:
        click.echo(f"draw {draw_id}: match")
        return
    click.echo(f"draw {draw_id}: MISMATCH", err=True)
    sys.exit(1)


@main.group()
def keys():
    """The keys that sign inspection codes."""


@keys.command("rotate")
def keys_rotate():
    """Start signing with a new key; codes signed with the old one keep verifying."""
    from server.services import signing

    fi = _fi()
    if fi.settings.signing_key:
        raise click.ClickException("FIELDINSPECT_SIGNING_KEY is set: rotate by setting a new "
                                   "key there (the old public key stays registered).")
    with fi.db.write_session() as session:
        new = signing.rotate(session, keys_dir=fi.settings.keys_dir)
        session.commit()
    click.echo(f"signing with key {new.kid}; running servers sign with it from their next "
               "code on (no restart needed)")


@main.group()
def users():
    """Accounts."""


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "coordinator", "supervisor", "inspector"]),
              required=True)
@click.option("--department-id", type=int)
@click.option("--inspector-id", type=int)
@click.password_option()
def users_create(username, role, department_id, inspector_id, password):
    """Create an account (run as the system)."""
    from server.services import accounts
    from server.services.actors import SYSTEM

    with _fi().db.write_session() as session:
        user = accounts.create_user(session, SYSTEM, dict(
            username=username, role=role, department_id=department_id,
            inspector_id=inspector_id, password=password))
        session.commit()
        click.echo(f"created user {user.username} (id {user.id})")


@main.group()
def report():
    """Reports."""


@report.command("monthly")
@click.option("--month", required=True, metavar="YYYY-MM", help="the report month, e.g. 2026-10")
@click.option("--department", metavar="CODE", help="department code (default: the whole region)")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, writable=True),
              help="also write the seed's XLSX form here")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, writable=True),
              help="write the JSON here instead of to stdout")
@click.option("--unit", help="单位名称 on the form (default: the department's name)")
@click.option("--contact", default="", help="联系人 on the form")
@click.option("--phone", default="", help="联系电话 on the form")
@click.option("--mobile", default="", help="手机 on the form")
def report_monthly(month, department, xlsx_path, json_path, unit, contact, phone, mobile):
    """The monthly report (月报表), year to date, as the API's JSON (run as the system)."""
    import json
    from pathlib import Path

    from marshmallow import ValidationError

    from schemas.reports import MonthlyReportSchema, parse_month
    from server import clock, reports_xlsx
    from server.clock import CHINA
    from server.services import reports
    from server.services.actors import SYSTEM
    from server.services.errors import DomainError

    try:
        period = parse_month(month)
    except ValidationError as exc:
        raise click.BadParameter(" ".join(exc.messages), param_hint="--month") from None
    with _fi().db.read_session() as session:
        try:
            data = reports.monthly_for(session, SYSTEM, month=period, department=department)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
    text = json.dumps(MonthlyReportSchema().dump(data), ensure_ascii=False, indent=2)
    if xlsx_path:
        Path(xlsx_path).write_bytes(reports_xlsx.render(
            data, unit=unit, contact=contact, phone=phone, mobile=mobile,
            filled_on=clock.now().astimezone(CHINA).date()))
    if json_path:
        Path(json_path).write_text(text + "\n", encoding="utf-8")
    else:
        click.echo(text)
