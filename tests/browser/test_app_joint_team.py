"""A joint team at the company's door, on three phones: Debian's chromium, three contexts on
the Pixel 7 profile (390 px, zh-CN, Asia/Shanghai), both database backends.

Three inspectors of three departments (联合检查) share one visit. The first scans the
premises poster with the (fake) camera; the others' checklists open once the entry reaches
them. Each answers their own department's item; one adds a photo and the company's result.
Before signing, the submission check lists what the server would refuse. Each member signs
on their own phone over the checklist hash, the company's representative signs with a
statement, and 完成检查 goes through only once the server holds every photo and
signature image. The server shows the visit submitted with every op once; a supervisor
approves it through the API; every phone shows it approved, and the on-site record opens.
"""

from __future__ import annotations

import datetime as dt

from PIL import Image
from sqlalchemy import select

from server import clock
from server.models import Result, Visit
from tests import factories as f
from tests.browser.conftest import OUTPUT, SHANGHAI, sign_in, wait_synced, watch
from tests.browser.y4m import poster_video
from tests.draws import make_field, make_plan, run_draw, version_id
from tests.phones import make_team, submit

SIGNED_BY_THE_PARTY = "王经理"


def make_joint_team(world, session, app):
    """One visit of a joint task of departments A (lead), B and C, its premises code
    issued, and one signed-in member of each department: (visit, [(username, inspector,
    department, item version)])."""
    field = make_field(world, session, app)
    today = clock.today()
    plan = make_plan(world.sup_a, world.dept_a.id, year=today.year)
    task = world.sup_a.post(f"/api/v1/plans/{plan['id']}/tasks", json={
        "name": "联合抽查", "department_ids": [d.id for d in field.depts[1:]],
        "joint_mode": "comprehensive",
        "item_versions": [version_id(field.items[d.code]) for d in field.depts],
        "scope": {"regions": ["130129", "130102"]}, "ratios": {"A": 5, "B": 5, "C": 5, "D": 5},
        "window_start": (today - dt.timedelta(days=1)).isoformat(),
        "window_end": (today + dt.timedelta(days=7)).isoformat(),
        "result_deadline": (today + dt.timedelta(days=20)).isoformat()}).get_json()
    world.sup_a.post(f"/api/v1/plans/{plan['id']}/publish", json={})
    draw = run_draw(world.sup_a, task["id"])
    visit = session.scalar(select(Visit).where(Visit.draw_id == draw["id"]).order_by(Visit.id))
    issued = world.admin.post(f"/api/v1/companies/{visit.company_id}/premises-code")
    assert issued.status_code == 201, issued.get_json()
    members = []
    for dept in field.depts:
        member = next(m for m in visit.members if m.department_id == dept.id)
        if member.inspector_id == world.inspector_a.id:
            username = world.insp_a_user.username
        else:
            account, _ = f.user(session, "inspector", dept.id, member.inspector_id)
            username = account.username
        members.append((username, member.inspector_id, dept.id,
                        version_id(field.items[dept.code])))
    session.commit()
    return visit, members


def draw_signature(page, pad: str) -> None:
    """A signature drawn with the pointer across the pad."""
    page.locator(pad).scroll_into_view_if_needed()
    box = page.locator(pad).bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.6)
    page.mouse.down()
    for i in range(1, 13):
        page.mouse.move(x + w * (0.1 + 0.065 * i), y + h * (0.6 - 0.3 * ((i % 4) / 3)), steps=3)
    page.mouse.up()


def item_card(page, item: int):
    return page.locator(f"article[data-item='{item}']")


