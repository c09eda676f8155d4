"""Erin's "Payments" in her portal: what she is owed and was paid, this tax year's totals (and,
if being paid might affect her benefits, her totals against her limits), how she'd like to be
paid, and claiming a cost back with a photo of the receipt. Only her own; staff without a
portal of their own get 404."""

import datetime
import html as html_module
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.audit.models import AccessEvent
from powershare.payments.models import (
    ClaimStatus,
    ExpenseClaim,
    ExpenseLine,
    Payment,
    PaymentChoice,
    PaymentKind,
    PaymentMethod,
    PaymentSettings,
    PaymentStatus,
    Receipt,
)
from powershare.people.models import Person
from tests.personas import MARKER

PAYMENTS = reverse("portal:payments")
CHOICE = reverse("portal:payment_choice")
NEW = reverse("portal:expense_new")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def _page(response) -> str:
    return html_module.unescape(response.content.decode())


def _url(name, pk):
    return reverse(f"portal:{name}", args=[pk])


def _new_claim(client, once="new", **data):
    values = {
        "form_token": once,
        "activity": "",
        "kind": "public_transport",
        "incurred_on": YESTERDAY.isoformat(),
        "amount": "4.60",
        "miles": "",
        "description": "Bus to the town house and back",
        **data,
    }
    return client.post(NEW, values)


def _payment(personas, samples, **values):
    defaults = {
        "organisation": personas.council_a,
        "person": personas.erin_person,
        "kind": PaymentKind.TASK,
        "description": "Extra payment",
        "worked_on": timezone.localdate(),
        "quantity": Decimal("1"),
        "rate_card": samples["rate_card"],
        "rate": Decimal("20.00"),
        "amount": Decimal("20.00"),
        "method": PaymentMethod.BANK_TRANSFER,
        "created_by": personas.alice,
    }
    return Payment.objects.create(**{**defaults, **values})


# ---------------------------------------------------------------------------------------------
# Who may open the pages


PAGES = ["payments", "payment_choice", "expense_new"]
OWN_PAGES = ["expense", "expense_add_cost", "expense_send"]


@pytest.mark.parametrize("name", ["alice", "bob", "charlie", "nina"])
def test_staff_without_a_portal_of_their_own_get_404(client_for, samples, name):
    client = client_for(name)
    for page in PAGES:
        assert client.get(reverse(f"portal:{page}")).status_code == 404, page
    for page in OWN_PAGES:
        assert client.get(_url(page, samples["erin_claim"].pk)).status_code == 404, page
    assert client.get(_url("expense_remove_cost", samples["erin_claim_line"].pk)).status_code == 404
    assert client.get(_url("expense_receipt_add", samples["erin_claim_line"].pk)).status_code == 404
    assert client.get(_url("receipt", samples["erin_receipt"].pk)).status_code == 404


def test_someone_elses_claim_cost_and_receipt_are_404_for_erin(client_for, samples):
    client = client_for("erin")
    for page in OWN_PAGES:
        response = client.get(_url(page, samples["claim"].pk))
        assert response.status_code == 404, page
        assert MARKER not in response.content.decode()
    assert client.get(_url("expense_remove_cost", samples["claim_line"].pk)).status_code == 404
    assert client.post(_url("expense_remove_cost", samples["claim_line"].pk)).status_code == 404
    assert client.post(_url("expense_send", samples["claim"].pk)).status_code == 404
    assert client.get(_url("receipt", samples["receipt"].pk)).status_code == 404
    assert client.get(_url("expense_receipt_add", samples["claim_line"].pk)).status_code == 404
    response = client.post(
        _url("expense_receipt_add", samples["claim_line"].pk),
        {"form_token": "not-mine", "receipt": SimpleUploadedFile("x.jpg", JPEG)},
    )
    assert response.status_code == 404
    assert samples["claim"].lines.count() == 1
    assert samples["claim_line"].receipts.count() == 1


# ---------------------------------------------------------------------------------------------
# Your payments


