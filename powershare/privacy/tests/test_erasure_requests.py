"""Erasure requests: one person asks, another approves; who may see and do what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.people.models import Person
from powershare.privacy.models import ErasureRequest
from powershare.privacy.services import erasure_request_approve, erasure_request_create
from tests.personas import MARKER, sign_in


def _detail(erasure):
    return reverse("privacy:erasure_detail", args=[erasure.pk])


def _someone(personas, name="Fergus Finlay"):
    return Person.objects.create(
        organisation=personas.council_a, full_name=name, email="fergus@people.example"
    )


# ---------------------------------------------------------------------------------------------
# Asking


def test_the_form_says_what_goes_what_stays_and_who_approves(client_for, personas):
    person = _someone(personas)
    body = (
        client_for("alice")
        .get(reverse("privacy:erasure_create", args=[person.pk]))
        .content.decode()
    )
    assert "What will be removed" in body
    assert "What stays" in body
    assert f"Erased person {person.reference}" in body
    assert "An administrator must approve it" in body
    assert "Don&#x27;t include their name" in body or "Don't include their name" in body


def test_a_participation_lead_asks_for_erasure(client_for, personas):
    person = _someone(personas)
    client = client_for("alice")
    response = client.post(
        reverse("privacy:erasure_create", args=[person.pk]),
        {"reason": "Asked us by email to delete everything", "form_token": "e1"},
    )
    erasure = ErasureRequest.objects.get(person=person)
    assert response["Location"] == _detail(erasure)
    assert erasure.requested_by == personas.alice
    assert erasure.status == ErasureRequest.Status.PENDING
    page = client.get(_detail(erasure)).content.decode()
    assert "Waiting for an administrator" in page
    assert "Approve and erase" not in page
    # Nothing is removed until an administrator approves.
    person.refresh_from_db()
    assert person.full_name == "Fergus Finlay"


def test_a_reason_is_needed(client_for, personas):
    person = _someone(personas)
    body = (
        client_for("alice")
        .post(reverse("privacy:erasure_create", args=[person.pk]), {"reason": "  "})
        .content.decode()
    )
    assert "Say why the record should be erased" in body
    assert not ErasureRequest.objects.filter(person=person).exists()


def test_asking_twice_is_met_kindly(client_for, personas, samples):
    person = samples["person"]  # already has a pending request
    client = client_for("alice")
    page = client.get(reverse("privacy:erasure_create", args=[person.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "already asked for" in body
    assert "<textarea" not in body
    response = client.post(reverse("privacy:erasure_create", args=[person.pk]), {"reason": "Again"})
    assert response.status_code == 200
    assert ErasureRequest.objects.filter(person=person).count() == 1
    with pytest.raises(ValidationError):
        erasure_request_create(actor=personas.alice, person=person, reason="Again")


# ---------------------------------------------------------------------------------------------
# Deciding


def test_an_administrator_approves_and_the_record_is_erased(client_for, personas, samples):
    erasure = samples["erasure_request"]
    person = samples["person"]
    client = client_for("admin")
    page = client.get(_detail(erasure)).content.decode()
    assert "Approve and erase" in page
    assert "Turn down" in page
    confirm = client.get(_detail(erasure), {"decide": "approve"}).content.decode()
    assert "You can&#x27;t undo this" in confirm or "You can't undo this" in confirm
    assert f"Erased person {person.reference}" in confirm
    assert "Yes, erase this record" in confirm
    response = client.post(_detail(erasure), {"action": "approve", "note": "Checked"})
    assert response["Location"] == _detail(erasure)
    erasure.refresh_from_db()
    person.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.APPROVED
    assert erasure.decided_by == personas.admin
    assert person.is_erased
    assert MARKER not in person.full_name
    page = client.get(_detail(erasure)).content.decode()
    assert "has been erased" in page
    assert f"Person {MARKER}" not in page  # the name is gone; the reason stays


def test_an_administrator_turns_a_request_down_with_a_reason(client_for, personas, samples):
    erasure = samples["erasure_request"]
    client = client_for("admin")
    assert (
        "Why are you turning it down?"
        in client.get(_detail(erasure), {"decide": "reject"}).content.decode()
    )
    body = client.post(_detail(erasure), {"action": "reject", "decision_note": ""}).content.decode()
    assert "Say why, so the person who asked knows" in body
    response = client.post(
        _detail(erasure), {"action": "reject", "decision_note": "We must keep it for a complaint"}
    )
    assert response.status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.REJECTED
    assert erasure.decision_note == "We must keep it for a complaint"
    samples["person"].refresh_from_db()
    assert not samples["person"].is_erased
    page = client_for("alice").get(_detail(erasure)).content.decode()
    assert "We must keep it for a complaint" in page


def test_a_request_is_decided_once(client_for, personas, samples):
    erasure = samples["erasure_request"]
    client = client_for("admin")
    client.post(_detail(erasure), {"action": "approve"})
    response = client.post(_detail(erasure), {"action": "approve"}, follow=True)
    assert response.status_code == 200
    assert "already been decided" in response.content.decode()
    again = client.post(_detail(erasure), {"action": "reject", "decision_note": "x"}, follow=True)
    assert again.status_code == 200
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.APPROVED
    with pytest.raises(ValidationError):
        erasure_request_approve(actor=personas.admin, request=erasure)


def test_whoever_asked_cannot_approve_their_own_request(client, personas, samples):
    # An administrator whose request was made in their name (say, logged before a change of
    # role) must still leave the decision to someone else.
    second = samples["organisation"].__class__.objects.create(
        name="Moray Council", slug="moray-council", kind="local_authority"
    )
    both = User.objects.create_user(email="both@a.example", password=None, full_name="Bea Both")
    Membership.objects.create(user=both, organisation=second, role=Role.ADMINISTRATOR)
    person = Person.objects.create(organisation=second, full_name="Gail Gordon")
    erasure = ErasureRequest.objects.create(
        organisation=second, person=person, reason="Asked", requested_by=both
    )
    with pytest.raises(PermissionDenied):
        erasure_request_approve(actor=both, request=erasure)
    TOTPDevice.objects.create(user=both, name="Authenticator app", confirmed=True)
    sign_in(client, both)
    page = client.get(_detail(erasure)).content.decode()
    assert "Waiting for another administrator" in page
    assert "Approve and erase" not in page
    response = client.post(_detail(erasure), {"action": "approve"}, follow=True)
    assert response.status_code == 200
    assert "someone else must approve it" in response.content.decode()
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING
    person.refresh_from_db()
    assert not person.is_erased


def test_a_participation_lead_cannot_approve(client_for, personas, samples):
    erasure = samples["erasure_request"]
    client = client_for("alice")
    response = client.post(_detail(erasure), {"action": "approve"}, follow=True)
    assert response.status_code == 200
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING
    assert not Person.objects.get(pk=samples["person"].pk).is_erased


def test_the_list_shows_waiting_requests_first(client_for, personas, samples):
    decided = ErasureRequest.objects.create(
        organisation=personas.council_a,
        person=_someone(personas),
        reason="Old",
        requested_by=personas.alice,
        status=ErasureRequest.Status.REJECTED,
    )
    client = client_for("admin")
    page = client.get(reverse("privacy:erasure_list"))
    rows = list(page.context["page_obj"])
    assert rows[0] == samples["erasure_request"]
    assert rows[1] == decided
    assert "2 requests" in page.content.decode()
    only = client.get(reverse("privacy:erasure_list"), {"status": "rejected"})
    assert list(only.context["page_obj"]) == [decided]
    assert (
        client.get(reverse("privacy:erasure_list"), {"status": "x", "page": "y"}).status_code == 200
    )


def test_the_list_runs_the_same_number_of_queries_for_many_requests(
    client_for, personas, samples, django_assert_max_num_queries
):
    client = client_for("alice")
    url = reverse("privacy:erasure_list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    people = Person.objects.bulk_create(
        Person(organisation=personas.council_a, full_name=f"Someone {i:03}") for i in range(40)
    )
    ErasureRequest.objects.bulk_create(
        ErasureRequest(
            organisation=personas.council_a, person=p, reason="x", requested_by=personas.alice
        )
        for p in people
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"page": 2})
    assert "41 requests" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Who may see what


def test_bob_and_erin_see_no_erasure_pages(client_for, samples):
    for persona in ("bob", "erin", "nina"):
        client = client_for(persona)
        assert client.get(reverse("privacy:erasure_list")).status_code == 404, persona
        assert client.get(_detail(samples["erasure_request"])).status_code == 404, persona
        assert (
            client.get(reverse("privacy:erasure_create", args=[samples["person"].pk])).status_code
            == 404
        ), persona


def test_only_participation_leads_ask_for_erasure(client_for, samples):
    url = reverse("privacy:erasure_create", args=[samples["person"].pk])
    assert client_for("admin").get(url).status_code == 404
    assert client_for("alice").get(url).status_code == 200


@pytest.mark.parametrize("persona", ["charlie", "dora"])
def test_another_councils_staff_get_404_and_change_nothing(client_for, personas, samples, persona):
    erasure = samples["erasure_request"]
    client = client_for(persona)
    assert client.get(_detail(erasure)).status_code == 404
    assert client.post(_detail(erasure), {"action": "approve"}).status_code == 404
    assert (
        client.post(
            reverse("privacy:erasure_create", args=[samples["person"].pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    listing = client.get(reverse("privacy:erasure_list"))
    assert listing.status_code == 200
    assert MARKER not in listing.content.decode()
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING
    assert not Person.objects.get(pk=samples["person"].pk).is_erased


def test_erin_cannot_ask_to_erase_anyone_through_the_staff_pages(client_for, personas):
    client = client_for("erin")
    url = reverse("privacy:erasure_create", args=[personas.erin_person.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_a_password_alone_does_not_let_an_administrator_erase(client, personas, samples):
    """The public privacy notice is at /privacy/; the staff pages below it still need the
    administrator's second sign-in step."""
    from tests.personas import PASSWORD

    erasure = samples["erasure_request"]
    client.post(reverse("accounts:login"), {"username": personas.admin.email, "password": PASSWORD})
    response = client.post(_detail(erasure), {"action": "approve"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING
    assert client.get(reverse("pages:privacy")).status_code == 200
