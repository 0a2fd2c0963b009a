"""Signed codes, QR images, scan-to-enter and the visit pack."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from server.models import AuditEntry, Visit, VisitEntry
from server.services import signing
from sync.tokens import TokenError, verify
from tests import factories as f
from tests.assertions import assert_error
from tests.qr import decode


# --- tokens --------------------------------------------------------------------------------
def test_a_token_verifies_offline_and_any_changed_character_fails(tmp_path):
    signer = signing.load_signer(signing_key=None, keys_dir=tmp_path)
    token = signer.sign({"t": "p", "c": 7, "n": 1})
    keys = {signer.kid: signer.public_bytes}
    assert verify(token, keys, kind="p") == {"t": "p", "c": 7, "n": 1, "k": signer.kid}

    @settings(max_examples=200, deadline=None)
    @given(st.integers(0, len(token) - 1), st.sampled_from("ABCxyz019-_."))
    def changed(position, char):
        if token[position] == char:
            return
        with pytest.raises(TokenError):
            verify(token[:position] + char + token[position + 1:], keys, kind="p")

    changed()


def test_rotated_keys_keep_verifying_and_other_keys_do_not(tmp_path, session):
    old = signing.load_signer(signing_key=None, keys_dir=tmp_path)
    signing.register(session, old)
    token = old.sign({"t": "v", "v": 1, "c": 2, "s": "2026-01-01", "e": "2099-01-01", "m": []})
    new = signing.rotate(session, keys_dir=tmp_path)
    assert new.kid != old.kid
    keys = signing.public_keys(session)
    assert verify(token, keys, kind="v")["v"] == 1
    stranger = signing.load_signer(signing_key=None, keys_dir=tmp_path / "other")
    forged = stranger.sign({"t": "v", "v": 1, "c": 2, "s": "2026-01-01", "e": "2099-01-01",
                            "m": []})
    with pytest.raises(TokenError) as exc:
        verify(forged, keys)
    assert exc.value.code == "unknown_key"
    with pytest.raises(TokenError) as exc:
        verify(token, keys, kind="p")
    assert exc.value.code == "wrong_kind"
    with pytest.raises(TokenError) as exc:
        verify(token, keys, today=dt.date(2099, 1, 2))
    assert exc.value.code == "code_expired"


# --- QR images -----------------------------------------------------------------------------
def test_the_visit_code_png_and_svg_carry_the_verification_url(world, drawn, app):
    url = decode(world.sup_a.get(f"/api/v1/visits/{drawn.visit.id}/code.png").get_data())
    assert url.startswith("http://") and "/v/" in url
    token = url.rsplit("/v/", 1)[1]
    payload = verify(token, app.extensions["fieldinspect"].public_keys(), kind="v")
    assert payload["v"] == drawn.visit.id and payload["c"] == drawn.visit.company_id
    svg = world.sup_a.get(f"/api/v1/visits/{drawn.visit.id}/code.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.get_data()


def test_a_rotated_key_signs_the_next_code_without_a_restart(world, drawn, app, session):
    """``keys rotate`` replaces the key file; the running app signs with the new key from
    its next code on, and the codes the old key signed keep verifying."""
    fi = app.extensions["fieldinspect"]

    def visit_code() -> str:
        url = decode(world.sup_a.get(f"/api/v1/visits/{drawn.visit.id}/code.png").get_data())
        return url.rsplit("/v/", 1)[1]

    before = visit_code()
    old = fi.signer()
    assert fi.signer() is old  # loaded once while the file stays
    new = signing.rotate(session, keys_dir=fi.settings.keys_dir)
    session.commit()
    after = visit_code()
    assert new.kid != old.kid and fi.signer().kid == new.kid
    assert verify(after, fi.public_keys(), kind="v")["k"] == new.kid
    assert verify(before, fi.public_keys(), kind="v")["k"] == old.kid

def test_the_premises_poster_is_a_png_whose_code_scans(world, drawn):
    resp = world.admin.get(f"/api/v1/companies/{drawn.visit.company_id}/premises-poster.png")
    assert resp.status_code == 200, resp.get_data()[:300]
    assert decode(resp.get_data()) == drawn.premises_url  # its page (test_premises_page.py)


def test_only_admins_and_departments_about_to_inspect_reach_the_premises_code(
        world, drawn, session, app):
    """Reissuing revokes the poster on the company's wall: admins, and supervisors of a
    department with an issued or entered visit to the company; the rest get a 404, and so
    for reading the code, its image and the poster (coordinators read)."""
    company_id = drawn.visit.company_id
    other = f.department(session)
    _, stranger_token = f.user(session, "supervisor", other.id)
    idle = f.company(session)
    session.commit()
    stranger = f.Api(app.test_client(), stranger_token)
    paths = [f"/api/v1/companies/{company_id}/premises-code",
             f"/api/v1/companies/{company_id}/premises-code.png",
             f"/api/v1/companies/{company_id}/premises-poster.png"]
    for client in (stranger, drawn.member, drawn.outsider):
        assert_error(client.post(paths[0]), 404)
        for path in paths:
            assert_error(client.get(path), 404)
    assert_error(world.coordinator.post(paths[0]), 404)
    for path in paths:
        assert world.coordinator.get(path).status_code == 200
    # nothing was reissued by the refused attempts: the posted code still works
    assert drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                             json={"premises_token": drawn.premises}).status_code == 201
    # a department on the visit (entered now) reissues and reads it; not for another company
    reissued = world.sup_b.post(paths[0])
    assert reissued.status_code == 201, reissued.get_json()
    assert reissued.get_json()["version"] == 2
    for path in paths:
        assert world.sup_b.get(path).status_code == 200
    assert_error(world.sup_b.post(f"/api/v1/companies/{idle.id}/premises-code"), 404)
    assert world.admin.post(f"/api/v1/companies/{idle.id}/premises-code").status_code == 201
    assert_error(world.sup_b.get(f"/api/v1/companies/{idle.id}/premises-poster.png"), 404)


# --- scan-to-enter -------------------------------------------------------------------------
def test_a_team_member_scanning_the_premises_code_enters_the_visit(drawn, session):
    resp = drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                             json={"premises_token": drawn.premises, "device_id": "phone-1",
                                   "device_time": "2026-01-01T08:00:00+08:00"})
    assert resp.status_code == 201, resp.get_json()
    entry = resp.get_json()
    assert entry["method"] == "scan" and entry["flags"] == [] and entry["premises_version"] == 1
    session.expire_all()
    assert session.get(Visit, drawn.visit.id).state == "entered"


def test_a_non_member_is_refused_and_the_refusal_is_audited(drawn, session):
    body = assert_error(drawn.outsider.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                                            json={"premises_token": drawn.premises}),
                        403, "not_on_team")
    assert body["message"]
    session.expire_all()
    assert session.scalar(select(VisitEntry.id)) is None
    refusal = session.scalar(select(AuditEntry).where(AuditEntry.action == "visit.entry_refused"))
    assert refusal.after == {"code": "not_on_team"}


def test_a_forged_code_is_refused(drawn):
    payload, signature = drawn.premises.split(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_error(drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                                   json={"premises_token": forged}), 422, "invalid_code")


def test_another_companys_code_and_a_replaced_code_are_refused(world, drawn, session):
    other = f.company(session)
    session.commit()
    world.admin.post(f"/api/v1/companies/{other.id}/premises-code")
    foreign = decode(world.admin.get(f"/api/v1/companies/{other.id}/premises-code.png").get_data())
    assert_error(drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                                   json={"premises_token": foreign}), 422, "wrong_premises")
    world.admin.post(f"/api/v1/companies/{drawn.visit.company_id}/premises-code")  # version 2
    assert_error(drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                                   json={"premises_token": drawn.premises}), 422, "code_revoked")


def test_a_cancelled_visit_cannot_be_entered(drawn, session):
    session.get(Visit, drawn.visit.id).state = "cancelled"
    session.commit()
    assert_error(drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                                   json={"premises_token": drawn.premises}), 409, "visit_not_open")


def test_far_from_the_premises_is_accepted_but_flagged(drawn, session):
    from server.models import Company

    company = session.get(Company, drawn.visit.company_id)
    company.latitude, company.longitude = 37.666, 114.386
    session.commit()
    resp = drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                             json={"premises_token": drawn.premises, "latitude": 37.70,
                                   "longitude": 114.386})
    assert resp.status_code == 201
    assert resp.get_json()["flags"] == ["far_from_premises"]
    assert 3000 < resp.get_json()["distance_m"] < 4500


def test_without_the_code_an_entry_needs_a_reason_and_a_photo_and_is_flagged(drawn):
    assert_error(drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                                   json={"reason": "检查码损坏"}), 422)
    resp = drawn.member.post(f"/api/v1/visits/{drawn.visit.id}/entries",
                             json={"reason": "检查码损坏", "photo_sha256": "ab" * 32})
    assert resp.status_code == 201 and resp.get_json()["flags"] == ["manual"]


# --- the visit pack ------------------------------------------------------------------------
def test_the_pack_of_a_joint_visit_has_everything_and_answers_304_when_unchanged(
        drawn, world, app):
    resp = drawn.member.get(f"/api/v1/visits/{drawn.visit.id}/pack")
    assert resp.status_code == 200, resp.get_json()
    pack = resp.get_json()
    assert {m["department"] for m in pack["team"]} == {"甲部门", "乙部门", "丙部门"}
    assert all("*" in m["certificate_number"] for m in pack["team"])
    assert len(pack["items"]) == 3 and all(i["form"]["fields"] for i in pack["items"])
    assert pack["premises_code"] == {"company_id": drawn.visit.company_id, "version": 1}
    keys = {k: __import__("sync.tokens").tokens.b64decode(v) for k, v in
            pack["public_keys"].items()}
    assert verify(pack["visit_token"], keys, kind="v")["v"] == drawn.visit.id
    etag = resp.headers["ETag"]
    again = drawn.member.get(f"/api/v1/visits/{drawn.visit.id}/pack",
                             headers={"If-None-Match": etag})
    assert again.status_code == 304
    mine = drawn.member.get("/api/v1/me/visits").get_json()["items"]
    [listed] = [v for v in mine if v["id"] == drawn.visit.id]
    assert f'"{listed["pack_etag"]}"' == etag
    # what the phone's list shows before any pack is downloaded
    assert (listed["company_name"], listed["company_address"]) == (
        pack["company"]["name"], pack["company"]["address"])
    assert (listed["task_id"], listed["task"]) == (pack["visit"]["task_id"], pack["visit"]["task"])
    assert sorted(listed["team"]) == sorted(m["name"] for m in pack["team"])
    world.admin.post(f"/api/v1/companies/{drawn.visit.company_id}/premises-code")
    changed = drawn.member.get(f"/api/v1/visits/{drawn.visit.id}/pack",
                               headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["premises_code"]["version"] == 2


def test_a_non_member_inspector_gets_404_for_the_pack(drawn):
    assert_error(drawn.outsider.get(f"/api/v1/visits/{drawn.visit.id}/pack"), 404)
