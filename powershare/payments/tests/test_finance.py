"""Finance: the export of approved payments and expense claims, and marking paid from the
finance system's file (upload, check, preview, confirm: every row paid or none).

alice (participation lead, council A) exports and imports; bob (facilitator), charlie
(council B), nina (national) and erin (on council A's register) get 404 or see nothing of
council A's.
"""

import csv
import datetime
import html
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.audit.models import AccessEvent
from powershare.payments import finance, services
from powershare.payments.models import (
    ClaimStatus,
    ExpenseClaim,
    Payment,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
)
from powershare.people.imports import ImportProblem
from tests.personas import MARKER, PASSWORD

EXPORT = "payments:finance_export"
IMPORT = "payments:finance_import"


# Helpers -------------------------------------------------------------------------------------


@pytest.fixture
def approver(personas):
    """A second participation lead of council A: approval needs someone other than alice."""
    user = User.objects.create_user(
        email="lee.lead@a.example", password=PASSWORD, full_name="Lee Lead"
    )
    Membership.objects.create(
        user=user, organisation=personas.council_a, role=Role.PARTICIPATION_LEAD
    )
    return user


def approved_payment(personas, approver, person, *, hours="2", description="Reading papers"):
    payment = services.payment_create(
        actor=personas.alice,
        person=person,
        kind=PaymentKind.TASK,
        worked_on=timezone.localdate() - datetime.timedelta(days=5),
        quantity=hours,
        description=description,
        cost_code="CC-100",
    )
    return services.payment_approve(actor=approver, payment=payment)


def approved_claim(personas, approver, person, *, amount="12.40"):
    claim = services.claim_create(actor=personas.alice, person=person)
    services.claim_line_add(
        actor=personas.alice,
        claim=claim,
        kind="taxi",
        incurred_on=timezone.localdate() - datetime.timedelta(days=4),
        amount=amount,
    )
    services.claim_submit(actor=personas.alice, claim=claim)
    return services.claim_approve(actor=approver, claim=claim)


def three_approved(personas, samples, approver):
    """Two payments and one expense claim, approved today."""
    first = approved_payment(personas, approver, samples["person"], hours="2")
    second = approved_payment(personas, approver, personas.erin_person, hours="1.5")
    claim = approved_claim(personas, approver, samples["person"])
    return first, second, claim


def _today_params(file_format="csv"):
    today = timezone.localdate().isoformat()
    return {"approved_from": today, "approved_to": today, "format": file_format}


def _page(response) -> str:
    """The page's text, with HTML's escaped characters (apostrophes…) read back."""
    return html.unescape(response.content.decode())


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def export_csv(client, **params) -> list[list[str]]:
    response = client.get(reverse(EXPORT), {**_today_params(), **params})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/csv")
    text = _content(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def fill_in(rows, paid: dict[str, tuple[str, str]]) -> list[list[str]]:
    """The exported rows with Paid on and Finance reference filled in for some references."""
    header = rows[0]
    paid_on, their_ref = header.index("Paid on"), header.index("Finance reference")
    filled = [list(header)]
    for row in rows[1:]:
        row = list(row)
        if row[0] in paid:
            row[paid_on], row[their_ref] = paid[row[0]]
        filled.append(row)
    return filled


def upload(client, data: bytes, name="paid.csv", content_type="text/csv", **extra):
    return client.post(
        reverse(IMPORT),
        {"import-file": SimpleUploadedFile(name, data, content_type=content_type), **extra},
    )


def confirm(client, preview):
    page = _page(preview)
    signed = re.search(r'name="checked_file" value="([^"]+)"', page).group(1)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    return client.post(reverse(IMPORT), {"checked_file": signed, "form_token": token})


def _statuses(*records):
    for record in records:
        record.refresh_from_db()
    return [record.status for record in records]


# The export ----------------------------------------------------------------------------------


def test_alice_exports_approved_payments_and_claims_as_csv(client_for, personas, samples, approver):
    first, second, claim = three_approved(personas, samples, approver)
    rows = export_csv(client_for("alice"))
    assert rows[0] == finance.EXPORT_HEADERS
    by_reference = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_reference) == {first.reference, second.reference, claim.reference}
    today = timezone.localdate()
    fee = by_reference[first.reference]
    assert fee == {
        "Reference": first.reference,
        "Type": "Fee",
        "Payee": f"Person {MARKER}",
        "Person reference": samples["person"].reference,
        "Method": "Bank transfer",
        "Charity": "",
        "Amount": "40.00",
        "Cost code": "CC-100",
        "What for": "Reading papers",
        "Date of involvement": (today - datetime.timedelta(days=5)).isoformat(),
        "Approved on": today.isoformat(),
        "Approved by": "Lee Lead",
        "Paid on": "",
        "Finance reference": "",
    }
    assert by_reference[second.reference]["Amount"] == "30.00"
    assert by_reference[second.reference]["Payee"] == "Erin Edwards"
    expenses = by_reference[claim.reference]
    assert expenses["Type"] == "Expenses"
    assert expenses["Amount"] == "12.40"
    assert expenses["Date of involvement"] == (today - datetime.timedelta(days=4)).isoformat()
    # Payments still owed, and the submitted sample claim, are not for finance yet.
    assert samples["payment"].reference not in by_reference
    assert samples["claim"].reference not in by_reference