def test_a_joint_team_enters_answers_signs_and_submits_and_every_phone_sees_it_approved(
        chromium, phone, app_url, world, session, app, backend_name, tmp_path, capsys):
    browser_type, launch, device = phone
    visit, members = make_joint_team(world, session, app)
    visit_id = visit.id
    poster_video(world, visit.company_id, tmp_path / "poster.y4m")
    OUTPUT.mkdir(exist_ok=True)
    shots = {name: OUTPUT / f"app-{name}-{backend_name}.png"
             for name in ("submit-check", "sign", "approved")}
    problems: list[str] = []
    args = [*launch["args"], "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={tmp_path / 'poster.y4m'}"]
    browser = browser_type.launch(**{**launch, "args": args})
    try:
        pages = []
        for username, *_ in members:
            context = browser.new_context(**device, permissions=["camera", "geolocation"],
                                          geolocation=SHANGHAI)
            context.clock.install(time=clock.now())  # the phones on the suite's date
            page = context.new_page()
            watch(page, problems)
            sign_in(page, app_url, username)
            pages.append(page)
        lead = pages[0]

        # 扫码入企 on the first phone; the others' checklists open when the entry reaches them
        lead.goto(f"{app_url}/app/visits/{visit_id}")
        lead.click("#scan-enter")
        lead.wait_for_selector("#entry-ok", timeout=30_000)
        lead.click("#start-checking")
        lead.wait_for_selector("article[data-item]")
        wait_synced(lead)
        for page in pages[1:]:
            page.goto(f"{app_url}/app/visits/{visit_id}")  # opening the app syncs: entered
            page.wait_for_selector("#entry[data-entered='team']")
            page.wait_for_selector("article[data-item]")

        # each answers their own department's item
        for page, (_, _, _, item) in zip(pages, members, strict=True):
            card = item_card(page, item)
            card.locator("[data-field='licensed'] label.choice", has_text="是").locator("input").check()
            temp = card.locator("[data-field='temp'] input")
            temp.fill("-18")
            temp.press("Tab")
            page.select_option(f"#result-{item}", index=1)
        lead.select_option("#result-company", index=1)
        photo = tmp_path / "premises.jpg"
        Image.new("RGB", (640, 480), (40, 120, 200)).save(photo, format="JPEG", quality=90)
        gallery = lead.locator(f"[data-photos='{members[0][3]}']")  # the lead's item: 拍照
        gallery.locator("input[type=file]").set_input_files(str(photo))
        gallery.locator("figure.photo").wait_for()
        for page in pages:
            wait_synced(page)

        # the submission check before anyone signed: what the server would refuse, in words
        lead.goto(f"{app_url}/app/visits/{visit_id}/submit")
        lead.wait_for_selector("#submit-check")
        listed = lead.locator("#submit-check li").evaluate_all(
            "items => items.map(li => li.dataset.problem)")
        assert "signatures_missing" in listed and "company_unsigned" in listed
        assert listed.count("department_unsigned") == 3
        assert lead.locator("#finish").is_disabled()
        assert "签字人数不足两人" in lead.inner_text("#submit-check")
        lead.screenshot(path=str(shots["submit-check"]), full_page=True)

        # every member signs on their own phone, over what every phone now shows
        for page in pages:
            page.goto(f"{app_url}/app/visits/{visit_id}/sign")
            wait_synced(page)  # opening pulls the team's answers: sign what they are
            page.wait_for_selector("#sign-pad")
            draw_signature(page, "#sign-pad")
            page.click("#sign-pad-confirm")
            page.wait_for_selector("#my-signature .ok-text")
        # the company's representative signs on the lead's phone, with a statement
        lead.fill("#representative", SIGNED_BY_THE_PARTY)
        lead.fill("#statement", "对检查结果无异议")
        draw_signature(lead, "#company-pad")
        lead.click("#company-pad-confirm")
        lead.wait_for_selector("[data-company='signed']")
        for page in pages:
            wait_synced(page)
        lead.reload()
        lead.wait_for_selector("[data-company='signed']")
        for inspector in (m[1] for m in members):
            lead.wait_for_selector(f"li[data-inspector='{inspector}'][data-signature='current']")
        lead.screenshot(path=str(shots["sign"]), full_page=True)

        # 完成检查 once nothing is missing and the server holds every image
        lead.goto(f"{app_url}/app/visits/{visit_id}/submit")
        lead.wait_for_selector("#submit-check[data-problems='0']")
        lead.wait_for_selector("#submit-blobs[data-ready='1']")
        lead.click("#finish")
        lead.wait_for_selector("#review[data-review='submitted']")
        wait_synced(lead)
        for page in pages:  # the test database is one connection: the phones wait
            wait_synced(page)
            page.context.set_offline(True)

        history = world.sup_a.get(f"/api/v1/visits/{visit_id}/history").get_json()
        ids = [h["op_id"] for h in history]
        assert len(ids) == len(set(ids))  # every op once
        kinds = sorted(h["kind"] for h in history)
        assert kinds.count("sign") == 3 and kinds.count("company_sign") == 1
        assert kinds.count("entry_scan") == 1 and kinds.count("submit") == 1
        assert kinds.count("attach_photo") == 1 and kinds.count("set_answer") == 6
        assert {h["outcome"] for h in history} == {"applied"}, history
        session.expire_all()
        assert session.get(Visit, visit_id).state == "submitted"
        result = session.scalar(select(Result).where(Result.visit_id == visit_id))
        approved = world.sup_a.post(f"/api/v1/results/{result.id}/approve")
        assert approved.status_code == 200, approved.get_json()
        for page in pages:
            page.context.set_offline(False)

        for page in pages:
            page.goto(f"{app_url}/app/visits/{visit_id}")  # opening the app pulls the review
            page.wait_for_selector("#review[data-review='approved']")
        lead.screenshot(path=str(shots["approved"]))  # the top: the outcome, as one sees it
        lead.goto(f"{app_url}/app/")
        lead.wait_for_selector(f"a.visit-card[data-visit='{visit_id}'] [data-review='approved']")

        lead.goto(f"{app_url}/app/visits/{visit_id}")
        with lead.context.expect_page() as opened:
            lead.click("#open-record")
        record = opened.value
        assert record.url.startswith("blob:")
    finally:
        browser.close()
    # A teammate's photo or signature whose bytes are not on the server yet: its thumbnail
    # answers 404 and the gallery shows the placeholder (the browser logs the 404).
    assert [p for p in problems if "status of 404" not in p] == []
    pdf = world.sup_a.get(f"/api/v1/visits/{visit_id}/record.pdf")
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")
    for shot in shots.values():
        assert shot.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\njoint team screenshots: {', '.join(str(s) for s in shots.values())}")


