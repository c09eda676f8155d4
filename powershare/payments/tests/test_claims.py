"""Staff pages for expense claims: the list, starting a claim and adding costs with receipts,
sending, approving (by a second person), sending back, marking paid, and receipts that only the
right people can open."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.roles import Role
from powershare.audit.models import AccessEvent
from powershare.payments import selectors
from powershare.payments.models import (
    ClaimStatus,
    ExpenseClaim,
    ExpenseLine,
    Payment,
    PaymentMethod,
    Receipt,
)
from powershare.people.models import Person
from tests.personas import MARKER, PASSWORD, _user, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"
OUTSIDERS = ["bob", "charlie", "erin", "nina"]


def _url(name, *args, **query):
    url = reverse(f"payments:{name}", args=args)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


@pytest.fixture
def pat(personas):
    """A second participation lead in council A: the second pair of eyes."""
    return _user(
        f"pat.{MARKER}@a.example", "Pat Paterson", personas.council_a, Role.PARTICIPATION_LEAD
    )


def _client(client, user):
    client.logout()
    sign_in(client, user)
    return client


def _start(client, person, **data):
    response = client.post(_url("claim_create", person=person.pk), {"form_token": "start", **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ExpenseClaim.objects.filter(person=person).latest("pk")


def _add(client, claim, once="add", **data):
    values = {
        "form_token": once,
        "kind": "taxi",
        "incurred_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "amount": "",
        "miles": "",
        "description": "",
        **data,
    }
    return client.post(_url("claim_line_add", claim.pk), values)


# ---------------------------------------------------------------------------------------------
# Who may open the pages


def test_outsiders_get_404_on_every_claim_page(client_for, samples):
    claim, line, receipt = samples["claim"], samples["claim_line"], samples["receipt"]
    pages = [
        _url("claim_create", person=samples["person"].pk),
        _url("claim_detail", claim.pk),
        _url("claim_line_add", claim.pk),
        _url("claim_submit", claim.pk),
        _url("claim_approve", claim.pk),
        _url("claim_return", claim.pk),
        _url("claim_paid", claim.pk),
        _url("claim_line_remove", line.pk),
        _url("claim_receipt_add", line.pk),
        _url("receipt_download", receipt.pk),
    ]
    for name in OUTSIDERS:
        client = client_for(name)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 404, f"{name} {url} answered {response.status_code}"
            assert MARKER not in response.content.decode(errors="replace")
        # The list and the start page are charlie's own council's (empty): bob, erin and nina
        # have no payments role at all.
        for url in (_url("claim_list"), _url("claim_create")):
            response = client.get(url)
            assert response.status_code == (200 if name == "charlie" else 404), f"{name} {url}"
            assert MARKER not in response.content.decode()
            assert samples["claim"].reference not in response.content.decode()


def test_posting_as_an_outsider_changes_nothing(client_for, samples):
    claim = samples["claim"]
    for name in OUTSIDERS:
        client = client_for(name)
        assert client.post(_url("claim_approve", claim.pk)).status_code == 404
        assert client.post(_url("claim_return", claim.pk), {"reason": "no"}).status_code == 404
        assert client.post(_url("claim_line_remove", samples["claim_line"].pk)).status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.lines.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client_for, samples):
    response = client_for(None).get(_url("claim_detail", samples["claim"].pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# ---------------------------------------------------------------------------------------------
# The list


def test_the_list_shows_sent_claims_with_totals_and_never_a_persons_unsent_draft(
    client_for, samples
):
    response = client_for("alice").get(_url("claim_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert samples["claim"].reference in html
    assert samples["person"].full_name in html
    assert "£12.40" in html
    assert "Waiting for approval (1)" in html
    # Erin's claim is still hers alone: she has not sent it.
    assert samples["erin_claim"].reference not in html
    assert "1 claim" in html


def test_the_status_and_person_filters_narrow_the_list(client_for, samples, personas):
    client = client_for("alice")
    html = client.get(_url("claim_list", status="paid")).content.decode()
    assert samples["claim"].reference not in html
    assert "No claims match" in html
    html = client.get(_url("claim_list", status="submitted")).content.decode()
    assert samples["claim"].reference in html
    html = client.get(_url("claim_list", person=personas.erin_person.pk)).content.decode()
    assert samples["claim"].reference not in html
    html = client.get(_url("claim_list", person=samples["person"].pk)).content.decode()
    assert samples["claim"].reference in html
    assert "Claims of" in html
    # Nonsense in the address is ignored, not an error.
    assert client.get(_url("claim_list", person="abc", status="nope")).status_code == 200


def _many_claims(personas, person, count, start=0):
    claims = ExpenseClaim.objects.bulk_create(
        ExpenseClaim(
            organisation=personas.council_a,
            person=person,
            status=ClaimStatus.SUBMITTED,
            created_by=personas.alice,
            note=f"bulk {start + i}",
        )
        for i in range(count)
    )
    ExpenseLine.objects.bulk_create(
        ExpenseLine(
            claim=claim,
            kind="taxi",
            incurred_on=datetime.date(2026, 1, 5),
            amount=Decimal("3.00"),
        )
        for claim in claims
    )


def test_the_list_runs_a_fixed_number_of_queries(client_for, personas, samples):
    person = samples["person"]
    _many_claims(personas, person, 10)
    client = client_for("alice")
    client.get(_url("claim_list"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("claim_list")).status_code == 200
    _many_claims(personas, person, 990, start=10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url("claim_list", page=3))
    html = response.content.decode()
    assert "1001 claims" in html
    assert html.count('href="/payments/expenses/') - html.count("/expenses/new/") >= 50
    assert len(many.captured_queries) == len(few.captured_queries)


# ---------------------------------------------------------------------------------------------
# Starting a claim and adding costs


def test_staff_find_the_person_then_start_a_claim(client_for, samples):
    client = client_for("alice")
    html = client.get(_url("claim_create")).content.decode()
    assert "Find the person" in html
    person = samples["person"]
    html = client.get(_url("claim_create", q=person.full_name.split()[0])).content.decode()
    assert f"?person={person.pk}" in html
    page = client.get(_url("claim_create", person=person.pk))
    assert page.status_code == 200
    claim = _start(client, person, note="Travel for the panel")
    assert claim.status == ClaimStatus.DRAFT
    assert claim.created_by.email.startswith("alice")
    assert claim.note == "Travel for the panel"


def test_mileage_is_worked_out_to_the_penny_and_shows_the_rate(client_for, samples):
    client = client_for("alice")
    claim = _start(client, samples["person"])
    form = client.get(_url("claim_line_add", claim.pk)).content.decode()
    assert "£0.45 a mile" in form
    response = _add(client, claim, kind="mileage", miles="12.3", description="To the panel")
    assert response.status_code == 302
    line = claim.lines.get()
    # 12.3 × 0.45 = 5.535, rounded half up to £5.54.
    assert line.amount == Decimal("5.54")
    assert line.mileage_rate == Decimal("0.45")
    assert line.miles == Decimal("12.3")
    html = client.get(_url("claim_detail", claim.pk)).content.decode()
    assert "12.3 miles × £0.45" in html
    assert "£5.54" in html


def test_a_cost_with_a_receipt_photo_is_kept_and_opens(client_for, samples, personas):
    client = client_for("alice")
    claim = _start(client, samples["person"])
    response = _add(
        client,
        claim,
        amount="18.20",
        receipt=SimpleUploadedFile("taxi.jpg", JPEG, content_type="image/jpeg"),
    )
    assert response.status_code == 302
    receipt = Receipt.objects.get(line__claim=claim)
    assert receipt.content_type == "image/jpeg"
    assert receipt.original_name == "taxi.jpg"
    assert receipt.uploaded_by == personas.alice
    opened = client.get(_url("receipt_download", receipt.pk))
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == JPEG
    # A photo is shown in the browser, never sniffed as anything else.
    assert opened["Content-Disposition"].startswith("inline")
    assert opened["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in opened["Cache-Control"]
    # Only the browser's own image page may style itself; nothing may run.
    policy = opened["Content-Security-Policy"]
    assert policy == "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00rest", "is not one of those"),
        ("receipt.jpg", b"This is just text pretending to be a photo", "match its name"),
        ("huge.jpg", b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024), "The limit is 10 MB"),
    ],
)
def test_a_wrong_receipt_is_refused_kindly_and_nothing_is_saved(
    client_for, samples, name, content, message
):
    client = client_for("alice")
    claim = _start(client, samples["person"])
    receipts_before = Receipt.objects.count()
    response = _add(
        client,
        claim,
        once=f"bad-{name}",
        amount="7.50",
        description="Kept when the page comes back",
        receipt=SimpleUploadedFile(name, content),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert "Please choose your receipt again" in html
    assert 'value="Kept when the page comes back"' in html
    assert 'value="7.50"' in html
    assert not claim.lines.exists()
    assert Receipt.objects.count() == receipts_before


def test_costs_are_removed_while_the_claim_is_editable_only(client_for, samples):
    client = client_for("alice")
    claim = _start(client, samples["person"])
    _add(client, claim, amount="4.00")
    line = claim.lines.get()
    confirm = client.get(_url("claim_line_remove", line.pk))
    assert confirm.status_code == 200
    assert "You can't undo this" in confirm.content.decode()
    assert client.post(_url("claim_line_remove", line.pk)).status_code == 302
    assert not claim.lines.exists()
    # A sent claim's costs stay.
    sent = samples["claim"]
    response = client.post(_url("claim_line_remove", samples["claim_line"].pk))
    assert response.status_code == 302
    assert sent.lines.count() == 1


def test_a_claim_is_sent_for_approval_once_it_has_a_cost(client_for, samples):
    client = client_for("alice")
    claim = _start(client, samples["person"])
    empty = client.get(_url("claim_submit", claim.pk)).content.decode()
    assert "has no costs yet" in empty
    _add(client, claim, amount="9.99")
    assert "Send the claim" in client.get(_url("claim_submit", claim.pk)).content.decode()
    assert client.post(_url("claim_submit", claim.pk)).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.submitted_at is not None
    # Once sent, nothing can be added.
    assert client.get(_url("claim_line_add", claim.pk)).status_code == 302


# ---------------------------------------------------------------------------------------------
# Approving, sending back, marking paid


def test_approval_needs_a_second_person(client, client_for, samples, pat):
    claim = samples["claim"]  # filled in by alice
    alice = client_for("alice")
    detail = alice.get(_url("claim_detail", claim.pk)).content.decode()
    assert "You filled in or changed this claim, so someone else must approve it." in detail
    assert _url("claim_approve", claim.pk) not in detail
    page = alice.get(_url("claim_approve", claim.pk)).content.decode()
    assert "You filled in or changed this claim, so someone else must approve it." in page
    assert "ask a colleague who approves payments" in page
    assert "<button" not in page.split("<main", 1)[1]
    alice.post(_url("claim_approve", claim.pk))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED

    second = _client(client, pat)
    assert (
        _url("claim_approve", claim.pk)
        in second.get(_url("claim_detail", claim.pk)).content.decode()
    )
    assert "Approve £12.40" in second.get(_url("claim_approve", claim.pk)).content.decode()
    assert second.post(_url("claim_approve", claim.pk)).status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert claim.approved_by == pat


def test_a_claim_is_sent_back_with_a_reason_the_person_sees(client, samples, pat):
    claim = samples["claim"]
    second = _client(client, pat)
    empty = second.post(_url("claim_return", claim.pk), {"reason": "  "})
    assert empty.status_code == 200
    assert "Say what needs to change" in empty.content.decode()
    response = second.post(
        _url("claim_return", claim.pk), {"reason": "Please add a photo of the taxi receipt."}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RETURNED
    assert claim.returned_reason == "Please add a photo of the taxi receipt."
    html = second.get(_url("claim_detail", claim.pk)).content.decode()
    assert "Please add a photo of the taxi receipt." in html


def test_an_approved_claim_is_marked_paid_with_the_finance_reference(
    client, client_for, samples, pat
):
    claim = samples["claim"]
    _client(client, pat).post(_url("claim_approve", claim.pk))
    alice = client_for("alice")
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = alice.post(
        _url("claim_paid", claim.pk), {"paid_on": future, "finance_reference": "FIN-1"}
    )
    assert "be in the future" in refused.content.decode()
    paid_on = timezone.localdate().isoformat()
    response = alice.post(
        _url("claim_paid", claim.pk), {"paid_on": paid_on, "finance_reference": "FIN-77"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert claim.paid_on == timezone.localdate()
    assert claim.finance_reference == "FIN-77"
    assert "FIN-77" in alice.get(_url("claim_detail", claim.pk)).content.decode()


def test_opening_a_claim_is_recorded(client_for, samples, personas):
    claim = samples["claim"]
    client_for("alice").get(_url("claim_detail", claim.pk))
    event = AccessEvent.objects.get(user=personas.alice, subject_id=str(claim.pk))
    assert event.action == AccessEvent.Action.VIEWED
    assert samples["person"].full_name not in event.description


# ---------------------------------------------------------------------------------------------
# Receipts


@pytest.fixture
def other_person(personas):
    """Another person on council A's register with their own portal login."""
    from powershare.accounts.models import User

    user = User.objects.create_user(
        email="fergus@people.example", password=PASSWORD, full_name="Fergus Fraser"
    )
    return Person.objects.create(
        organisation=personas.council_a,
        full_name="Fergus Fraser",
        email="fergus@people.example",
        user=user,
        age_band="26_64",
    )