def test_erin_sees_her_payment_her_claim_and_this_years_totals(client_for, samples, personas):
    response = client_for("erin").get(PAYMENTS)
    assert response.status_code == 200
    html = _page(response)
    assert "Your payments" in html
    assert "Reading the new leaflet" in html
    assert "£40.00" in html
    assert "We owe you this" in html
    assert "Bank transfer" in html
    assert "pay you by <strong>bank transfer</strong> unless you tell us otherwise" in html
    # This tax year, with expenses kept apart.
    assert "This tax year" in html
    assert "Expenses pay you back. They are not earnings." in html
    # Her claim she has not sent yet.
    assert f"Claim {samples['erin_claim'].reference}" in html
    assert "Not sent yet" in html
    assert "£12.40" in html
    assert 'href="/my/payments/expenses/new/"' in html
    assert "Claim expenses" in html
    assert "Change how you're paid" in html
    # She has not said being paid might affect her benefits: one gentle line, no totals.
    assert "ask us to keep an eye on your totals" in html
    assert "This is information, not advice" not in html
    assert MARKER not in html
    assert AccessEvent.objects.filter(
        user=personas.erin, subject_id=str(personas.erin_person.pk)
    ).exists()


def test_the_status_is_said_in_plain_words(client_for, samples, personas):
    _payment(personas, samples, description="Approved one", status=PaymentStatus.APPROVED)
    _payment(
        personas,
        samples,
        description="Paid one",
        status=PaymentStatus.PAID,
        paid_on=datetime.date(2026, 3, 3),
        worked_on=datetime.date(2026, 3, 1),
    )
    _payment(
        personas,
        samples,
        description="Declined one",
        status=PaymentStatus.DECLINED,
        method=PaymentMethod.DECLINE,
    )
    html = _page(client_for("erin").get(PAYMENTS))
    assert "Approved – on its way" in html
    assert "Paid on 3 March 2026" in html
    assert "You chose not to be paid" in html


def test_corrections_cancellations_and_gifts_are_said_plainly(client_for, samples, personas):
    paid = _payment(
        personas,
        samples,
        description="Panel day",
        status=PaymentStatus.PAID,
        paid_on=datetime.date(2026, 3, 3),
        worked_on=datetime.date(2026, 3, 1),
    )
    _payment(
        personas,
        samples,
        kind=PaymentKind.ADJUSTMENT,
        description=f"Correction to {paid.reference}",
        amount=Decimal("-20.00"),
        adjustment_of=paid,
        reason="We paid for 3 hours, but the panel took 2.",
        worked_on=datetime.date(2026, 3, 1),
    )
    _payment(
        personas,
        samples,
        kind=PaymentKind.ADJUSTMENT,
        description=f"Correction to {paid.reference}",
        amount=Decimal("15.50"),
        adjustment_of=paid,
        reason="",
        worked_on=datetime.date(2026, 3, 1),
    )
    _payment(
        personas,
        samples,
        description="Session that was called off",
        status=PaymentStatus.CANCELLED,
        reason="The session did not go ahead.",
    )
    _payment(
        personas,
        samples,
        description="Gift to a charity",
        method=PaymentMethod.DONATE,
        charity="Shelter Scotland",
    )
    html = _page(client_for("erin").get(PAYMENTS))
    assert "A correction to an earlier payment: £20.00 less than we first worked out" in html
    assert "We paid for 3 hours, but the panel took 2." in html
    assert "A correction to an earlier payment: £15.50 more than we first worked out" in html
    # Not our reference, nor a minus sign the person has to puzzle over.
    assert f"Correction to {paid.reference}" not in html
    assert "−£20.00" not in html
    assert "Not going ahead" in html
    assert "The session did not go ahead." in html
    assert "We'll give this to Shelter Scotland" in html
    # Six payments; nothing is paid for the cancelled one nor the correction downwards.
    assert "6 payments" in html
    assert html.count("How it's paid</dt>") == 4


