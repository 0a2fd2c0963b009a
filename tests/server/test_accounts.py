"""Sign-in, tokens, the back-off of failed sign-ins and account administration."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from server import clock
from server.app import create_app
from server.models import ApiToken, AuditEntry
from tests.assertions import assert_error
from tests.factories import PASSWORD, Api


def login(app, username, password=PASSWORD):
    return app.test_client().post("/api/v1/auth/token",
                                  json={"username": username, "password": password})


def test_login_returns_a_bearer_token_that_works(app, world):
    resp = login(app, world.sup_a_user.username)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["token_type"] == "Bearer" and body["user"]["role"] == "supervisor"
    me = Api(app.test_client(), body["access_token"]).get("/api/v1/me")
    assert me.get_json()["username"] == world.sup_a_user.username


def test_wrong_password_and_unknown_user_look_the_same(app, world):
    a = assert_error(login(app, world.sup_a_user.username, "wrong password!"), 401)
    b = assert_error(login(app, "nobody-at-all", "wrong password!"), 401)
    assert a["code"] == b["code"] == "invalid_credentials"
    assert a["message"] == b["message"]


def attempt(app, username, password=PASSWORD, address="10.0.0.1"):
    return app.test_client().post("/api/v1/auth/token", environ_base={"REMOTE_ADDR": address},
                                  json={"username": username, "password": password})


def test_failed_sign_ins_slow_down_but_never_keep_the_owner_out(
        app, world, session, frozen_clock):
    name, attacker = world.sup_a_user.username, "203.0.113.66"
    for _ in range(5):  # the free failures: each a plain 401
        assert_error(attempt(app, name, "wrong password!", attacker), 401, "invalid_credentials")
    body = assert_error(attempt(app, name, "wrong password!", attacker), 429, "login_throttled")
    assert body["retry_after_seconds"] == 1
    throttled = attempt(app, name, PASSWORD, attacker)  # the attacker guessed right: no use
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
    # the owner, at an address that has not been failing, signs in all the same
    assert attempt(app, name, PASSWORD, "10.0.0.7").status_code == 201
    # which clears the name; the attacker's address still waits, for any name
    assert_error(attempt(app, world.sup_b_user.username, "x" * 10, attacker), 429)
    # the waits double: 1 s, 2 s, 4 s ... up to FIELDINSPECT_LOGIN_LOCK_SECONDS
    waits = [1]
    for _ in range(4):
        frozen_clock.set(clock.now() + dt.timedelta(seconds=waits[-1]))  # the wait is over
        assert_error(attempt(app, name, "wrong password!", attacker), 401)
        waits.append(assert_error(attempt(app, name, "wrong password!", attacker), 429)[
            "retry_after_seconds"])
    assert waits == [1, 2, 4, 8, 16]
    frozen_clock.set(clock.now() + dt.timedelta(seconds=15))
    assert_error(attempt(app, name, PASSWORD, attacker), 429)  # a second still to wait
    frozen_clock.set(clock.now() + dt.timedelta(seconds=1))
    assert attempt(app, name, PASSWORD, attacker).status_code == 201
    actions = session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "user", AuditEntry.entity_id == str(world.sup_a_user.id))).all()
    assert "auth.login_failed" in actions and "auth.locked" not in actions


def test_an_unknown_name_is_answered_exactly_as_a_known_one(app, world, frozen_clock):
    def story(name, address):
        out = []
        for password in ["wrong password!"] * 6 + [PASSWORD]:
            resp = attempt(app, name, password, address)
            body = resp.get_json()
            out.append((resp.status_code, body.get("code"), body.get("message"),
                        body.get("retry_after_seconds"), resp.headers.get("Retry-After")))
        return out

    known, unknown = story(world.sup_b_user.username, "198.51.100.1"), \
        story("nobody-at-all", "198.51.100.2")
    assert known == unknown
    assert [s for s, *_ in known] == [401] * 5 + [429, 429]


def test_the_back_off_is_shared_by_every_host(app, world, db, settings, frozen_clock):
    other_host = create_app(settings, db)  # a second app on the same database
    name, address = world.coordinator_user.username, "192.0.2.9"
    for host in (app, other_host, app, other_host, app):
        assert_error(attempt(host, name, "wrong password!", address), 401)
    assert_error(attempt(other_host, name, "wrong password!", address), 429, "login_throttled")
    assert_error(attempt(app, name, PASSWORD, address), 429, "login_throttled")


def test_logout_revokes_the_token(app, world):
    token = login(app, world.admin_user.username).get_json()["access_token"]
    client = Api(app.test_client(), token)
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert_error(client.get("/api/v1/me"), 401, "invalid_token")


def test_expired_token_is_refused(app, world, session):
    token = login(app, world.admin_user.username).get_json()["access_token"]
    for row in session.scalars(select(ApiToken)):
        row.expires_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    session.commit()
    assert_error(Api(app.test_client(), token).get("/api/v1/me"), 401, "invalid_token")


def test_admin_creates_a_supervisor_who_can_sign_in(app, world):
    resp = world.admin.post("/api/v1/users", json={
        "username": "sup.new", "password": "a long password", "role": "supervisor",
        "department_id": world.dept_a.id})
    assert resp.status_code == 201, resp.get_json()
    assert "password" not in resp.get_json()
    assert login(app, "sup.new", "a long password").status_code == 201


def test_supervisor_without_department_is_refused(world):
    resp = world.admin.post("/api/v1/users", json={
        "username": "sup.x", "password": "a long password", "role": "supervisor"})
    assert_error(resp, 422)


def test_inspector_account_must_link_an_inspector_of_its_department(world):
    resp = world.admin.post("/api/v1/users", json={
        "username": "insp.x", "password": "a long password", "role": "inspector",
        "department_id": world.dept_b.id, "inspector_id": world.inspector_a.id})
    body = assert_error(resp, 422)
    assert "department_id" in body["errors"]


def test_only_admins_manage_accounts(world):
    for client in (world.coordinator, world.sup_a, world.insp_a):
        assert_error(client.get("/api/v1/users"), 403, "forbidden")
        assert_error(client.post("/api/v1/users", json={
            "username": "x.y.z", "password": "a long password", "role": "admin"}), 403)


def test_users_see_only_their_own_account(world):
    assert world.sup_a.get(f"/api/v1/users/{world.sup_a_user.id}").status_code == 200
    assert_error(world.sup_a.get(f"/api/v1/users/{world.admin_user.id}"), 404)


def test_duplicate_username_is_409(world):
    resp = world.admin.post("/api/v1/users", json={
        "username": world.sup_a_user.username, "password": "a long password", "role": "admin"})
    assert_error(resp, 409, "duplicate")


def test_password_change_revokes_existing_tokens(app, world):
    token = login(app, world.sup_b_user.username).get_json()["access_token"]
    resp = world.admin.patch(f"/api/v1/users/{world.sup_b_user.id}",
                             json={"password": "another long one"})
    assert resp.status_code == 200, resp.get_json()
    assert_error(Api(app.test_client(), token).get("/api/v1/me"), 401)
    assert login(app, world.sup_b_user.username, "another long one").status_code == 201


def test_parallel_wrong_guesses_are_all_counted(scratch_database_url, settings):
    """Real connections and commits: the failure counter must not lose increments (the
    five free failures, counted in parallel, bring the wait)."""
    from concurrent.futures import ThreadPoolExecutor

    from server.app import create_app
    from server.db import Database, make_engine
    from server.migrations import upgrade
    from server.services import accounts as account_service
    from server.services.actors import SYSTEM

    upgrade(scratch_database_url)
    db = Database(make_engine(scratch_database_url))
    with db.write_session() as s:
        account_service.create_user(s, SYSTEM, {"username": "target", "role": "admin",
                                                "password": "the right password"})
        s.commit()
    app = create_app(settings, db)

    def guess(_):
        return app.test_client().post("/api/v1/auth/token", json={
            "username": "target", "password": "a wrong password"}).status_code

    # time stands still: the 1 s wait the fifth failure brings is not over when we ask
    with clock.using(clock.FixedClock(clock.now())), ThreadPoolExecutor(max_workers=5) as pool:
        codes = list(pool.map(guess, range(5)))
        right = app.test_client().post("/api/v1/auth/token", json={
            "username": "target", "password": "the right password"})
    db.engine.dispose()
    assert codes == [401] * 5, codes
    assert right.status_code == 429, right.get_json()  # from the address that was failing


def test_an_inspector_account_follows_its_inspector_record(world, session):
    me = world.insp_a.get("/api/v1/me")
    assert me.status_code == 200
    resp = world.admin.patch(f"/api/v1/inspectors/{world.inspector_a.id}",
                             json={"department_id": world.dept_b.id})
    assert resp.status_code == 200, resp.get_json()
    # now scoped to department B: sees its own record, still only its own
    page = world.insp_a.get("/api/v1/inspectors").get_json()
    assert page["total"] == 1 and page["items"][0]["department_id"] == world.dept_b.id
    world.admin.put(f"/api/v1/inspectors/{world.inspector_a.id}/active", json={"active": False})
    assert_error(world.insp_a.get("/api/v1/me"), 401, "invalid_token")


def test_deactivating_an_account_revokes_its_tokens_for_good(app, world, session):
    """Reactivated, the account needs a new sign-in: its old tokens stay dead."""
    user = world.sup_b_user
    token = login(app, user.username).get_json()["access_token"]
    old = Api(app.test_client(), token)
    assert old.get("/api/v1/me").status_code == 200
    for active in (False, True):
        resp = world.admin.patch(f"/api/v1/users/{user.id}", json={"active": active})
        assert resp.status_code == 200, resp.get_json()
    assert_error(old.get("/api/v1/me"), 401, "invalid_token")
    assert_error(world.sup_b.get("/api/v1/me"), 401, "invalid_token")  # the fixture's token too
    entry = session.scalars(select(AuditEntry).where(
        AuditEntry.action == "user.update", AuditEntry.entity_id == str(user.id))
        .order_by(AuditEntry.id)).first()
    assert entry.after == {"active": False, "tokens_revoked": 2}
    fresh = login(app, user.username).get_json()["access_token"]
    assert Api(app.test_client(), fresh).get("/api/v1/me").status_code == 200


def test_deactivating_an_inspector_revokes_the_tokens_of_its_account_for_good(app, world):
    url = f"/api/v1/inspectors/{world.inspector_a.id}/active"
    assert world.admin.put(url, json={"active": False}).status_code == 200
    assert world.admin.put(url, json={"active": True}).status_code == 200
    assert_error(world.insp_a.get("/api/v1/me"), 401, "invalid_token")
    fresh = login(app, world.insp_a_user.username).get_json()["access_token"]
    assert Api(app.test_client(), fresh).get("/api/v1/me").status_code == 200