def test_a_receipt_opens_only_for_those_allowed(
    client, client_for, samples, personas, other_person
):
    receipt = samples["receipt"]
    staff_url = _url("receipt_download", receipt.pk)
    portal_url = reverse("portal:receipt", args=[receipt.pk])
    for name in ("charlie", "bob", "erin", "nina"):
        response = client_for(name).get(staff_url)
        assert response.status_code == 404, name
    assert client_for("erin").get(portal_url).status_code == 404
    fergus = _client(client, other_person.user)
    assert fergus.get(portal_url).status_code == 404
    assert fergus.get(staff_url).status_code == 404

    opened = client_for("alice").get(staff_url)
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == b"\x89PNG\r\n\x1a\n" + MARKER.encode()
    assert AccessEvent.objects.filter(
        user=personas.alice,
        action=AccessEvent.Action.DOWNLOADED,
        subject_id=str(receipt.pk),
    ).exists()

    # Erin opens her own receipt in her portal, and not through the staff pages.
    own = samples["erin_receipt"]
    erin = client_for("erin")
    mine = erin.get(reverse("portal:receipt", args=[own.pk]))
    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == b"\x89PNG\r\n\x1a\nbus ticket"
    assert erin.get(_url("receipt_download", own.pk)).status_code == 404
    # Nor do staff open a receipt on a claim erin has not sent yet.
    assert client_for("alice").get(_url("receipt_download", own.pk)).status_code == 404