def test_the_portal_never_says_fees_and_names_no_one_nations_advice_service(
    client_for, samples, personas
):
    import re

    Person.objects.filter(pk=personas.erin_person.pk).update(receives_benefits=True)
    html = _page(client_for("erin").get(PAYMENTS))
    words = re.sub(r"<[^>]+>", " ", html)
    assert not re.search(r"\bfees?\b", words, re.IGNORECASE)
    assert "Payments for your time" in html
    assert "This is information, not advice." in html
    assert "Citizens Advice or a welfare rights service" in html
    assert "Citizens Advice Scotland" not in html
    choice = _page(client_for("erin").get(CHOICE))
    assert not re.search(r"\bfees?\b", re.sub(r"<[^>]+>", " ", choice), re.IGNORECASE)


def test_someone_over_a_limit_is_told_what_they_can_do(client_for, samples, personas):
    Payment.objects.filter(pk=samples["erin_payment"].pk).update(worked_on=timezone.localdate())
    PaymentSettings.objects.create(organisation=personas.council_a, weekly_limit=Decimal("30.00"))
    Person.objects.filter(pk=personas.erin_person.pk).update(receives_benefits=True)
    html = _page(client_for("erin").get(PAYMENTS))
    # £40 this week against a £30 limit.
    assert "(you are over this limit)" in html
    assert "You can talk to us about what suits you." in html
    for option in (
        "a voucher instead",
        "a smaller amount",
        "spread your time",
        "say no to payment",
    ):
        assert option in html, option
    assert "You can also get free advice." in html


def test_benefit_totals_show_only_for_someone_who_said_so(client_for, samples, personas):
    erin = personas.erin_person
    Payment.objects.filter(pk=samples["erin_payment"].pk).update(worked_on=timezone.localdate())
    PaymentSettings.objects.create(
        organisation=personas.council_a,
        weekly_limit=Decimal("50.00"),
        advice="Call the welfare rights team on 01632 960 000.",
    )
    html = _page(client_for("erin").get(PAYMENTS))
    assert "Your totals and your limits" not in html
    Person.objects.filter(pk=erin.pk).update(receives_benefits=True)
    html = _page(client_for("erin").get(PAYMENTS))
    assert "Your totals and your limits" in html
    assert "This is information, not advice." in html
    assert "Call the welfare rights team on 01632 960 000." in html
    assert "This week" in html
    # £40 of fees against a £50 weekly limit leaves £10.
    assert "£50.00" in html
    assert "£10.00" in html
    assert "ask us to keep an eye on your totals" not in html


def test_the_payments_page_runs_a_fixed_number_of_queries(client_for, samples, personas):
    def many(count, start):
        Payment.objects.bulk_create(
            Payment(
                organisation=personas.council_a,
                person=personas.erin_person,
                kind=PaymentKind.TASK,
                description=f"Task {start + i}",
                worked_on=datetime.date(2026, 1, 5),
                amount=Decimal("10.00"),
                method=PaymentMethod.BANK_TRANSFER,
                created_by=personas.alice,
            )
            for i in range(count)
        )
        claims = ExpenseClaim.objects.bulk_create(
            ExpenseClaim(
                organisation=personas.council_a,
                person=personas.erin_person,
                created_by=personas.erin,
                note=f"claim {start + i}",
            )
            for i in range(count)
        )
        ExpenseLine.objects.bulk_create(
            ExpenseLine(claim=c, kind="taxi", incurred_on=YESTERDAY, amount=Decimal("2.00"))
            for c in claims
        )

    Person.objects.filter(pk=personas.erin_person.pk).update(receives_benefits=True)
    many(5, 0)
    client = client_for("erin")
    client.get(PAYMENTS)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAYMENTS).status_code == 200
    many(300, 5)
    with CaptureQueriesContext(connection) as lots:
        html = _page(client.get(PAYMENTS))
    assert len(lots.captured_queries) == len(few.captured_queries)
    # 25 payments on a page, the latest 10 claims and a way to see them all.
    assert "Showing your latest 10 of 306 claims" in html
    assert html.count('<dt class="ds_summary-list__key">How it\'s paid</dt>') == 25
    with CaptureQueriesContext(connection) as every:
        html = _page(client.get(PAYMENTS, {"claims": "all", "claims_page": "2"}))
    assert "Page 2 of 13" in html
    assert len(every.captured_queries) == len(few.captured_queries)


# ---------------------------------------------------------------------------------------------
# How you'd like to be paid


