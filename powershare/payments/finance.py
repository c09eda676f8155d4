"""Finance: the file of approved payments and expense claims for the finance system, and
reading back the finance system's file of what it paid.

The export lists what finance needs to pay, one row per payment or claim, with two empty
columns for finance to fill in: `Paid on` and `Finance reference`. The same file, filled in
(as CSV or XLSX), comes back to mark those items paid.

Nothing here writes to the database. `paid_file_check` reads a file and checks every row,
returning every problem at once (each naming the row as a spreadsheet numbers it, the column,
the value given and what is allowed); with none, the items are ready for
`services.finance_mark_paid`, which marks them all paid or none.

Between the preview and the confirmation only the three columns we read travel in the page,
signed (`checked_rows_sign` / `checked_rows_unsign`): never the names and amounts, and nothing
is kept on the server if the person walks away. The confirmation checks the rows again, as
something may have been paid or cancelled meanwhile.
"""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core import signing
from django.db.models import Min, QuerySet
from django.utils import timezone

from powershare.lib.exports import safe_cell
from powershare.people.imports import ImportFileError, ImportProblem, decode

from . import selectors
from .models import ExpenseClaim, Payment, PaymentMethod
from .services import PaidItem, finance_paid_problems, finance_reference_parse

PENNY = Decimal("0.01")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# ---------------------------------------------------------------------------------------------
# The export

#: (key, heading) of each column of the export, in order. The headings are what finance sees;
#: reading the file back matches them whatever the case and spacing ("Paid on" = "paid_on").
EXPORT_COLUMNS = [
    ("reference", "Reference"),
    ("type", "Type"),
    ("payee", "Payee"),
    ("person_reference", "Person reference"),
    ("method", "Method"),
    ("charity", "Charity"),
    ("amount", "Amount"),
    ("cost_code", "Cost code"),
    ("what_for", "What for"),
    ("date_of_involvement", "Date of involvement"),
    ("approved_on", "Approved on"),
    ("approved_by", "Approved by"),
    ("paid_on", "Paid on"),
    ("finance_reference", "Finance reference"),
]
EXPORT_HEADERS = [heading for _key, heading in EXPORT_COLUMNS]
MONEY_COLUMNS = {"amount"}
DATE_COLUMNS = {"date_of_involvement", "approved_on", "paid_on"}


def export_filename(approved_from: datetime.date, approved_to: datetime.date) -> str:
    """payments-approved-2026-11-01-to-2026-11-30 (the extension is added with the format)."""
    return f"payments-approved-{approved_from:%Y-%m-%d}-to-{approved_to:%Y-%m-%d}"


def _name(user) -> str:
    if user is None:
        return ""
    return user.full_name or user.email


def _approved_on(moment) -> datetime.date | str:
    return timezone.localdate(moment) if moment else ""


def with_first_cost(claims: QuerySet[ExpenseClaim]) -> QuerySet[ExpenseClaim]:
    """Each claim with the date of its first cost (its date of involvement without an
    activity), in the same query."""
    return claims.annotate(first_cost_on=Min("lines__incurred_on"))


def payment_row(payment: Payment) -> list:
    method = payment.get_method_display()
    if payment.method == PaymentMethod.DONATE:
        method = "Donate to charity"
    return [
        payment.reference,
        "Fee",
        payment.person.full_name,
        payment.person.reference,
        method,
        payment.charity if payment.method == PaymentMethod.DONATE else "",
        Decimal(payment.amount).quantize(PENNY),
        payment.cost_code,
        payment.activity.title if payment.activity_id else payment.description,
        payment.worked_on,
        _approved_on(payment.approved_at),
        _name(payment.approved_by),
        "",
        "",
    ]


def claim_row(claim: ExpenseClaim) -> list:
    involvement = claim.activity.ends_on if claim.activity_id else None
    return [
        claim.reference,
        "Expenses",
        claim.person.full_name,
        claim.person.reference,
        "Repay expenses",
        "",
        Decimal(claim.total).quantize(PENNY),
        claim.cost_code,
        claim.activity.title if claim.activity_id else (claim.note or "Expenses"),
        involvement or getattr(claim, "first_cost_on", None) or "",
        _approved_on(claim.approved_at),
        _name(claim.approved_by),
        "",
        "",
    ]