def test_a_returned_visit_shows_the_reason_and_reopens_on_the_phone(
        chromium, phone, app_url, world, session, app, backend_name):
    browser_type, launch, device = phone
    team = make_team(world, session, app)
    visit_id = team.visits[0]
    result_id = submit(team, visit_id)  # submitted from the team's other phones (the API)
    problems: list[str] = []
    browser = browser_type.launch(**launch)
    try:
        context = browser.new_context(**device)
        context.clock.install(time=clock.now())
        page = context.new_page()
        watch(page, problems)
        sign_in(page, app_url, team.usernames[0])
        page.goto(f"{app_url}/app/visits/{visit_id}")
        page.wait_for_selector("#review[data-review='submitted']")
        assert page.locator("#open-record").count() == 1  # the record exists once submitted

        wait_synced(page)
        context.set_offline(True)  # the test database is one connection: the phone waits
        returned = world.sup_a.post(f"/api/v1/results/{result_id}/return",
                                    json={"reason": "照片不清晰，请补拍"})
        assert returned.status_code == 200, returned.get_json()
        context.set_offline(False)
        page.reload()  # opening the app pulls the review
        page.wait_for_selector("#review[data-review='returned']")
        assert "照片不清晰，请补拍" in page.inner_text("#review")
        page.wait_for_selector("#go-submit")  # open again: the team corrects and resubmits
        assert page.locator("article[data-item] input").count() > 0
        page.goto(f"{app_url}/app/")
        page.wait_for_selector(f"a.visit-card[data-visit='{visit_id}'] [data-review='returned']")
        # the signatures were over the checklist as it is: still current, nothing stale
        page.goto(f"{app_url}/app/visits/{visit_id}/submit")
        page.wait_for_selector("#submit-check[data-problems='0']")
    finally:
        browser.close()
    assert problems == []