def test_a_new_choice_applies_to_payments_still_owed(client_for, samples, personas):
    approved = _payment(personas, samples, status=PaymentStatus.APPROVED)
    client = client_for("erin")
    page = _page(client.get(CHOICE))
    assert "A new choice applies to payments we haven't approved yet." in page
    assert (
        "We don't keep bank details here. Our finance team will ask you for them directly. "
        "If anyone else asks, check with your contact first." in page
    )
    assert page.count("bank details") == 1
    assert 'name="account_number"' not in page
    response = client.post(CHOICE, {"method": PaymentMethod.VOUCHER, "receives_benefits": ""})
    assert response.status_code == 302
    assert response["Location"] == PAYMENTS
    assert PaymentChoice.objects.get(person=personas.erin_person).method == PaymentMethod.VOUCHER
    owed = Payment.objects.get(pk=samples["erin_payment"].pk)
    assert owed.method == PaymentMethod.VOUCHER
    approved.refresh_from_db()
    assert approved.method == PaymentMethod.BANK_TRANSFER
    html = _page(client.get(PAYMENTS))
    assert "You've asked to be paid by: <strong>Voucher</strong>" in html


def test_giving_it_to_a_charity_needs_its_name_and_nothing_typed_is_lost(
    client_for, samples, personas
):
    client = client_for("erin")
    response = client.post(
        CHOICE, {"method": PaymentMethod.DONATE, "charity": "", "weekly_limit": "45.50"}
    )
    assert response.status_code == 200
    html = _page(response)
    assert "There is a problem" in html
    assert "Say which charity should get the money." in html
    assert 'value="45.50"' in html
    assert not PaymentChoice.objects.filter(person=personas.erin_person).exists()
    response = client.post(CHOICE, {"method": PaymentMethod.DONATE, "charity": "Shelter Scotland"})
    assert response.status_code == 302
    owed = Payment.objects.get(pk=samples["erin_payment"].pk)
    assert (owed.method, owed.charity) == (PaymentMethod.DONATE, "Shelter Scotland")


def test_erin_says_being_paid_might_affect_her_benefits_and_sets_a_limit(
    client_for, samples, personas
):
    PaymentSettings.objects.create(organisation=personas.council_a, weekly_limit=Decimal("60"))
    client = client_for("erin")
    page = _page(client.get(CHOICE))
    assert "our usual limit for a week: £60.00" in page
    bad = client.post(
        CHOICE,
        {
            "method": PaymentMethod.BANK_TRANSFER,
            "receives_benefits": "yes",
            "monthly_limit": "lots",
        },
    )
    assert bad.status_code == 200
    assert "Enter the monthly limit as a number" in _page(bad)
    response = client.post(
        CHOICE,
        {"method": PaymentMethod.BANK_TRANSFER, "receives_benefits": "yes", "monthly_limit": "150"},
    )
    assert response.status_code == 302
    erin = Person.objects.get(pk=personas.erin_person.pk)
    assert erin.receives_benefits is True
    choice = PaymentChoice.objects.get(person=erin)
    assert choice.monthly_limit == Decimal("150.00")
    assert choice.weekly_limit is None
    html = _page(client.get(PAYMENTS))
    assert "Your totals and your limits" in html
    assert "£150.00" in html
    assert "£60.00" in html


# ---------------------------------------------------------------------------------------------
# Claiming a cost back


def test_the_claim_form_offers_the_camera_or_a_file_and_her_activities(client_for, samples):
    html = _page(client_for("erin").get(NEW))
    assert 'type="file"' in html
    assert 'accept="image/*,application/pdf"' in html
    assert "capture" not in html
    assert 'enctype="multipart/form-data"' in html
    # The activity she said yes to.
    assert "Erin's co-design workshop" in html
    assert MARKER not in html