def test_the_file_is_named_for_the_period_and_the_download_is_recorded(
    client_for, personas, samples, approver
):
    approved_payment(personas, approver, samples["person"])
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    response = client_for("alice").get(
        reverse(EXPORT),
        {"approved_from": start.isoformat(), "approved_to": today.isoformat(), "format": "csv"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="payments-approved-{start:%Y-%m-%d}-to-{today:%Y-%m-%d}.csv"'
    )
    event = AccessEvent.objects.get(action=AccessEvent.Action.EXPORTED)
    assert event.user == personas.alice
    assert event.organisation == personas.council_a
    assert "1 payment and 0 expense claims" in event.description


def test_only_what_was_approved_in_the_period_and_is_not_paid_is_exported(
    client_for, personas, samples, approver
):
    early = approved_payment(personas, approver, samples["person"], description="Early")
    Payment.objects.filter(pk=early.pk).update(
        approved_at=timezone.now() - datetime.timedelta(days=40)
    )
    paid = approved_payment(personas, approver, samples["person"], description="Paid")
    services.payment_mark_paid(
        actor=personas.alice, payment=paid, paid_on=timezone.localdate(), finance_reference="F1"
    )
    current = approved_payment(personas, approver, samples["person"], description="Now")
    rows = export_csv(client_for("alice"))
    assert [row[0] for row in rows[1:]] == [current.reference]


def test_a_donation_names_the_charity(client_for, personas, samples, approver):
    services.payment_choice_update(
        actor=personas.alice,
        person=samples["person"],
        method=PaymentMethod.DONATE,
        charity="=Shelter Scotland",
    )
    payment = approved_payment(personas, approver, samples["person"])
    row = export_csv(client_for("alice"))[1]
    assert row[0] == payment.reference
    assert row[4] == "Donate to charity"
    # Text a spreadsheet would run as a formula is defused.
    assert row[5] == "'=Shelter Scotland"


def test_an_xlsx_export_has_amounts_as_numbers_with_two_decimal_places(
    client_for, personas, samples, approver
):
    from openpyxl import load_workbook

    first, second, claim = three_approved(personas, samples, approver)
    response = client_for("alice").get(reverse(EXPORT), _today_params("xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == finance.XLSX_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]] == finance.EXPORT_HEADERS
    amount_column = finance.EXPORT_HEADERS.index("Amount")
    amounts = {row[0].value: row[amount_column] for row in rows[1:]}
    assert set(amounts) == {first.reference, second.reference, claim.reference}
    assert amounts[first.reference].value == 40
    assert amounts[claim.reference].value == pytest.approx(12.4)
    assert amounts[first.reference].number_format == "0.00"
    approved_on = rows[1][finance.EXPORT_HEADERS.index("Approved on")].value
    assert approved_on.date() == timezone.localdate()


def test_an_export_with_nothing_approved_says_so(client_for, samples):
    response = client_for("alice").get(reverse(EXPORT), _today_params())
    assert response.status_code == 200
    assert "is waiting to be paid, so there is no file to download" in _page(response)
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.EXPORTED).exists()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"approved_from": "", "approved_to": "2026-11-30", "format": "csv"}, "Enter the date"),
        ({"approved_from": "31/02/2026", "approved_to": "", "format": "csv"}, "real date"),
        (
            {"approved_from": "2026-11-30", "approved_to": "2026-11-01", "format": "csv"},
            "The last day must be on or after the first day",
        ),
        (
            {"approved_from": "1890-01-01", "approved_to": "2026-11-01", "format": "csv"},
            "Enter a date between 2000 and 2100",
        ),
        (
            {"approved_from": "2026-11-01", "approved_to": "2026-11-30", "format": "pdf"},
            "Choose CSV or Excel (XLSX)",
        ),
    ],
)
def test_wrong_export_choices_go_back_to_the_form_with_kind_errors(
    client_for, samples, params, message
):
    response = client_for("alice").get(reverse(EXPORT), params)
    assert response.status_code == 200
    page = _page(response)
    assert message in page
    assert "<title>Error:" in page
    assert 'id="error-summary"' in page


