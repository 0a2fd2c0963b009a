"""The on-site inspection record (现场检查笔录): made on submission, the same bytes on every
download, checkable by its SHA-256 in public, and never showing ID numbers or phones
(both backends)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from server.models import AuditEntry, Company, Inspector, Result, Visit, VisitItem
from server.services import qr, record_pdf, records, visits
from sync.hlc import HLC
from sync.ops import RESULT_FIELD, checklist_hash
from tests import factories as f
from tests.assertions import assert_error
from tests.draws import version_id
from tests.phones import answer, company_sign, op, op_id, outcomes, push
from tests.photos import jpeg, png
from tests.qr import page_url
from tests.tus import Phone

FORM2 = {"fields": [
    {"key": "hygiene", "label": "操作间卫生是否符合要求", "type": "yes_no_na"},
    {"key": "grade", "label": "总体评价", "type": "single_choice",
     "options": [{"value": "good", "label": "良好"}, {"value": "fair", "label": "一般"}]},
    {"key": "papers", "label": "已查验资料", "type": "multiple_choice",
     "options": [{"value": "licence", "label": "营业执照"}, {"value": "health", "label": "健康证明"},
                 {"value": "log", "label": "进货查验记录"}]},
]}
ITEM_NOTE = "冷库门未关闭，已当场提醒负责人整改"
VISIT_NOTE = "企业负责人在场配合检查，现场出示了营业执照原件"
PHONE = "0311-87654321"
REPRESENTATIVE, STATEMENT = "赵经理", "对检查记录无异议，冷库门封条三日内更换"


def flat(text: str) -> str:
    """Text without white space: a line wrapped in the PDF still matches."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


class Filled:
    """A visit filled on two phones (answers, notes, photos, results, signatures)."""

    def __init__(self, team, world, session):
        self.team, self.world, self.session = team, world, session
        self.visit = team.visits[0]
        self.a, self.b = team.phones
        self.signs: dict[str, str] = {}
        self.remark_op = None

    def url(self) -> str:
        return f"/api/v1/visits/{self.visit}/record.pdf"

    def answers(self, remark: str) -> dict:
        return {(self.team.item, "licensed"): "yes", (self.team.item, "temp"): -18,
                (self.team.item, "remark"): remark, (self.item2, "hygiene"): "no",
                (self.item2, "grade"): "fair", (self.item2, "papers"): ["licence", "log"],
                (0, RESULT_FIELD): "corrected", (self.item2, RESULT_FIELD): "pending"}

    def sign_and_submit(self, remark: str, hlc: int) -> dict:
        state = checklist_hash(self.answers(remark))
        for name, phone in (("a", self.a), ("b", self.b)):
            image = self.signature_a if name == "a" else self.signature_b
            sign = op(self.visit, "sign", sha256=image, state_hash=state,
                      base=[self.signs[name]] if name in self.signs else [],
                      hlc=HLC(hlc, 0, name))
            self.signs[name] = sign["op_id"]
            assert outcomes(push(phone, [sign])) == [("applied", None)]
        if "company" not in self.signs:  # the representative signs once, on A's phone
            company = company_sign(self.visit, sha256=self.company_signature, state_hash=state,
                                   representative=REPRESENTATIVE, statement=STATEMENT,
                                   hlc=HLC(hlc, 1, "a"))
            self.signs["company"] = company["op_id"]
            assert outcomes(push(self.a, [company])) == [("applied", None)]
        done = push(self.b, [op(self.visit, "submit", hlc=HLC(hlc + 1, 0, "b"))])
        assert outcomes(done) == [("applied", None)], done.get_json()
        return done.get_json()["results"][0]["result"]


