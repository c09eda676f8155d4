"""The JSON API for the national survey: GET /api/national/rounds and
GET /api/national/rounds/{year}/results.

nina (national coordinator of the body running round 2025) reads the rounds and their results;
charlie (council B), rhona (council A's survey respondent) and alice get an empty list and 404,
never 403; without credentials, 401. Results are the same as `manage.py national_results
--format json`, and on the demo database the source document's figures. The list runs a fixed
number of queries.
"""

import datetime
import json
from io import StringIO

import jsonschema_rs
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.accounts.models import User
from powershare.accounts.services import api_token_create
from powershare.national import services
from powershare.national.demo import COORDINATOR

ERROR_KEYS = {"code", "detail", "errors"}
OUTSIDERS = ["charlie", "rhona", "alice"]


def _rounds_url():
    return reverse("api-1.0:national_round_list")


def _results_url(year):
    return reverse("api-1.0:national_round_results", kwargs={"year": year})


def _token_client(user) -> Client:
    _, plain = api_token_create(user=user, name="Tests")
    return Client(headers={"Authorization": f"Bearer {plain}"})


def _ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def _assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code


def _validator(client, component: str):
    schema = client.get("/api/openapi.json").json()
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{component}", "components": schema["components"]}
    )


def _command_results(year) -> dict:
    out = StringIO()
    call_command("national_results", "--round", str(year), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_nina_lists_the_rounds_she_runs_with_their_counts(personas, samples):
    client = _token_client(personas.nina)
    body = _ok(client.get(_rounds_url()))
    assert body["count"] == 1
    (item,) = body["items"]
    survey_round = samples["survey_round"]
    assert item["id"] == survey_round.pk
    assert item["year"] == 2025
    assert item["period"] == "2024/25"
    assert item["organisation_id"] == personas.national.pk
    assert item["invited"] == 2
    assert item["returns"] == 1
    _validator(client, "NationalRoundOut").validate(item)


def test_nina_reads_the_results_as_the_command_prints_them(personas, samples):
    client = _token_client(personas.nina)
    body = _ok(client.get(_results_url(2025)))
    assert body == _command_results(2025)
    assert body["round"] == 2025
    assert (body["invited"], body["returns"]) == (2, 1)
    by_code = {q["code"]: q for q in body["questions"]}
    assert by_code["steering-group"]["answered"] == 1
    # One council is fewer than five: no yes figure.
    assert by_code["steering-group"]["yes"] is None
    assert by_code["steering-group"]["yes_pct"] is None
    _validator(client, "NationalResultsOut").validate(body)


def test_nina_gets_404_for_a_year_with_no_round(personas, samples):
    client = _token_client(personas.nina)
    _assert_error(client.get(_results_url(1999)), 404, "not_found")


def test_a_round_another_national_body_runs_answers_404_to_nina(personas, samples):
    from powershare.accounts.models import Organisation

    other = Organisation.objects.get(name="Care Inspectorate")
    services.round_create(
        actor=None,
        year=2031,
        opens_on=datetime.date(2031, 4, 1),
        closes_on=datetime.date(2031, 6, 30),
        organisation_id=other.pk,
        council_ids=[personas.council_a.pk],
        standard=False,
    )
    client = _token_client(personas.nina)
    _assert_error(client.get(_results_url(2031)), 404, "not_found")
    assert [item["year"] for item in _ok(client.get(_rounds_url()))["items"]] == [2025]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_everyone_else_gets_an_empty_list_and_404(personas, samples, persona):
    client = _token_client(personas.by_name(persona))
    assert _ok(client.get(_rounds_url())) == {"items": [], "count": 0}
    _assert_error(client.get(_results_url(2025)), 404, "not_found")


def test_without_credentials_the_api_answers_401(samples):
    client = Client()
    _assert_error(client.get(_rounds_url()), 401, "not_authenticated")
    _assert_error(client.get(_results_url(2025)), 401, "not_authenticated")


def test_a_year_out_of_range_is_refused_in_the_error_shape(personas, samples):
    client = _token_client(personas.nina)
    _assert_error(client.get(_results_url(10000)), 422, "invalid")


def _rounds(personas, start, stop):
    for year in range(start, stop):
        services.round_create(
            actor=personas.nina,
            year=year,
            opens_on=datetime.date(year, 4, 1),
            closes_on=datetime.date(year, 6, 30),
            council_ids=[personas.council_a.pk, personas.council_b.pk],
            standard=False,
        )


def _count(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_rounds_url(), {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def test_the_list_runs_a_fixed_number_of_queries(personas, samples):
    client = _token_client(personas.nina)
    client.get(_rounds_url())  # the token's first use is recorded once
    _rounds(personas, 2040, 2042)
    few, body = _count(client)
    assert body["count"] == 3
    _rounds(personas, 2042, 2050)
    many, body = _count(client)
    assert body["count"] == 11
    assert [item["year"] for item in body["items"]][:2] == [2049, 2048]
    assert all(item["invited"] == 2 for item in body["items"])
    assert many == few


def test_the_operations_are_in_the_api_description(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/national/rounds"]
    assert "get" in paths["/api/national/rounds/{year}/results"]


# ---------------------------------------------------------------------------------------------
# On the demo database


@pytest.fixture
def demo(demo_database, db):
    return None


def test_the_demo_coordinator_reads_round_2025_as_the_source_document_has_it(demo):
    client = _token_client(User.objects.get(email=COORDINATOR))
    rounds = {item["year"]: item for item in _ok(client.get(_rounds_url()))["items"]}
    assert (rounds[2025]["invited"], rounds[2025]["returns"]) == (32, 29)
    body = _ok(client.get(_results_url(2025)))
    assert (body["invited"], body["returns"]) == (32, 29)
    by_code = {q["code"]: q for q in body["questions"]}
    outcomes = [
        "early-signs-knowledge",
        "early-signs-understanding",
        "early-signs-leadership",
        "early-signs-environments",
        "early-signs-wellbeing",
    ]
    assert [by_code[code]["yes_pct"] for code in outcomes] == [100, 97, 97, 93, 90]
    assert by_code["steering-group"]["yes_pct"] == 79
    assert body == _command_results(2025)
