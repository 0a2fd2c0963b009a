"""The inspector's app (/app) in a real headless browser: Debian's chromium on a phone
profile (Pixel 7 at 390 px wide, zh-CN, Asia/Shanghai), both database backends.

What an inspector lives through: the first load online, then no signal for a while, the
phone switched off and on again (a persistent browser profile closed and reopened
offline), and two teammates answering the same field without signal. The server's
history is the judge: every op the app recorded is there exactly once.

The app runs in a real HTTP server on a free port, on the test database; its API
requests are served one at a time (the test database is one connection), its static
files concurrently. Screenshots are saved under tests/output/ and their paths printed.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.models import FieldRevision
from tests.browser.conftest import OUTPUT, PHONE, pending, sign_in, wait_synced, watch
from tests.phones import make_team

DESKTOP = {"width": 1280, "height": 900}
# every field type of the field-type registry (sync/field_types.py)
EVERY_TYPE = {"fields": [
    {"key": "licensed", "label": "是否持证经营", "type": "yes_no_na"},
    {"key": "scale", "label": "经营规模", "type": "single_choice",
     "options": [{"value": "small", "label": "小型"}, {"value": "large", "label": "大型"}]},
    {"key": "papers", "label": "已查验的资料", "type": "multiple_choice",
     "options": [{"value": "license", "label": "许可证"}, {"value": "ledger", "label": "进货台账"},
                 {"value": "health", "label": "健康证明"}]},
    {"key": "temp", "label": "冷库温度", "type": "number", "unit": "℃", "min": -30, "max": 10},
    {"key": "checked_on", "label": "上次自查日期", "type": "date"},
    {"key": "remark", "label": "检查情况说明", "type": "text", "required": False},
    {"key": "photo", "label": "现场照片", "type": "photo", "required": False},
]}
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right))"""


@pytest.fixture
def crew(world, session, app):
    """Two inspectors of one department on a visit whose item asks every field type."""
    return make_team(world, session, app, form=EVERY_TYPE)


def field(page, key: str):
    return page.locator(f"[data-field='{key}']")


def choice(page, key: str, label: str):
    """The radio button or check box of one option, by its exact label."""
    return field(page, key).locator("label.choice", has_text=re.compile(f"^{label}$")) \
        .locator("input")