@pytest.fixture
def filled(team, world, session, app):
    """Visit 0 of ``team`` with a second item (joined as a merge would add it), filled,
    with one photo uploaded and one never uploaded, A's signature image uploaded and B's
    not, the results entered and submitted. The members have phones on record and the
    company a phone number: none of it may reach the record."""
    t = Filled(team, world, session)
    item2 = f.item(session, world.dept_a.id, name="食品经营场所卫生检查", form=FORM2,
                   legal_basis="《食品经营许可和备案管理办法》第二十九条")
    t.item2 = version_id(item2)
    visit = session.get(Visit, t.visit)
    visit.items.append(VisitItem(item_version_id=t.item2, item_id=item2.id,
                                 department_id=world.dept_a.id))
    company = session.get(Company, visit.company_id)
    company.phone, company.address = PHONE, "河北省石家庄市正定县测试路1号"
    company.legal_representative = "王某某"
    t.people = [session.get(Inspector, m.inspector_id) for m in visit.members]
    for n, person in enumerate(t.people):
        person.mobile = f"1390000{n:04d}"
    session.commit()

    phone_a = Phone(*t.a)
    t.photo = hashlib.sha256(jpeg(11)).hexdigest()
    phone_a.upload(jpeg(11))
    t.signature_a = hashlib.sha256(png(12)).hexdigest()
    phone_a.upload(png(12), filename="sign.png", filetype="image/png")
    t.company_signature = hashlib.sha256(png(13)).hexdigest()
    phone_a.upload(png(13), filename="company.png", filetype="image/png")
    t.signature_b = hashlib.sha256(b"B's signature, never uploaded").hexdigest()
    t.missing = hashlib.sha256(b"a photo still on the phone").hexdigest()

    remark = answer(t.visit, team.item, "冷库整洁", field="remark", hlc=HLC(103, 0, "a"))
    t.remark_op = remark["op_id"]
    ops = [answer(t.visit, team.item, "yes", hlc=HLC(101, 0, "a")),
           answer(t.visit, team.item, -18, field="temp", hlc=HLC(102, 0, "a")), remark,
           answer(t.visit, t.item2, "no", field="hygiene", hlc=HLC(104, 0, "a")),
           answer(t.visit, t.item2, "fair", field="grade", hlc=HLC(105, 0, "a")),
           answer(t.visit, t.item2, ["licence", "log"], field="papers", hlc=HLC(106, 0, "a")),
           op(t.visit, "set_note", note_id=op_id(), value=VISIT_NOTE, hlc=HLC(107, 0, "a")),
           op(t.visit, "set_note", note_id=op_id(), value=ITEM_NOTE, item_version_id=team.item,
              hlc=HLC(108, 0, "a")),
           op(t.visit, "attach_photo", sha256=t.photo, item_version_id=team.item,
              hlc=HLC(109, 0, "a")),
           op(t.visit, "attach_photo", sha256=t.missing, hlc=HLC(110, 0, "a")),
           op(t.visit, "set_result", category="corrected", hlc=HLC(111, 0, "a")),
           op(t.visit, "set_result", category="pending", item_version_id=t.item2,
              hlc=HLC(112, 0, "a"))]
    assert {o for o, _ in outcomes(push(t.a, ops))} == {"applied"}
    t.result_id = t.sign_and_submit("冷库整洁", 200)["id"]
    return t


def download(api, url):
    resp = api.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp


# --- the record -------------------------------------------------------------------------------
def test_the_record_holds_the_visit_in_readable_words_and_nothing_personal(filled, world,
                                                                            session):
    resp = download(world.insp_a, filled.url())
    data = resp.get_data()
    assert resp.mimetype == "application/pdf" and data.startswith(b"%PDF")
    assert resp.headers["X-Record-SHA256"] == hashlib.sha256(data).hexdigest()
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"record-{filled.visit}.pdf" in disposition

    text = pdf_text(data)
    company = session.get(Company, session.get(Visit, filled.visit).company_id)
    expected = [
        "现场检查笔录", company.name, company.credit_code, company.address, "王某某",
        "食品生产企业监督检查", "食品经营场所卫生检查", "《中华人民共和国食品安全法》第八十七条",
        "《食品经营许可和备案管理办法》第二十九条", "是否持证经营是", "操作间卫生是否符合要求否",
        "-18°C", "总体评价一般", "营业执照、进货查验记录", "冷库整洁", ITEM_NOTE, VISIT_NOTE,
        "发现问题已责令改正", "发现问题待后续处理", f"照片未上传{filled.missing[:12]}",
        f"签名图片未上传{filled.signature_b[:12]}", "签名确认的检查表与最终提交的检查表一致",
        "扫码入企", "第1页共", "/api/v1/public/records/", "被检查单位意见及签字",
        f"当事人意见{STATEMENT}", f"当事人签字：{REPRESENTATIVE}"]
    members = visits.team(session, session.get(Visit, filled.visit))
    expected += [m["name"] for m in members] + [m["certificate_number"] for m in members]
    for needle in expected:  # certificate numbers as the company's page shows them (masked)
        assert flat(needle) in text, needle
    for person in filled.people:
        number = f.id_number(int(person.name.removeprefix("检查员")))
        for secret in (number, person.id_number_masked, person.mobile):
            assert secret not in text and secret.encode() not in data
    assert PHONE not in text
    # the photo's thumbnail, A's signature and the company's
    assert data.count(b"/Subtype /Image") == 3

    session.expire_all()
    result = session.get(Result, filled.result_id)
    assert result.record_sha256 == resp.headers["X-Record-SHA256"]
    assert result.record_at >= result.submitted_at
    made = session.scalars(select(AuditEntry).where(AuditEntry.action == "record.generate")).all()
    assert [(m.entity_id, m.after["visit_id"]) for m in made] == [
        (result.record_sha256, filled.visit)]


