"""Schemathesis against the OpenAPI schema of a live test server (`make test-contract`).

The schema is loaded from the running server's /api/openapi.json, and every operation in it is
called with generated requests (Schemathesis's examples, coverage and fuzzing phases, valid and
invalid input), once with alice's personal API token and once with her browser session. Every
response must pass Schemathesis's default checks: no server errors; status codes, content
types, headers and bodies that conform to the schema; invalid input rejected and valid input
accepted; requests without credentials or with invalid ones refused; unsupported methods
refused. On top of that, whatever alice is shown must belong to council A.
"""

import pytest
import requests
import schemathesis
from django.conf import settings
from django.test import Client

from powershare.accounts.services import api_token_create
from powershare.engagement.models import Activity, Contribution, ContributionKind, UseLevel
from powershare.people.models import Person
from tests.personas import make_council_a_samples, make_personas

pytestmark = pytest.mark.contract

#: Examples per operation in the fuzzing phase; the schema is small, so this stays quick.
MAX_EXAMPLES = 30
#: The browser-session pass checks the second way in (the session cookie, its refusal when
#: missing or wrong) on every operation; the operations themselves are fuzzed in depth by the
#: token pass, so this one asks for fewer examples and keeps the run short.
SESSION_MAX_EXAMPLES = 10


@pytest.fixture
def personas(live_server, transactional_db):
    personas = make_personas()  # also puts back the default consent wording a flush removes
    make_council_a_samples(personas)
    # Someone on council B's register, whom alice must never see.
    personas.samples["council_b_person"] = Person.objects.create(
        organisation=personas.council_b, full_name="Angus Person"
    )
    _council_b_engagement(personas)
    return personas


def _council_b_engagement(personas):
    """An activity of council B's with a contribution, whom alice must never see either."""
    activity = Activity.objects.get(pk=personas.samples["activity"].pk)
    activity.pk = activity.id = None
    activity.organisation = personas.council_b
    activity.title = "Council B's panel"
    activity.save()
    personas.samples["council_b_activity"] = activity
    personas.samples["council_b_contribution"] = Contribution.objects.create(
        organisation=personas.council_b,
        activity=activity,
        group_label="Council B's group",
        group_consent_held_by="Council B's partner",
        kind=ContributionKind.VIEW,
        text="Said in council B",
        use_level=UseLevel.PUBLIC,
    )


def _schema(
    live_server, personas, auth: dict[str, dict[str, str]], max_examples: int = MAX_EXAMPLES
):
    known_ids = [personas.council_a.pk, personas.council_b.pk, personas.national.pk]
    people = [
        personas.samples["person"],
        personas.erin_person,
        personas.samples["council_b_person"],
    ]
    samples = personas.samples
    activities = [samples["activity"], samples["council_b_activity"]]
    contributions = [
        samples["contribution"],
        samples["erin_contribution"],
        samples["council_b_contribution"],
    ]
    invitations = [samples["invitation"], samples["erin_invitation"]]
    # Real questionnaire codes (council A's, with answers, and erin's course's), so results
    # with data are checked against the schema, not only 404s.
    questionnaires = [
        samples["questionnaire"].code,
        samples["public_answer_link"].questionnaire.code,
    ]
    config = schemathesis.Config.from_dict(
        {
            "base-url": live_server.url,
            # Credentials per security scheme, so Schemathesis knows which are real and can
            # check that requests without them, or with invalid ones, are refused.
            "auth": {"openapi": auth},
            "request-timeout": 10,
            # Hypothesis's example database would otherwise land in .hypothesis/ in the repo.
            "generation": {"max-examples": max_examples, "database": "none"},
            # Half the organisation ids are real ones (alice's own and two she must not see),
            # so responses with data are checked too, not only 404s.
            "dictionaries": {
                "organisations": {"values": known_ids},
                "people": {"values": [person.pk for person in people]},
                "activities": {"values": [activity.pk for activity in activities]},
                "contributions": {"values": [c.pk for c in contributions]},
                "invitations": {"values": [invitation.pk for invitation in invitations]},
                "questionnaires": {"values": questionnaires},
                "products": {"values": [samples["product"].pk, samples["erin_product"].pk]},
                "frameworks": {"values": [samples["framework"].pk]},
                "assessments": {"values": [samples["assessment"].pk]},
                "actions": {"values": [samples["action"].pk, samples["group_action"].pk]},
                "meetings": {"values": [samples["meeting"].pk, samples["next_meeting"].pk]},
                "years": {"values": [samples["survey_round"].year]},
            },
            "parameters": {
                "path.organisation_id": {"dictionary": "organisations", "probability": 0.5},
                "path.person_id": {"dictionary": "people", "probability": 0.5},
                "path.activity_id": {"dictionary": "activities", "probability": 0.5},
                "path.contribution_id": {"dictionary": "contributions", "probability": 0.5},
                "path.invitation_id": {"dictionary": "invitations", "probability": 0.5},
                "path.code": {"dictionary": "questionnaires", "probability": 0.5},
                "path.product_id": {"dictionary": "products", "probability": 0.5},
                "path.framework_id": {"dictionary": "frameworks", "probability": 0.5},
                "path.assessment_id": {"dictionary": "assessments", "probability": 0.5},
                "path.action_id": {"dictionary": "actions", "probability": 0.5},
                "path.meeting_id": {"dictionary": "meetings", "probability": 0.5},
                "path.year": {"dictionary": "years", "probability": 0.5},
            },
            "suppress-health-check": ["too_slow", "filter_too_much"],
            # Recording a consent decision has a rule no schema can say: the decision can't be
            # in the future. A valid-looking request dated tomorrow gets 422, rightly.
            "operations": [
                {
                    "include-path": "/api/people/{person_id}/consents",
                    "include-method": "POST",
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2xx", "401", "403", "404", "422"]
                        }
                    },
                },
                {
                    # A person's totals are for a day between 2000 and 2100 (weeks, months
                    # and tax years around a day in year 1 or 9999 don't exist); the schema
                    # can't say so for a date, so another day rightly gets 422.
                    "include-path-regex": "payment-totals$",
                    "include-method": "GET",
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2xx", "401", "403", "404", "422"]
                        }
                    },
                },
                {
                    # A well-formed body can rightly be refused: contributions of another
                    # activity, an owner who is not on the organisation's staff.
                    "include-path": "/api/activities/{activity_id}/responses",
                    "include-method": "POST",
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": ["2xx", "401", "403", "404", "422"]
                        }
                    },
                },
            ],
        }
    )
    return schemathesis.openapi.from_url(
        f"{live_server.url}/api/openapi.json", config=config, timeout=10
    )


