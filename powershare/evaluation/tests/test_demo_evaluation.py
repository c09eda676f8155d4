"""The evaluation demo: `manage.py learning_summary power-sharing-with-experts-by-experience
--format json` on the demo database shows the source document's figures, all computed by the
platform from anonymous answers and the registers: attendance 38 and 33; 28 responses before
(74%; 73, 91 and 63% by site, West Lothian's 62.5% shown as 63) and 27 after (82%; 78, 100
and 71%); agreement with the five outcomes 57/68/46/14/21% before and 100/100/100/96/93%
after; 100% for each of the four reaction statements. Loading the demo again adds nothing.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from powershare.accounts.models import User
from powershare.accounts.services import api_token_create
from powershare.evaluation import selectors
from powershare.evaluation.models import (
    Answer,
    Questionnaire,
    QuestionnaireResponse,
    QuestionPurpose,
    TextAnswer,
)
from powershare.evaluation.services import REACTION_STATEMENTS
from powershare.learning.models import LearningProduct

SLUG = "power-sharing-with-experts-by-experience"
PRE, POST = f"{SLUG}-pre", f"{SLUG}-post"
BORDERS, STIRLING, WEST_LOTHIAN = (
    "Scottish Borders Council",
    "Stirling Council",
    "West Lothian Council",
)


@pytest.fixture
def demo(demo_database, db):
    return None


@pytest.fixture
def summary(demo) -> dict:
    out = StringIO()
    call_command("learning_summary", SLUG, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def _questionnaire(summary, kind) -> dict:
    (found,) = [q for q in summary["questionnaires"] if q["kind"] == kind]
    return found


def test_attendance_per_site_and_in_total(summary):
    assert summary["product"] == SLUG
    assert summary["attendance"] == {
        "sites": [
            {"site": BORDERS, "sessions": [11, 9]},
            {"site": STIRLING, "sessions": [11, 10]},
            {"site": WEST_LOTHIAN, "sessions": [16, 14]},
        ],
        "totals": [38, 33],
    }


def test_response_rates_before(summary):
    pre = _questionnaire(summary, "pre")
    assert (pre["code"], pre["responses"], pre["response_rate_pct"]) == (PRE, 28, 74)
    assert pre["by_site"] == [
        {"site": BORDERS, "responses": 8, "response_rate_pct": 73},
        {"site": STIRLING, "responses": 10, "response_rate_pct": 91},
        {"site": WEST_LOTHIAN, "responses": 10, "response_rate_pct": 63},  # 62.5
    ]


def test_response_rates_after(summary):
    post = _questionnaire(summary, "post")
    assert (post["code"], post["responses"], post["response_rate_pct"]) == (POST, 27, 82)
    assert post["by_site"] == [
        {"site": BORDERS, "responses": 7, "response_rate_pct": 78},
        {"site": STIRLING, "responses": 10, "response_rate_pct": 100},
        {"site": WEST_LOTHIAN, "responses": 10, "response_rate_pct": 71},
    ]


def test_agreement_with_each_outcome_before_and_after(summary):
    outcomes = summary["outcomes"]
    assert [o["ilo"] for o in outcomes] == [1, 2, 3, 4, 5]
    assert [o["pre_agree_pct"] for o in outcomes] == [57, 68, 46, 14, 21]
    assert [o["post_agree_pct"] for o in outcomes] == [100, 100, 100, 96, 93]
    assert all(o["text"] for o in outcomes)
    # The same figures in the questionnaires' own results, from every person who answered.
    pre = {q["code"]: q for q in _questionnaire(summary, "pre")["questions"]}
    assert [(pre[f"ilo-{n}"]["answered"], pre[f"ilo-{n}"]["agree"]) for n in range(1, 6)] == [
        (28, 16),
        (28, 19),
        (28, 13),
        (28, 4),
        (28, 6),
    ]


def test_the_four_reaction_statements(summary):
    post = {q["code"]: q for q in _questionnaire(summary, "post")["questions"]}
    assert len(REACTION_STATEMENTS) == 4
    for code, text in REACTION_STATEMENTS:
        assert post[code]["text"] == text
        assert (post[code]["answered"], post[code]["agree_pct"]) == (27, 100), code
    reaction = Questionnaire.objects.get(code=POST).questions.filter(
        purpose=QuestionPurpose.REACTION
    )
    assert sorted(reaction.values_list("code", flat=True)) == sorted(
        code for code, _ in REACTION_STATEMENTS
    )


@pytest.mark.usefixtures("demo")
def test_the_results_command_by_site_shows_every_site():
    out = StringIO()
    call_command("questionnaire_results", PRE, "--format", "json", "--by", "site", stdout=out)
    data = json.loads(out.getvalue())
    assert data["responses"] == 28
    assert [(s["site"], s["responses"], s["suppressed"]) for s in data["by_site"]] == [
        (BORDERS, 8, False),
        (STIRLING, 10, False),
        (WEST_LOTHIAN, 10, False),
    ]
    # Each site's agreement adds up to the overall figure.
    for n in range(1, 6):
        overall = next(q for q in data["questions"] if q["code"] == f"ilo-{n}")
        by_site = [
            next(q for q in s["questions"] if q["code"] == f"ilo-{n}") for s in data["by_site"]
        ]
        assert sum(q["agree"] for q in by_site) == overall["agree"]


def test_the_api_gives_the_same_figures(summary):
    heather = User.objects.get(email="heather.lindsay@sg.example")
    product = LearningProduct.objects.get(organisation__name="Scottish Government", slug=SLUG)
    _, plain = api_token_create(user=heather, name="Demo test")
    client = Client(headers={"Authorization": f"Bearer {plain}"})
    response = client.get(
        reverse("api-1.0:learning_product_evaluation", kwargs={"product_id": product.pk})
    )
    assert response.status_code == 200
    assert response.json() == summary
    results = client.get(reverse("api-1.0:questionnaire_results", kwargs={"code": POST}))
    assert (
        results.json()
        == selectors.questionnaire_results(
            questionnaire=Questionnaire.objects.get(code=POST)
        ).as_dict()
    )


@pytest.mark.usefixtures("demo")
def test_loading_the_demo_again_adds_no_responses():
    assert QuestionnaireResponse.objects.filter(questionnaire__code__in=[PRE, POST]).count() == 55
    counts = (
        QuestionnaireResponse.objects.count(),
        Answer.objects.count(),
        TextAnswer.objects.count(),
        Questionnaire.objects.count(),
    )
    out = StringIO()
    call_command("demo_data", "--force", stdout=out)
    assert (
        QuestionnaireResponse.objects.count(),
        Answer.objects.count(),
        TextAnswer.objects.count(),
        Questionnaire.objects.count(),
    ) == counts
    assert "nothing to change" in out.getvalue()