def test_every_download_is_the_same_file_and_a_regenerated_one_too(filled, world, app,
                                                                   session):
    first = download(world.insp_a, filled.url()).get_data()
    assert download(world.sup_a, filled.url()).get_data() == first
    assert download(world.coordinator, filled.url()).get_data() == first
    assert session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "record.generate").offset(1)) is None  # made once
    store = app.extensions["fieldinspect"].blobs()
    store.path(hashlib.sha256(first).hexdigest()).unlink()  # the stored file is lost
    again = download(world.admin, filled.url())
    assert again.get_data() == first  # the same state renders to the same bytes
    assert store.exists(again.headers["X-Record-SHA256"])


def test_outside_the_scope_is_404_and_before_submission_409(filled, team, world, app):
    assert_error(world.sup_b.get(filled.url()), 404)
    assert_error(world.anon.get(filled.url()), 401)
    assert_error(world.sup_a.get("/api/v1/visits/99999999999/record.pdf"), 404)
    _, token = f.user(filled.session, "inspector", world.dept_a.id,
                      f.inspector(filled.session, world.dept_a.id).id)
    filled.session.commit()
    assert_error(f.Api(app.test_client(), token).get(filled.url()), 404)  # not on the team
    assert_error(world.sup_a.get(f"/api/v1/visits/{team.visits[1]}/record.pdf"), 409,
                 "not_submitted")


def test_a_resubmission_makes_a_new_record_and_the_old_one_reads_as_superseded(filled, world):
    old = download(world.sup_a, filled.url()).headers["X-Record-SHA256"]
    returned = world.sup_a.post(f"/api/v1/results/{filled.result_id}/return",
                                json={"reason": "备注需写明整改期限"})
    assert returned.status_code == 200, returned.get_json()
    assert_error(world.sup_a.get(filled.url()), 409, "not_submitted")
    assert world.anon.get(f"/api/v1/public/records/{old}").get_json()["status"] == "returned"
    fix = answer(filled.visit, filled.team.item, "冷库整洁，门封条三日内更换", field="remark",
                 base=[filled.remark_op], hlc=HLC(300, 0, "a"))
    assert outcomes(push(filled.a, [fix])) == [("applied", None)]
    filled.sign_and_submit("冷库整洁，门封条三日内更换", 400)
    resp = download(world.sup_a, filled.url())
    new = resp.headers["X-Record-SHA256"]
    assert new != old and flat("门封条三日内更换") in pdf_text(resp.get_data())

    check = world.anon.get(f"/api/v1/public/records/{old}").get_json()
    assert (check["genuine"], check["current"], check["status"]) == (True, False, "superseded")
    assert world.anon.get(f"/api/v1/public/records/{new}").get_json()["status"] == "current"


# --- checking a printed copy ---------------------------------------------------------------------
def test_the_public_check_confirms_a_record_and_refuses_any_other_hash(filled, world, session):
    sha = download(world.insp_a, filled.url()).headers["X-Record-SHA256"]
    resp = world.anon.get(f"/api/v1/public/records/{sha.upper()}")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    company = session.get(Company, session.get(Visit, filled.visit).company_id)
    assert (body["genuine"], body["status"], body["visit_id"], body["company"],
            body["credit_code"]) == (True, "current", filled.visit, company.name,
                                     company.credit_code)
    assert body["task"] == "同步测试" and body["departments"] == ["甲部门"]
    text = resp.get_data(as_text=True)
    for person in filled.people:
        assert person.name not in text and person.certificate_number not in text
    assert_error(world.anon.get(f"/api/v1/public/records/{hashlib.sha256(b'x').hexdigest()}"),
                 404, "record_not_found")
    assert_error(world.anon.get("/api/v1/public/records/not-a-hash"), 422)


