"""The supervisor dashboard: sign-in with the API's accounts and tokens, CSRF, roles and
scope, and numbers that are the services' own figures (both backends)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from server import clock
from server.models import ApiToken, LoginThrottle
from server.services import accounts, reports
from tests import factories as f
from tests.dashboard_desk import expected_counts
from tests.phones import submit


# --- helpers -------------------------------------------------------------------------------
def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def sign_in(client, username: str, password: str = f.PASSWORD, **kw):
    form = client.get("/dashboard/login")
    assert form.status_code == 200
    return client.post("/dashboard/login", data={"csrf": csrf_of(form.get_data(as_text=True)),
                                                 "username": username, "password": password},
                       **kw)


def count(html: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}"[^>]*data-count="(\d+)"', html)
    assert found, f"no #{element_id} with a count"
    return int(found.group(1))


def dashboard_as(app, user):
    """A client signed in as ``user`` and the dashboard page it is shown."""
    client = app.test_client()
    sign_in(client, user.username)
    return client, client.get("/dashboard").get_data(as_text=True)


def assert_services_figures(html: str, session, user) -> dict:
    """The page's counts are the services' figures for ``user``; returns them."""
    expected = expected_counts(session, accounts.actor_for(user))
    assert {k: count(html, k) for k in expected} == expected
    return expected


def cookie_header(resp, name: str) -> str:
    (header,) = [h for h in resp.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


def session_token(client) -> str | None:
    cookie = client.get_cookie("fi_dashboard", path="/dashboard")
    return cookie.value if cookie else None


# --- sign-in -------------------------------------------------------------------------------
def test_the_login_page_is_a_plain_form_with_a_csrf_token_and_no_script(app):
    client = app.test_client()
    assert client.get("/dashboard").headers["Location"].endswith("/dashboard/login")
    resp = client.get("/dashboard/login")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert 'name="viewport"' in html and 'action="/dashboard/login"' in html
    assert len(csrf_of(html)) == 64 and "<script" not in html
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    nonce = cookie_header(resp, "fi_dashboard_csrf")
    assert "HttpOnly" in nonce and "SameSite=Strict" in nonce and "Path=/dashboard" in nonce


def test_a_supervisor_signs_in_with_an_api_token_in_a_strict_cookie_and_sign_out_revokes_it(
        world, app, session):
    client = app.test_client()
    resp = sign_in(client, world.sup_a_user.username)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/dashboard")
    cookie = cookie_header(resp, "fi_dashboard")
    assert all(flag in cookie for flag in ("HttpOnly", "SameSite=Strict", "Path=/dashboard"))
    assert "Secure" not in cookie  # plain http here; see the https test below
    token = session_token(client)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["username"] == world.sup_a_user.username  # the API's own token
    page = client.get("/dashboard")
    assert page.status_code == 200 and "监管工作台" in page.get_data(as_text=True)
    assert client.get("/dashboard/login").status_code == 303  # already signed in

    out = client.post("/dashboard/logout", data={"csrf": csrf_of(page.get_data(as_text=True))})
    assert out.status_code == 303 and out.headers["Location"].endswith("/dashboard/login")
    assert session_token(client) is None
    session.expire_all()
    stored = session.scalar(select(ApiToken).where(
        ApiToken.token_hash == accounts._token_digest(token)))
    assert stored.revoked_at is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    client.set_cookie("fi_dashboard", token, path="/dashboard")  # a copy kept by an attacker
    assert client.get("/dashboard").status_code == 303


def test_over_https_the_session_cookie_is_secure(world, app):
    client = app.test_client()
    form = client.get("/dashboard/login", base_url="https://localhost")
    resp = client.post("/dashboard/login", base_url="https://localhost", data={
        "csrf": csrf_of(form.get_data(as_text=True)), "username": world.sup_a_user.username,
        "password": f.PASSWORD})
    assert resp.status_code == 303 and "Secure" in cookie_header(resp, "fi_dashboard")


def test_a_wrong_password_says_so_and_repeated_failures_slow_down_as_in_the_api(
        world, app, session, frozen_clock):
    client = app.test_client()
    name = world.coordinator_user.username
    wrong = sign_in(client, name, "not the password")
    assert wrong.status_code == 401 and session_token(client) is None
    html = wrong.get_data(as_text=True)
    assert "用户名或密码错误" in html and "Wrong username or password." in html
    assert f'value="{name}"' in html  # the username stays in the form
    assert sign_in(client, "nobody-at-all", "x").status_code == 401
    assert sign_in(client, "nul\x00name", "x").status_code == 401  # no 500 on PostgreSQL
    for _ in range(2):  # five failures from this address in all: the free ones
        assert sign_in(client, name, "still wrong").status_code == 401
    slowed = sign_in(client, name, "wrong again")
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) > 0
    assert "登录失败次数过多" in slowed.get_data(as_text=True)
    assert sign_in(client, name).status_code == 429  # even the right password, from here
    api = client.post("/api/v1/auth/token", json={"username": name, "password": f.PASSWORD})
    assert api.status_code == 429  # one back-off, shared with the API
    elsewhere = app.test_client()  # the owner, at an address that has not been failing
    assert sign_in(elsewhere, name, environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code == 303


def test_an_inspector_is_told_the_page_is_not_for_them_and_gets_no_session(world, app, session):
    client = app.test_client()
    resp = sign_in(client, world.insp_a_user.username)
    assert resp.status_code == 403 and "不面向检查人员" in resp.get_data(as_text=True)
    assert session_token(client) is None
    session.expire_all()
    tokens = session.scalars(select(ApiToken).where(
        ApiToken.user_id == world.insp_a_user.id,
        ApiToken.token_hash != accounts._token_digest(world.insp_a.token))).all()
    assert len(tokens) == 1 and tokens[0].revoked_at is not None  # made, then revoked at once
    client.set_cookie("fi_dashboard", world.insp_a.token, path="/dashboard")
    page = client.get("/dashboard")
    assert page.status_code == 403 and "不面向检查人员" in page.get_data(as_text=True)


def test_forms_without_the_csrf_token_or_from_another_origin_are_refused_and_change_nothing(
        world, app, session):
    client = app.test_client()
    name = world.sup_a_user.username
    form = client.get("/dashboard/login")
    token = csrf_of(form.get_data(as_text=True))
    creds = {"username": name, "password": f.PASSWORD}
    assert client.post("/dashboard/login", data=creds).status_code == 403
    for wrong in ("0" * 64, "令牌", token[:-1]):
        assert client.post("/dashboard/login", data={**creds, "csrf": wrong}).status_code == 403
    other = app.test_client()  # a token from another browser's form does not fit this one
    assert other.post("/dashboard/login", data={**creds, "csrf": token}).status_code == 403
    evil = client.post("/dashboard/login", data={**creds, "csrf": token},
                       headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403 and session_token(client) is None
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(LoginThrottle)) == 0  # not counted

    public = app.extensions["fieldinspect"].settings.public_url.rstrip("/")  # behind a proxy
    assert sign_in(client, name, headers={"Origin": public}).status_code == 303
    page_csrf = csrf_of(client.get("/dashboard").get_data(as_text=True))
    assert page_csrf != token  # bound to the session now
    assert client.post("/dashboard/logout", data={}).status_code == 403
    assert client.post("/dashboard/logout", data={"csrf": token}).status_code == 403
    assert client.post("/dashboard/logout", data={"csrf": page_csrf},
                       headers={"Origin": "null"}).status_code == 403
    assert client.get("/dashboard").status_code == 200  # still signed in
    same = client.post("/dashboard/logout", data={"csrf": page_csrf},
                       headers={"Origin": "http://localhost"})
    assert same.status_code == 303 and session_token(client) is None


# --- what the page shows ----------------------------------------------------------------------
def test_the_numbers_are_the_services_figures_for_the_supervisors_own_department(
        desk, world, app, session):
    _, html = dashboard_as(app, world.sup_a_user)
    expected = assert_services_figures(html, session, world.sup_a_user)
    actor = accounts.actor_for(world.sup_a_user)
    # and what they are in this small world
    assert expected == {"count-visits": 3, "count-entered-not-submitted": 0,
                        "count-overdue-visits": 1, "count-awaiting-review": 1,
                        "count-follow-ups-overdue": 1, "count-queue": 1,
                        "count-publications-due": 1, "count-publications-overdue": 1}
    assert (count(html, "state-issued"), count(html, "state-submitted"),
            count(html, "state-closed")) == (1, 1, 1)
    assert count(html, "review-late") == 1
    assert f'id="result-{desk.waiting}"' in html and 'data-late="true"' in html
    assert f'id="visit-{desk.recheck}"' in html and f'id="follow-up-{desk.follow_up}"' in html
    assert f'id="publication-{desk.approved}"' in html and 'data-overdue="true"' in html
    assert 'id="chart-visits-by-state"' in html and 'id="chart-targets"' in html
    today = clock.today()
    report = reports.monthly(session, actor, year=today.year, month=today.month,
                             department_id=world.dept_a.id)
    for row, figures in report["this_platform"].items():
        for figure, value in figures.items():
            assert count(html, f"ytd-{row}-{figure}") == value
    assert (report["this_platform"]["total"]["tasks"],
            report["this_platform"]["total"]["companies_checked"]) == (1, 1)
    # hostile text is text; department B's company is not there
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;某&amp;公司" in html
    assert "乙部门专属" not in html


def test_another_departments_supervisor_sees_only_their_own_and_cannot_ask_for_another(
        desk, world, app, session):
    client, html = dashboard_as(app, world.sup_b_user)
    assert_services_figures(html, session, world.sup_b_user)
    assert count(html, "count-visits") == 1 and count(html, "count-awaiting-review") == 0
    assert "乙部门专属检查对象&lt;b&gt;" in html and "某&amp;公司" not in html
    refused = client.get("/dashboard?department=DA")
    assert refused.status_code == 404 and refused.mimetype == "text/html"
    assert client.get("/dashboard?department=DB").status_code == 200


def test_a_coordinator_sees_the_region_or_narrows_it_to_one_department(
        desk, world, app, session):
    client, region = dashboard_as(app, world.coordinator_user)
    assert_services_figures(region, session, world.coordinator_user)
    assert count(region, "count-visits") == 4
    assert "乙部门专属" in region and "某&amp;公司" in region
    assert 'id="department-form"' in region and '<option value="DB"' in region
    only_b = client.get("/dashboard?department=DB").get_data(as_text=True)
    assert_services_figures(only_b, session, world.sup_b_user)  # what B's supervisor sees
    assert "乙部门专属" in only_b and "某&amp;公司" not in only_b
    for code in ("NOPE", "D\x00A"):
        unknown = client.get("/dashboard", query_string={"department": code})
        assert unknown.status_code == 404 and "No such department." in unknown.get_data(as_text=True)


def test_monthly_targets_show_met_and_missed_with_the_shortfall(desk, world, app, session):
    year = clock.today().year
    assert world.admin.put(f"/api/v1/reports/targets/{year}", json={
        "joint_tasks": 20, "credit_based": 85}).status_code == 200
    _, html = dashboard_as(app, world.sup_a_user)
    assert 'id="chart-targets"' in html
    # one internal, credit-stratified task: no joint task (missed), all credit-based (met)
    assert re.search(r'id="target-joint_tasks" data-met="false"', html)
    assert re.search(r'id="target-credit_based" data-met="true"', html)
    assert '<span class="shortfall">20.0</span>' in html
    assert 'data-key="joint_tasks" data-actual="0.0" data-min="20.0"' in html  # the year's own


# --- next year's holiday notice --------------------------------------------------------------
@pytest.mark.parametrize(("who", "warned"), [
    ("admin", True), ("sup_a", True), ("coordinator", False)])
def test_from_november_admins_and_supervisors_are_warned_of_next_years_missing_notice(
        world, app, session, clock_at, who, warned):
    client, html = dashboard_as(app, getattr(world, f"{who}_user"))  # on 20 November 2026
    assert ('id="calendar-warning" data-year="2027"' in html) is warned
    assert ("尚未录入2027年节假日安排通知" in html) is warned
    clock_at(dt.date(2026, 10, 31))
    assert 'id="calendar-warning"' not in client.get("/dashboard").get_data(as_text=True)
    clock_at(dt.date(2026, 11, 1))
    assert ('id="calendar-warning"' in client.get("/dashboard").get_data(as_text=True)) is warned
    from tests.calendar_notices import CAL, NOTICE_2027

    assert world.admin.put(f"{CAL}/years/2027/notice", json=NOTICE_2027).status_code == 200
    assert 'id="calendar-warning"' not in client.get("/dashboard").get_data(as_text=True)


@pytest.fixture
def late_december(clock_at):
    """Thursday 24 December 2026, before the team is made: 20 working days run into 2027."""
    clock_at(dt.date(2026, 12, 24))


def test_a_deadline_counted_over_next_years_provisional_days_is_marked_as_expected(
        late_december, team, world, app, session, clock_at):
    result_id = submit(team, team.visits[0], category="pending")
    body = world.sup_a.post(f"/api/v1/results/{result_id}/approve").get_json()
    assert body["publication_due_provisional"] is True
    follow_up = world.sup_a.post(f"/api/v1/results/{result_id}/follow-ups", json={
        "kind": "rectify", "description": "限期整改"})
    assert follow_up.get_json()["due_provisional"] is True
    # Fri 25 Dec, 28-31 Dec: 5; 元旦 off and no make-up day known yet; 4-22 Jan: 15 more
    assert body["publication_due"] == "2027-01-22"
    clock_at(dt.date(2027, 1, 19))  # 3 working days before: the page lists it as due
    client = app.test_client()
    sign_in(client, world.sup_a_user.username)
    html = client.get("/dashboard").get_data(as_text=True)
    row = re.search(rf'id="publication-{result_id}".*?</tr>', html, re.S).group(0)
    assert "2027-01-22" in row and "（预计）" in row
    queue = re.search(r'id="follow-ups-queue".*?</table>', html, re.S).group(0)
    assert "（预计）" in queue
