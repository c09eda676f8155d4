"""Payments and a person's rights: their subject access export holds their payments, claims,
costs and what is known about their receipts; erasure keeps every amount, date and status for
the accounts, and removes the words, the charity, the receipts (files too) and their choices."""

import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.payments import selectors, services
from powershare.payments.models import (
    ClaimStatus,
    ExpenseClaim,
    ExpenseKind,
    ExpenseLine,
    Payment,
    PaymentChoice,
    PaymentKind,
    PaymentMethod,
    PaymentStatus,
    Receipt,
)
from powershare.privacy.export import person_export_data, person_export_zip
from powershare.privacy.services import erasure_request_approve, erasure_request_create
from powershare.privacy.tests.builders import RICH_PERSON, make_rich_person
from powershare.privacy.tests.test_erasure_leaves_no_trace import _where_found

from . import factories as make

NAME = RICH_PERSON["full_name"]
CHARITY = "Thistlewhistle Food Larder"
PAYMENT_TABLES = {
    "payments_payment",
    "payments_paymentchoice",
    "payments_expenseclaim",
    "payments_expenseline",
    "payments_receipt",
}


@pytest.fixture
def lena(personas):
    """A leader in council A, to approve what alice records."""
    user = User.objects.create_user(
        email="lena.leader@a.example", password="x" * 20, full_name="Lena Lewis"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEADER)
    return user


@pytest.fixture
def paid_person(personas, lena, django_capture_on_commit_callbacks):
    """A person with their name written into every free-text field payments have: a payment
    paid and corrected, one cancelled, one owed to a charity, a claim sent back and one paid,
    with receipts whose file names carry their name."""
    make.rate_card(personas.council_a, "2024-04-01")
    alice = personas.alice
    person = make_rich_person(personas)
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_choice_update(
            actor=alice,
            person=person,
            method=PaymentMethod.BANK_TRANSFER,
            weekly_limit="90",
            receives_benefits=True,
        )

        def payment(description, **fields):
            return services.payment_create(
                actor=alice,
                person=person,
                kind=PaymentKind.TASK,
                worked_on=make.day("2026-03-02"),
                quantity="2",
                description=description,
                note=f"Rang {NAME} to agree the time",
                **fields,
            )

        paid = payment(f"Reading papers with {NAME}")
        services.payment_approve(actor=lena, payment=paid)
        services.payment_mark_paid(
            actor=alice, payment=paid, paid_on=make.day("2026-03-09"), finance_reference="AP-9"
        )
        services.payment_adjust(
            actor=alice, payment=paid, amount="-5.00", reason=f"{NAME} said it took less time"
        )
        cancelled = payment("Recorded twice")
        services.payment_cancel(
            actor=alice, payment=cancelled, reason=f"Duplicate; {NAME} was paid already"
        )
        services.payment_choice_update(
            actor=alice,
            person=person,
            method=PaymentMethod.DONATE,
            charity=CHARITY,
            weekly_limit="90",
        )
        payment("Helping plan the event")

        returned = services.claim_create(actor=alice, person=person, note=f"{NAME}'s bus fares")
        services.claim_line_add(
            actor=alice,
            claim=returned,
            kind=ExpenseKind.PUBLIC_TRANSPORT,
            incurred_on=make.day("2026-03-02"),
            amount="4.60",
            description=f"Bus from {RICH_PERSON['postal_address']}",
            receipt=make.upload(f"{NAME} bus ticket.png"),
        )
        services.claim_submit(actor=alice, claim=returned)
        services.claim_return(actor=lena, claim=returned, reason=f"{NAME}: the photo is blurred")
        claim = services.claim_create(actor=alice, person=person, note="Mileage")
        services.claim_line_add(
            actor=alice,
            claim=claim,
            kind=ExpenseKind.MILEAGE,
            incurred_on=make.day("2026-03-02"),
            miles="10",
            description=f"From {NAME}'s home",
        )
        line = services.claim_line_add(
            actor=alice,
            claim=claim,
            kind=ExpenseKind.MEALS,
            incurred_on=make.day("2026-03-02"),
            amount="6.25",
            receipt=make.upload("lunch.png"),
        )
        services.receipt_add(actor=alice, line=line, upload=make.upload(f"{NAME} lunch 2.png"))
        services.claim_submit(actor=alice, claim=claim)
        services.claim_approve(actor=lena, claim=claim)
        services.claim_mark_paid(
            actor=alice, claim=claim, paid_on=make.day("2026-03-10"), finance_reference="EX-4"
        )
    return person