def test_erin_claims_a_cost_with_a_receipt_photo_in_one_go(client_for, samples, personas):
    client = client_for("erin")
    activity = samples["erin_invitation"].activity
    response = _new_claim(
        client,
        activity=str(activity.pk),
        receipt=SimpleUploadedFile("bus.jpg", JPEG, content_type="image/jpeg"),
    )
    assert response.status_code == 302
    claim = ExpenseClaim.objects.filter(person=personas.erin_person).latest("pk")
    assert response["Location"] == _url("expense", claim.pk)
    assert claim.activity == activity
    assert claim.status == ClaimStatus.DRAFT
    assert claim.created_by == personas.erin
    line = claim.lines.get()
    assert line.amount == Decimal("4.60")
    assert line.receipts.get().original_name == "bus.jpg"
    html = _page(client.get(response["Location"]))
    assert "Your cost is saved. Add another cost or send your claim." in html
    assert "Send claim" in html
    assert "Add another cost" in html
    assert _url("receipt", line.receipts.get().pk) in html
    # Staff don't see it until she sends it.
    assert claim.reference not in _page(client_for("alice").get(reverse("payments:claim_list")))


def test_sending_the_same_form_twice_makes_one_claim(client_for, samples, personas):
    client = client_for("erin")
    before = ExpenseClaim.objects.count()
    _new_claim(client, once="twice")
    _new_claim(client, once="twice")
    assert ExpenseClaim.objects.count() == before + 1


def test_mileage_from_the_portal_is_pence_exact(client_for, samples, personas):
    client = client_for("erin")
    assert "We pay £0.45 a mile" in _page(client.get(NEW))
    _new_claim(client, kind="mileage", amount="", miles="12.3")
    line = ExpenseLine.objects.filter(claim__person=personas.erin_person).latest("pk")
    assert line.amount == Decimal("5.54")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.exe", b"MZ\x90\x00", "is not one of those"),
        ("receipt.jpg", b"just some text, not a photo", "contents don't match its name"),
        ("big.jpg", b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024), "The limit is 10 MB"),
    ],
)
def test_a_wrong_receipt_leaves_no_claim_behind_and_keeps_what_was_typed(
    client_for, samples, name, content, message
):
    client = client_for("erin")
    claims, lines, receipts = (
        ExpenseClaim.objects.count(),
        ExpenseLine.objects.count(),
        Receipt.objects.count(),
    )
    response = _new_claim(client, once=f"bad-{name}", receipt=SimpleUploadedFile(name, content))
    assert response.status_code == 200
    html = _page(response)
    assert message in html
    assert "There is a problem" in html
    assert "Please choose your receipt again." in html
    assert 'value="Bus to the town house and back"' in html
    assert 'value="4.60"' in html
    assert (ExpenseClaim.objects.count(), ExpenseLine.objects.count(), Receipt.objects.count()) == (
        claims,
        lines,
        receipts,
    )


def test_a_cost_with_no_amount_is_explained_and_no_claim_is_made(client_for, samples):
    client = client_for("erin")
    before = ExpenseClaim.objects.count()
    response = _new_claim(client, amount="")
    assert response.status_code == 200
    assert "Enter how much it cost." in _page(response)
    assert ExpenseClaim.objects.count() == before


def test_erin_adds_and_removes_a_cost_then_sends_her_claim(client_for, samples, personas):
    client = client_for("erin")
    claim = samples["erin_claim"]
    response = client.post(
        _url("expense_add_cost", claim.pk),
        {
            "form_token": "more",
            "kind": "meals",
            "incurred_on": YESTERDAY.isoformat(),
            "amount": "6.25",
            "description": "Lunch",
        },
    )
    assert response.status_code == 302
    assert claim.lines.count() == 2
    line = claim.lines.get(kind="meals")
    confirm = client.get(_url("expense_remove_cost", line.pk))
    assert confirm.status_code == 200
    assert "Yes, remove it" in _page(confirm)
    assert claim.lines.count() == 2
    assert client.post(_url("expense_remove_cost", line.pk)).status_code == 302
    assert claim.lines.count() == 1

    confirm = _page(client.get(_url("expense_send", claim.pk)))
    assert "You're claiming back £12.40 for 1 cost." in confirm
    response = client.post(_url("expense_send", claim.pk))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    html = _page(client.get(_url("expense", claim.pk)))
    assert "Your claim has been sent." in html
    assert "Sent – we're checking it" in html
    # Sent claims are read-only.
    assert "Send claim" not in html
    assert _url("expense_remove_cost", samples["erin_claim_line"].pk) not in html
    assert client.get(_url("expense_add_cost", claim.pk)).status_code == 302
    client.post(_url("expense_remove_cost", samples["erin_claim_line"].pk))
    assert claim.lines.count() == 1
    # Now staff can see it.
    assert claim.reference in _page(client_for("alice").get(reverse("payments:claim_list")))