def export_rows(payments: Iterable[Payment], claims: Iterable[ExpenseClaim]) -> Iterator[list]:
    """One row per payment, then one per expense claim, in the order of EXPORT_COLUMNS."""
    for payment in payments:
        yield payment_row(payment)
    for claim in claims:
        yield claim_row(claim)


def xlsx_bytes(rows: Iterable[list], *, title: str = "Approved") -> bytes:
    """The export as an Excel workbook: amounts are numbers shown with 2 decimal places and
    dates are dates, so finance can add them up and sort them; text is defused as in CSV."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    widths = {
        "reference": 12,
        "payee": 24,
        "what_for": 32,
        "approved_by": 20,
        "finance_reference": 20,
    }
    for index, (key, _heading) in enumerate(EXPORT_COLUMNS):
        letter = chr(ord("A") + index)
        sheet.column_dimensions[letter].width = widths.get(key, 14)
    bold = Font(bold=True)
    header = []
    for heading in EXPORT_HEADERS:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    keys = [key for key, _heading in EXPORT_COLUMNS]
    for row in rows:
        cells = []
        for key, value in zip(keys, row, strict=True):
            if value in ("", None):
                cells.append(None)
            elif key in MONEY_COLUMNS:
                cell = WriteOnlyCell(sheet, value=Decimal(value))
                cell.number_format = "0.00"
                cells.append(cell)
            elif key in DATE_COLUMNS and isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(safe_cell(value))
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Reading the finance system's file

#: The columns we read, and the other spellings of their headings we accept (folded).
IMPORT_COLUMNS = {
    "reference": ("reference", "powershare_reference", "our_reference", "payment_reference"),
    "paid_on": ("paid_on", "date_paid", "paid_date"),
    "finance_reference": ("finance_reference", "finance_ref", "their_reference"),
}
IMPORT_HELP = {
    "reference": "Our reference, as in the file we gave you: PAY-000123 or EXP-000045.",
    "paid_on": "The date it was paid: 2026-11-30 or 30/11/2026 (or a date cell in Excel).",
    "finance_reference": "The finance system's own reference for the payment "
    "(at most 60 characters).",
}
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
#: An Excel file is a zip archive: a few kilobytes can claim to unpack to gigabytes. What it
#: says its parts unpack to is checked before it is opened (Python's zipfile never unpacks more
#: than a part says), against far more than a file of payments needs.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_XLSX_PARTS = 1000
#: Columns read from each row of an Excel sheet (the export has 14): a sheet claiming to be
#: 16,384 columns wide is not read cell by empty cell.
MAX_COLUMNS = 100
FINANCE_REFERENCE_MAX = 60
EARLIEST = datetime.date(2000, 1, 1)
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_SAVE_AS = "Save it from your spreadsheet as CSV or as an Excel workbook (.xlsx), and upload that."


class FinanceFileError(Exception):
    """The file as a whole can't be used (empty, not a spreadsheet, no rows…). The message
    says why and what to do."""


def _column_key(heading: str) -> str:
    return re.sub(r"[\s_-]+", "_", str(heading).strip().lstrip("\ufeff").casefold()).strip("_")


def _cell_text(value) -> str:
    """A spreadsheet cell as text: dates as 2026-11-30, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _too_many() -> FinanceFileError:
    return FinanceFileError(
        f"The file has more than {MAX_ROWS:,} rows. Split it into smaller files and upload "
        "each one."
    )


def _too_big_unpacked() -> FinanceFileError:
    return FinanceFileError(
        f"This Excel file unpacks to more than {MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)} MB, "
        "far more than a file of payments needs, so we haven't opened it. Copy the rows of "
        "payments into a new workbook, or save them as CSV, and upload that."
    )