def test_the_export_address_without_choices_opens_the_finance_page(client_for, samples):
    response = client_for("alice").get(reverse(EXPORT))
    assert response.status_code == 302
    assert response["Location"] == reverse("payments:finance")


def test_the_exports_query_count_does_not_grow_with_rows(client_for, personas, samples):
    client = client_for("alice")
    now = timezone.now()

    def add(count):
        Payment.objects.bulk_create(
            Payment(
                organisation=personas.council_a,
                person=samples["person"],
                kind=PaymentKind.TASK,
                description="Bulk",
                worked_on=timezone.localdate(),
                amount=Decimal("10.00"),
                method=PaymentMethod.BANK_TRANSFER,
                status=PaymentStatus.APPROVED,
                approved_at=now,
                approved_by=personas.alice,
                created_by=personas.bob,
            )
            for _ in range(count)
        )

    def export():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(EXPORT), _today_params())
            rows = _content(response).decode("utf-8-sig").splitlines()
        return len(queries), len(rows)

    add(10)
    few, rows = export()
    assert rows == 11
    add(490)
    many, rows = export()
    assert rows == 501
    assert many == few


# Export, then mark paid by import ------------------------------------------------------------


def test_export_then_import_marks_everything_paid(client_for, personas, samples, approver):
    first, second, claim = three_approved(personas, samples, approver)
    client = client_for("alice")
    rows = export_csv(client)
    # Approved today, so paid today: finance can't have paid them before.
    today = timezone.localdate()
    filled = fill_in(
        rows,
        {
            first.reference: (today.isoformat(), "BACS-0001"),
            second.reference: (f"{today:%d/%m/%Y}", "BACS-0002"),
            claim.reference: (today.isoformat(), "BACS-0003"),
        },
    )
    preview = upload(client, csv_bytes(filled))
    assert preview.status_code == 200
    page = _page(preview)
    assert "Check the 3 items before you mark them paid" in page
    assert "2 payments and 1 expense claim, £82.40 in all" in page
    assert "BACS-0002" in page
    # Nothing changes before the confirmation.
    assert _statuses(first, second, claim) == ["approved"] * 3

    done = confirm(client, preview)
    assert done.status_code == 302
    assert done["Location"] == reverse("payments:finance")
    assert _statuses(first, second, claim) == ["paid"] * 3
    assert (first.paid_on, first.finance_reference) == (today, "BACS-0001")
    assert (second.paid_on, second.finance_reference) == (today, "BACS-0002")
    assert (claim.paid_on, claim.finance_reference) == (today, "BACS-0003")
    assert first.marked_paid_by == personas.alice
    message = _page(client.get(done["Location"]))
    assert "Marked paid: 2 payments and 1 expense claim." in message


def test_pressing_confirm_twice_marks_paid_once_and_says_so(
    client_for, personas, samples, approver
):
    first, second, claim = three_approved(personas, samples, approver)
    client = client_for("alice")
    filled = fill_in(
        export_csv(client), {first.reference: (timezone.localdate().isoformat(), "F-1")}
    )
    preview = upload(client, csv_bytes(filled))
    assert confirm(client, preview).status_code == 302
    again = confirm(client, preview)
    assert again.status_code == 302
    page = _page(client.get(again["Location"]))
    assert "You had already sent this form" in page
    assert _statuses(first, second, claim) == ["paid", "approved", "approved"]


