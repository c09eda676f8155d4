"""The JSON API for payments: /api/payments, /api/expense-claims, a person's totals
(/api/people/{id}/payment-totals), and a person's own (/api/me/payments, /api/me/expense-claims,
/api/me/payment-totals).

alice (participation lead, council A) reads, by personal API token; bob (facilitator),
charlie (council B) and nina (national) get empty lists and 404s; erin reads her own under
/api/me and gets 404 (or nothing) from the staff operations.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.accounts.services import api_token_create
from powershare.audit.models import AccessEvent
from powershare.payments import services
from powershare.payments.models import ExpenseClaim, ExpenseLine, Payment
from powershare.payments.tests import factories
from tests.personas import MARKER, sign_in

ERROR_KEYS = {"code", "detail", "errors"}
OUTSIDERS = ["bob", "charlie", "nina", "erin"]


def _url(name, **kwargs):
    return reverse(f"api-1.0:{name}", kwargs=kwargs)


def _client(personas, name) -> Client:
    """Staff by personal token; erin (who may not have a token) by her browser session."""
    if name == "erin":
        client = Client()
        sign_in(client, personas.erin)
        return client
    _, plain = api_token_create(user=personas.by_name(name), name="Tests")
    return Client(headers={"Authorization": f"Bearer {plain}"})


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code
    return body


# Payments ------------------------------------------------------------------------------------


def test_alice_lists_her_councils_payments_with_money_as_text(personas, samples):
    response = _client(personas, "alice").get(_url("payment_list"))
    assert response.status_code == 200
    body = response.json()
    by_id = {item["id"]: item for item in body["items"]}
    payment = samples["payment"]
    assert set(by_id) == {payment.pk, samples["erin_payment"].pk}
    assert body["count"] == 2
    item = by_id[payment.pk]
    assert item["reference"] == payment.reference
    assert item["organisation_id"] == personas.council_a.pk
    assert item["person"] == {
        "id": samples["person"].pk,
        "reference": samples["person"].reference,
        "name": f"Person {MARKER}",
    }
    assert item["kind"] == "task"
    assert item["description"] == f"Task {MARKER}"
    assert item["worked_on"] == payment.worked_on.isoformat()
    assert item["quantity"] == "2.00"
    assert item["rate"] == "20.00"
    assert item["amount"] == "40.00"
    assert item["method"] == "bank_transfer"
    assert item["method_label"] == "Bank transfer"
    assert item["status"] == "owed"
    assert item["status_label"] == "Owed"
    assert item["paid_on"] is None
    assert item["activity_id"] is None
    assert item["activity_title"] is None


def test_the_payment_list_filters(personas, samples):
    client = _client(personas, "alice")
    person = samples["person"]
    by_person = client.get(_url("payment_list"), {"person_id": person.pk}).json()["items"]
    assert [i["id"] for i in by_person] == [samples["payment"].pk]
    assert client.get(_url("payment_list"), {"status": "paid"}).json()["items"] == []
    owed = client.get(_url("payment_list"), {"status": "owed"}).json()["count"]
    assert owed == 2
    activity = samples["activity"]
    assert client.get(_url("payment_list"), {"activity_id": activity.pk}).json()["count"] == 0
    _assert_error(client.get(_url("payment_list"), {"status": "sideways"}), 422, "invalid")


def test_alice_reads_one_payment(personas, samples):
    payment = samples["payment"]
    response = _client(personas, "alice").get(_url("payment_detail", payment_id=payment.pk))
    assert response.status_code == 200
    assert response.json()["reference"] == payment.reference


def _events(**filters):
    return list(AccessEvent.objects.filter(**filters).order_by("pk"))


def test_reading_one_payment_is_written_to_the_access_log(personas, samples):
    payment = samples["payment"]
    url = _url("payment_detail", payment_id=payment.pk)
    assert _client(personas, "alice").get(url).status_code == 200
    [event] = _events(subject_type=payment._meta.verbose_name)
    assert event.user == personas.alice
    assert event.organisation_id == personas.council_a.pk
    assert event.action == AccessEvent.Action.VIEWED
    assert event.subject_id == str(payment.pk)
    assert event.description == (
        f"{payment.reference} of person {samples['person'].reference}: payment read (API)"
    )
    assert event.path == url
    # The person's name is never in the log (it outlives erasure).
    assert MARKER not in event.description


def test_a_payment_list_narrowed_to_a_person_is_written_to_the_access_log_once(personas, samples):
    client = _client(personas, "alice")
    person = samples["person"]
    assert client.get(_url("payment_list")).status_code == 200
    assert client.get(_url("payment_list"), {"status": "owed"}).status_code == 200
    assert _events() == []  # a list of everyone's payments names nobody in particular
    response = client.get(_url("payment_list"), {"person_id": person.pk, "page_size": 1})
    assert response.json()["count"] == 1
    [event] = _events()
    assert (event.user, event.organisation_id) == (personas.alice, personas.council_a.pk)
    assert (event.subject_type, event.subject_id) == (
        person._meta.verbose_name,
        str(person.pk),
    )
    assert event.description == f"{person.reference}: payments listed (API)"


@pytest.mark.parametrize("persona", ["bob", "charlie", "nina"])
def test_outsiders_narrowing_a_list_to_a_person_leave_no_access_event(personas, samples, persona):
    client = _client(personas, persona)
    person = samples["person"]
    assert client.get(_url("payment_list"), {"person_id": person.pk}).json()["count"] == 0
    assert client.get(_url("claim_list"), {"person_id": person.pk}).json()["count"] == 0
    assert client.get(_url("payment_list"), {"person_id": 2**63 - 1}).json()["count"] == 0
    assert _events() == []


def test_the_payment_list_runs_a_fixed_number_of_queries(personas, samples):
    client = _client(personas, "alice")
    activity = samples["activity"]

    def add(count):
        Payment.objects.bulk_create(
            factories.payment(
                samples["person"],
                "25.00",
                save=False,
                kind="involvement",
                activity=activity,
                created_by=personas.alice,
            )
            for _ in range(count)
        )

    def count(**params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url("payment_list"), {"page_size": 100, **params})
        assert response.status_code == 200
        return len(queries), len(response.json()["items"])

    add(8)
    client.get(_url("payment_list"))  # the token's first use is recorded once
    few, shown = count()
    assert shown == 10  # with the two sample payments
    few_person, _ = count(person_id=samples["person"].pk)
    add(490)
    many, shown = count()
    assert shown == 100
    many_person, _ = count(person_id=samples["person"].pk)
    assert many == few
    assert many_person == few_person


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_no_payments(personas, samples, persona):
    client = _client(personas, persona)
    listing = client.get(_url("payment_list"))
    assert listing.status_code == 200
    assert listing.json() == {"items": [], "count": 0}
    for payment in (samples["payment"], samples["erin_payment"]):
        _assert_error(client.get(_url("payment_detail", payment_id=payment.pk)), 404, "not_found")
    _assert_error(client.get(_url("payment_detail", payment_id=2**63 - 1)), 404, "not_found")


def test_nobody_signed_in_gets_401(samples):
    _assert_error(Client().get(_url("payment_list")), 401, "not_authenticated")
    _assert_error(Client().get(_url("my_payments")), 401, "not_authenticated")


# Expense claims ------------------------------------------------------------------------------


def test_alice_lists_claims_with_lines_total_and_receipt_paths_not_files(personas, samples):
    response = _client(personas, "alice").get(_url("claim_list"))
    assert response.status_code == 200
    body = response.json()
    # erin's claim, started in her portal and not sent, is hers alone.
    assert [item["id"] for item in body["items"]] == [samples["claim"].pk]
    item = body["items"][0]
    assert item["reference"] == samples["claim"].reference
    assert item["status"] == "submitted"
    assert item["total"] == "12.40"
    assert item["activity_id"] == samples["activity"].pk
    line = item["lines"][0]
    assert line["id"] == samples["claim_line"].pk
    assert line["kind"] == "taxi"
    assert line["kind_label"] == "Taxi"
    assert line["amount"] == "12.40"
    assert line["miles"] is None
    receipt = samples["receipt"]
    assert line["receipts"] == [
        {
            "id": receipt.pk,
            "original_name": receipt.original_name,
            "content_type": "image/png",
            "size": receipt.size,
            "uploaded_at": line["receipts"][0]["uploaded_at"],
            "download_path": reverse("payments:receipt_download", args=[receipt.pk]),
        }
    ]
    assert receipt.file.name not in response.content.decode()


def test_the_claim_list_filters_and_reads_one(personas, samples):
    client = _client(personas, "alice")
    claim = samples["claim"]
    assert client.get(_url("claim_list"), {"status": "approved"}).json()["count"] == 0
    assert client.get(_url("claim_list"), {"status": "submitted"}).json()["count"] == 1
    assert (
        client.get(_url("claim_list"), {"person_id": personas.erin_person.pk}).json()["count"] == 0
    )
    detail = client.get(_url("claim_detail", claim_id=claim.pk))
    assert detail.status_code == 200
    assert detail.json()["total"] == "12.40"
    _assert_error(
        client.get(_url("claim_detail", claim_id=samples["erin_claim"].pk)), 404, "not_found"
    )


def test_reading_one_claim_is_written_to_the_access_log(personas, samples):
    claim = samples["claim"]
    url = _url("claim_detail", claim_id=claim.pk)
    assert _client(personas, "alice").get(url).status_code == 200
    [event] = _events()
    assert (event.user, event.organisation_id) == (personas.alice, personas.council_a.pk)
    assert (event.subject_type, event.subject_id) == (claim._meta.verbose_name, str(claim.pk))
    assert event.description == (
        f"Expense claim {claim.reference} of {samples['person'].reference}: read (API)"
    )
    assert event.path == url


def test_a_claim_list_narrowed_to_a_person_is_written_to_the_access_log_once(personas, samples):
    client = _client(personas, "alice")
    person = samples["person"]
    assert client.get(_url("claim_list")).json()["count"] == 1
    assert _events() == []
    assert client.get(_url("claim_list"), {"person_id": person.pk}).json()["count"] == 1
    [event] = _events()
    assert (event.subject_type, event.subject_id) == (
        person._meta.verbose_name,
        str(person.pk),
    )
    assert event.description == f"{person.reference}: expense claims listed (API)"
    assert event.user == personas.alice


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_no_claims(personas, samples, persona):
    client = _client(personas, persona)
    assert client.get(_url("claim_list")).json() == {"items": [], "count": 0}
    for claim in (samples["claim"], samples["erin_claim"]):
        _assert_error(client.get(_url("claim_detail", claim_id=claim.pk)), 404, "not_found")


def test_the_claim_list_runs_a_fixed_number_of_queries(personas, samples):
    client = _client(personas, "alice")

    def add(count):
        for _ in range(count):
            claim = ExpenseClaim.objects.create(
                organisation=personas.council_a,
                person=samples["person"],
                status="submitted",
                created_by=personas.alice,
            )
            ExpenseLine.objects.create(
                claim=claim,
                kind="meals",
                incurred_on=datetime.date(2026, 1, 5),
                amount=Decimal("5.00"),
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url("claim_list"), {"page_size": 100})
        assert response.status_code == 200
        return len(queries), len(response.json()["items"])

    add(5)
    few, shown = count()
    assert shown == 6
    add(60)
    many, shown = count()
    assert shown == 66
    # (The first request also records when the token was last used.)
    assert many <= few


# A person's totals ---------------------------------------------------------------------------


def test_alice_reads_a_persons_totals_with_their_limits(personas, samples):
    services.payment_settings_update(
        actor=personas.admin,
        organisation_id=personas.council_a.pk,
        weekly_limit="50",
        pay_within_days=14,
    )
    person = samples["person"]
    on = samples["payment"].worked_on
    response = _client(personas, "alice").get(
        _url("person_payment_totals", person_id=person.pk), {"on": on.isoformat()}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["id"] == person.pk
    assert body["on"] == on.isoformat()
    week, month, year = body["periods"]
    assert [p["period"] for p in body["periods"]] == ["week", "month", "tax_year"]
    monday = on - datetime.timedelta(days=on.weekday())
    assert (week["start"], week["end"]) == (
        monday.isoformat(),
        (monday + datetime.timedelta(days=6)).isoformat(),
    )
    assert (week["fees"], week["vouchers"], week["limit"], week["left"], week["over"]) == (
        "40.00",
        "0.00",
        "50.00",
        "10.00",
        False,
    )
    assert (month["fees"], month["limit"], month["left"]) == ("40.00", None, None)
    assert year["fees"] == "40.00"
    assert body["tax_year"]["fees"] == "40.00"
    assert body["tax_year"]["paid"] == "0.00"
    # Expenses are kept apart from earnings.
    assert body["tax_year"]["expenses"] == "12.40"
    event = AccessEvent.objects.get(subject_id=str(person.pk))
    assert event.user == personas.alice
    assert "Payment totals" in event.description


def test_totals_for_an_impossible_day_are_refused_by_name(personas, samples):
    client = _client(personas, "alice")
    url = _url("person_payment_totals", person_id=samples["person"].pk)
    body = _assert_error(client.get(url, {"on": "1999-12-31"}), 422, "invalid")
    assert [error["field"] for error in body["errors"]] == ["on"]
    assert _assert_error(client.get(url, {"on": "9999-12-31"}), 422, "invalid")
    assert _assert_error(client.get(url, {"on": "not-a-day"}), 422, "invalid")


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_for_a_persons_totals(personas, samples, persona):
    client = _client(personas, persona)
    for person in (samples["person"], personas.erin_person):
        _assert_error(
            client.get(_url("person_payment_totals", person_id=person.pk)), 404, "not_found"
        )


# Your own ------------------------------------------------------------------------------------


def test_erin_reads_only_her_own_payments(personas, samples):
    response = _client(personas, "erin").get(_url("my_payments"))
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == [samples["erin_payment"].pk]
    item = body["items"][0]
    assert item["what_for"] == "Reading the new leaflet"
    assert item["amount"] == "40.00"
    assert item["status_label"] == "Owed"
    assert "cost_code" not in item
    assert "person" not in item
    assert MARKER not in response.content.decode()


def test_erin_reads_her_own_claims_including_the_one_not_sent(personas, samples):
    response = _client(personas, "erin").get(_url("my_claims"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items] == [samples["erin_claim"].pk]
    assert items[0]["status"] == "draft"
    assert items[0]["total"] == "12.40"
    receipt = samples["erin_receipt"]
    assert items[0]["lines"][0]["receipts"][0]["download_path"] == reverse(
        "portal:receipt", args=[receipt.pk]
    )
    assert MARKER not in response.content.decode()


def test_erin_reads_her_own_totals(personas, samples):
    on = samples["erin_payment"].worked_on
    response = _client(personas, "erin").get(_url("my_payment_totals"), {"on": on.isoformat()})
    assert response.status_code == 200
    body = response.json()
    assert body["person"]["id"] == personas.erin_person.pk
    assert [p["fees"] for p in body["periods"]] == ["40.00", "40.00", "40.00"]
    # Her claim is not sent yet, so it is not counted.
    assert body["tax_year"]["expenses"] == "0.00"
    assert not AccessEvent.objects.filter(subject_id=str(personas.erin_person.pk)).exists()


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "nina"])
def test_staff_without_a_person_record_get_404_from_me(personas, samples, persona):
    client = _client(personas, persona)
    for name in ("my_payments", "my_claims", "my_payment_totals"):
        _assert_error(client.get(_url(name)), 404, "not_found")