# --- the company's verification page -----------------------------------------------------------
def test_the_verification_page_offers_the_record_only_once_submitted(filled, team, world,
                                                                      app, session):
    client = app.test_client()
    before = client.get(page_url(world, team.visits[1]))
    assert before.status_code == 200 and "record.pdf" not in before.get_data(as_text=True)
    refused = client.get(page_url(world, team.visits[1]) + "/record.pdf")
    assert refused.status_code == 409 and refused.mimetype == "text/html"

    url = page_url(world, filled.visit)
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "record.pdf" in html and "现场检查笔录" in html
    assert "script-src" not in page.headers["Content-Security-Policy"]
    session.expire_all()
    sha = session.get(Result, filled.result_id).record_sha256
    assert sha and sha in html  # made when the page was first shown
    pdf = client.get(url + "/record.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.get_data()).hexdigest() == sha == pdf.headers["X-Record-SHA256"]
    assert download(world.insp_a, filled.url()).get_data() == pdf.get_data()
    forged = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert client.get(forged + "/record.pdf").status_code == 400


def test_a_missing_or_unreadable_font_is_a_clear_503_and_changes_nothing(filled, world, app,
                                                                         session, tmp_path):
    fi = app.extensions["fieldinspect"]
    kept = fi.settings
    not_a_font = tmp_path / "font.ttc"
    not_a_font.write_text("not a font")
    for path in (tmp_path / "no-such-font.ttc", not_a_font):
        fi.settings = dataclasses.replace(kept, cjk_font=path)
        try:
            body = assert_error(world.sup_a.get(filled.url()), 503, "cjk_font_missing")
        finally:
            fi.settings = kept
        assert str(path) in body["message"] and "FIELDINSPECT_CJK_FONT" in body["message"]
    session.expire_all()
    assert session.get(Result, filled.result_id).record_sha256 is None
    assert session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "record.generate")) is None


# --- the layout, without a database --------------------------------------------------------------
def _content(note: str, *, photos: int = 0) -> dict:
    when = dt.datetime(2026, 11, 22, 2, 30, tzinfo=dt.UTC)
    photo = {"sha256": "ab" * 32, "image": None, "caption": "检查照片 abababababab"}
    return {
        "visit_id": 7, "created": when, "submitted": record_pdf.china_time(when),
        "footer": "核验：https://example.org/api/v1/public/records/<SHA-256>",
        "company": {"name": "测试公司", "credit_code": "91512081MA62K0260E", "address": None,
                    "legal_representative": None},
        "task": {"name": "任务", "kind": "双随机抽查", "lead_department": "甲部门",
                 "departments": ["甲部门"], "window": "2026-11-21 至 2026-11-30",
                 "checked_on": "2026-11-22"},
        "team": [], "entries": [],
        "items": [{"name": "事项", "code": "IT-1", "version": 1, "department": "甲部门",
                   "legal_basis": "依据", "method": "实地核查", "fields": [("备注", note)],
                   "notes": [note], "photos": [photo] * photos, "result": "未发现问题"}],
        "notes": [], "photos": [], "result": {"category": "未发现问题", "items": []},
        "signatures": [],
    }


def test_any_text_renders_to_the_same_bytes_every_time():
    font = qr.cjk_font()

    @settings(max_examples=8, deadline=None)
    @given(st.text(max_size=3000), st.integers(0, 9))
    def check(note, photos):
        first = record_pdf.render(_content(note, photos=photos), font)
        assert first == record_pdf.render(_content(note, photos=photos), font)
        pages = PdfReader(io.BytesIO(first)).pages
        assert flat(f"第1页共{len(pages)}页") in flat(pages[0].extract_text())

    check()


def test_answers_read_as_words():
    yes_no = {"type": "yes_no_na"}
    assert [records.answer_text(yes_no, v) for v in ("yes", "no", "na", None)] == [
        "是", "否", "不涉及", "（未填写）"]
    assert records.answer_text({"type": "number", "unit": "℃"}, -18.0) == "-18 ℃"
    assert records.answer_text(FORM2["fields"][2], ["health"]) == "健康证明"
    assert records.answer_text(FORM2["fields"][1], "gone") == "gone"  # an option since removed


def test_sections_are_numbered_without_a_gap_when_one_is_left_out():
    """No notes on the visit: no 现场情况说明, and the sections after it move up."""
    font = qr.cjk_font()
    without = flat(pdf_text(record_pdf.render(_content("事项备注"), font)))
    headings = ["被检查单位", "检查任务及依据", "执法检查人员", "入企记录", "检查事项及检查情况",
                "检查结果", "执法检查人员签名", "被检查单位意见及签字"]
    for number, title in zip("一二三四五六七八", headings, strict=True):
        assert flat(f"{number}、{title}") in without, (number, title)
    assert "现场情况说明" not in without and flat("九、") not in without
    with_notes = flat(pdf_text(record_pdf.render({**_content("事项备注"), "notes": ["现场"]}, font)))
    assert flat("六、现场情况说明") in with_notes and flat("九、被检查单位意见及签字") in with_notes
