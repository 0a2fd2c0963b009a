"""Bulk import from CSV and XLSX: all-or-nothing, dry run, upsert by natural code."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from server.models import AuditEntry, Company, InspectionItem, Inspector
from tests import factories as f
from tests.assertions import assert_error

HEADER = ["credit_code", "name", "region", "credit_risk_class", "status", "tags"]


def company_rows(n, start=0):
    return [[f.credit_code(10_000 + start + i), f"导入测试公司{start + i}有限公司", "130129",
             "ABCD"[i % 4], "operating", "ind-a;risk-b"] for i in range(n)]


def to_csv(header, rows, encoding="utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def to_xlsx(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, registry, data, filename="list.csv", **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(f"/api/v1/{registry}/import?{qs}",
                       data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def company_tags(session, world):
    f.tag(session, "ind-a", kind="industry")
    f.tag(session, "risk-b", kind="risk_domain")
    session.commit()


def test_one_bad_credit_code_in_a_large_file_changes_nothing_and_names_row_and_column(
        world, session, company_tags):
    rows = company_rows(10_000)
    rows[7233][0] = rows[7233][0][:-1] + ("0" if rows[7233][0][-1] != "0" else "1")
    audit_before = count(session, AuditEntry)
    resp = upload(world.admin, "companies", to_csv(HEADER, rows))
    body = assert_error(resp, 422, "import_rejected")
    errors = body["report"]["errors"]
    assert errors == [{"row": 7235, "column": "credit_code", "message": errors[0]["message"]}]
    assert "check character" in errors[0]["message"]
    assert count(session, Company) == 0
    assert count(session, AuditEntry) == audit_before


def test_the_corrected_file_imports_every_row(world, session, company_tags):
    rows = company_rows(500)
    resp = upload(world.admin, "companies", to_csv(HEADER, rows))
    assert resp.status_code == 200, resp.get_json()
    report = resp.get_json()
    assert (report["created"], report["updated"], report["errors"]) == (500, 0, [])
    assert count(session, Company) == 500
    listed = world.admin.get("/api/v1/companies?tag=risk-b&page_size=1").get_json()
    assert listed["total"] == 500


def test_reimporting_the_same_file_changes_nothing(world, session, company_tags):
    data = to_csv(HEADER, company_rows(50))
    assert upload(world.admin, "companies", data).status_code == 200
    audit_before = count(session, AuditEntry)
    report = upload(world.admin, "companies", data).get_json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 50)
    assert count(session, AuditEntry) == audit_before + 1  # only the import summary


def test_reimport_updates_changed_rows_and_audits_before_and_after(world, session, company_tags):
    rows = company_rows(3)
    upload(world.admin, "companies", to_csv(HEADER, rows))
    rows[1][3] = "D"
    rows[1][5] = "ind-a"
    report = upload(world.admin, "companies", to_csv(HEADER, rows)).get_json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 2)
    session.expire_all()
    company = session.scalar(select(Company).where(Company.credit_code == rows[1][0]))
    assert company.credit_risk_class == "D"
    assert [t.code for t in company.tags] == ["ind-a"]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "company.update"))
    assert entry.before["credit_risk_class"] == "ABCD"[1] and entry.after["credit_risk_class"] == "D"
    assert entry.before["tags"] == ["ind-a", "risk-b"] and entry.after["tags"] == ["ind-a"]


def test_blank_cells_leave_stored_values_unchanged(world, session, company_tags):
    rows = company_rows(1)
    upload(world.admin, "companies", to_csv(HEADER, rows))
    rows[0][3] = ""
    report = upload(world.admin, "companies", to_csv(HEADER, rows)).get_json()
    assert report["unchanged"] == 1
    session.expire_all()
    assert session.scalar(select(Company.credit_risk_class)) == "A"


def test_dry_run_reports_every_bad_row_and_writes_nothing(world, session, company_tags):
    rows = company_rows(10)
    rows[2][0] = "91130129MA000000"  # too short
    rows[5][3] = "E"
    rows[7][0] = rows[6][0]
    rows[8][5] = "no-such-tag"
    resp = upload(world.admin, "companies", to_csv(HEADER, rows), dry_run="true")
    assert resp.status_code == 200
    report = resp.get_json()
    assert report["dry_run"] is True and report["applied"] is False
    got = [(e["row"], e["column"]) for e in report["errors"]]
    assert got == [(4, "credit_code"), (7, "credit_risk_class"), (9, "credit_code"), (10, "tags")]
    assert "duplicate of row 8" in report["errors"][2]["message"]
    assert report["rejected"] == 4
    assert count(session, Company) == 0


def test_dry_run_of_a_good_file_predicts_the_counts_and_writes_nothing(world, session, company_tags):
    report = upload(world.admin, "companies", to_csv(HEADER, company_rows(20)),
                    dry_run="true").get_json()
    assert (report["created"], report["errors"]) == (20, [])
    assert count(session, Company) == 0


def test_valid_rows_mode_imports_the_good_rows_and_reports_the_bad(world, session, company_tags):
    rows = company_rows(5)
    rows[0][1] = ""
    resp = upload(world.admin, "companies", to_csv(HEADER, rows), mode="valid_rows")
    assert resp.status_code == 200
    report = resp.get_json()
    assert report["created"] == 4 and report["rejected"] == 1
    assert report["errors"][0]["row"] == 2 and report["errors"][0]["column"] == "name"
    assert count(session, Company) == 4


def test_chinese_headers_gb18030_and_chinese_enum_values_are_understood(world, session, company_tags):
    header = ["统一社会信用代码", "企业名称", "主体类型", "状态", "成立日期", "信用风险分类"]
    rows = [[f.credit_code(77), "赞皇县某某餐饮店", "个体工商户", "无法联系", "2019-05-01", "C"]]
    resp = upload(world.admin, "companies", to_csv(header, rows, encoding="gb18030"))
    assert resp.status_code == 200, resp.get_json()
    session.expire_all()
    company = session.scalar(select(Company))
    assert (company.subject_type, company.status) == ("individual_business", "unreachable")
    assert company.name == "赞皇县某某餐饮店"


def test_xlsx_import_with_dates_and_numbers_in_cells(world, session, company_tags):
    import datetime as dt

    rows = [[f.credit_code(91), "表格公司", 130129, "B", "operating", "ind-a"]]
    data = to_xlsx(HEADER, rows)
    resp = upload(world.admin, "companies", data, filename="companies.xlsx")
    assert resp.status_code == 200, resp.get_json()
    data2 = to_xlsx(HEADER + ["established_on"], [rows[0] + [dt.datetime(2001, 2, 3)]])
    report = upload(world.admin, "companies", data2, filename="companies.xlsx").get_json()
    assert report["updated"] == 1
    session.expire_all()
    assert str(session.scalar(select(Company.established_on))) == "2001-02-03"
    assert session.scalar(select(Company.region)) == "130129"


def test_unknown_and_missing_columns_are_reported_on_row_one(world, session):
    resp = upload(world.admin, "companies", to_csv(["credit_code", "colour"], []))
    body = assert_error(resp, 422, "import_rejected")
    assert {(e["row"], e["column"]) for e in body["report"]["errors"]} == {
        (1, "colour"), (1, "name")}


@pytest.mark.parametrize("data,code", [
    (b"", "empty_file"),
    (b"PK\x03\x04garbage", "bad_file"),
    (b"\xff\xfe\x00\x81\x00bad", "bad_encoding"),
])
def test_unreadable_files_are_422_not_500(world, data, code):
    assert_error(upload(world.admin, "companies", data, filename="x.csv" if code != "bad_file"
                        else "x.xlsx"), 422, code)


def test_missing_file_and_unknown_query_parameter_are_422(world):
    assert_error(world.admin.post("/api/v1/companies/import", data={},
                                  content_type="multipart/form-data"), 422)
    assert_error(upload(world.admin, "companies", b"a,b\n", force="yes"), 422)


def test_only_admins_import_companies(world, company_tags):
    data = to_csv(HEADER, company_rows(1))
    for client in (world.coordinator, world.sup_a, world.insp_a):
        assert_error(upload(client, "companies", data), 403)


def test_import_file_may_exceed_the_json_body_limit(world, session, company_tags):
    data = to_csv(HEADER, company_rows(1500))
    assert len(data) > 64 * 1024
    assert upload(world.admin, "companies", data).status_code == 200


def test_inspectors_import_upserts_by_id_number_and_respects_department_scope(world, session):
    header = ["姓名", "身份证号", "执法证号", "部门", "手机号", "证件有效期至"]
    rows = [["张三", f.id_number(501), "IMP-0001", "DA", "13800138000", "2030-12-31"],
            ["李四", f.id_number(502), "IMP-0002", "DA", "13800138001", "2030-12-31"]]
    resp = upload(world.sup_a, "inspectors", to_csv(header, rows))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["created"] == 2
    rows[0][4] = "13900139000"
    report = upload(world.sup_a, "inspectors", to_csv(header, rows)).get_json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 1)
    rows[1][3] = "DB"
    body = assert_error(upload(world.sup_a, "inspectors", to_csv(header, rows)), 422)
    assert body["report"]["errors"][0]["row"] == 3
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Inspector)
                          .where(Inspector.department_id == world.dept_b.id)) == 1


def test_inspectors_import_rejects_a_bad_id_number_by_row_and_column(world, session):
    header = ["name", "id_number", "certificate_number", "department_code"]
    bad = f.id_number(601)[:-1] + ("0" if f.id_number(601)[-1] != "0" else "1")
    body = assert_error(upload(world.admin, "inspectors", to_csv(header, [
        ["王五", bad, "IMP-9", "DA"]])), 422)
    assert body["report"]["errors"][0]["row"] == 2
    assert body["report"]["errors"][0]["column"] == "id_number"


def test_items_import_creates_items_with_a_default_form_and_versions_on_change(world, session):
    f.tag(session, "exp-food", kind="expertise")
    session.commit()
    header = ["事项编码", "事项名称", "部门", "抽查依据", "检查对象类型", "检查方式", "事项类别",
              "比例上限", "所需专业"]
    rows = [["IMP-ITEM-1", "食品经营检查", "DA", "《食品安全法》", "enterprise", "实地核查", "一般",
             "5", "exp-food"]]
    resp = upload(world.sup_a, "items", to_csv(header, rows))
    assert resp.status_code == 200, resp.get_json()
    session.expire_all()
    item = session.scalar(select(InspectionItem).where(InspectionItem.code == "IMP-ITEM-1"))
    assert item.current_version == 1 and item.versions[0].method == "on_site"
    assert item.versions[0].form["fields"][0]["type"] == "yes_no_na"
    rows[0][1] = "食品经营监督检查"
    report = upload(world.sup_a, "items", to_csv(header, rows)).get_json()
    assert report["updated"] == 1
    session.expire_all()
    assert item.current_version == 2
    assert_error(upload(world.sup_b, "items", to_csv(header, rows)), 422)


def test_departments_and_tags_import_with_chinese_headers_and_upsert_by_code(world, session):
    from server.models import Department, Tag

    depts = to_csv(["部门编码", "部门名称", "简称"], [["JT", "赞皇县交通运输局", "交通"]])
    assert upload(world.admin, "departments", depts).get_json()["created"] == 1
    depts = to_csv(["部门编码", "部门名称", "简称", "联系电话"],
                   [["JT", "赞皇县交通运输局", "交通运输", "0311-84218000"]])
    assert upload(world.admin, "departments", depts).get_json()["updated"] == 1
    session.expire_all()
    assert session.execute(select(Department.short_name, Department.phone).where(
        Department.code == "JT")).one() == ("交通运输", "0311-84218000")
    bad = to_csv(["部门编码", "部门名称", "联系电话"], [["JT", "赞皇县交通运输局", "找局长"]])
    assert_error(upload(world.admin, "departments", bad), 422, "import_rejected")

    tag_file = to_xlsx(["标签编码", "标签名称", "类别"], [["exp-road", "道路运输", "专业领域"],
                                                     ["ind-logistics", "物流", "行业"]])
    report = upload(world.admin, "tags", tag_file, filename="tags.xlsx").get_json()
    assert report["created"] == 2
    session.expire_all()
    assert session.scalar(select(Tag.kind).where(Tag.code == "exp-road")) == "expertise"
    bad = to_csv(["code", "name", "kind"], [["t-x", "x", "colour"]])
    body = assert_error(upload(world.admin, "tags", bad), 422)
    assert body["report"]["errors"][0]["column"] == "kind"
    assert_error(upload(world.sup_a, "departments", depts), 403)


def test_dump_only_columns_are_unknown_columns(world):
    body = assert_error(upload(world.admin, "tags", to_csv(["code", "name", "kind", "active"],
                                                           [["t-y", "y", "other", "false"]])), 422)
    assert body["report"]["errors"] == [{"row": 1, "column": "active", "message": "unknown column"}]


def _rewrite_xlsx(data: bytes, name: str, change) -> bytes:
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            dst.writestr(info, change(content) if info.filename == name else content)
    return out.getvalue()


def test_an_xlsx_that_inflates_a_thousandfold_is_refused_before_parsing(world):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<a>" + b"x" * (30 << 20) + b"</a>")
    body = assert_error(upload(world.admin, "companies", out.getvalue(), filename="bomb.xlsx"),
                        422, "bad_file")
    assert "expands" in body["message"]


def test_damaged_sheet_xml_is_a_422(world):
    good = to_xlsx(HEADER, company_rows(3))
    broken = _rewrite_xlsx(good, "xl/worksheets/sheet1.xml", lambda b: b[: len(b) // 2])
    assert_error(upload(world.admin, "companies", broken, filename="x.xlsx"), 422, "bad_file")


def test_a_sheet_claiming_sixteen_thousand_columns_reads_only_its_cells(world, session,
                                                                         company_tags):
    import re

    good = to_xlsx(HEADER, company_rows(2))
    padded = _rewrite_xlsx(good, "xl/worksheets/sheet1.xml",
                           lambda b: re.sub(rb'<dimension ref="[^"]+"/>',
                                            b'<dimension ref="A1:XFD20000"/>', b))
    resp = upload(world.admin, "companies", padded, filename="x.xlsx")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["created"] == 2


def test_blank_rows_count_toward_the_row_limit(world, app):
    limit = app.extensions["fieldinspect"].settings.max_import_rows
    data = ("credit_code,name\n" + "\n" * (limit + 1)).encode()
    assert_error(upload(world.admin, "companies", data), 422, "too_many_rows")


def test_a_wrong_header_is_never_reported_as_applied(world):
    data = to_csv(["credit_code", "colour"], [["x", "y"]])
    report = upload(world.admin, "companies", data, mode="valid_rows").get_json()
    assert report["applied"] is False and report["errors"][0]["row"] == 1
    body = assert_error(upload(world.admin, "companies", data), 422, "import_rejected")
    assert "columns" in body["message"]


@pytest.mark.parametrize("char", ["\u202e", "\u2067", "\x85", "\x9b"])
def test_an_imported_name_with_a_bidi_or_control_character_is_refused_by_row_and_column(
        world, session, company_tags, char):
    """Import rows go through the same schemas: a name reading backwards on the public
    pages (U+202E) is refused like a control character."""
    rows = company_rows(3)
    rows[1][1] = f"甲乙{char}丙公司"
    body = assert_error(upload(world.admin, "companies", to_csv(HEADER, rows)), 422,
                        "import_rejected")
    assert [(e["row"], e["column"]) for e in body["report"]["errors"]] == [(3, "name")]
    assert count(session, Company) == 0
