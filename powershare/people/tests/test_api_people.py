"""The JSON API for the people register and consent (/api/people…, /api/me/consents…).

Who may do what, as on the web pages: alice (participation lead, council A) reads and records;
admin (administrator, council A) reads but does not record; bob (facilitator) and erin (an
expert by experience with no staff role) get 404 for the register; charlie (council B) never
sees council A's people. Erin reads and changes her own choices under /api/me/consents.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership
from powershare.accounts.roles import Role
from powershare.accounts.services import api_token_create
from powershare.audit.models import AccessEvent
from powershare.people.models import (
    ConsentPurpose,
    ConsentRecord,
    LivedExperienceArea,
    Person,
    PersonStatus,
)
from powershare.people.selectors import may_we
from tests.personas import MARKER

ERROR_KEYS = {"code", "detail", "errors"}
CSRF_SECRET = "c" * 32


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code
    assert body["detail"]
    return body


def _bearer(user) -> dict:
    _, plain = api_token_create(user=user, name="API test")
    return {"Authorization": f"Bearer {plain}"}


def _list_url():
    return reverse("api-1.0:person_list")


def _detail_url(person):
    return reverse("api-1.0:person_detail", kwargs={"person_id": person.pk})


def _consents_url(person):
    return reverse("api-1.0:person_consent_list", kwargs={"person_id": person.pk})


def _withdraw_url(purpose):
    return reverse("api-1.0:my_consent_withdraw", kwargs={"purpose": purpose})


def _agree_url(purpose):
    return reverse("api-1.0:my_consent_agree", kwargs={"purpose": purpose})


def _post_json(client, url, data, **kwargs):
    return client.post(url, data, content_type="application/json", **kwargs)


def _records_of(person) -> int:
    return ConsentRecord.objects.filter(person=person).count()


WRITTEN_AGREEMENT = {"purpose": "take_part", "decision": "given", "method": "written"}


@pytest.fixture
def council_b_person(personas):
    return Person.objects.create(
        organisation=personas.council_b, full_name="Fergus Council-B", age_band="26_64"
    )


# The list ------------------------------------------------------------------------------------


def test_alice_lists_her_councils_people_with_minimal_fields(client_for, personas, samples):
    response = client_for("alice").get(_list_url())
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_id = {item["id"]: item for item in body["items"]}
    erin = by_id[personas.erin_person.pk]
    assert erin == {
        "id": personas.erin_person.pk,
        "reference": personas.erin_person.reference,
        "name": "Erin",
        "full_name": "Erin Edwards",
        "status": "active",
        "resting_until": None,
        "areas": [],
        "organisation_id": personas.council_a.pk,
        "has_portal_login": True,
    }
    sample = by_id[samples["person"].pk]
    assert sample["areas"] == [samples["area"].name]
    assert sample["has_portal_login"] is False
    assert "email" not in sample
    assert "access_needs" not in sample


def test_the_list_searches_and_filters(client_for, personas, samples):
    client = client_for("alice")

    def names(**params):
        return [item["full_name"] for item in client.get(_list_url(), params).json()["items"]]

    assert names(q="erin") == ["Erin Edwards"]
    assert names(q="07700 900 555") == ["Erin Edwards"]
    assert names(area=samples["area"].pk) == [samples["person"].full_name]
    assert names(status="resting") == []
    Person.objects.filter(pk=personas.erin_person.pk).update(status=PersonStatus.RESTING)
    assert names(status="resting") == ["Erin Edwards"]
    assert names(q="a\x00b") == []


def test_the_list_is_paginated_with_at_most_100_a_page(client_for, personas, samples):
    client = client_for("alice")
    page = client.get(_list_url(), {"page_size": 1, "page": 2}).json()
    assert page["count"] == 2
    assert len(page["items"]) == 1
    assert client.get(_list_url(), {"page": 3, "page_size": 1}).json()["items"] == []
    body = _assert_error(client.get(_list_url(), {"page_size": 101}), 422, "invalid")
    assert [e["field"] for e in body["errors"]] == ["page_size"]
    for bad in ({"page": 0}, {"status": "asleep"}, {"area": "x"}, {"q": "x" * 201}):
        _assert_error(client.get(_list_url(), bad), 422, "invalid")


def test_the_list_runs_a_fixed_number_of_queries(
    client_for, personas, django_assert_max_num_queries
):
    area = LivedExperienceArea.objects.create(organisation=personas.council_a, name="Care")

    def add(count, start):
        people = Person.objects.bulk_create(
            Person(organisation=personas.council_a, full_name=f"Person {start + i:03}")
            for i in range(count)
        )
        area.people.add(*people)

    add(10, 0)
    client = client_for("alice")
    client.get(_list_url(), {"page_size": 100})
    with django_assert_max_num_queries(12) as few:
        assert len(client.get(_list_url(), {"page_size": 100}).json()["items"]) == 11
    add(190, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(_list_url(), {"page_size": 100}).json()
    assert body["count"] == 201
    assert len(body["items"]) == 100
    assert all(item["areas"] == ["Care"] for item in body["items"] if item["name"] != "Erin")


def test_charlies_list_holds_his_councils_people_only(client_for, samples, council_b_person):
    body = client_for("charlie").get(_list_url()).json()
    assert [item["id"] for item in body["items"]] == [council_b_person.pk]
    assert MARKER not in str(body)


@pytest.mark.parametrize("persona", ["bob", "nina", "erin"])
def test_roles_that_cant_see_the_register_get_404_for_the_list(client_for, samples, persona):
    response = client_for(persona).get(_list_url())
    _assert_error(response, 404, "not_found")
    assert MARKER not in response.content.decode()


def test_the_administrator_reads_the_list(client_for, samples):
    assert client_for("admin").get(_list_url()).json()["count"] == 2


# One person ----------------------------------------------------------------------------------


def test_alice_reads_a_persons_details_needs_and_consent_summary(client_for, personas, samples):
    person = samples["person"]
    response = client_for("alice").get(_detail_url(person))
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == person.reference
    assert body["email"] == person.email
    assert body["access_needs"] == f"Needs {MARKER}"
    assert body["areas"] == [samples["area"].name]
    assert body["needs_guardian_consent"] is False
    consents = {c["purpose"]: c for c in body["consents"]}
    assert list(consents) == ConsentPurpose.values
    assert consents["contact"]["decision"] == "given"
    assert consents["contact"]["may_we"]["allowed"] is True
    assert consents["take_part"]["decision"] is None
    assert consents["take_part"]["may_we"] == {
        "allowed": False,
        "reason": "They have not been asked about this: take part in activities.",
        "conditions": [],
    }


def test_reading_a_person_is_logged_by_reference_never_by_name(client_for, personas, samples):
    person = samples["person"]
    client_for("alice").get(_detail_url(person))
    event = AccessEvent.objects.get(subject_id=str(person.pk))
    assert event.user == personas.alice
    assert event.organisation == personas.council_a
    assert event.description.startswith(f"{person.reference}: record viewed")
    assert person.full_name not in event.description
    assert event.path == _detail_url(person)


def test_the_administrator_reads_a_person(client_for, samples):
    assert client_for("admin").get(_detail_url(samples["person"])).status_code == 200


@pytest.mark.parametrize("persona", ["bob", "charlie", "dora", "nina", "erin"])
def test_a_person_outside_your_register_is_404(client_for, personas, samples, persona):
    client = client_for(persona)
    for person in (samples["person"], personas.erin_person):
        for url in (_detail_url(person), _consents_url(person)):
            response = client.get(url)
            _assert_error(response, 404, "not_found")
            assert MARKER not in response.content.decode()
            assert "Erin" not in response.content.decode()
    assert not AccessEvent.objects.exists()


def test_a_person_who_does_not_exist_or_was_erased_is_the_same_404(client_for, samples):
    client = client_for("alice")
    _assert_error(client.get("/api/people/999999"), 404, "not_found")
    Person.objects.filter(pk=samples["person"].pk).update(erased_at=timezone.now())
    _assert_error(client.get(_detail_url(samples["person"])), 404, "not_found")


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", str(2**63)])
def test_an_invalid_person_id_is_422(client_for, bad_id):
    body = _assert_error(client_for("alice").get(f"/api/people/{bad_id}"), 422, "invalid")
    assert [e["field"] for e in body["errors"]] == ["person_id"]


# Consent records -----------------------------------------------------------------------------


def test_alice_reads_a_persons_consent_records(client_for, personas, samples):
    person = samples["person"]
    response = client_for("alice").get(_consents_url(person))
    assert response.status_code == 200
    [record] = response.json()
    stored = ConsentRecord.objects.get(person=person)
    assert record == {
        "id": stored.pk,
        "purpose": "contact",
        "purpose_label": "Be contacted",
        "decision": "given",
        "given_by": "person",
        "guardian_name": "",
        "method": "written",
        "note": f"Form {MARKER}",
        "statement_id": stored.statement_id,
        "statement_version": stored.statement.version,
        "recorded_at": record["recorded_at"],
        "recorded_by": "Alice Anderson",
    }
    event = AccessEvent.objects.get(subject_id=str(person.pk))
    assert event.description.startswith(f"{person.reference}: consent records viewed")


def test_alice_records_a_decision_and_it_counts_at_once(client_for, personas, samples):
    person = samples["person"]
    assert not may_we(person=person, purpose="take_part")
    response = _post_json(client_for("alice"), _consents_url(person), WRITTEN_AGREEMENT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["purpose"] == "take_part"
    assert body["decision"] == "given"
    assert body["method"] == "written"
    assert body["recorded_by"] == "Alice Anderson"
    record = ConsentRecord.objects.get(pk=body["id"])
    assert record.recorded_by == personas.alice
    assert may_we(person=person, purpose="take_part")


def test_a_guardians_decision_with_its_time_and_note(client_for, samples):
    when = (timezone.now() - datetime.timedelta(days=2)).replace(microsecond=0)
    data = {
        "purpose": "photos_video",
        "decision": "withdrawn",
        "method": "verbal",
        "given_by": "guardian",
        "guardian_name": "  Pat Parent ",
        "note": "Phoned in",
        "recorded_at": when.isoformat(),
    }
    response = _post_json(client_for("alice"), _consents_url(samples["person"]), data)
    assert response.status_code == 201, response.content
    record = ConsentRecord.objects.get(pk=response.json()["id"])
    assert (record.given_by, record.guardian_name, record.note) == (
        "guardian",
        "Pat Parent",
        "Phoned in",
    )
    assert record.recorded_at == when


def test_the_services_rules_come_back_as_field_errors(client_for, samples):
    data = {
        **WRITTEN_AGREEMENT,
        "given_by": "guardian",
        "recorded_at": (timezone.now() + datetime.timedelta(days=1)).isoformat(),
    }
    response = _post_json(client_for("alice"), _consents_url(samples["person"]), data)
    body = _assert_error(response, 422, "invalid")
    assert {e["field"] for e in body["errors"]} == {"guardian_name", "recorded_at"}
    assert _records_of(samples["person"]) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "gossip"}, "purpose"),
        ({"decision": "maybe"}, "decision"),
        ({"method": "online"}, "method"),
        ({"given_by": "neighbour"}, "given_by"),
        ({"note": "x" * 301}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"recorded_at": "2026-01-01T10:00:00"}, "recorded_at"),  # no time zone
        ({"recorded_at": "0001-01-01T00:00:00+05:00"}, "recorded_at"),
        ({"recorded_at": 0}, "recorded_at"),  # not seconds since 1970
    ],
)
def test_invalid_input_is_422_naming_the_field(client_for, samples, change, field):
    data = {**WRITTEN_AGREEMENT, **change}
    response = _post_json(client_for("alice"), _consents_url(samples["person"]), data)
    body = _assert_error(response, 422, "invalid")
    assert [e["field"] for e in body["errors"]] == [field]
    assert _records_of(samples["person"]) == 1


def test_a_missing_body_is_422_and_a_broken_one_400(client_for, samples):
    client = client_for("alice")
    url = _consents_url(samples["person"])
    body = _assert_error(_post_json(client, url, {}), 422, "invalid")
    assert {e["field"] for e in body["errors"]} == {"purpose", "decision", "method"}
    _assert_error(client.post(url, "{not json", content_type="application/json"), 400, "error")


@pytest.mark.parametrize("persona", ["admin", "bob", "charlie", "dora", "erin"])
def test_only_those_who_manage_the_register_record_decisions_others_get_404(
    client_for, samples, persona
):
    """Even the administrator, who can read the record, gets 404: as on the web pages, a
    change you may not make answers 404."""
    response = _post_json(client_for(persona), _consents_url(samples["person"]), WRITTEN_AGREEMENT)
    _assert_error(response, 404, "not_found")
    assert _records_of(samples["person"]) == 1


def test_staff_cant_record_decisions_on_their_own_record(client_for, personas, samples):
    Membership.objects.create(
        user=personas.erin, organisation=personas.council_a, role=Role.PARTICIPATION_LEAD
    )
    url = _consents_url(personas.erin_person)
    body = _assert_error(_post_json(client_for("erin"), url, WRITTEN_AGREEMENT), 403, "forbidden")
    assert "your own record" in body["detail"]


# Personal API tokens and CSRF ----------------------------------------------------------------


def test_alice_reads_and_records_with_a_personal_token(personas, samples):
    client = Client(enforce_csrf_checks=True)
    headers = _bearer(personas.alice)
    assert client.get(_list_url(), headers=headers).json()["count"] == 2
    assert client.get(_detail_url(samples["person"]), headers=headers).status_code == 200
    response = _post_json(
        client, _consents_url(samples["person"]), WRITTEN_AGREEMENT, headers=headers
    )
    assert response.status_code == 201, response.content
    assert ConsentRecord.objects.get(pk=response.json()["id"]).recorded_by == personas.alice


def test_charlies_token_doesnt_open_council_a(personas, samples):
    headers = _bearer(personas.charlie)
    client = Client()
    _assert_error(client.get(_detail_url(samples["person"]), headers=headers), 404, "not_found")
    response = _post_json(
        client, _consents_url(samples["person"]), WRITTEN_AGREEMENT, headers=headers
    )
    _assert_error(response, 404, "not_found")


def test_a_session_write_needs_the_csrf_token(personas, samples):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.alice)
    url = _consents_url(samples["person"])
    _assert_error(_post_json(client, url, WRITTEN_AGREEMENT), 403, "error")
    assert _records_of(samples["person"]) == 1
    client.cookies["csrftoken"] = CSRF_SECRET
    response = _post_json(client, url, WRITTEN_AGREEMENT, headers={"X-CSRFToken": CSRF_SECRET})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("method", "url_name", "kwargs"),
    [
        ("get", "api-1.0:person_list", {}),
        ("get", "api-1.0:person_detail", {"person_id": 1}),
        ("get", "api-1.0:person_consent_list", {"person_id": 1}),
        ("post", "api-1.0:person_consent_create", {"person_id": 1}),
        ("get", "api-1.0:my_consent_list", {}),
        ("post", "api-1.0:my_consent_withdraw", {"purpose": "contact"}),
        ("post", "api-1.0:my_consent_agree", {"purpose": "contact"}),
    ],
)
def test_without_signing_in_every_operation_is_401(client, db, method, url_name, kwargs):
    response = getattr(client, method)(reverse(url_name, kwargs=kwargs))
    _assert_error(response, 401, "not_authenticated")


# Your own choices ----------------------------------------------------------------------------


def test_erin_reads_her_own_choices_with_the_words_she_agreed_to(client_for, personas, samples):
    response = client_for("erin").get(reverse("api-1.0:my_consent_list"))
    assert response.status_code == 200
    body = response.json()
    assert [c["purpose"] for c in body] == ConsentPurpose.values
    contact = body[0]
    assert contact["decision"] == "given"
    assert contact["decided_on_version"] == 1
    assert contact["statement"]["title"] == "Contact me"
    assert contact["statement"]["version"] == 1
    assert contact["statement"]["text"]
    assert contact["may_we"]["allowed"] is True
    quote = next(c for c in body if c["purpose"] == "quote_named")
    assert quote["decision"] is None
    assert quote["may_we"]["allowed"] is False
    assert MARKER not in response.content.decode()


def test_erin_withdraws_and_it_counts_at_once(client_for, personas):
    client = client_for("erin")
    response = client.post(_withdraw_url("contact"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["purpose"] == "contact"
    assert body["decision"] == "withdrawn"
    assert body["may_we"]["allowed"] is False
    assert not may_we(person=personas.erin_person, purpose="contact")
    record = ConsentRecord.objects.filter(person=personas.erin_person, purpose="contact").first()
    assert (record.decision, record.method, record.recorded_by) == (
        "withdrawn",
        "online",
        personas.erin,
    )
    listed = client.get(reverse("api-1.0:my_consent_list")).json()
    assert listed[0]["decision"] == "withdrawn"
    assert listed[0]["may_we"]["allowed"] is False


def test_erins_own_choices_speak_to_her_not_about_her(client_for, personas):
    from powershare.people import services

    services.person_update_by_self(
        user=personas.erin, person=personas.erin_person, check_with_support_contact=True
    )
    client = client_for("erin")
    contact = client.get(reverse("api-1.0:my_consent_list")).json()[0]
    assert contact["may_we"]["reason"] == "You said yes."
    assert contact["may_we"]["conditions"] == [
        "We will check with your support contact before we contact you."
    ]
    withdrawn = client.post(_withdraw_url("contact")).json()
    assert withdrawn["may_we"]["reason"] == "You said no."
    everything = client.get(reverse("api-1.0:my_consent_list")).content.decode()
    assert "They " not in everything
    # Staff reading her record get the staff wording.
    staff = client_for("alice").get(f"/api/people/{personas.erin_person.pk}").json()
    assert any(c["may_we"]["reason"].startswith("They ") for c in staff["consents"])


def test_erin_agrees_again(client_for, personas):
    client = client_for("erin")
    client.post(_withdraw_url("take_part"))
    response = client.post(_agree_url("take_part"))
    assert response.status_code == 200
    assert response.json()["may_we"]["allowed"] is True
    assert may_we(person=personas.erin_person, purpose="take_part")


def test_an_unknown_purpose_is_404(client_for, personas):
    client = client_for("erin")
    for url in (_withdraw_url("gossip"), _agree_url("gossip")):
        _assert_error(client.post(url), 404, "not_found")
    assert ConsentRecord.objects.filter(person=personas.erin_person).count() == 2


@pytest.mark.parametrize("persona", ["alice", "charlie", "admin"])
def test_staff_without_a_person_record_get_404_for_your_choices(client_for, samples, persona):
    client = client_for(persona)
    _assert_error(client.get(reverse("api-1.0:my_consent_list")), 404, "not_found")
    _assert_error(client.post(_withdraw_url("contact")), 404, "not_found")
    assert ConsentRecord.objects.filter(decision="withdrawn").count() == 0


def test_erins_withdrawal_by_session_needs_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.erin)
    _assert_error(client.post(_withdraw_url("contact")), 403, "error")
    assert may_we(person=personas.erin_person, purpose="contact")
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post(_withdraw_url("contact"), headers={"X-CSRFToken": CSRF_SECRET})
    assert response.status_code == 200
    assert not may_we(person=personas.erin_person, purpose="contact")


def test_your_choices_dont_clash_with_who_you_are(client_for, personas):
    client = client_for("erin")
    me = client.get(reverse("api-1.0:me"))
    assert me.status_code == 200
    assert me.json()["email"] == personas.erin.email
    assert me.json()["memberships"] == []
    assert isinstance(client.get(reverse("api-1.0:my_consent_list")).json(), list)


def test_the_schema_documents_every_people_operation(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/people/{person_id}/consents"]) == {"get", "post"}
    create = paths["/api/people/{person_id}/consents"]["post"]
    assert set(create["responses"]) == {"201", "400", "401", "403", "404", "422"}
    assert "404" in create["description"]
    for route in ("/api/me/consents/{purpose}/withdraw", "/api/me/consents/{purpose}/agree"):
        [parameter] = paths[route]["post"]["parameters"]
        assert parameter["schema"]["enum"] == ConsentPurpose.values
