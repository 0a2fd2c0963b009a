"""Reading the spreadsheets departments keep their lists in: CSV (UTF-8, UTF-8 with BOM
or GB18030, as Excel on a Chinese Windows saves it) and XLSX (first sheet).

Rows come out as (row number as the spreadsheet shows it, {header: text}).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from server.services.errors import InvalidInput

XLSX_MAGIC = b"PK\x03\x04"


def detect_format(data: bytes, filename: str | None, content_type: str | None) -> str:
    name = (filename or "").lower()
    ctype = (content_type or "").lower()
    if name.endswith(".xlsx") or "spreadsheetml" in ctype or data.startswith(XLSX_MAGIC):
        return "xlsx"
    if name.endswith((".csv", ".txt")) or "csv" in ctype or "text/plain" in ctype or not name:
        return "csv"
    raise InvalidInput("Upload a .csv or .xlsx file.", code="unsupported_file_type")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput("The CSV file is neither UTF-8 nor GB18030 text.", code="bad_encoding")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, fmt: str, *, max_rows: int) -> tuple[list[str], Iterator]:
    if fmt == "xlsx":
        rows = _xlsx_rows(data)
    else:
        rows = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        header = [h.strip() for h in (_cell_text(c) for c in next(rows))]
    except StopIteration:
        raise InvalidInput("The file is empty.", code="empty_file") from None
    except csv.Error as exc:
        raise InvalidInput(f"The CSV file cannot be read: {exc}", code="bad_file") from None
    while header and not header[-1]:
        header.pop()

    def body():
        try:
            for number, raw in enumerate(rows, start=2):
                cells = [_cell_text(c) for c in raw]
                if not any(cells):
                    continue
                if number - 1 > max_rows:
                    raise InvalidInput(f"The file has more than {max_rows} rows.",
                                       code="too_many_rows", limit_rows=max_rows)
                yield number, cells
        except csv.Error as exc:
            raise InvalidInput(f"The CSV file cannot be read: {exc}", code="bad_file") from None

    return header, body()


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InvalidInput(f"The XLSX file cannot be read: {exc.__class__.__name__}",
                           code="bad_file") from None
    sheet = book.worksheets[0]
    return iter(sheet.iter_rows(values_only=True))