def _xlsx_size_check(data: bytes) -> None:
    """Refuse an Excel file whose parts claim to unpack to too much, before anything is
    unpacked (a "zip bomb")."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise FinanceFileError(f"We couldn't open this Excel file. {_SAVE_AS}") from None
    if len(parts) > MAX_XLSX_PARTS:
        raise _too_big_unpacked()
    if sum(part.file_size for part in parts) > MAX_XLSX_UNPACKED_BYTES:
        raise _too_big_unpacked()


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    _xlsx_size_check(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, EOFError):
        raise FinanceFileError(f"We couldn't open this Excel file. {_SAVE_AS}") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return []
        # The size the sheet says it is may be wrong (or made up): read only the cells there.
        sheet.reset_dimensions()
        rows = []
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append([_cell_text(value) for value in values])
            if len(rows) > MAX_ROWS + 1000:
                raise _too_many()
        return rows
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, EOFError):
        # A part that unpacks to something other than it says, or isn't a sheet.
        raise FinanceFileError(f"We couldn't open this Excel file. {_SAVE_AS}") from None
    finally:
        workbook.close()


def _delimiter(text: str) -> str:
    """Comma, semicolon (spreadsheets set to use a decimal comma) or tab, from the header (the
    first line that is not blank)."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = decode(data)
    except ImportFileError:
        raise FinanceFileError(f"We couldn't read this file as text. {_SAVE_AS}") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = []
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            if len(rows) > MAX_ROWS + 1000:
                raise _too_many()
    except csv.Error:
        raise FinanceFileError(
            f"We couldn't read row {reader.line_num} of the file. Check for a double quote "
            f'(") that is opened but never closed. {_SAVE_AS}'
        ) from None
    return rows


