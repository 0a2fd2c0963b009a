"""The layout of the on-site inspection record (现场检查笔录) on A4, with fpdf2.

``render`` turns the record's content (plain data, gathered by ``server.services.records``)
into PDF bytes. Same content, same bytes: the creation date is the submission time, fpdf2
derives the file id from the content, and nothing else varies, so a record regenerated
from an unchanged visit carries the hash printed copies were checked against.

Every text written by people (names, notes, answers) goes through ``_Record.t``: control
and private-use characters are dropped (they are what the page-count alias is made of,
so no note can fake a page count), a character the font draws blank gets its
compatibility form (WQY Micro Hei's ℃ is empty: °C), and long words break anywhere
(Chinese has no spaces). One font face only (WQY Micro Hei by default, a TTC: fpdf2 2.7+
reads collections, face 0): emphasis is by size and colour, not bold.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from server.clock import CHINA
from server.services.qr import FontMissing

logging.getLogger("fontTools.subset").setLevel(logging.WARNING)  # one INFO line per table
log = logging.getLogger(__name__)

FONT = "cjk"
PAGES = "\ue000nb\ue000"  # the total-pages alias: private use, which _clean removes from text
MARGIN = 15
LINE = 5.5
BLUE = (11, 92, 173)
GREY = (87, 96, 106)
RED = (207, 34, 46)
THUMB = 40  # mm: four thumbnails a row
LABEL_W = 42


def _clean(value) -> str:
    if value is None:
        return "—"
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch)[0] != "C")


NUMERALS = " 一二三四五六七八九十"  # section numbers (there are at most ten)


class _Record(FPDF):
    def __init__(self, content: dict):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.content = content
        self.set_margins(MARGIN, MARGIN + 3, MARGIN)
        self.set_auto_page_break(True, margin=24)
        self.set_creation_date(content["created"])
        self.set_title(f"现场检查笔录 {content['visit_id']}")
        self.set_creator("fieldinspect")
        self.set_producer("fieldinspect")
        self.alias_nb_pages(PAGES)
        self._glyphs: dict[str, str] = {}
        self._sections = 0

    def t(self, value) -> str:
        """Text to write: cleaned, and any character the font draws blank (WQY Micro Hei
        has an empty ℃) replaced by its compatibility form (°C) when that one is drawn."""
        return "".join(self._glyph(ch) for ch in _clean(value))

    def _glyph(self, ch: str) -> str:
        known = self._glyphs.get(ch)
        if known is None:
            known = ch
            if not ch.isspace() and not self._drawn(ch):
                alternative = unicodedata.normalize("NFKC", ch)
                if alternative != ch and all(self._drawn(c) for c in alternative):
                    known = alternative
            self._glyphs[ch] = known
        return known

    def _drawn(self, ch: str) -> bool:
        font = self.fonts[FONT]
        name = font.cmap.get(ord(ch))
        if name is None:
            return False
        if "glyf" not in font.ttfont:  # CFF outlines: trust the cmap
            return True
        return font.ttfont["glyf"][name].numberOfContours != 0

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(*GREY)
        self.set_y(8)
        self.cell(0, 4, self.t(f"现场检查笔录 · 检查编号 {self.content['visit_id']} · "
                               f"{self.content['company']['name']}"), align="R")
        self.set_draw_color(200, 200, 200)
        self.line(MARGIN, 13, self.w - MARGIN, 13)
        self.set_y(MARGIN + 3)
        self.set_text_color(0, 0, 0)

    def footer(self):
        self.set_y(-20)
        self.set_font(FONT, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 4, f"第 {self.page_no()} 页 共 {PAGES} 页", align="C",
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.multi_cell(0, 3.6, self.t(self.content["footer"]), align="C",
                        wrapmode=WrapMode.CHAR)
        self.set_text_color(0, 0, 0)

    # --- blocks -----------------------------------------------------------------------------
    def room(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit above the bottom margin."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def heading(self, title: str) -> None:
        """A section, numbered in the order written (一、二、…): a section left out (no
        notes on the visit) leaves no gap in the numbering."""
        self._sections += 1
        text = f"{NUMERALS[self._sections]}、{title}"
        self.room(22)  # never a heading alone at the foot of a page
        self.ln(3)
        self.set_font(FONT, size=12.5)
        self.set_text_color(*BLUE)
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*BLUE)
        self.line(MARGIN, self.get_y(), self.w - MARGIN, self.get_y())
        self.ln(1.5)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=10)

    def subheading(self, text: str) -> None:
        self.room(16)
        self.ln(1.5)
        self.set_font(FONT, size=11)
        self.set_text_color(*BLUE)
        self.multi_cell(0, 6, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                        wrapmode=WrapMode.CHAR)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=10)

    def field(self, label: str, value, *, colour=None) -> None:
        """A label in the left column, the value beside it; either may wrap, and the value
        may run on over a page break. A label too long for the column goes above."""
        label = self.t(label)
        lines = len(self.multi_cell(LABEL_W, LINE, label, dry_run=True, output="LINES",
                                    wrapmode=WrapMode.CHAR))
        self.set_text_color(*GREY)
        if lines > 3:
            self.paragraph(label, colour=GREY)
            lines = 0
        else:
            self.room(LINE * lines)
            self.multi_cell(LABEL_W, LINE, label, new_x=XPos.RIGHT, new_y=YPos.TOP,
                            wrapmode=WrapMode.CHAR, align="L")
        top, page = self.get_y(), self.page
        self.set_x(MARGIN + LABEL_W)
        self.set_text_color(*(colour or (0, 0, 0)))
        self.multi_cell(0, LINE, self.t(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                        wrapmode=WrapMode.CHAR, align="L")
        self.set_text_color(0, 0, 0)
        if self.page == page:
            self.set_y(max(self.get_y(), top + LINE * lines))

    def paragraph(self, text, *, colour=None, size=10) -> None:
        self.room(LINE)
        self.set_font(FONT, size=size)
        self.set_text_color(*(colour or (0, 0, 0)))
        self.multi_cell(0, LINE, self.t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                        wrapmode=WrapMode.CHAR, align="L")
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=10)

    def picture(self, source, x: float, y: float, w: float, h: float, missing: str) -> None:
        """An image fitted into the box; a framed note in its place when there is none
        or it cannot be read (evidence that is missing is said so, never an error)."""
        if source is not None:
            try:
                self.image(io.BytesIO(source) if isinstance(source, bytes) else source,
                           x=x, y=y, w=w, h=h, keep_aspect_ratio=True)
                return
            except Exception:  # a damaged derived file: the record still prints
                log.warning("record: image not embeddable", exc_info=True)
                missing = missing.replace("未上传", "无法显示")
        self.set_draw_color(180, 180, 180)
        self.rect(x, y, w, h)
        self.set_xy(x + 1, y + h / 2 - 5)
        self.set_font(FONT, size=8)
        self.set_text_color(*RED)
        self.multi_cell(w - 2, 4, missing, align="C", wrapmode=WrapMode.CHAR)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=10)

    def photos(self, photos: list[dict]) -> None:
        per_row, gap = 4, (self.epw - 4 * THUMB) / 3
        for start in range(0, len(photos), per_row):
            row = photos[start:start + per_row]
            self.room(THUMB + 12)
            top = self.get_y() + 1
            for i, photo in enumerate(row):
                x = MARGIN + i * (THUMB + gap)
                self.picture(photo["image"], x, top, THUMB, THUMB,
                             f"照片未上传\n{photo['sha256'][:12]}")
                self.set_xy(x, top + THUMB + 0.5)
                self.set_font(FONT, size=7)
                self.set_text_color(*GREY)
                self.multi_cell(THUMB, 3.2, self.t(photo["caption"]), align="C",
                                wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(0, 0, 0)
            self.set_font(FONT, size=10)
            self.set_y(top + THUMB + 9)

    def signature(self, sig: dict) -> None:
        self.room(30)
        top = self.get_y() + 1
        self.picture(sig["image"], MARGIN, top, 55, 24, f"签名图片未上传\n{sig['sha256'][:12]}")
        self.set_xy(MARGIN + 60, top)
        lines = [f"签名人：{self.t(sig['name'])}（{self.t(sig['department'])}）",
                 f"签名时间：{self.t(sig['signed_at'])}"]
        for line in lines:
            self.set_x(MARGIN + 60)
            self.multi_cell(0, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                            wrapmode=WrapMode.CHAR, align="L")
        self.set_x(MARGIN + 60)
        if sig["matches"]:
            self.set_text_color(26, 127, 55)
            text = "签名确认的检查表与最终提交的检查表一致"
        else:
            self.set_text_color(*RED)
            text = "签名确认的检查表与最终提交的检查表不一致"
        self.multi_cell(0, LINE, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(0, 0, 0)
        self.set_y(max(self.get_y(), top + 24) + 3)


    def company_signature(self, sig: dict) -> None:
        """The party's statement and signature, or the refusal as the inspectors noted it."""
        if sig["refused"]:
            self.field("当事人签字", "当事人拒绝签字", colour=RED)
            if sig["representative"]:
                self.field("当事人", sig["representative"])
            self.field("检查人员记录", sig["reason"])
            self.field("记录人及时间", f"{sig['recorded_by']}　{sig['signed_at']}")
            return
        self.field("当事人意见", sig["statement"] or "（未填写）")
        self.room(30)
        top = self.get_y() + 1
        self.picture(sig["image"], MARGIN, top, 55, 24, f"签名图片未上传\n{sig['sha256'][:12]}")
        for line in (f"当事人签字：{self.t(sig['representative'])}",
                     f"签字时间：{self.t(sig['signed_at'])}"):
            self.set_x(MARGIN + 60)
            self.multi_cell(0, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                            wrapmode=WrapMode.CHAR, align="L")
        self.set_x(MARGIN + 60)
        self.set_text_color(*((26, 127, 55) if sig["matches"] else RED))
        self.multi_cell(0, LINE, "签字确认的检查表与最终提交的检查表" +
                        ("一致" if sig["matches"] else "不一致"),
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(0, 0, 0)
        self.set_y(max(self.get_y(), top + 24) + 3)


def render(content: dict, font: Path | str) -> bytes:
    """The record as PDF bytes (see the module docstring for what stays fixed), in the
    CJK font at ``font`` (see ``records.font``)."""
    pdf = _Record(content)
    try:
        pdf.add_font(FONT, "", str(font))
    except Exception as exc:  # fontTools and fpdf2 fail in many ways on a file that is no font
        raise FontMissing(f"{font} is not a font the on-site record can use ({exc}); set "
                          "FIELDINSPECT_CJK_FONT to a .ttf/.otf/.ttc with Chinese glyphs.",
                          package="fonts-wqy-microhei", font=str(font)) from None
    pdf.add_page()
    _title(pdf, content)
    _company_and_task(pdf, content)
    _team_and_entries(pdf, content)
    _items(pdf, content)
    _visit_notes(pdf, content)
    _result(pdf, content)
    _signatures(pdf, content)
    return bytes(pdf.output())


def _title(pdf: _Record, c: dict) -> None:
    pdf.set_font(FONT, size=20)
    pdf.cell(0, 12, "现场检查笔录", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9.5)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 6, f"检查编号 {c['visit_id']}　　提交时间 {c['submitted']}", align="C",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


def _company_and_task(pdf: _Record, c: dict) -> None:
    company, task = c["company"], c["task"]
    pdf.heading("被检查单位")
    pdf.field("单位名称", company["name"])
    pdf.field("统一社会信用代码", company["credit_code"])
    pdf.field("住所（经营场所）", company["address"])
    pdf.field("法定代表人（负责人）", company["legal_representative"])
    pdf.heading("检查任务及依据")
    pdf.field("检查任务", task["name"])
    pdf.field("任务类型", task["kind"])
    pdf.field("牵头部门", task["lead_department"])
    pdf.field("检查部门", "、".join(task["departments"]))
    pdf.field("检查时限", task["window"])
    pdf.field("检查日期", task["checked_on"])
    for item in c["items"]:
        pdf.field(item["name"], f"{item['legal_basis']}")


def _team_and_entries(pdf: _Record, c: dict) -> None:
    pdf.heading("执法检查人员")
    for member in c["team"]:
        pdf.field(member["name"], f"{member['department']}　执法证号 {member['certificate_number']}"
                                  f"（有效期至 {member['valid_until']}）")
    pdf.heading("入企记录")
    if not c["entries"]:
        pdf.paragraph("无入企记录。", colour=GREY)
    for entry in c["entries"]:
        pdf.subheading(f"{entry['inspector']}　{entry['time']}")
        pdf.field("入企方式", entry["method"])
        pdf.field("地点", entry["place"])
        if entry["reason"]:
            pdf.field("未扫码原因", entry["reason"])
        pdf.field("提示", "、".join(entry["flags"]) or "无",
                  colour=RED if entry["flags"] else None)
        if entry["photos"]:
            pdf.photos(entry["photos"])


def _items(pdf: _Record, c: dict) -> None:
    pdf.heading("检查事项及检查情况")
    for number, item in enumerate(c["items"], 1):
        pdf.subheading(f"{number}. {item['name']}")
        pdf.field("事项", f"{item['code']}（第 {item['version']} 版）　{item['department']}　"
                          f"{item['method']}")
        for label, answer in item["fields"]:
            pdf.field(label, answer)
        for note in item["notes"]:
            pdf.field("检查记录", note)
        if item["result"]:
            pdf.field("本事项检查结果", item["result"], colour=BLUE)
        if item["photos"]:
            pdf.photos(item["photos"])


def _visit_notes(pdf: _Record, c: dict) -> None:
    if not c["notes"] and not c["photos"]:
        return
    pdf.heading("现场情况说明")
    for note in c["notes"]:
        pdf.paragraph(note)
    if c["photos"]:
        pdf.photos(c["photos"])


def _result(pdf: _Record, c: dict) -> None:
    pdf.heading("检查结果")
    pdf.field("被检查单位检查结果", c["result"]["category"], colour=BLUE)
    for name, category in c["result"]["items"]:
        pdf.field(name, category)


def _signatures(pdf: _Record, c: dict) -> None:
    pdf.heading("执法检查人员签名")
    if not c["signatures"]:
        pdf.paragraph("无签名。", colour=RED)
    for sig in c["signatures"]:
        pdf.signature(sig)
    pdf.heading("被检查单位意见及签字")
    if c.get("company_signature") is None:
        pdf.paragraph("无当事人签字记录。", colour=RED)
    else:
        pdf.company_signature(c["company_signature"])
    pdf.ln(2)
    pdf.paragraph(f"本笔录依据检查人员在移动端同步的检查表、说明、照片和签名生成，生成时间以提交时间 "
                  f"{c['submitted']} 为准。", colour=GREY, size=8.5)


def china_time(value: dt.datetime | None) -> str:
    """China time (UTC+8, no DST), to the minute."""
    if value is None:
        return "—"
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