def test_an_inspector_fills_a_checklist_offline_across_a_restart_and_it_syncs_once(
        chromium, phone, app_url, crew, world, session, backend_name, tmp_path, capsys):
    browser_type, launch, device = phone
    visit = crew.visits[0]
    profile = tmp_path / "profile"
    OUTPUT.mkdir(exist_ok=True)
    shots = {name: OUTPUT / f"app-{name}-{backend_name}.png"
             for name in ("visits", "checklist", "checklist-desktop")}
    problems: list[str] = []

    context = browser_type.launch_persistent_context(profile, **launch, **device)
    page = context.new_page()
    watch(page, problems)
    sign_in(page, app_url, crew.usernames[0])
    assert page.locator("a.visit-card").count() == len(crew.visits)
    page.screenshot(path=str(shots["visits"]), full_page=True)

    context.set_offline(True)
    page.reload()  # the shell comes from the worker's cache
    page.wait_for_selector("#net.offline")
    page.goto(f"{app_url}/app/visits/{visit}")  # a deep link, offline
    page.wait_for_selector("article[data-item]")
    page.wait_for_selector("#net.offline")  # no answer from the server: said in words
    assert page.inner_text("#net") == "离线"

    choice(page, "licensed", "否").check()
    choice(page, "scale", "大型").check()
    choice(page, "papers", "许可证").check()
    choice(page, "papers", "健康证明").check()
    temp = field(page, "temp").locator("input")
    temp.fill("50")  # out of range: refused on the phone as the server would, not recorded
    temp.press("Tab")
    page.wait_for_selector("[data-field='temp'] .error:not([hidden])")
    assert "范围" in field(page, "temp").locator(".error").inner_text()
    temp.fill("-18.5")
    temp.press("Tab")
    field(page, "checked_on").locator("input").fill("2026-11-02")
    field(page, "checked_on").locator("input").press("Tab")
    field(page, "remark").locator("textarea").fill("冷库温度记录表缺 3 天；<script>alert(1)</script>")
    field(page, "remark").locator("textarea").press("Tab")
    assert "需拍照" in field(page, "photo").inner_text()  # the photo-required marker
    page.fill("#note-visit", "企业负责人在场")
    page.locator("#note-visit").press("Tab")
    page.fill(f"#note-{crew.item}", "灭火器已过期")
    page.locator(f"#note-{crew.item}").press("Tab")
    page.select_option("#result-company", "corrected")
    page.select_option(f"#result-{crew.item}", "corrected")
    page.wait_for_selector("#pending[data-count='11']")
    assert "待同步 11 条" in page.inner_text("#pending")
    page.screenshot(path=str(shots["checklist"]), full_page=True)
    wide = page.evaluate(WIDER_THAN_SCREEN)
    assert wide == [], f"wider than the {PHONE['width']}px screen: {wide}"
    context.close()  # the phone is switched off, still without signal

    context = browser_type.launch_persistent_context(profile, **launch, **device, offline=True)
    page = context.pages[0] if context.pages else context.new_page()
    watch(page, problems)
    page.goto(f"{app_url}/app/visits/{visit}")
    page.wait_for_selector("article[data-item]")
    assert pending(page) == 11
    assert choice(page, "licensed", "否").is_checked()
    assert choice(page, "papers", "健康证明").is_checked()
    assert field(page, "temp").locator("input").input_value() == "-18.5"
    assert "<script>" in field(page, "remark").locator("textarea").input_value()  # as text
    assert page.input_value("#note-visit") == "企业负责人在场"

    context.set_offline(False)  # signal again: the `online` event syncs
    wait_synced(page)
    context.close()

    history = world.sup_a.get(f"/api/v1/visits/{visit}/history").get_json()
    mine = [h for h in history if h["user"] == crew.usernames[0]]
    assert len(mine) == 11 and len({h["op_id"] for h in mine}) == 11  # each op exactly once
    assert {h["outcome"] for h in mine} == {"applied"}
    answers = {h["field"]: h["value"] for h in mine if h["type"] == "answer"}
    assert answers == {"licensed": "no", "scale": "large", "papers": ["license", "health"],
                       "temp": -18.5, "checked_on": "2026-11-02",
                       "remark": "冷库温度记录表缺 3 天；<script>alert(1)</script>"}
    stored = session.scalars(select(FieldRevision).where(FieldRevision.visit_id == visit)).all()
    assert len(stored) == 11

    desktop = browser_type.launch(**launch)
    try:
        page = desktop.new_page(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
        sign_in(page, app_url, crew.usernames[0])
        page.goto(f"{app_url}/app/visits/{visit}")
        page.wait_for_selector("[data-field='licensed'] .who")  # pulled back from the server
        assert choice(page, "licensed", "否").is_checked()
        page.screenshot(path=str(shots["checklist-desktop"]), full_page=True)
    finally:
        desktop.close()
    assert problems == []
    for shot in shots.values():
        assert shot.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\napp screenshots: {', '.join(str(s) for s in shots.values())}")


def test_two_teammates_answer_one_field_offline_see_the_same_conflict_and_resolve_it(
        chromium, phone, app_url, crew, backend_name, capsys):
    browser_type, launch, device = phone
    visit = crew.visits[0]
    shot = OUTPUT / f"app-conflict-{backend_name}.png"
    OUTPUT.mkdir(exist_ok=True)
    problems: list[str] = []
    browser = browser_type.launch(**launch)
    try:
        pages, contexts = [], []
        for username in crew.usernames:
            context = browser.new_context(**device)
            page = context.new_page()
            watch(page, problems)
            sign_in(page, app_url, username)
            page.goto(f"{app_url}/app/visits/{visit}")
            page.wait_for_selector("article[data-item]")
            context.set_offline(True)
            pages.append(page)
            contexts.append(context)
        a, b = pages
        choice(a, "licensed", "是").check()
        choice(b, "licensed", "否").check()
        for page in pages:
            page.wait_for_selector("#pending[data-count='1']")
        for context, page in zip(contexts, pages, strict=True):
            context.set_offline(False)
            wait_synced(page)
        a.reload()  # opening the app syncs: a pulls b's answer
        for page in pages:
            page.wait_for_selector("[data-field='licensed'] .conflict")
        winners = [p.get_attribute("[data-field='licensed'] .sibling:has(.badge)", "data-op")
                   for p in pages]
        assert winners[0] == winners[1] is not None  # the same provisional winner on both
        shown = [p.locator("[data-field='licensed'] .sibling .value").all_inner_texts()
                 for p in pages]
        assert sorted(shown[0]) == sorted(shown[1]) == ["否", "是"]
        b.screenshot(path=str(shot), full_page=True)

        b.locator("[data-field='licensed'] .sibling", has_text="是").get_by_role(
            "button", name="采用此值").click()
        wait_synced(b)
        b.wait_for_selector("[data-field='licensed'] .conflict", state="detached")
        a.reload()
        wait_synced(a)
        for page in pages:
            assert page.locator("[data-field='licensed'] .conflict").count() == 0
            assert choice(page, "licensed", "是").is_checked()
    finally:
        browser.close()
    assert problems == []
    assert shot.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\napp conflict screenshot: {shot}")
