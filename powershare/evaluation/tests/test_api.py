"""The JSON API for evaluation: /api/questionnaires (with each one's questions and results) and
/api/learning/products/{id}/evaluation.

alice (participation lead, council A) and bob (facilitator: his role sees learning) read
council A's questionnaires and results; charlie (council B), nina (national) and erin (on the
register, no staff role) get empty lists and 404s, never 403. The results are exactly what
evaluation.selectors computes, and the responses match the published schema.
"""

import datetime

import jsonschema_rs
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.services import api_token_create
from powershare.evaluation import selectors, services
from powershare.evaluation.models import (
    Answer,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireResponse,
    QuestionPurpose,
    QuestionType,
    TextAnswer,
)
from powershare.evaluation.tallies import tallies_add
from powershare.learning.models import Delivery
from tests.personas import MARKER, sign_in

ERROR_KEYS = {"code", "detail", "errors"}
OUTSIDERS = ["charlie", "nina", "erin"]
TODAY = datetime.date(2025, 3, 4)


def _url(name, **kwargs):
    return reverse(f"api-1.0:{name}", kwargs=kwargs)


def _client(personas, name) -> Client:
    """Staff by personal token; erin (who has no staff role) by her browser session."""
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


def _schema_validator(client, component: str):
    """A validator for one of the published schema's components, $refs and all."""
    schema = client.get("/api/openapi.json").json()
    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{component}", "components": schema["components"]}
    )


def _every_kind(personas, samples) -> Questionnaire:
    """A questionnaire with a question of each type: 6 responses at council A (shown by site),
    2 imported from a place that is not an organisation (too few to show)."""
    questionnaire = Questionnaire.objects.create(
        organisation=personas.council_a,
        code="every-kind",
        title="Every kind of question",
        kind=QuestionnaireKind.CUSTOM,
        product=samples["product"],
    )

    def question(position, code, type, **fields):
        return Question.objects.create(
            questionnaire=questionnaire,
            position=position,
            code=code,
            text=f"Question {code}",
            type=type,
            **fields,
        )

    likert = question(1, "agree", QuestionType.LIKERT, allow_prefer_not=True)
    yes_no = question(2, "yes-no", QuestionType.YES_NO)
    single = question(3, "one", QuestionType.SINGLE)
    multiple = question(4, "any", QuestionType.MULTIPLE)
    for q in (single, multiple):
        Choice.objects.bulk_create(
            Choice(question=q, value=v, label=label) for v, label in ((1, "Red"), (2, "Blue"))
        )
    number = question(5, "how-many", QuestionType.NUMBER)
    words = question(6, "words", QuestionType.TEXT)
    rows = [
        # site, likert, yes/no, single, multiple, number, text
        (personas.council_a, 4, 1, 1, [1, 2], 3, "Good"),
        (personas.council_a, 5, 1, 2, [1], 7, ""),
        (personas.council_a, 2, 0, None, [], None, "Fine"),
        (personas.council_a, 0, None, 1, [2], 5, ""),
        (personas.council_a, None, 1, 1, [1], 1, ""),
        (personas.council_a, 3, 0, 2, [], None, ""),
        ("Harbour Hall", 4, 1, 1, [1], 2, ""),
        ("Harbour Hall", 1, None, None, [2], None, ""),
    ]
    for site, *values in rows:
        response = QuestionnaireResponse.objects.create(
            questionnaire=questionnaire,
            site=site if not isinstance(site, str) else None,
            site_label=site if isinstance(site, str) else "",
            delivery=samples["delivery"] if not isinstance(site, str) else None,
            submitted_on=TODAY,
        )
        likert_value, yes_value, single_value, ticks, number_value, text = values
        answers = [
            (likert, likert_value),
            (yes_no, yes_value),
            (single, single_value),
            (number, number_value),
            *((multiple, tick) for tick in ticks),
        ]
        Answer.objects.bulk_create(
            Answer(response=response, question=q, value=v) for q, v in answers if v is not None
        )
        if text:
            TextAnswer.objects.create(response=response, question=words, text=text)
        tallies_add(response_id=response.pk)  # as the services do when they store answers
    return questionnaire


# Questionnaires ------------------------------------------------------------------------------