def test_a_returned_claim_shows_why_and_can_be_sent_again(client_for, samples):
    claim = samples["erin_claim"]
    ExpenseClaim.objects.filter(pk=claim.pk).update(
        status=ClaimStatus.RETURNED, returned_reason="Please add the return ticket too."
    )
    client = client_for("erin")
    html = _page(client.get(_url("expense", claim.pk)))
    assert "We sent this claim back to you." in html
    assert "Please add the return ticket too." in html
    assert "Send claim" in html
    assert client.post(_url("expense_send", claim.pk)).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.returned_reason == ""


def test_erin_opens_her_own_receipt_and_it_is_recorded(client_for, samples, personas):
    receipt = samples["erin_receipt"]
    response = client_for("erin").get(_url("receipt", receipt.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\nbus ticket"
    assert AccessEvent.objects.filter(
        user=personas.erin, action=AccessEvent.Action.DOWNLOADED
    ).exists()


# ---------------------------------------------------------------------------------------------
# A receipt for a cost already saved


def test_erin_adds_a_receipt_to_a_cost_after_we_send_her_claim_back(client_for, samples):
    claim, line = samples["erin_claim"], samples["erin_claim_line"]
    client = client_for("erin")
    client.post(
        _url("expense_add_cost", claim.pk),
        {
            "form_token": "taxi",
            "kind": "taxi",
            "incurred_on": YESTERDAY.isoformat(),
            "amount": "9.80",
            "description": "Taxi home",
        },
    )
    taxi = claim.lines.get(kind="taxi", amount=Decimal("9.80"))
    assert client.post(_url("expense_send", claim.pk)).status_code == 302
    # Sent: nothing can be added until we send it back.
    assert _url("expense_receipt_add", taxi.pk) not in _page(client.get(_url("expense", claim.pk)))
    assert client.get(_url("expense_receipt_add", taxi.pk)).status_code == 302
    ExpenseClaim.objects.filter(pk=claim.pk).update(
        status=ClaimStatus.RETURNED, returned_reason="Please add a photo of the taxi receipt."
    )
    html = _page(client.get(_url("expense", claim.pk)))
    assert "Please add a photo of the taxi receipt." in html
    assert f'href="{_url("expense_receipt_add", taxi.pk)}">Add a receipt<' in html
    assert f'href="{_url("expense_receipt_add", line.pk)}">Add another receipt<' in html

    form = _page(client.get(_url("expense_receipt_add", taxi.pk)))
    assert 'accept="image/*,application/pdf"' in form
    assert 'enctype="multipart/form-data"' in form
    assert "capture" not in form
    assert "Taxi home" in form
    assert "£9.80" in form

    wrong = client.post(
        _url("expense_receipt_add", taxi.pk),
        {"form_token": "wrong", "receipt": SimpleUploadedFile("taxi.exe", b"MZ\x90\x00")},
    )
    assert wrong.status_code == 200
    assert "There is a problem" in _page(wrong)
    assert "is not one of those" in _page(wrong)
    assert not taxi.receipts.exists()

    response = client.post(
        _url("expense_receipt_add", taxi.pk),
        {
            "form_token": "photo",
            "receipt": SimpleUploadedFile("taxi.jpg", JPEG, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url("expense", claim.pk) + "#costs"
    receipt = taxi.receipts.get()
    assert receipt.original_name == "taxi.jpg"
    html = _page(client.get(response["Location"]))
    assert "Thank you, your receipt is saved." in html
    assert _url("receipt", receipt.pk) in html
    assert client.post(_url("expense_send", claim.pk)).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    # Erin filled in her own claim: she never counts as staff who changed it.
    assert claim.prepared_by_ids == []
