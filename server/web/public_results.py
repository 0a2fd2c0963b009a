"""``/public/...``: the published results (一公开) of a task and of a company, as pages
anyone can open. What the public API gives, nothing more: no inspectors, notes or photos."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from server.request_scope import session
from server.services import publication, results
from server.services.errors import DomainError
from server.web import html

bp = Blueprint("web_public_results", __name__, template_folder="templates")
PAGE_SIZE = 100


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= 100_000 else 1


def _render(heading: str, subtitle: str, found, status: int = 200):
    return html(render_template("public_results.html", heading=heading, subtitle=subtitle,
                                rows=found.items, total=found.total, page=found.page,
                                pages=max(1, -(-found.total // PAGE_SIZE))), status,
                cache="public, max-age=60")


def _missing(text: str):
    return html(render_template("message.html", heading="未找到", text=text, ok=False,
                                back=None), 404)


@bp.get("/public/tasks/<int:task_id>/results")
def task_results(task_id: int):
    try:
        task = publication.task(session(), task_id)
    except DomainError:
        return _missing("没有这个已公布的抽查任务。")
    found = results.public_results(session(), task_id=task.id, page=_page(),
                                   page_size=PAGE_SIZE)
    return _render(f"{task.name}：抽查结果公示", f"任务编号 {task.id}", found)


@bp.get("/public/companies/<string:credit_code>")
def company_results(credit_code: str):
    code = credit_code.strip().upper()
    if not (len(code) == 18 and code.isascii() and code.isalnum()):
        return _missing("统一社会信用代码应为 18 位字母或数字。")
    # Whether the code is in the registry or not, the same page: nothing published.
    found = results.public_results(session(), credit_code=code, page=_page(),
                                   page_size=PAGE_SIZE)
    name = found.items[0]["company_name"] if found.items else code
    return _render(f"{name}：抽查检查结果", f"统一社会信用代码 {code}", found)
