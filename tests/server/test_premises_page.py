"""A premises code any phone can read: the poster's QR code holds ``<public url>/p/<token>``,
whose page names the company, tells inspectors to use the app and says whom to call;
older posters (the bare token) keep working wherever a token is accepted (both backends).

The QR codes are read with zxing-cpp (``tests.qr.decode``, in the lock), as a phone's
camera reads them."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from server.models import Company, Visit, VisitEntry
from sync.hlc import HLC
from sync.tokens import token_from_scan
from tests.assertions import assert_error
from tests.phones import op, outcomes, push
from tests.qr import decode

PHONE = "0311-84212345"


def poster_url(api, company_id) -> str:
    resp = api.get(f"/api/v1/companies/{company_id}/premises-poster.png")
    assert resp.status_code == 200, resp.get_data()[:300]
    return decode(resp.get_data())


def open_page(client, url):
    """GET the scanned URL on this server (the host is the configured public URL)."""
    parts = urlsplit(url)
    return client.get(parts.path + (f"?{parts.query}" if parts.query else ""))


def text(resp) -> str:
    assert resp.mimetype == "text/html"
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    return resp.get_data(as_text=True)


def test_the_poster_scans_to_a_page_naming_the_company_and_whom_to_call(world, drawn,
                                                                        session, app):
    """Issued by a supervisor of a department on the visit, whose phone is on record."""
    assert world.admin.patch(f"/api/v1/departments/{world.dept_b.id}",
                             json={"phone": PHONE}).status_code == 200
    assert world.sup_b.post(
        f"/api/v1/companies/{drawn.visit.company_id}/premises-code").status_code == 201
    url = poster_url(world.sup_b, drawn.visit.company_id)
    public = app.extensions["fieldinspect"].settings.public_url.rstrip("/")
    assert url.startswith(f"{public}/p/")

    resp = open_page(app.test_client(), url)  # no sign-in: whoever scanned it
    assert resp.status_code == 200
    page = text(resp)
    company = session.get(Company, drawn.visit.company_id)
    for needle in (company.name, company.credit_code, "有效的入企检查码（第 2 版）",
                   "请在执法 app 中扫码入企", "乙部门", PHONE, f'href="tel:{PHONE}"'):
        assert needle in page, needle
    # nothing personal: not the legal representative, not the company's own phone
    for secret in (company.legal_representative, company.phone):
        assert not secret or secret not in page


def test_a_replaced_poster_says_so_and_a_forged_code_is_no_premises_code(world, drawn, app):
    client = app.test_client()
    company_id = drawn.visit.company_id
    old = drawn.premises_url  # version 1, issued by an admin: no department on record
    world.admin.post(f"/api/v1/companies/{company_id}/premises-code")  # version 2
    resp = open_page(client, old)
    assert resp.status_code == 410
    page = text(resp)
    assert "本入企码已作废" in page and "已被第 2 版替代" in page
    assert "未记录签发部门" in page and "未登记" in page
    assert open_page(client, poster_url(world.admin, company_id)).status_code == 200

    token = drawn.premises
    payload, signature = token.split(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    visit_code = decode(world.sup_a.get(f"/api/v1/visits/{drawn.visit.id}/code.png").get_data())
    for bad in (f"/p/{forged}", "/p/not-a-code", f"/p/{token_from_scan(visit_code)}", "/p/%00"):
        resp = client.get(bad)
        assert resp.status_code == 400, bad
        assert "不是有效的入企码" in text(resp)


def test_older_posters_and_the_new_url_both_enter_by_the_api_and_by_an_op(world, drawn,
                                                                          session):
    """The bare token (an older poster) and the URL (the poster now) at both doors."""
    entries = f"/api/v1/visits/{drawn.visit.id}/entries"
    assert drawn.member.post(entries, json={"premises_token": drawn.premises}).status_code == 201
    assert drawn.member.post(entries, json={
        "premises_token": drawn.premises_url + "?from=singlemessage"}).status_code == 201
    bad = drawn.premises_url.replace("/p/", "/q/")
    assert_error(drawn.member.post(entries, json={"premises_token": bad}), 422, "invalid_code")
    session.expire_all()
    assert session.scalars(select(VisitEntry.premises_version)).all() == [1, 1]


def test_an_entry_scan_op_carrying_the_posters_url_enters(team, world, session):
    a, _ = team.phones
    visit = team.visits[1]
    company_id = session.get(Visit, visit).company_id
    url = decode(world.admin.get(f"/api/v1/companies/{company_id}/premises-code.png").get_data())
    assert "/p/" in url
    scan = op(visit, "entry_scan", premises_token=url, hlc=HLC(1, 0, "a"))
    assert outcomes(push(a, [scan])) == [("applied", None)]


def test_a_department_keeps_an_office_phone_that_is_checked(world):
    created = world.admin.post("/api/v1/departments", json={
        "code": "YJ", "name": "应急管理局", "phone": "0311-84215350"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["phone"] == "0311-84215350"
    dept = created.get_json()["id"]
    for bad in ("电话", "12", "0311-8421<b>", "1" * 31):
        body = assert_error(world.admin.patch(f"/api/v1/departments/{dept}",
                                              json={"phone": bad}), 422)
        assert "phone" in body["errors"]["json"], bad
    assert world.admin.get(f"/api/v1/departments/{dept}").get_json()["phone"] == "0311-84215350"
    assert world.admin.patch(f"/api/v1/departments/{dept}",
                             json={"phone": None}).get_json()["phone"] is None
    assert_error(world.sup_a.patch(f"/api/v1/departments/{dept}", json={"phone": PHONE}), 403)
