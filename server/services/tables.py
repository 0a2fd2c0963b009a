"""Reading the spreadsheets departments keep their lists in: CSV (UTF-8, UTF-8 with BOM
or GB18030, as Excel on a Chinese Windows saves it) and XLSX (first sheet).

Rows come out as (row number as the spreadsheet shows it, {header: text}).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator

from server.iso_text import iso_text
from server.services.errors import InvalidInput

XLSX_MAGIC = b"PK\x03\x04"
MAX_XLSX_EXPANDED = 512 << 20  # bytes of XML an upload may inflate to
MAX_XLSX_RATIO = 100  # spreadsheets compress ~5-20x; a bomb compresses 1000x


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
        return iso_text(value.date()) if value.time() == dt.time() else iso_text(value)
    if isinstance(value, dt.date):
        return iso_text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(data: bytes, fmt: str, *, max_rows: int) -> tuple[list[str], Iterator]:
    """Header and an iterator of (row number, cells). A file that cannot be read, whatever
    the parser's exception, is a 422 ``bad_file``, never a 500."""
    rows = _xlsx_rows(data) if fmt == "xlsx" else csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        header = [h.strip() for h in (_cell_text(c) for c in next(rows))]
    except StopIteration:
        raise InvalidInput("The file is empty.", code="empty_file") from None
    except Exception as exc:  # csv.Error, and openpyxl's many types for damaged XML
        raise _unreadable(fmt, exc) from None
    while header and not header[-1]:
        header.pop()
    width = len(header)

    def body():
        try:
            for number, raw in enumerate(rows, start=2):
                # Blank rows count toward the limit too: a sheet claiming 10^6 empty rows
                # must not keep a worker busy.
                if number - 1 > max_rows:
                    raise InvalidInput(f"The file has more than {max_rows} rows.",
                                       code="too_many_rows", limit_rows=max_rows)
                cells = [_cell_text(c) for c in raw[:width]]
                if any(cells):
                    yield number, cells
        except InvalidInput:
            raise
        except Exception as exc:
            raise _unreadable(fmt, exc) from None

    return header, body()


def _unreadable(fmt: str, exc: Exception) -> InvalidInput:
    kind = "XLSX" if fmt == "xlsx" else "CSV"
    detail = str(exc) if isinstance(exc, csv.Error) else exc.__class__.__name__
    return InvalidInput(f"The {kind} file cannot be read: {detail}", code="bad_file")


def _check_zip(data: bytes) -> None:
    """Refuse a zip that expands far beyond its size before openpyxl inflates it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InvalidInput("The XLSX file cannot be read: not a zip archive",
                           code="bad_file") from None
    if expanded > MAX_XLSX_EXPANDED or expanded > MAX_XLSX_RATIO * max(len(data), 1):
        raise InvalidInput("The XLSX file expands to more than its content can be "
                           f"({expanded} bytes); save it again or upload CSV.",
                           code="bad_file")


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # The sheet's own dimension record may claim A1:XFD1048576; read only real cells.
        sheet.reset_dimensions()
        return iter(sheet.iter_rows(values_only=True))
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _unreadable("xlsx", exc) from None