def test_export_then_import_as_xlsx(client_for, personas, samples, approver):
    from openpyxl import load_workbook

    first, second, claim = three_approved(personas, samples, approver)
    client = client_for("alice")
    response = client.get(reverse(EXPORT), _today_params("xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    paid_on = header.index("Paid on") + 1
    their_ref = header.index("Finance reference") + 1
    day = timezone.localdate()  # the day they were approved
    for number in range(2, sheet.max_row + 1):
        # An Excel date cell, and a finance reference typed as a number.
        sheet.cell(number, paid_on).value = datetime.datetime.combine(day, datetime.time())
        sheet.cell(number, their_ref).value = 700000 + number
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = upload(client, buffer.getvalue(), name="paid.xlsx", content_type=finance.XLSX_TYPE)
    assert preview.status_code == 200, _page(preview)[:2000]
    assert "Check the 3 items" in _page(preview)
    assert confirm(client, preview).status_code == 302
    assert _statuses(first, second, claim) == ["paid"] * 3
    references = {first.finance_reference, second.finance_reference, claim.finance_reference}
    assert references == {"700002", "700003", "700004"}
    assert {first.paid_on, second.paid_on, claim.paid_on} == {day}


def test_rows_finance_has_not_paid_yet_are_skipped_and_counted(
    client_for, personas, samples, approver
):
    first, second, claim = three_approved(personas, samples, approver)
    client = client_for("alice")
    filled = fill_in(
        export_csv(client), {second.reference: (timezone.localdate().isoformat(), "F-2")}
    )
    preview = upload(client, csv_bytes(filled))
    page = _page(preview)
    assert "Check the 1 item before you mark it paid" in page
    assert "2 rows had no date paid or finance reference" in page
    done = confirm(client, preview)
    assert _statuses(first, second, claim) == ["approved", "paid", "approved"]
    message = _page(client.get(done["Location"]))
    assert "2 rows with no date paid or finance reference left as they were" in message


def test_an_unknown_reference_changes_nothing_and_names_the_row(
    client_for, personas, samples, approver
):
    first, second, claim = three_approved(personas, samples, approver)
    today = timezone.localdate().isoformat()
    data = csv_bytes(
        [
            ["Reference", "Paid on", "Finance reference"],
            [first.reference, today, "F-1"],
            ["PAY-999999", today, "F-2"],
            [claim.reference, today, "F-3"],
        ]
    )
    response = upload(client_for("alice"), data)
    assert response.status_code == 200
    page = _page(response)
    assert "Nothing has been marked paid" in page
    assert "Row 3, column reference (“PAY-999999”): No payment or claim has the reference" in page
    assert "<title>Error:" in page
    assert _statuses(first, second, claim) == ["approved"] * 3


def test_the_service_refuses_the_whole_file_too(personas, samples, approver):
    """Even past the page, finance_mark_paid marks nothing when one row is wrong."""
    first, _second, claim = three_approved(personas, samples, approver)
    from django.core.exceptions import ValidationError

    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.finance_mark_paid(
            actor=personas.alice,
            organisation_id=personas.council_a.pk,
            items=[
                services.PaidItem(2, first.reference, today, "F-1"),
                services.PaidItem(3, "PAY-999999", today, "F-2"),
            ],
        )
    assert refused.value.messages[0].startswith("Row 3:")
    assert _statuses(first, claim) == ["approved", "approved"]


def test_a_date_paid_before_the_approval_is_named_by_row(client_for, personas, samples, approver):
    first, second, claim = three_approved(personas, samples, approver)
    five_days_ago = timezone.now() - datetime.timedelta(days=5)
    approved_on = timezone.localdate(five_days_ago)
    Payment.objects.filter(pk__in=[first.pk, second.pk]).update(approved_at=five_days_ago)
    ExpenseClaim.objects.filter(pk=claim.pk).update(approved_at=five_days_ago)
    early = approved_on - datetime.timedelta(days=1)
    page = _problems_for(
        client_for("alice"),
        [
            ["Reference", "Paid on", "Finance reference"],
            [first.reference, approved_on.isoformat(), "F-1"],  # the same day: fine
            [second.reference, f"{early:%d/%m/%Y}", "F-2"],
            [claim.reference, early.isoformat(), "F-3"],
            ["PAY-999999", early.isoformat(), "F-4"],  # unknown: that problem alone
        ],
    )
    assert "The file has 3 problems in 3 rows. Nothing has been marked paid." in page
    assert (
        f"Row 3, column paid_on (“{early.isoformat()}”): The date paid, "
        f"{early.day} {early:%B %Y}, is before {second.reference} was approved on "
        f"{approved_on.day} {approved_on:%B %Y}. Check the date and the reference with "
        "finance: it can't have been paid before it was approved." in page
    )
    assert (
        f"The date paid, {early.day} {early:%B %Y}, is before {claim.reference} was approved"
        in page
    )
    assert "Row 5, column reference (“PAY-999999”): No payment or claim has" in page
    assert _statuses(first, second, claim) == ["approved"] * 3


def test_the_approval_day_is_read_only_through_what_the_user_may_see(
    db, personas, samples, approver
):
    first = approved_payment(personas, approver, samples["person"])
    early = timezone.localdate() - datetime.timedelta(days=3)
    item = services.PaidItem(2, first.reference, early, "F-1")
    problems = finance.paid_before_approval_problems(
        user=personas.alice, organisation_id=personas.council_a.pk, items=[item]
    )
    assert [p.row for p in problems] == [2]
    # charlie sees none of council A's payments: nothing of them is read or told.
    assert (
        finance.paid_before_approval_problems(
            user=personas.charlie, organisation_id=personas.council_a.pk, items=[item]
        )
        == []
    )


def test_a_payment_cancelled_after_it_was_sent_to_finance_is_named_kindly(
    client_for, personas, samples, approver
):
    first, second, claim = three_approved(personas, samples, approver)
    client = client_for("alice")
    rows = export_csv(client)
    services.payment_cancel(actor=personas.alice, payment=second, reason="Recorded twice")
    today = timezone.localdate().isoformat()
    filled = fill_in(
        rows,
        {
            first.reference: (today, "F-1"),
            second.reference: (today, "F-2"),
            claim.reference: (today, "F-3"),
        },
    )
    row = next(n for n, r in enumerate(filled, start=1) if r[0] == second.reference)
    response = upload(client, csv_bytes(filled))
    assert response.status_code == 200
    page = _page(response)
    assert "Nothing has been marked paid" in page
    assert (
        f"Row {row}, column reference (“{second.reference}”): {second.reference} was "
        "cancelled after it was sent to finance: check with finance whether it was paid." in page
    )
    assert _statuses(first, second, claim) == ["approved", "cancelled", "approved"]


def _problems_for(client, rows) -> str:
    response = client.post(
        reverse(IMPORT),
        {"import-file": SimpleUploadedFile("paid.csv", csv_bytes(rows), "text/csv")},
    )
    assert response.status_code == 200
    return _page(response)


def test_a_payment_not_approved_is_refused_by_row(client_for, personas, samples, approver):
    first = approved_payment(personas, approver, samples["person"])
    today = timezone.localdate().isoformat()
    page = _problems_for(
        client_for("alice"),
        [
            ["reference", "paid_on", "finance_reference"],
            [first.reference, today, "F-1"],
            [samples["payment"].reference, today, "F-2"],
        ],
    )
    assert f"Row 3, column reference (“{samples['payment'].reference}”)" in page
    # The status as people see it on the payment's page.
    assert "is “owed”, not approved, so it can't be marked paid." in page
    assert _statuses(first) == ["approved"]


def test_bad_dates_duplicates_and_missing_cells_are_each_named(
    client_for, personas, samples, approver
):
    first, second, claim = three_approved(personas, samples, approver)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    today = timezone.localdate().isoformat()
    page = _problems_for(
        client_for("alice"),
        [
            ["REFERENCE", "Paid On", "finance reference"],
            [first.reference, "30th November", "F-1"],
            [second.reference, tomorrow, "F-2"],
            [claim.reference, today, ""],
            [first.reference.lower(), today, "F-4"],
            ["", today, "F-5"],
            ["INV-1", today, "F-6"],
        ],
    )
    assert "Row 2, column paid_on: “30th November” is not a date we can read." in page
    assert f"Row 3, column paid_on: “{tomorrow}” is in the future." in page
    assert "Row 4, column finance_reference: The finance reference is empty." in page
    assert "is also on row 2." in page
    assert "Row 6, column reference: The reference is empty." in page
    assert "Row 7, column reference: “INV-1” is not a PowerShare reference." in page
    assert _statuses(first, second, claim) == ["approved"] * 3


def test_a_missing_column_is_named(client_for, samples):
    page = _problems_for(
        client_for("alice"),
        [["Reference", "Paid on"], ["PAY-000001", "2026-01-01"]],
    )
    assert "Row 1, column finance_reference: There is no finance_reference column" in page


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("paid.csv", b"", "The file is empty"),
        ("paid.csv", b"Reference,Paid on,Finance reference\r\n", "no rows under it"),
        ("paid.pdf", b"%PDF-1.4 hello", "Upload a CSV file or an Excel workbook"),
        ("paid.xlsx", b"Reference,Paid on\r\n", "doesn't look like a .xlsx file"),
        (
            "paid.csv",
            b"Reference,Paid on,Finance reference\r\nPAY-000001,,\r\n",
            "No row has a date paid and a finance reference",
        ),
    ],
)
def test_files_that_cant_be_used_are_refused_on_the_form(client_for, samples, name, data, message):
    response = client_for("alice").post(
        reverse(IMPORT), {"import-file": SimpleUploadedFile(name, data, "text/csv")}
    )
    assert response.status_code == 200
    page = _page(response)
    assert message in page
    assert "<title>Error:" in page