@pytest.fixture
def token_schema(live_server, personas):
    _, plain = api_token_create(user=personas.alice, name="Contract tests")
    return _schema(live_server, personas, {"PersonalTokenAuth": {"bearer": plain}})


@pytest.fixture
def session_schema(live_server, personas):
    client = Client()
    client.force_login(personas.alice)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return _schema(
        live_server,
        personas,
        {"VerifiedSessionAuth": {"api_key": session_key}},
        max_examples=SESSION_MAX_EXAMPLES,
    )


def _call_and_validate(case, personas):
    response = case.call()
    case.validate_response(response)
    _assert_only_council_a(case, response, personas)


def _assert_only_council_a(case, response, personas):
    """Whatever alice (council A) is shown belongs to council A."""
    if response.status_code != 200:
        return
    body = response.json()
    own = personas.council_a.pk
    if case.operation.path == "/api/organisations":
        assert [item["id"] for item in body] == [own]
    elif case.operation.path == "/api/organisations/{organisation_id}":
        assert body["id"] == own
    elif case.operation.path == "/api/me":
        assert body["email"] == personas.alice.email
        assert {m["organisation_id"] for m in body["memberships"]} == {own}
    elif case.operation.path == "/api/people":
        assert {item["organisation_id"] for item in body["items"]} <= {own}
    elif case.operation.path == "/api/people/{person_id}":
        assert body["organisation_id"] == own
    elif case.operation.path == "/api/people/{person_id}/consents":
        person_id = case.path_parameters["person_id"]
        assert Person.objects.get(pk=person_id).organisation_id == own
    elif case.operation.path in ("/api/activities", "/api/contributions"):
        assert "council b" not in response.text.lower()
        if case.operation.path == "/api/activities":
            assert {item["organisation_id"] for item in body["items"]} <= {own}
    elif case.operation.path == "/api/activities/{activity_id}":
        assert body["organisation_id"] == own
    elif case.operation.path in ("/api/payments", "/api/expense-claims"):
        assert {item["organisation_id"] for item in body["items"]} <= {own}
    elif case.operation.path in ("/api/payments/{payment_id}", "/api/expense-claims/{claim_id}"):
        assert body["organisation_id"] == own
    elif case.operation.path == "/api/people/{person_id}/payment-totals":
        person_id = case.path_parameters["person_id"]
        assert Person.objects.get(pk=person_id).organisation_id == own
    elif case.operation.path in (
        "/api/activities/{activity_id}/invitations",
        "/api/contributions/{contribution_id}",
    ):
        assert "council b" not in response.text.lower()
        activity_id = case.path_parameters.get("activity_id")
        if activity_id is not None:
            assert Activity.objects.get(pk=activity_id).organisation_id == own


token_api = schemathesis.pytest.from_fixture("token_schema")
session_api = schemathesis.pytest.from_fixture("session_schema")


@token_api.parametrize()
def test_every_operation_with_a_personal_token(case, personas):
    _call_and_validate(case, personas)


@session_api.parametrize()
def test_every_operation_with_a_browser_session(case, personas):
    _call_and_validate(case, personas)


def test_the_live_schema_is_openapi_3_1_and_lists_the_api(live_server, personas):
    response = requests.get(f"{live_server.url}/api/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.1.")
    assert {"/api/me", "/api/organisations", "/api/organisations/{organisation_id}"} <= set(
        schema["paths"]
    )
    assert set(schema["components"]["securitySchemes"]) == {
        "VerifiedSessionAuth",
        "PersonalTokenAuth",
    }