def test_alice_lists_her_councils_questionnaires(personas, samples):
    response = _client(personas, "alice").get(_url("questionnaire_list"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_code = {item["code"]: item for item in body["items"]}
    assert set(by_code) == {"a-sample-pre", "listening-well-post"}
    assert by_code["a-sample-pre"] == {
        "code": "a-sample-pre",
        "title": f"Before {MARKER}",
        "kind": "pre",
        "kind_label": "Before the learning (pre)",
        "organisation_id": personas.council_a.pk,
        "product_id": samples["product"].pk,
        "product_slug": samples["product"].slug,
        "is_standard": False,
        "responses": 2,
        "question_count": 2,
    }


def test_the_list_filters_by_product_kind_and_search(personas, samples):
    client = _client(personas, "alice")
    url = _url("questionnaire_list")
    by_product = client.get(url, {"product_id": samples["erin_product"].pk}).json()["items"]
    assert [q["code"] for q in by_product] == ["listening-well-post"]
    by_kind = client.get(url, {"kind": "pre"}).json()["items"]
    assert [q["code"] for q in by_kind] == ["a-sample-pre"]
    found = client.get(url, {"search": "listening"}).json()["items"]
    assert [q["code"] for q in found] == ["listening-well-post"]
    _assert_error(client.get(url, {"kind": "sideways"}), 422, "invalid")
    _assert_error(client.get(url, {"product_id": 0}), 422, "invalid")


def test_a_questionnaire_with_its_sections_and_questions(personas, samples):
    questionnaire = samples["questionnaire"]
    services.question_close(actor=personas.alice, question=samples["text_question"])
    response = _client(personas, "alice").get(_url("questionnaire_detail", code=questionnaire.code))
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "a-sample-pre"
    assert body["responses"] == 2
    assert body["paired_with"] is None
    assert body["small_group_threshold"] == 5
    assert body["sections"] == [{"position": 1, "title": f"Section {MARKER}", "intro": ""}]
    outcome, words = body["questions"]
    assert outcome == {
        "code": "ilo-1",
        "position": 1,
        "section": 1,
        "text": f"Outcome statement {MARKER}",
        "help_text": "",
        "type": "likert",
        "purpose": "outcome",
        "required": False,
        "allow_prefer_not": False,
        "outcome": 1,
        "quotable": False,
        "closed": False,
        "choices": [],
    }
    assert words["code"] == "will-do-next"
    assert (words["type"], words["purpose"], words["outcome"]) == ("text", "next_steps", None)
    assert words["quotable"] is True
    assert words["closed"] is True
    _schema_validator(Client(), "QuestionnaireDetailOut").validate(body)


def test_choices_are_listed_with_their_values(personas, samples):
    _every_kind(personas, samples)
    body = _client(personas, "alice").get(_url("questionnaire_detail", code="every-kind")).json()
    one = next(q for q in body["questions"] if q["code"] == "one")
    assert one["choices"] == [{"value": 1, "label": "Red"}, {"value": 2, "label": "Blue"}]


def test_an_unknown_or_malformed_code(personas, samples):
    client = _client(personas, "alice")
    _assert_error(client.get(_url("questionnaire_detail", code="no-such-thing")), 404, "not_found")
    _assert_error(client.get(_url("questionnaire_results", code="no-such-thing")), 404, "not_found")
    body = _assert_error(client.get("/api/questionnaires/not%20a%20code"), 422, "invalid")
    assert body["errors"][0]["field"] == "code"
    _assert_error(client.get("/api/questionnaires/" + "a" * 61), 422, "invalid")


# Results -------------------------------------------------------------------------------------


def test_results_are_exactly_what_the_selector_counts(personas, samples):
    questionnaire = _every_kind(personas, samples)
    client = _client(personas, "alice")
    response = client.get(_url("questionnaire_results", code="every-kind"))
    assert response.status_code == 200
    body = response.json()
    assert body == selectors.questionnaire_results(questionnaire=questionnaire).as_dict()
    assert set(body) == {"questionnaire", "responses", "questions"}
    assert body["questionnaire"] == "every-kind"
    assert body["responses"] == 8
    agree, yes_no, one, any_, how_many, words = body["questions"]
    assert agree == {
        "code": "agree",
        "text": "Question agree",
        "type": "likert",
        "answered": 6,
        "counts": {
            "Strongly disagree": 1,
            "Disagree": 1,
            "Neither agree nor disagree": 1,
            "Agree": 2,
            "Strongly agree": 1,
            "Prefer not to say": 1,
        },
        "agree": 3,
        "agree_pct": 50,
        "prefer_not_to_say": 1,
    }
    assert yes_no == {
        "code": "yes-no",
        "text": "Question yes-no",
        "type": "yes_no",
        "answered": 6,
        "counts": {"Yes": 4, "No": 2},
        "yes": 4,
        "yes_pct": 67,
    }
    assert one == {
        "code": "one",
        "text": "Question one",
        "type": "single",
        "answered": 6,
        "counts": {"Red": 4, "Blue": 2},
    }
    # Choose any: 6 people ticked something (7 ticks).
    assert any_["answered"] == 6
    assert any_["counts"] == {"Red": 4, "Blue": 3}
    assert how_many == {
        "code": "how-many",
        "text": "Question how-many",
        "type": "number",
        "answered": 5,
        "mean": 3.6,
        "min": 1,
        "max": 7,
    }
    assert words == {"code": "words", "text": "Question words", "type": "text", "answered": 2}
    _schema_validator(client, "ResultsOut").validate(body)


def test_results_by_site_hide_small_groups(personas, samples):
    questionnaire = _every_kind(personas, samples)
    client = _client(personas, "alice")
    response = client.get(_url("questionnaire_results", code="every-kind"), {"by": "site"})
    assert response.status_code == 200
    body = response.json()
    expected = selectors.questionnaire_results(questionnaire=questionnaire, by_site=True)
    assert body == expected.as_dict()
    assert body["threshold"] == 5
    council_a, harbour = body["by_site"]
    assert council_a["site"] == personas.council_a.name
    # Harbour Hall's 2 are hidden; council A's 6 are hidden too, or the overall figures minus
    # council A's would give Harbour Hall's away.
    assert council_a["responses"] == 6
    assert council_a["suppressed"] is True
    assert council_a["questions"] == []
    assert body["questions"][0]["agree_pct"] == 50  # 2 of the 4 who answered, overall
    assert harbour == {
        "site": "Harbour Hall",
        "responses": "fewer than 5",
        "suppressed": True,
        "questions": [],
    }
    _schema_validator(client, "ResultsOut").validate(body)
    _assert_error(
        client.get(_url("questionnaire_results", code="every-kind"), {"by": "team"}),
        422,
        "invalid",
    )


def test_results_for_one_delivery(personas, samples):
    _every_kind(personas, samples)
    client = _client(personas, "alice")
    url = _url("questionnaire_results", code="every-kind")
    body = client.get(url, {"delivery": samples["delivery"].pk}).json()
    assert body["responses"] == 6  # the two imported answers name no delivery
    # Shown alone, it would leave the 2 imported answers to be worked out: not shown.
    assert body["suppressed"] is True
    assert body["questions"] == []
    _schema_validator(client, "ResultsOut").validate(body)
    none = client.get(url, {"delivery": samples["erin_delivery"].pk}).json()
    assert none["responses"] == 0
    assert none["suppressed"] is True
    _schema_validator(client, "ResultsOut").validate(none)
    everything = client.get(url).json()
    assert "suppressed" not in everything
    assert everything["questions"][0]["agree_pct"] == 50


def test_a_delivery_you_cannot_see_is_404(personas, samples):
    _every_kind(personas, samples)
    theirs = Delivery.objects.get(pk=samples["delivery"].pk)
    theirs.pk = theirs.id = None
    theirs.organisation = theirs.site = personas.council_b
    theirs.cohort = "Council B's cohort"
    theirs.booking_token = "council-b-booking"
    theirs.save()
    client = _client(personas, "alice")
    url = _url("questionnaire_results", code="every-kind")
    _assert_error(client.get(url, {"delivery": theirs.pk}), 404, "not_found")
    _assert_error(client.get(url, {"delivery": 2**63 - 1}), 404, "not_found")
    _assert_error(client.get(url, {"delivery": 2**63}), 422, "invalid")


def test_bob_reads_his_councils_questionnaires_and_results(personas, samples):
    client = _client(personas, "bob")
    assert client.get(_url("questionnaire_list")).json()["count"] == 2
    code = samples["questionnaire"].code
    assert client.get(_url("questionnaire_detail", code=code)).status_code == 200
    response = client.get(_url("questionnaire_results", code=code), {"by": "site"})
    assert response.status_code == 200
    # Two answers in all, so council A's group is too small to show on its own.
    assert response.json()["by_site"] == [
        {
            "site": personas.council_a.name,
            "responses": "fewer than 5",
            "suppressed": True,
            "questions": [],
        }
    ]
    evaluation = client.get(_url("learning_product_evaluation", product_id=samples["product"].pk))
    assert evaluation.status_code == 200


def test_results_never_include_anyones_words(personas, samples):
    body = _client(personas, "alice").get(
        _url("questionnaire_results", code=samples["questionnaire"].code)
    )
    assert f"I will {MARKER}" not in body.content.decode()
    assert body.json()["questions"][1] == {
        "code": "will-do-next",
        "text": f"What next {MARKER}",
        "type": "text",
        "answered": 1,
    }


# A product's evaluation ----------------------------------------------------------------------


def test_a_products_evaluation_is_what_the_summary_reports(personas, samples):
    product = samples["product"]
    client = _client(personas, "alice")
    response = client.get(_url("learning_product_evaluation", product_id=product.pk))
    assert response.status_code == 200
    body = response.json()
    assert body == selectors.product_evaluation(product=product).as_dict()
    assert set(body) == {"product", "attendance", "questionnaires", "outcomes"}
    assert body["product"] == product.slug
    assert body["attendance"] == {
        "sites": [{"site": personas.council_a.name, "sessions": [1]}],
        "totals": [1],
    }
    (pre,) = body["questionnaires"]
    assert set(pre) == {"code", "kind", "responses", "response_rate_pct", "by_site", "questions"}
    assert (pre["code"], pre["kind"], pre["responses"]) == ("a-sample-pre", "pre", 2)
    assert pre["by_site"] == [
        {"site": personas.council_a.name, "responses": "fewer than 5", "response_rate_pct": None}
    ]
    assert body["outcomes"] == [
        {
            "ilo": 1,
            "text": samples["version"].outcomes.first().text,
            "pre_agree_pct": 50,
            "post_agree_pct": None,
        }
    ]
    _schema_validator(client, "ProductEvaluationOut").validate(body)


def test_an_evaluation_with_every_kind_of_question_matches_the_schema(personas, samples):
    _every_kind(personas, samples)
    client = _client(personas, "alice")
    body = client.get(_url("learning_product_evaluation", product_id=samples["product"].pk)).json()
    assert [q["code"] for q in body["questionnaires"]] == ["a-sample-pre", "every-kind"]
    _schema_validator(client, "ProductEvaluationOut").validate(body)


def test_an_unknown_product_is_404(personas, samples):
    client = _client(personas, "alice")
    url = _url("learning_product_evaluation", product_id=2**63 - 1)
    _assert_error(client.get(url), 404, "not_found")
    _assert_error(client.get("/api/learning/products/0/evaluation"), 422, "invalid")


# Outsiders -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_no_questionnaire_of_council_a(personas, samples, persona):
    client = _client(personas, persona)
    response = client.get(_url("questionnaire_list"))
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}
    code = samples["questionnaire"].code
    for url in (
        _url("questionnaire_detail", code=code),
        _url("questionnaire_results", code=code),
        _url("questionnaire_results", code=code) + "?by=site",
        _url("questionnaire_results", code="listening-well-post"),
        _url("learning_product_evaluation", product_id=samples["product"].pk),
    ):
        body = _assert_error(client.get(url), 404, "not_found")
        assert MARKER not in str(body)


def test_nobody_signed_in_gets_401(samples):
    code = samples["questionnaire"].code
    for url in (
        _url("questionnaire_list"),
        _url("questionnaire_results", code=code),
        _url("learning_product_evaluation", product_id=samples["product"].pk),
    ):
        _assert_error(Client().get(url), 401, "not_authenticated")


# Fixed query counts --------------------------------------------------------------------------


def _questionnaires(personas, start, stop):
    for n in range(start, stop):
        questionnaire = Questionnaire.objects.create(
            organisation=personas.council_a, code=f"extra-{n}", title=f"Extra {n}"
        )
        Question.objects.create(
            questionnaire=questionnaire,
            position=1,
            code="q",
            text="Q",
            type=QuestionType.LIKERT,
            purpose=QuestionPurpose.OTHER,
            closed_at=timezone.now(),
        )
        QuestionnaireResponse.objects.create(questionnaire=questionnaire, submitted_on=TODAY)


def _count(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return len(queries), response.json()


def test_the_questionnaire_list_runs_a_fixed_number_of_queries(personas, samples):
    client = _client(personas, "alice")
    url = _url("questionnaire_list")
    client.get(url)  # the token's first use is recorded once
    _questionnaires(personas, 0, 3)
    few, body = _count(client, url)
    assert body["count"] == 5
    _questionnaires(personas, 3, 30)
    many, body = _count(client, url)
    assert body["count"] == 32
    assert many == few


def test_results_run_a_fixed_number_of_queries(personas, samples):
    questionnaire = _every_kind(personas, samples)
    client = _client(personas, "alice")
    url = _url("questionnaire_results", code="every-kind")
    client.get(url)
    few, _ = _count(client, url, by="site")
    response = QuestionnaireResponse.objects.filter(questionnaire=questionnaire).first()
    for _ in range(40):
        copy = QuestionnaireResponse.objects.create(
            questionnaire=questionnaire, site=response.site, submitted_on=TODAY
        )
        Answer.objects.bulk_create(
            Answer(response=copy, question_id=a.question_id, value=a.value)
            for a in response.answers.all()
        )
        tallies_add(response_id=copy.pk)
    many, body = _count(client, url, by="site")
    assert body["responses"] == 48
    assert many == few


# The schema ----------------------------------------------------------------------------------


def test_the_schema_describes_evaluation(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/questionnaires",
        "/api/questionnaires/{code}",
        "/api/questionnaires/{code}/results",
        "/api/learning/products/{product_id}/evaluation",
    ):
        assert set(paths[path]) == {"get"}, path
        assert set(paths[path]["get"]["responses"]) == {"200", "401", "404", "422"}, path
    results = paths["/api/questionnaires/{code}/results"]["get"]
    assert {p["name"] for p in results["parameters"]} == {"code", "by", "delivery"}