def _sections(person) -> dict:
    return {s["model"]: s for s in person_export_data(person)["sections"]}


def test_the_export_holds_their_payments_claims_costs_and_receipts(personas, paid_person):
    someone_else = make.person(personas.council_a)
    make.payment(someone_else, "77.77", description="Not theirs")
    sections = _sections(paid_person)

    payments = sections["payments.Payment"]
    assert payments["label"] == "Payments for your time"
    rows = payments["rows"]
    assert len(rows) == Payment.objects.filter(person=paid_person).count() == 4
    assert [row["amount"] for row in rows] == ["40.00", "-5.00", "40.00", "40.00"]
    assert [row["status"]["value"] for row in rows] == [
        PaymentStatus.PAID,
        PaymentStatus.OWED,
        PaymentStatus.CANCELLED,
        PaymentStatus.OWED,
    ]
    assert rows[0]["status"]["label"] == "Paid"
    assert rows[0]["description"] == f"Reading papers with {NAME}"
    assert rows[0]["finance_reference"] == "AP-9"
    assert rows[1]["reason"] == f"{NAME} said it took less time"
    assert rows[3]["charity"] == CHARITY
    # What the approver was shown about their totals is theirs to see; who prepared it is not
    # about them.
    assert "warning_at_approval" in rows[0]
    assert "prepared_by_ids" not in rows[0]
    assert "Not theirs" not in json.dumps(rows, default=str)

    (choice,) = sections["payments.PaymentChoice"]["rows"]
    assert choice["method"]["value"] == PaymentMethod.DONATE
    assert choice["weekly_limit"] == "90.00"

    claims = sections["payments.ExpenseClaim"]["rows"]
    assert [c["status"]["value"] for c in claims] == [ClaimStatus.RETURNED, ClaimStatus.PAID]
    assert claims[0]["returned_reason"] == f"{NAME}: the photo is blurred"
    lines = sections["payments.ExpenseLine"]["rows"]
    assert [line["amount"] for line in lines] == ["4.60", "4.50", "6.25"]
    assert lines[1]["miles"] == "10.0"

    receipts = sections["payments.Receipt"]["rows"]
    assert sorted(r["original_name"] for r in receipts) == sorted(
        [f"{NAME} bus ticket.png", "lunch.png", f"{NAME} lunch 2.png"]
    )
    for receipt in receipts:
        assert receipt["content_type"] == "image/png"
        assert receipt["size"] == len(make.PNG)
        # The stored file's key and name stay out: they are how the file is reached.
        assert "key" not in receipt
        assert "file" not in receipt

    archive = zipfile.ZipFile(io.BytesIO(person_export_zip(paid_person)))
    assert sorted(archive.namelist()) == ["your-data.html", "your-data.json"]
    html = archive.read("your-data.html").decode()
    for label in ("Payments for your time", "Expense claims", "Costs you claimed"):
        assert label in html
    assert CHARITY in html


