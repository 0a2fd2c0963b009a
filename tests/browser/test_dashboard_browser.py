"""The supervisor dashboard in a real headless browser: Debian's chromium, driven by
Playwright's Python package (both backends).

(The ``chromium`` fixture, in tests/browser/conftest.py, says why Playwright.)

The app runs in a real HTTP server on a free port, on the test database. One request at
a time (not threaded): the test database is one connection, and the test thread waits
while the browser works. Screenshots (desktop and a 390 px wide phone) are saved under
tests/output/ and their paths printed.
"""

from __future__ import annotations

from server.services import accounts
from tests import factories as f
from tests.browser.conftest import OUTPUT
from tests.dashboard_desk import HOSTILE, expected_counts

PHONE = {"width": 390, "height": 844}
# Elements sticking out to the right of the screen (tables scroll inside their own box).
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.scroll') && e.getBoundingClientRect().right > %d.5)
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right))\
""" % PHONE["width"]


def sign_in(page, url: str, username: str, password: str = f.PASSWORD) -> None:
    page.goto(f"{url}/dashboard")
    assert page.url == f"{url}/dashboard/login"  # redirected: not signed in yet
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")


def test_a_supervisor_signs_in_sees_the_numbers_and_the_page_fits_a_phone(
        chromium, live_url, desk, world, session, backend_name, capsys):
    browser_type, path = chromium
    expected = expected_counts(session, accounts.actor_for(world.sup_a_user))
    username = world.sup_a_user.username
    OUTPUT.mkdir(exist_ok=True)
    shots = [OUTPUT / f"dashboard-{backend_name}.png", OUTPUT / f"dashboard-phone-{backend_name}.png"]
    # A small /dev/shm in containers crashes chromium's renderer; /tmp is used instead.
    browser = browser_type.launch(executable_path=path, args=["--disable-dev-shm-usage"])
    try:
        desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = desktop.new_page()
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))

        sign_in(page, live_url, username, "not the password")
        assert "用户名或密码错误" in page.inner_text("#login-error")
        problems.clear()  # the 401 itself is logged as a failed load; nothing else may be
        page.fill("#password", f.PASSWORD)
        page.click("#login-submit")
        assert page.url == f"{live_url}/dashboard"
        assert page.inner_text("h1").startswith("监管工作台")
        for element_id, value in expected.items():
            assert page.inner_text(f"#{element_id} .n") == str(value), element_id
        assert expected["count-overdue-visits"] == expected["count-awaiting-review"] == 1
        assert page.locator("#chart-visits-by-state g.bar").count() == 5
        assert page.get_attribute("#chart-visits-by-state g.state-closed", "data-count") == "1"
        assert HOSTILE in page.inner_text(f"#result-{desk.waiting}")  # shown as text
        assert page.locator(f"#publication-{desk.approved} .overdue").count() == 1
        (cookie,) = [c for c in desktop.cookies() if c["name"] == "fi_dashboard"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        page.screenshot(path=str(shots[0]), full_page=True)

        phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                    has_touch=True, locale="zh-CN")
        small = phone.new_page()
        sign_in(small, live_url, username)
        assert small.inner_text("#count-visits .n") == str(expected["count-visits"])
        small.screenshot(path=str(shots[1]), full_page=True)
        wide = small.evaluate(WIDER_THAN_SCREEN)
        assert wide == [], f"wider than the {PHONE['width']}px screen: {wide}"

        page.click("#logout")
        assert page.url == f"{live_url}/dashboard/login"
        page.goto(f"{live_url}/dashboard")
        assert page.url == f"{live_url}/dashboard/login"  # the token is revoked
        assert problems == []  # no CSP violation, no script, no dialog
    finally:
        browser.close()
    for shot in shots:
        assert shot.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\ndashboard screenshots: {', '.join(str(s) for s in shots)}")
