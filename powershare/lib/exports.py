"""CSV and XLSX downloads of tables, safe to open in a spreadsheet.

Both formats stream row by row (CSV through a generator, XLSX through openpyxl's write-only
workbook), so a large export does not hold every row in memory twice. Cells that a spreadsheet
would read as a formula (starting with =, +, - or @) are prefixed with an apostrophe, so text a
person typed can never run as a formula on a colleague's computer.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse

FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value ready for a spreadsheet cell: text that looks like a formula is defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        value = value.replace("\x00", "")
        if value.startswith(_FORMULA_STARTS):
            return "'" + value
        return value
    return value


class _Echo:
    def write(self, value):
        return value


def _csv_rows(headers: Sequence[str], rows: Iterable[Sequence]):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so Excel reads the file as UTF-8
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow([_text(safe_cell(v)) for v in row])


def _text(value) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def table_response(
    *, filename: str, headers: Sequence[str], rows: Iterable[Sequence], file_format: str
):
    """A download of one table, as CSV or XLSX (`file_format` is "csv" or "xlsx")."""
    if file_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=filename[:31])
        sheet.append(list(headers))
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    response = StreamingHttpResponse(
        _csv_rows(headers, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
