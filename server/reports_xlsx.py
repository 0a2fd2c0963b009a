"""The monthly report as the XLSX the 2025 seed attaches (县有关部门“双随机、一公开”监管工作
月报表): merged header cells, the Chinese labels, 单位名称 and 填表时间 above, 联系人 /
联系电话 / 手机 below; a second sheet measures the year's targets.

Built from the report dict of ``services.reports.monthly``: the same figures as the JSON,
cell for cell (``CELLS`` says which cell holds which figure). SimSun (宋体), which every
Chinese Office install has; LibreOffice and WPS substitute their own CJK font.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

TITLE = "县有关部门“双随机、一公开”监管工作月报表"
REGION_TITLE = "全县“双随机、一公开”监管工作月报表"
PLATFORM = "本平台"
FIGURE_COLUMNS = ("tasks", "companies_drawn", "companies_checked", "companies_with_problems")
FIGURE_LABELS = ("次数", "抽查总户数", "完成检查户数", "发现问题户数")
FONT = "宋体"

# (sheet row, platform key, row key) of every figure row; figures go in columns D-G.
CELLS = [
    (6, "this_platform", "total"), (7, "this_platform", "internal"),
    (8, "this_platform", "joint"), (9, "this_platform", "enterprise"),
    (10, "this_platform", "credit_based"),
    (11, "other_platforms", "internal"), (12, "other_platforms", "enterprise"),
    (13, "other_platforms", "credit_based"),
]
TARGET_HEADER = ("指标", "目标（不低于%）", "实际（%）", "分子", "分母", "是否达标",
                 "差距（百分点）", "尚需", "单位", "目标年度")
UNITS = {"tasks": "次", "companies": "户"}

_thin = Side(style="thin")
_border = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_center = Alignment(horizontal="center", vertical="center", wrap_text=True)
_left = Alignment(horizontal="left", vertical="center", wrap_text=True)


def _put(ws, ref: str, value, *, merge: str | None = None, bold=False, size=11,
         align=_center, border=True) -> None:
    ws[ref] = value
    ws[ref].font = Font(name=FONT, bold=bold, size=size)
    ws[ref].alignment = align
    if merge:
        ws.merge_cells(f"{ref}:{merge}")
    if border:
        for row in ws[f"{ref}:{merge or ref}"]:
            for cell in row:
                cell.border = _border


def _day(value) -> dt.date:
    """A date of the report dict, as the service gives it or as its JSON has it."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _date_cn(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _form(ws, report: dict, *, unit: str, contact: str, phone: str, mobile: str,
          filled_on: dt.date) -> None:
    ws.title = "月报表"
    title = TITLE if report["department"] else REGION_TITLE
    _put(ws, "A1", title, merge="G1", bold=True, size=16, border=False)
    _put(ws, "A2", "(本年度累计数据)", merge="G2", border=False)
    _put(ws, "A3", f"单位名称(盖章)：{unit}", merge="D3", align=_left, border=False)
    _put(ws, "E3", f"填表时间：{_date_cn(filled_on)}", merge="G3", align=_left, border=False)

    _put(ws, "A4", "平台", merge="A5", bold=True)
    _put(ws, "B4", "统计项目", merge="C5", bold=True)
    _put(ws, "D4", "截止目前数据", merge="G4", bold=True)
    for col, label in zip("DEFG", FIGURE_LABELS, strict=True):
        _put(ws, f"{col}5", label, bold=True)

    _put(ws, "A6", PLATFORM, merge="A10")
    _put(ws, "B6", "本部门开展随机抽查情况", merge="B8")
    for ref, label in (("C6", "总计"), ("C7", "部门内部"), ("C8", "部门联合"), ("C9", "总计"),
                       ("C10", "总计")):
        _put(ws, ref, label)
    _put(ws, "B9", "本部门涉及企业的随机抽查情况")
    _put(ws, "B10", "本部门利用企业信用风险分级分类开展随机抽查的情况")
    _put(ws, "A11", "其他平台", merge="A13")
    _put(ws, "B11", "本部门开展部门内部抽查情况", merge="C11")
    _put(ws, "B12", "本部门涉及企业的随机抽查情况", merge="C12")
    _put(ws, "B13", "本部门利用企业信用风险分级分类开展随机抽查情况", merge="C13")
    for row, platform, key in CELLS:
        figures = report[platform][key]
        for col, field in zip("DEFG", FIGURE_COLUMNS, strict=True):
            _put(ws, f"{col}{row}", figures[field])

    _put(ws, "A15", f"联系人：{contact}", merge="C15", align=_left, border=False)
    _put(ws, "D15", f"联系电话：{phone}", merge="E15", align=_left, border=False)
    _put(ws, "F15", f"手机：{mobile}", merge="G15", align=_left, border=False)
    through = _day(report["through"])
    _put(ws, "A16", f"统计期间：{_date_cn(through.replace(month=1, day=1))}至{_date_cn(through)}；"
         f"报送期限：{_date_cn(_day(report['due_on']))}前", merge="G16", align=_left,
         border=False, size=9)

    for col, width in zip("ABCDEFG", (10, 30, 11, 10, 12, 13, 13), strict=True):
        ws.column_dimensions[col].width = width
    ws.row_dimensions[1].height = 30
    for row in range(6, 14):
        ws.row_dimensions[row].height = 36
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.print_options.horizontalCentered = True


def _targets(ws, report: dict) -> None:
    ws.title = "目标完成情况"
    for col, label in enumerate(TARGET_HEADER, start=1):
        _put(ws, f"{get_column_letter(col)}1", label, bold=True)
    for i, t in enumerate(report["targets"], start=2):
        met = "—" if t["met"] is None else ("达标" if t["met"] else "未达标")
        values = (t["name"], t["min_percent"], t["actual_percent"], t["numerator"],
                  t["denominator"], met, t["shortfall_points"], t["needed"],
                  UNITS.get(t["unit"], t["unit"]), t["year"])
        for col, value in enumerate(values, start=1):
            _put(ws, f"{get_column_letter(col)}{i}", value,
                 align=_left if col == 1 else _center)
    note = len(report["targets"]) + 3
    _put(ws, f"A{note}", "说明：各项比例按本平台数据计算；覆盖率的分母为上年底前已录入名录库且仍有效的"
         f"企业数（{report['registered_companies']}户）；“尚需”指还需增加的联合（信用）抽查次数或户数。",
         merge=f"J{note}", align=_left, border=False, size=9)
    ws.row_dimensions[note].height = 30
    for col, width in enumerate((46, 14, 10, 9, 9, 10, 14, 8, 6, 10), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def render(report: dict, *, unit: str | None = None, contact: str = "", phone: str = "",
           mobile: str = "", filled_on: dt.date) -> bytes:
    """The workbook's bytes. ``unit`` defaults to the department's name."""
    wb = Workbook()
    department = report["department"]
    _form(wb.active, report, unit=unit if unit is not None else
          (department["name"] if department else ""), contact=contact, phone=phone,
          mobile=mobile, filled_on=filled_on)
    _targets(wb.create_sheet(), report)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