def test_erasure_keeps_the_accounts_and_removes_who_it_was_and_their_receipts(
    personas, paid_person, django_capture_on_commit_callbacks
):
    person = paid_person
    files = list(Receipt.objects.filter(line__claim__person=person).values_list("file", flat=True))
    assert len(files) == 3
    assert all(default_storage.exists(name) for name in files)
    money = list(
        Payment.objects.filter(person=person)
        .order_by("pk")
        .values_list(
            "pk", "amount", "status", "method", "worked_on", "paid_on", "finance_reference"
        )
    )
    claims = list(
        ExpenseClaim.objects.filter(person=person)
        .order_by("pk")
        .values_list("pk", "status", "paid_on", "finance_reference")
    )
    lines = list(
        ExpenseLine.objects.filter(claim__person=person)
        .order_by("pk")
        .values_list("pk", "amount", "kind", "miles", "incurred_on")
    )
    totals = [
        (t.fees, t.vouchers)
        for t in selectors.earnings_totals(person=person, on=make.day("2026-03-02"))
    ]
    needles = [NAME, RICH_PERSON["preferred_name"], "Thistlewhistle", "Zephyrine"]
    found = {place.split(".")[0] for place in _where_found(needles)}
    assert found >= PAYMENT_TABLES, found

    request = erasure_request_create(actor=personas.alice, person=person, reason="They asked")
    with django_capture_on_commit_callbacks(execute=True):
        erasure_request_approve(actor=personas.admin, request=request)

    # The accounts still add up: every amount, status, date and reference is kept.
    assert (
        list(
            Payment.objects.filter(person=person)
            .order_by("pk")
            .values_list(
                "pk", "amount", "status", "method", "worked_on", "paid_on", "finance_reference"
            )
        )
        == money
    )
    assert (
        list(
            ExpenseClaim.objects.filter(person=person)
            .order_by("pk")
            .values_list("pk", "status", "paid_on", "finance_reference")
        )
        == claims
    )
    assert (
        list(
            ExpenseLine.objects.filter(claim__person=person)
            .order_by("pk")
            .values_list("pk", "amount", "kind", "miles", "incurred_on")
        )
        == lines
    )
    assert [
        (t.fees, t.vouchers)
        for t in selectors.earnings_totals(person=person, on=make.day("2026-03-02"))
    ] == totals
    # The words are gone, and so are the charity, the receipts and their choices.
    for row in Payment.objects.filter(person=person):
        assert (row.description, row.note, row.reason, row.charity) == ("", "", "", "")
    for claim in ExpenseClaim.objects.filter(person=person):
        assert (claim.note, claim.returned_reason) == ("", "")
    assert not ExpenseLine.objects.filter(claim__person=person).exclude(description="").exists()
    assert not Receipt.objects.filter(line__claim__person=person).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert not PaymentChoice.objects.filter(person=person).exists()
    # Nothing in any payments table, or the change log about them, says who it was.
    left = _where_found(needles)
    assert not left, "Erasure left the person's identity behind:\n" + "\n".join(left)


def test_someone_else_s_receipts_and_payments_are_untouched_by_an_erasure(
    personas, paid_person, django_capture_on_commit_callbacks
):
    other = make.person(personas.council_a)
    kept = make.payment(other, "12.00", description="Kept words", charity="Kept charity")
    claim = make.claim(other, note="Kept note")
    line = make.line(claim, description="Kept line")
    receipt = make.receipt(line)
    request = erasure_request_create(actor=personas.alice, person=paid_person, reason="Asked")
    with django_capture_on_commit_callbacks(execute=True):
        erasure_request_approve(actor=personas.admin, request=request)
    kept.refresh_from_db()
    claim.refresh_from_db()
    line.refresh_from_db()
    assert (kept.description, kept.charity) == ("Kept words", "Kept charity")
    assert (claim.note, line.description) == ("Kept note", "Kept line")
    assert Receipt.objects.filter(pk=receipt.pk).exists()
    assert default_storage.exists(receipt.file.name)


def test_the_export_is_empty_of_payments_for_someone_never_paid(personas):
    person = make.person(personas.council_a)
    sections = _sections(person)
    for label in (
        "payments.Payment",
        "payments.PaymentChoice",
        "payments.ExpenseClaim",
        "payments.ExpenseLine",
        "payments.Receipt",
    ):
        assert sections[label]["rows"] == []