# ---------------------------------------------------------------------------------------------
# Expenses are never earnings


def test_expenses_never_change_a_persons_totals(client, client_for, samples, pat):
    person = samples["person"]
    person.receives_benefits = True
    person.save(update_fields=["receives_benefits"])
    today = timezone.localdate()
    Payment.objects.filter(pk=samples["payment"].pk).update(worked_on=today)
    before = [
        (t.period.key, t.fees, t.vouchers)
        for t in selectors.earnings_totals(person=person, on=today)
    ]
    assert before[0][1] == Decimal("40.00")
    assert samples["payment"].method == PaymentMethod.BANK_TRANSFER

    alice = client_for("alice")
    claim = _start(alice, person)
    _add(alice, claim, once="a", amount="250.00", incurred_on=today.isoformat())
    _add(alice, claim, once="b", kind="mileage", miles="100", incurred_on=today.isoformat())
    alice.post(_url("claim_submit", claim.pk))
    _client(client, pat).post(_url("claim_approve", claim.pk))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    assert selectors.with_claim_total(ExpenseClaim.objects.filter(pk=claim.pk)).get().total == (
        Decimal("295.00")
    )

    after = [
        (t.period.key, t.fees, t.vouchers)
        for t in selectors.earnings_totals(person=person, on=today)
    ]
    assert after == before
    year = selectors.tax_year_totals_for_person(person=person, today=today)
    assert year["fees"] == Decimal("40.00")
    assert year["expenses"] >= Decimal("295.00")