def _workbook_bytes(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _claiming(data: bytes, *, part: str, unpacked: int) -> bytes:
    """The zip archive with one part claiming (in its local header and in the central
    directory) to unpack to `unpacked` bytes: a few kilobytes posing as a zip bomb."""
    import struct
    import zipfile

    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(part)
    patched = bytearray(data)
    struct.pack_into("<I", patched, info.header_offset + 22, unpacked)
    name = part.encode()
    central = patched.find(b"PK\x01\x02")
    while central != -1:
        if patched[central + 46 : central + 46 + len(name)] == name:
            struct.pack_into("<I", patched, central + 24, unpacked)
            break
        central = patched.find(b"PK\x01\x02", central + 4)
    assert zipfile.ZipFile(io.BytesIO(bytes(patched))).getinfo(part).file_size == unpacked
    return bytes(patched)


XLSX_HEADER = ["Reference", "Paid on", "Finance reference"]


def test_an_excel_file_claiming_to_unpack_to_gigabytes_is_refused_unopened(
    client_for, samples, monkeypatch
):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    data = _workbook_bytes([XLSX_HEADER, ["PAY-000001", "2026-01-01", "F-1"]])
    bomb = _claiming(data, part="xl/worksheets/sheet1.xml", unpacked=4_000_000_000)
    assert len(bomb) < 10_000
    response = upload(client_for("alice"), bomb, name="paid.xlsx", content_type=finance.XLSX_TYPE)
    assert response.status_code == 200
    page = _page(response)
    assert "<title>Error:" in page
    assert "This Excel file unpacks to more than 50 MB" in page
    assert "so we haven't opened it" in page


def test_the_unpacked_size_is_the_sum_of_the_parts(monkeypatch):
    data = _workbook_bytes([XLSX_HEADER, ["PAY-000001", "2026-01-01", "F-1"]])
    import zipfile

    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    monkeypatch.setattr(finance, "MAX_XLSX_UNPACKED_BYTES", unpacked)
    header, _cells = finance.read_file(data)  # exactly at the limit: read
    assert header[:3] == XLSX_HEADER
    monkeypatch.setattr(finance, "MAX_XLSX_UNPACKED_BYTES", unpacked - 1)
    with pytest.raises(finance.FinanceFileError, match="unpacks to more than"):
        finance.read_file(data)


def test_a_part_that_unpacks_to_more_than_it_says_is_refused_kindly():
    """Python's zipfile stops at the size a part claims; the sheet then fails its checksum."""
    data = _workbook_bytes([XLSX_HEADER, *[["PAY-000001", "2026-01-01", "F"]] * 50])
    lying = _claiming(data, part="xl/worksheets/sheet1.xml", unpacked=200)
    with pytest.raises(finance.FinanceFileError, match="We couldn't open this Excel file"):
        finance.read_file(lying)


def test_a_sheet_claiming_to_be_huge_is_read_only_where_it_has_cells():
    import zipfile

    data = _workbook_bytes([XLSX_HEADER, ["PAY-000001", "2026-01-01", "F-1"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', content
                )
                assert b"XFD1048576" in content
            target.writestr(info.filename, content)
    header, cells = finance.read_file(buffer.getvalue())
    assert len(header) <= finance.MAX_COLUMNS
    assert header[:3] == XLSX_HEADER
    assert [row[:3] for row in cells] == [["PAY-000001", "2026-01-01", "F-1"]]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_file_with_too_many_rows_is_refused_kindly(client_for, samples, monkeypatch, file_format):
    monkeypatch.setattr(finance, "MAX_ROWS", 3)
    rows = [XLSX_HEADER, *[[f"PAY-{n:06d}", "2026-01-01", f"F-{n}"] for n in range(1, 2000)]]
    if file_format == "csv":
        data, name, content_type = csv_bytes(rows), "paid.csv", "text/csv"
    else:
        data, name, content_type = _workbook_bytes(rows), "paid.xlsx", finance.XLSX_TYPE
    response = upload(client_for("alice"), data, name=name, content_type=content_type)
    assert response.status_code == 200
    page = _page(response)
    assert "The file has more than 3 rows. Split it into smaller files and upload each one." in (
        page
    )
    assert "<title>Error:" in page


def test_reading_stops_soon_after_the_row_limit(monkeypatch):
    """A file of a million short lines is not read to the end: reading stops past the limit."""
    monkeypatch.setattr(finance, "MAX_ROWS", 10)
    read = []
    original = finance._cell_text

    def counting(value):
        read.append(value)
        return original(value)

    monkeypatch.setattr(finance, "_cell_text", counting)
    rows = [XLSX_HEADER, *[["PAY-000001", "2026-01-01", "F"]] * 3000]
    with pytest.raises(finance.FinanceFileError, match="more than 10 rows"):
        finance.read_file(_workbook_bytes(rows))
    assert len(read) < 1100 * finance.MAX_COLUMNS


def test_a_forged_confirmation_changes_nothing(client_for, personas, samples, approver):
    first = approved_payment(personas, approver, samples["person"])
    signed = finance.checked_rows_sign(
        user_id=personas.charlie.pk,
        organisation_id=personas.council_a.pk,
        rows=[finance.PaidRow(2, first.reference, timezone.localdate().isoformat(), "F")],
    )
    response = client_for("alice").post(reverse(IMPORT), {"checked_file": signed})
    assert "We couldn't confirm this is the file you checked" in _page(response)
    response = client_for("alice").post(reverse(IMPORT), {"checked_file": signed + "x"})
    assert "We couldn't confirm this is the file you checked" in _page(response)
    assert _statuses(first) == ["approved"]


def test_a_row_paid_between_preview_and_confirmation_stops_the_whole_import(
    client_for, personas, samples, approver
):
    first, second, claim = three_approved(personas, samples, approver)
    client = client_for("alice")
    today = timezone.localdate().isoformat()
    preview = upload(
        client,
        csv_bytes(
            [
                ["Reference", "Paid on", "Finance reference"],
                [first.reference, today, "F-1"],
                [second.reference, today, "F-2"],
            ]
        ),
    )
    ExpenseClaim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PAID)
    Payment.objects.filter(pk=second.pk).update(status=PaymentStatus.CANCELLED)
    response = confirm(client, preview)
    assert response.status_code == 200
    page = _page(response)
    assert "Something changed after you checked the file." in page
    assert "Row 3, column reference" in page
    assert _statuses(first) == ["approved"]


# Pure reading and checking -------------------------------------------------------------------


def test_read_file_keeps_spreadsheet_row_numbers_and_reads_semicolons():
    header, cells = finance.read_file(b"\n\nReference;Paid on;Finance reference\n\nPAY-1;x;y\n")
    assert header == ["Reference", "Paid on", "Finance reference"]
    rows, problems = finance.paid_rows(header, cells)
    assert problems == []
    assert rows == [finance.PaidRow(3, "PAY-1", "x", "y")]


def test_dates_are_read_in_both_spellings():
    assert finance.parse_paid_on("2026-11-30") == datetime.date(2026, 11, 30)
    assert finance.parse_paid_on("30/11/2026") == datetime.date(2026, 11, 30)
    assert finance.parse_paid_on("11/30/2026") is None
    assert finance.parse_paid_on("") is None


def test_a_second_column_with_the_same_name_is_a_problem():
    problems: list[ImportProblem] = []
    finance.columns_of(["Reference", "Paid on", "paid_on", "Finance reference"], problems)
    assert [str(p) for p in problems] == [
        "Row 1, column 3: “paid_on” is a second paid_on column (the first is column 2). "
        "Keep one of them."
    ]


def test_checking_rows_skips_rows_left_empty(db, personas):
    check = finance.paid_rows_check(
        user=personas.alice,
        organisation_id=personas.council_a.pk,
        rows=[finance.PaidRow(2, "PAY-000001", "", ""), finance.PaidRow(3, "PAY-000002", "", "")],
        today=datetime.date(2026, 12, 1),
    )
    assert check.skipped == [2, 3]
    assert check.items == []
    assert check.problems == []


# Who may use the finance pages ---------------------------------------------------------------


def test_alice_sees_the_finance_page(client_for, samples):
    response = client_for("alice").get(reverse("payments:finance"))
    assert response.status_code == 200
    page = _page(response)
    assert "Send approved payments to finance" in page
    assert "Mark paid from finance's file" in page


@pytest.mark.parametrize("persona", ["bob", "nina", "erin", "admin"])
def test_people_who_dont_manage_payments_get_404(client_for, samples, persona):
    client = client_for(persona)
    assert client.get(reverse("payments:finance")).status_code == 404
    assert client.get(reverse(EXPORT), _today_params()).status_code == 404
    assert client.get(reverse(IMPORT)).status_code == 404
    data = csv_bytes([["Reference", "Paid on", "Finance reference"], ["PAY-000001", "", ""]])
    assert upload(client, data).status_code == 404


def test_charlie_exports_and_imports_only_his_own_councils(client_for, personas, samples, approver):
    first = approved_payment(personas, approver, samples["person"])
    client = client_for("charlie")
    assert client.get(reverse("payments:finance")).status_code == 200
    # Asking for council A's organisation is ignored: he has one organisation, his own.
    response = client.get(
        reverse(EXPORT), {**_today_params(), "organisation": personas.council_a.pk}
    )
    page = _content(response).decode()
    assert first.reference not in page
    assert MARKER not in page
    today = timezone.localdate().isoformat()
    page = _problems_for(
        client,
        [["Reference", "Paid on", "Finance reference"], [first.reference, today, "F-1"]],
    )
    assert f"No payment or claim has the reference {first.reference} here." in page
    assert MARKER not in page
    assert _statuses(first) == ["approved"]


def test_alices_confirmation_cannot_be_replayed_by_charlie(client_for, personas, samples, approver):
    first = approved_payment(personas, approver, samples["person"])
    client = client_for("alice")
    today = timezone.localdate().isoformat()
    preview = upload(
        client,
        csv_bytes([["Reference", "Paid on", "Finance reference"], [first.reference, today, "F"]]),
    )
    signed = re.search(r'name="checked_file" value="([^"]+)"', _page(preview)).group(1)
    response = client_for("charlie").post(reverse(IMPORT), {"checked_file": signed})
    assert "We couldn't confirm" in _page(response)
    assert _statuses(first) == ["approved"]


def test_someone_in_two_councils_chooses_which_to_export_and_import(
    client_for, personas, samples, approver
):
    Membership.objects.create(
        user=personas.alice, organisation=personas.council_b, role=Role.PARTICIPATION_LEAD
    )
    first = approved_payment(personas, approver, samples["person"])
    client = client_for("alice")
    page = _page(client.get(reverse("payments:finance")))
    assert "Which organisation's payments do you want?" in page
    assert "Which organisation's payments were paid?" in page
    chosen_b = client.get(
        reverse(EXPORT), {**_today_params(), "organisation": personas.council_b.pk}
    )
    assert "there is no file to download" in _page(chosen_b)
    rows = export_csv(client, organisation=personas.council_a.pk)
    assert [row[0] for row in rows[1:]] == [first.reference]
    wrong = client.get(reverse(EXPORT), {**_today_params(), "organisation": "999999"})
    assert "Choose an organisation from the list" in _page(wrong)
    today = timezone.localdate().isoformat()
    data = csv_bytes([["Reference", "Paid on", "Finance reference"], [first.reference, today, "F"]])
    in_b = upload(client, data, **{"import-organisation": personas.council_b.pk})
    assert f"No payment or claim has the reference {first.reference} here." in _page(in_b)
    in_a = upload(client, data, **{"import-organisation": personas.council_a.pk})
    assert f"will be marked paid in {personas.council_a.name}" in _page(in_a)
    assert confirm(client, in_a).status_code == 302
    assert _statuses(first) == ["paid"]