def read_file(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows of a CSV or XLSX file, every cell as text. Blank rows are
    kept so that row numbers stay as the spreadsheet shows them (the header is row 1)."""
    if not data:
        raise FinanceFileError(
            "The file is empty. Upload the file of approved payments with the Paid on and "
            "Finance reference columns filled in."
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FinanceFileError(
            "This is an older Excel file (.xls), which we can't read. Save it as an Excel "
            "workbook (.xlsx) or as CSV, and upload that."
        )
    rows = _read_xlsx(data) if data.startswith(b"PK\x03\x04") else _read_csv(data)
    while rows and not any(rows[0]):
        rows.pop(0)  # blank lines above the header
    if not rows:
        raise FinanceFileError(
            "The file is empty. Upload the file of approved payments with the Paid on and "
            "Finance reference columns filled in."
        )
    header, body = rows[0], rows[1:]
    while body and not any(body[-1]):
        body.pop()
    if not body:
        raise FinanceFileError(
            "The file has a header row but no rows under it. Upload the file of approved "
            "payments with the Paid on and Finance reference columns filled in."
        )
    if sum(1 for row in body if any(row)) > MAX_ROWS:
        raise _too_many()
    return header, body


@dataclass(frozen=True)
class PaidRow:
    """The three cells we read from one row of the file (the row as a spreadsheet numbers it)."""

    number: int
    reference: str
    paid_on: str
    finance_reference: str


def columns_of(header: list[str], problems: list[ImportProblem]) -> dict[str, int]:
    """{column: position} of the columns we read; a problem for each one missing or twice."""
    wanted = {
        spelling: column for column, spellings in IMPORT_COLUMNS.items() for spelling in spellings
    }
    found: dict[str, int] = {}
    for position, heading in enumerate(header):
        column = wanted.get(_column_key(heading))
        if column is None:
            continue  # other columns (payee, amount…) are there for people, not read
        if column in found:
            problems.append(
                ImportProblem(
                    1,
                    str(position + 1),
                    str(heading),
                    f"is a second {column} column (the first is column {found[column] + 1}).",
                    "Keep one of them.",
                )
            )
        else:
            found[column] = position
    for column in IMPORT_COLUMNS:
        if column not in found:
            problems.append(
                ImportProblem(
                    1,
                    column,
                    "",
                    f"There is no {column} column in the header row.",
                    "Use the file we gave you: it has Reference, Paid on and Finance "
                    "reference columns.",
                )
            )
    return found


def paid_rows(header: list[str], cells: list[list[str]]) -> tuple[list[PaidRow], list]:
    """(the rows with something in the columns we read, problems with the header)."""
    problems: list[ImportProblem] = []
    columns = columns_of(header, problems)
    if problems:
        return [], problems

    def cell(row, column):
        position = columns[column]
        return row[position].strip() if position < len(row) else ""

    rows = []
    for index, row in enumerate(cells):
        found = PaidRow(
            number=index + 2,
            reference=cell(row, "reference"),
            paid_on=cell(row, "paid_on"),
            finance_reference=cell(row, "finance_reference"),
        )
        if found.reference or found.paid_on or found.finance_reference:
            rows.append(found)
    return rows, problems


def parse_paid_on(value: str) -> datetime.date | None:
    for date_format in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value.strip(), date_format).date()
        except ValueError:
            continue
    return None


@dataclass
class PaidFileCheck:
    """What checking the file found: problems (nothing may change) or items to mark paid."""

    rows: list[PaidRow]
    items: list[PaidItem] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    #: Rows with a reference but neither a date paid nor a finance reference: left as they are.
    skipped: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.items)

    @property
    def problem_rows(self) -> int:
        return len({problem.row for problem in self.problems})


def _reference_text(kind: str, pk: int) -> str:
    return f"{'PAY' if kind == 'payment' else 'EXP'}-{pk:06d}"


def _day(value: datetime.date) -> str:
    return f"{value.day} {value:%B %Y}"


def _approved_days(
    *, user, organisation_id: int, items: list[PaidItem]
) -> dict[tuple[str, int], datetime.date]:
    """{(kind, pk): the day it was approved, in Europe/London} for the items, read through
    the user's payments and claims (two queries)."""
    wanted = {"payment": [], "claim": []}
    for item in items:
        kind, pk = finance_reference_parse(item.reference)
        wanted[kind].append(pk)
    found = {}
    sources = {
        "payment": selectors.payment_list_for(user=user),
        "claim": selectors.claim_list_for(user=user),
    }
    for kind, rows in sources.items():
        if not wanted[kind]:
            continue
        approved = (
            rows.filter(organisation_id=organisation_id, pk__in=wanted[kind])
            .exclude(approved_at=None)
            .order_by()
            .values_list("pk", "approved_at")
        )
        for pk, approved_at in approved:
            found[(kind, pk)] = timezone.localdate(approved_at)
    return found


def paid_before_approval_problems(
    *, user, organisation_id: int, items: list[PaidItem]
) -> list[ImportProblem]:
    """A row whose date paid is before the day the payment or claim was approved: finance
    can't have paid it then, so the date (or the reference) is wrong."""
    approved = _approved_days(user=user, organisation_id=organisation_id, items=items)
    problems = []
    for item in items:
        approved_on = approved.get(finance_reference_parse(item.reference))
        if approved_on is not None and item.paid_on < approved_on:
            problems.append(
                ImportProblem(
                    item.row,
                    "paid_on",
                    item.paid_on.isoformat(),
                    f"The date paid, {_day(item.paid_on)}, is before {item.reference} was "
                    f"approved on {_day(approved_on)}.",
                    "Check the date and the reference with finance: it can't have been paid "
                    "before it was approved.",
                )
            )
    return problems


def paid_rows_check(
    *,
    user,
    organisation_id: int,
    rows: list[PaidRow],
    today: datetime.date | None = None,
) -> PaidFileCheck:
    """Check every row: the reference, the date, the finance reference, duplicates, (in the
    database, through services.finance_paid_problems) that each reference is one of the
    organisation's approved payments or claims, and that it was not paid before it was
    approved. `user` is the person importing: what they may see is all that is read."""
    today = today or timezone.localdate()
    check = PaidFileCheck(rows=rows)
    problems = check.problems
    first_row: dict[tuple[str, int], int] = {}
    candidates: list[PaidItem] = []
    for row in rows:
        if not row.paid_on and not row.finance_reference:
            if row.reference:
                check.skipped.append(row.number)
            continue
        before = len(problems)
        parsed = None
        if not row.reference:
            problems.append(
                ImportProblem(
                    row.number,
                    "reference",
                    "",
                    "The reference is empty.",
                    "Enter our reference for the row, like PAY-000123.",
                )
            )
        else:
            parsed = finance_reference_parse(row.reference)
            if parsed is None:
                problems.append(
                    ImportProblem(
                        row.number,
                        "reference",
                        row.reference,
                        "is not a PowerShare reference.",
                        "Our references look like PAY-000123 or EXP-000045.",
                    )
                )
            elif parsed in first_row:
                problems.append(
                    ImportProblem(
                        row.number,
                        "reference",
                        row.reference,
                        f"is also on row {first_row[parsed]}.",
                        "Each payment or claim can be marked paid once: keep one of the rows.",
                    )
                )
            else:
                first_row[parsed] = row.number
        paid_on = None
        if not row.paid_on:
            problems.append(
                ImportProblem(
                    row.number,
                    "paid_on",
                    "",
                    "The date paid is empty.",
                    "Enter the date it was paid, like 2026-11-30, or leave Paid on and Finance "
                    "reference both empty to leave the row as it is.",
                )
            )
        else:
            paid_on = parse_paid_on(row.paid_on)
            if paid_on is None:
                problems.append(
                    ImportProblem(
                        row.number,
                        "paid_on",
                        row.paid_on,
                        "is not a date we can read.",
                        "Use 2026-11-30 or 30/11/2026.",
                    )
                )
            elif paid_on > today:
                problems.append(
                    ImportProblem(
                        row.number,
                        "paid_on",
                        row.paid_on,
                        "is in the future.",
                        "Enter the date it was paid.",
                    )
                )
            elif paid_on < EARLIEST:
                problems.append(
                    ImportProblem(
                        row.number,
                        "paid_on",
                        row.paid_on,
                        "is too long ago.",
                        "Enter the date it was paid, from 2000 on.",
                    )
                )
        if not row.finance_reference:
            problems.append(
                ImportProblem(
                    row.number,
                    "finance_reference",
                    "",
                    "The finance reference is empty.",
                    "Enter the finance system's reference for the payment, or leave Paid on "
                    "and Finance reference both empty to leave the row as it is.",
                )
            )
        elif len(row.finance_reference) > FINANCE_REFERENCE_MAX:
            problems.append(
                ImportProblem(
                    row.number,
                    "finance_reference",
                    row.finance_reference,
                    f"is {len(row.finance_reference)} characters long.",
                    f"Use at most {FINANCE_REFERENCE_MAX}.",
                )
            )
        if len(problems) == before:
            candidates.append(
                PaidItem(
                    row=row.number,
                    reference=_reference_text(*parsed),
                    paid_on=paid_on,
                    finance_reference=row.finance_reference,
                )
            )
    # Whether each reference is one of the organisation's, and approved: the service's rule.
    by_row = {item.row: item for item in candidates}
    refused = set()
    for number, problem in finance_paid_problems(organisation_id=organisation_id, items=candidates):
        item = by_row.get(number)
        refused.add(number)
        problems.append(ImportProblem(number, "reference", item.reference if item else "", problem))
    problems += paid_before_approval_problems(
        user=user,
        organisation_id=organisation_id,
        items=[item for item in candidates if item.row not in refused],
    )
    problems.sort(key=lambda problem: (problem.row, _COLUMN_ORDER.get(problem.column, 9)))
    if not problems:
        check.items = candidates
    return check


_COLUMN_ORDER = {"reference": 0, "paid_on": 1, "finance_reference": 2}


def paid_file_check(
    *, user, organisation_id: int, data: bytes, today: datetime.date | None = None
) -> PaidFileCheck:
    """Read and check the finance system's file. Raises FinanceFileError when the file as a
    whole can't be used; otherwise every problem is in the result."""
    header, cells = read_file(data)
    rows, problems = paid_rows(header, cells)
    if problems:
        return PaidFileCheck(rows=[], problems=problems)
    if not rows:
        raise FinanceFileError(
            "No row of the file has a reference. Upload the file of approved payments we gave "
            "you, with the Paid on and Finance reference columns filled in."
        )
    check = paid_rows_check(user=user, organisation_id=organisation_id, rows=rows, today=today)
    if not check.problems and not check.items:
        raise FinanceFileError(
            "No row has a date paid and a finance reference, so there is nothing to mark "
            "paid. Fill in the Paid on and Finance reference columns for what was paid."
        )
    return check


# ---------------------------------------------------------------------------------------------
# What the preview shows


@dataclass(frozen=True)
class PaidPreview:
    item: PaidItem
    kind: str  # "payment" or "claim"
    pk: int
    payee: str
    amount: Decimal
    what_for: str


def preview_rows(
    check: PaidFileCheck, payments: QuerySet[Payment], claims: QuerySet[ExpenseClaim]
) -> list[PaidPreview]:
    """What will be marked paid, with the payee and amount, in the file's order (two
    queries). `payments` and `claims` are the user's, from the selectors."""
    wanted = {"payment": set(), "claim": set()}
    for item in check.items:
        kind, pk = finance_reference_parse(item.reference)
        wanted[kind].add(pk)
    found = {
        "payment": {p.pk: p for p in payments.filter(pk__in=wanted["payment"])},
        "claim": {c.pk: c for c in claims.filter(pk__in=wanted["claim"])},
    }
    shown = []
    for item in check.items:
        kind, pk = finance_reference_parse(item.reference)
        record = found[kind].get(pk)
        if record is None:  # not visible to this user: the service refuses it anyway
            continue
        if kind == "payment":
            amount = record.amount
            what_for = record.activity.title if record.activity_id else record.description
        else:
            amount = record.total
            what_for = record.activity.title if record.activity_id else "Expenses"
        shown.append(
            PaidPreview(
                item=item,
                kind=kind,
                pk=pk,
                payee=record.person.full_name,
                amount=Decimal(amount).quantize(PENNY),
                what_for=what_for,
            )
        )
    return shown


# ---------------------------------------------------------------------------------------------
# Between the preview and the confirmation

#: How long a checked file may wait for its confirmation.
CHECKED_FILE_MAX_AGE = 60 * 60
_SALT = "powershare.payments.finance.checked_rows"
_MAX_SIGNED_CHARS = 2_000_000
NOT_AS_CHECKED = (
    "We couldn't confirm this is the file you checked, so nothing has been marked paid. "
    "Upload the file again."
)


class CheckedRowsInvalid(Exception):
    """The signed rows from the preview can't be used; the message says what to do."""


def checked_rows_sign(*, user_id: int, organisation_id: int, rows: list[PaidRow]) -> str:
    signed = signing.dumps(
        {
            "u": user_id,
            "o": organisation_id,
            "r": [[r.number, r.reference, r.paid_on, r.finance_reference] for r in rows],
        },
        salt=_SALT,
        compress=True,
    )
    if len(signed) > _MAX_SIGNED_CHARS:
        raise FinanceFileError("This file is too big to check in one go. Split it in two.")
    return signed


def checked_rows_unsign(signed: str, *, user_id: int) -> tuple[int, list[PaidRow]]:
    """(organisation id, rows) of a file checked in the last hour by this user."""
    try:
        data = signing.loads(signed, salt=_SALT, max_age=CHECKED_FILE_MAX_AGE)
    except signing.SignatureExpired:
        raise CheckedRowsInvalid(
            "More than an hour has passed since the file was checked, so nothing has been "
            "marked paid. Upload the file again."
        ) from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError, OverflowError):
        raise CheckedRowsInvalid(NOT_AS_CHECKED) from None
    try:
        if data["u"] != user_id:
            raise CheckedRowsInvalid(NOT_AS_CHECKED)
        organisation_id = int(data["o"])
        rows = [
            PaidRow(int(number), str(reference), str(paid_on), str(finance_reference))
            for number, reference, paid_on, finance_reference in data["r"]
        ]
    except (KeyError, TypeError, ValueError):
        raise CheckedRowsInvalid(NOT_AS_CHECKED) from None
    return organisation_id, rows
