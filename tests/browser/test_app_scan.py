"""扫码入企 in the inspector's app: Debian's chromium on a phone profile (Pixel 7 at 390 px,
zh-CN, Asia/Shanghai), both database backends, with a fake rear camera filming the
company's premises poster (a .y4m video made here from the poster the API prints).

Without signal the phone reads the code, judges it with the pack's public keys as the
server will, and records the entry with the position; back online the server holds the
entry. Another company's poster and a forged code are refused at the door with the
server's codes, and nothing is recorded: not on the phone, not on the server.
"""

from __future__ import annotations

import hashlib

import qrcode
from PIL import Image
from sqlalchemy import select

from server import clock
from server.models import VisitEntry
from tests.browser.conftest import OUTPUT, SHANGHAI, pending, sign_in, wait_synced, watch
from tests.browser.y4m import poster_video
from tests.phones import make_team
from tests.qr import decode


def _camera(phone, video):
    browser_type, launch, device = phone
    args = [*launch["args"], "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]
    browser = browser_type.launch(**{**launch, "args": args})
    context = browser.new_context(**device, permissions=["camera", "geolocation"],
                                  geolocation=SHANGHAI)
    context.clock.install(time=clock.now())  # the phone on the suite's date, as the server
    return browser, context


def _team(world, session, app):
    return make_team(world, session, app, entered=False)


def test_the_camera_reads_the_premises_code_offline_and_the_entry_reaches_the_server(
        chromium, phone, app_url, world, session, app, backend_name, tmp_path):
    team = _team(world, session, app)
    visit_id = team.visits[0]
    visit = world.sup_a.get(f"/api/v1/visits/{visit_id}").get_json()
    assert visit["state"] == "issued"
    poster_video(world, visit["company_id"], tmp_path / "poster.y4m")
    company = team.phones[0][0].get(f"/api/v1/visits/{visit_id}/pack").get_json()["company"]
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / f"app-scan-{backend_name}.png"
    problems: list[str] = []

    browser, context = _camera(phone, tmp_path / "poster.y4m")
    try:
        page = context.new_page()
        watch(page, problems)
        sign_in(page, app_url, team.usernames[0])
        context.set_offline(True)
        page.goto(f"{app_url}/app/visits/{visit_id}")
        page.wait_for_selector("#entry[data-entered='no']")  # the checklist waits for the door
        assert page.locator("#checklist-closed").count() == 1
        assert page.locator("article[data-item]").count() == 0
        page.click("#scan-enter")
        page.wait_for_selector("#entry-ok", timeout=30_000)
        text = page.inner_text("#entry-ok")
        assert company["name"] in text and company["credit_code"] in text
        assert "精度约 12 米" in text and "待同步" in text
        assert pending(page) == 1
        page.screenshot(path=str(shot), full_page=True)

        page.click("#start-checking")
        page.wait_for_selector("#entry[data-entered='scan']")
        page.wait_for_selector("article[data-item]")  # the checklist opens
        assert "扫码入企" in page.inner_text("#entry")

        context.set_offline(False)  # signal again: the `online` event syncs
        wait_synced(page)
    finally:
        browser.close()
    print(f"screenshot: {shot}")
    assert problems == []

    assert world.sup_a.get(f"/api/v1/visits/{visit_id}").get_json()["state"] == "entered"
    [entry] = session.scalars(select(VisitEntry).where(VisitEntry.visit_id == visit_id)).all()
    assert entry.method == "scan" and entry.device_id is not None
    assert (entry.latitude, entry.longitude) == (SHANGHAI["latitude"], SHANGHAI["longitude"])
    assert entry.device_time is not None and entry.server_time is not None
    history = world.sup_a.get(f"/api/v1/visits/{visit_id}/history").get_json()
    [scan] = [h for h in history if h["kind"] == "entry_scan"]
    assert scan["outcome"] == "applied" and scan["device_time"] and scan["received_at"]


def test_another_companys_code_and_a_forged_one_are_refused_offline_and_nothing_is_recorded(
        chromium, phone, app_url, world, session, app, backend_name, tmp_path):
    team = _team(world, session, app)
    visit_id, other_visit = team.visits[0], team.visits[1]
    mine = world.sup_a.get(f"/api/v1/visits/{visit_id}").get_json()["company_id"]
    other = world.sup_a.get(f"/api/v1/visits/{other_visit}").get_json()["company_id"]
    assert mine != other
    poster_video(world, other, tmp_path / "other.y4m")
    genuine = decode(world.admin.get(f"/api/v1/companies/{mine}/premises-code.png").get_data())
    forged_png = tmp_path / "forged.png"
    qrcode.make(_forged(genuine)).save(forged_png)
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / f"app-refusal-{backend_name}.png"
    problems: list[str] = []

    browser, context = _camera(phone, tmp_path / "other.y4m")
    try:
        page = context.new_page()
        watch(page, problems)
        sign_in(page, app_url, team.usernames[0])
        context.set_offline(True)
        page.goto(f"{app_url}/app/visits/{visit_id}/scan")
        page.wait_for_selector("#entry-refused[data-code='wrong_premises']", timeout=30_000)
        assert "另一家企业" in page.inner_text("#entry-refused")
        assert "wrong_premises" in page.inner_text("#entry-refused")
        page.screenshot(path=str(shot), full_page=True)

        page.set_input_files("#scan-photo", str(forged_png))  # the still-photo way in
        page.wait_for_selector("#entry-refused[data-code='invalid_code']", timeout=30_000)
        assert "本次扫码未作任何记录" in page.inner_text("#entry-refused")
        assert pending(page) == 0

        page.goto(f"{app_url}/app/visits/{visit_id}")
        page.wait_for_selector("#entry[data-entered='no']")
        context.set_offline(False)  # signal again: the `online` event syncs
        wait_synced(page)
    finally:
        browser.close()
    print(f"screenshot: {shot}")
    assert problems == []
    assert world.sup_a.get(f"/api/v1/visits/{visit_id}").get_json()["state"] == "issued"
    assert session.scalars(select(VisitEntry).where(VisitEntry.visit_id == visit_id)).all() == []
    history = world.sup_a.get(f"/api/v1/visits/{visit_id}/history").get_json()
    assert [h for h in history if h["kind"] == "entry_scan"] == []


def _forged(scanned: str) -> str:
    """The genuine code with one character of its signature changed (still canonical
    base64url: a middle character, all of whose bits count)."""
    middle = len(scanned) - 40  # inside the signature, the code's last part
    swapped = "A" if scanned[middle] != "A" else "B"
    return scanned[:middle] + swapped + scanned[middle + 1:]


def test_in_an_emergency_the_checklist_opens_first_and_a_manual_entry_is_flagged(
        chromium, phone, app_url, world, session, app, backend_name, tmp_path):
    team = _team(world, session, app)
    visit_id = team.visits[0]
    pack = team.phones[0][0].get(f"/api/v1/visits/{visit_id}/pack").get_json()
    premises = tmp_path / "premises.jpg"
    Image.new("RGB", (640, 480), (180, 120, 60)).save(premises, "JPEG")
    shot = OUTPUT / f"app-door-{backend_name}.png"
    OUTPUT.mkdir(exist_ok=True)
    problems: list[str] = []
    browser_type, launch, device = phone
    browser = browser_type.launch(**launch)
    try:
        context = browser.new_context(**device, permissions=["geolocation"], geolocation=SHANGHAI)
        context.clock.install(time=clock.now())
        page = context.new_page()
        watch(page, problems)
        page.on("dialog", lambda dialog: dialog.accept())  # 紧急情况：先查后补扫？
        sign_in(page, app_url, team.usernames[0])
        context.set_offline(True)
        page.goto(f"{app_url}/app/visits/{visit_id}")
        page.wait_for_selector("#entry[data-entered='no']")
        door = pack["this_year"]  # 入企前提示, from the pack, offline
        assert page.get_attribute("#this-year", "data-status") == door["departments"][0]["status"]
        assert f"{door['year']} 年已检查 {door['inspections']} 次" in page.inner_text("#this-year")
        page.screenshot(path=str(shot), full_page=True)
        page.click("#emergency")
        page.wait_for_selector("#entry[data-entered='emergency']")
        page.wait_for_selector("article[data-item]")  # the checklist opens before the scan
        assert "离开前必须扫码入企" in page.inner_text("#entry")

        page.click("#scan-enter")
        page.wait_for_selector("#manual-entry")
        page.click("#manual-entry")
        page.click("#manual-submit")  # no reason yet: said, nothing recorded
        page.wait_for_selector("#manual-message:not([hidden])")
        assert pending(page) == 0
        page.select_option("#manual-reason", "场所码损坏、无法识别")
        page.set_input_files("#manual-photo", str(premises))
        page.click("#manual-submit")
        page.wait_for_selector("#entry-ok")
        text = page.inner_text("#entry-ok")
        assert "手工登记" in text and "先查后补扫" in text and "场所码损坏" in text
        assert pending(page) == 1

        context.set_offline(False)
        wait_synced(page)
        page.goto(f"{app_url}/app/visits/{visit_id}")
        page.wait_for_selector("#entry[data-entered='manual']")
    finally:
        browser.close()
    print(f"screenshot: {shot}")
    assert problems == []
    [entry] = session.scalars(select(VisitEntry).where(VisitEntry.visit_id == visit_id)).all()
    assert entry.method == "manual" and entry.flags == ["manual"]
    assert entry.reason == "场所码损坏、无法识别"
    assert entry.photo_sha256 == hashlib.sha256(premises.read_bytes()).hexdigest()