# ---------------------------------------------------------------------------------------------
# Who may approve: never someone who changed the claim, nor the person it pays


def test_someone_who_changed_the_claim_is_told_kindly_and_cannot_approve(client, samples, pat):
    claim = samples["claim"]
    ExpenseClaim.objects.filter(pk=claim.pk).update(prepared_by_ids=[pat.pk])
    second = _client(client, pat)
    detail = second.get(_url("claim_detail", claim.pk)).content.decode()
    assert "You filled in or changed this claim, so someone else must approve it." in detail
    assert _url("claim_approve", claim.pk) not in detail
    page = second.get(_url("claim_approve", claim.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "You filled in or changed this claim" in html
    assert "Approve £12.40" not in html
    second.post(_url("claim_approve", claim.pk))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.approved_by is None


@pytest.fixture
def pat_person(personas, pat):
    """Pat is also on council A's register: someone paid for their lived experience."""
    return Person.objects.create(
        organisation=personas.council_a,
        full_name="Pat Paterson",
        email=pat.email,
        user=pat,
        age_band="26_64",
    )


def test_staff_never_approve_or_change_a_claim_that_pays_them(
    client, client_for, samples, personas, pat, pat_person
):
    alice = client_for("alice")
    claim = _start(alice, pat_person)
    _add(alice, claim, amount="8.00")
    assert alice.post(_url("claim_submit", claim.pk)).status_code == 302
    second = _client(client, pat)
    detail = second.get(_url("claim_detail", claim.pk))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "This claim is for you, so someone else must approve it." in html
    assert "This claim is for you. You can change your own claims on your own page" in html
    assert reverse("portal:expense", args=[claim.pk]) in html
    for name in ("claim_approve", "claim_return", "claim_line_add", "claim_paid"):
        assert _url(name, claim.pk) not in html, name
    page = second.get(_url("claim_approve", claim.pk)).content.decode()
    assert "This claim is for you" in page
    assert "Approve £8.00" not in page
    second.post(_url("claim_approve", claim.pk))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED


def test_staff_starting_or_filling_in_their_own_claim_are_told_why_not(
    client, client_for, samples, pat, pat_person
):
    """Staff claim their own expenses on their own page: the staff pages say so, never fail,
    and change nothing."""
    second = _client(client, pat)
    before = ExpenseClaim.objects.count()
    page = second.get(_url("claim_create", person=pat_person.pk))
    assert page.status_code == 200
    assert "This is your own record." in page.content.decode()
    assert reverse("portal:expense_new") in page.content.decode()
    response = second.post(_url("claim_create", person=pat_person.pk), {"form_token": "mine"})
    assert response.status_code == 200
    assert "start a claim for yourself here." in response.content.decode()
    assert ExpenseClaim.objects.count() == before
    # A claim alice started for pat: pat can't add to it, remove from it or send it here.
    alice = client_for("alice")
    claim = _start(alice, pat_person)
    _add(alice, claim, amount="3.00")
    line = claim.lines.get()
    second = _client(client, pat)
    detail = _url("claim_detail", claim.pk)
    attempts = [
        _add(second, claim, once="pat-adds", amount="5.00"),
        second.post(
            _url("claim_receipt_add", line.pk),
            {"form_token": "pat-receipt", "receipt": SimpleUploadedFile("r.png", PNG)},
        ),
        second.post(_url("claim_line_remove", line.pk)),
        second.post(_url("claim_submit", claim.pk)),
        second.get(_url("claim_receipt_add", line.pk)),
    ]
    for response in attempts:
        assert response.status_code == 302
        assert response["Location"] == detail
    html = second.get(detail).content.decode()
    assert "do this here, because this claim is for you." in html
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT
    assert list(claim.lines.values_list("amount", flat=True)) == [Decimal("3.00")]
    assert not Receipt.objects.filter(line__claim=claim).exists()


# ---------------------------------------------------------------------------------------------
# Learning leads find the people they pay by name


@pytest.fixture
def lena(personas):
    """A learning lead in council A: records and approves pay, never sees the register."""
    return _user(f"lena.{MARKER}@a.example", "Lena Lamont", personas.council_a, Role.LEARNING_LEAD)


def test_a_learning_lead_finds_a_person_by_name_and_starts_a_claim(client, samples, lena):
    from powershare.accounts.roles import Capability
    from powershare.accounts.selectors import user_can

    assert not user_can(user=lena, capability=Capability.VIEW_PEOPLE)
    person = samples["person"]
    lead = _client(client, lena)
    page = lead.get(_url("claim_create", q=person.full_name.split()[-1][:5]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"?person={person.pk}" in html
    assert f"Start a claim for {person.full_name}" in html
    # Names only: nothing else from the register.
    assert person.email not in html
    assert lead.get(_url("claim_create", person=person.pk)).status_code == 200
    claim = _start(lead, person)
    assert claim.created_by == lena
    assert AccessEvent.objects.filter(
        user=lena, description="Names searched to start an expense claim"
    ).exists()


def test_the_name_search_finds_no_one_from_another_council(client_for, samples):
    person = samples["person"]
    html = client_for("charlie").get(_url("claim_create", q=person.full_name)).content.decode()
    assert f"?person={person.pk}" not in html
    assert "No one you can pay matches" in html


# ---------------------------------------------------------------------------------------------
# A receipt for a cost already saved


def test_a_receipt_is_added_to_a_saved_cost_after_the_claim_is_sent_back(
    client, client_for, samples, personas, pat
):
    alice = client_for("alice")
    claim = _start(alice, samples["person"])
    _add(alice, claim, amount="18.20", description="Taxi home")
    line = claim.lines.get()
    alice.post(_url("claim_submit", claim.pk))
    # While it waits for approval nothing is added: back to the claim.
    assert alice.get(_url("claim_receipt_add", line.pk)).status_code == 302
    refused = alice.post(
        _url("claim_receipt_add", line.pk),
        {"form_token": "early", "receipt": SimpleUploadedFile("taxi.jpg", JPEG)},
    )
    assert refused.status_code == 302
    assert not line.receipts.exists()

    second = _client(client, pat)
    second.post(
        _url("claim_return", claim.pk), {"reason": "Please add a photo of the taxi receipt."}
    )
    alice = client_for("alice")
    detail = alice.get(_url("claim_detail", claim.pk)).content.decode()
    assert "Please add a photo of the taxi receipt." in detail
    assert f'href="{_url("claim_receipt_add", line.pk)}">Add a receipt<' in detail

    form = alice.get(_url("claim_receipt_add", line.pk))
    assert form.status_code == 200
    html = form.content.decode()
    assert 'type="file"' in html
    assert 'accept="image/*,application/pdf"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "Taxi home" in html
    assert "£18.20" in html

    empty = alice.post(_url("claim_receipt_add", line.pk), {"form_token": "none"})
    assert empty.status_code == 200
    assert "Choose a photo or a PDF of the receipt." in empty.content.decode()
    assert "There is a problem" in empty.content.decode()

    response = alice.post(
        _url("claim_receipt_add", line.pk),
        {
            "form_token": "taxi",
            "receipt": SimpleUploadedFile("taxi.jpg", JPEG, content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url("claim_detail", claim.pk) + "#costs"
    receipt = line.receipts.get()
    assert (receipt.original_name, receipt.content_type) == ("taxi.jpg", "image/jpeg")
    assert receipt.uploaded_by == personas.alice
    detail = alice.get(_url("claim_detail", claim.pk)).content.decode()
    assert "taxi.jpg" in detail
    assert "The receipt is added." in detail
    assert f'href="{_url("claim_receipt_add", line.pk)}">Add another receipt<' in detail
    # Sending the same form again adds nothing more.
    alice.post(
        _url("claim_receipt_add", line.pk),
        {"form_token": "taxi", "receipt": SimpleUploadedFile("taxi.jpg", JPEG)},
    )
    assert line.receipts.count() == 1
    # Alice changed the claim: someone else approves it.
    claim.refresh_from_db()
    assert personas.alice.pk in claim.prepared_by_ids


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00rest", "is not one of those"),
        ("receipt.jpg", b"This is just text pretending to be a photo", "match its name"),
        ("empty.jpg", b"", "The file is empty"),
    ],
)
def test_a_wrong_receipt_for_a_saved_cost_is_refused_kindly(
    client_for, samples, name, content, message
):
    client = client_for("alice")
    claim = _start(client, samples["person"])
    _add(client, claim, amount="4.00")
    line = claim.lines.get()
    response = client.post(
        _url("claim_receipt_add", line.pk),
        {"form_token": f"bad-{name}", "receipt": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "There is a problem" in html
    assert not line.receipts.exists()


def test_outsiders_cannot_add_a_receipt_to_a_cost(client_for, samples):
    alice = client_for("alice")
    claim = _start(alice, samples["person"])
    _add(alice, claim, amount="4.00")
    line = claim.lines.get()
    for name in OUTSIDERS:
        client = client_for(name)
        assert client.get(_url("claim_receipt_add", line.pk)).status_code == 404, name
        response = client.post(
            _url("claim_receipt_add", line.pk),
            {"form_token": f"out-{name}", "receipt": SimpleUploadedFile("x.png", PNG)},
        )
        assert response.status_code == 404, name
    # Nor through a cost on erin's own claim she has not sent.
    erin_line = samples["erin_claim_line"]
    assert client_for("alice").get(_url("claim_receipt_add", erin_line.pk)).status_code == 404
    assert not line.receipts.exists()
    assert client_for("alice").get(_url("claim_receipt_add", 10**20)).status_code == 404
