"""The results commands: `questionnaire_results CODE --format json|csv|table [--by site]
[--threshold N]` and `learning_summary PRODUCT_SLUG --format json|text`."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from powershare.evaluation import selectors
from powershare.evaluation.exports import HEADER
from powershare.evaluation.models import QuestionType
from powershare.evaluation.tests.test_results import make_question, make_questionnaire, respond
from powershare.learning.models import LearningProduct, ProductVersion
from tests.personas import MARKER


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def answered(personas):
    """Six answers at council A (shown by site), three at council B (hidden below five)."""
    questionnaire = make_questionnaire(personas.council_a, code="answered")
    likert = make_question(questionnaire, "useful", QuestionType.LIKERT)
    yes_no = make_question(questionnaire, "again", QuestionType.YES_NO)
    number = make_question(questionnaire, "years", QuestionType.NUMBER)
    words = make_question(questionnaire, "words", QuestionType.TEXT)
    for n in range(6):
        respond(
            questionnaire,
            {likert: 4 if n < 5 else 2, yes_no: n % 2, number: n, words: f"Said {MARKER}"},
            site=personas.council_a,
        )
    for _ in range(3):
        respond(questionnaire, {likert: 1}, site=personas.council_b)
    return questionnaire


# questionnaire_results -----------------------------------------------------------------------


def test_json_is_the_selectors_figures(answered):
    data = json.loads(_run("questionnaire_results", "answered", "--format", "json"))
    assert data == selectors.questionnaire_results(questionnaire=answered).as_dict()
    assert data["responses"] == 9
    useful = data["questions"][0]
    assert (useful["answered"], useful["agree"], useful["agree_pct"]) == (9, 5, 56)
    assert "threshold" not in data
    assert MARKER not in json.dumps(data)  # counts only, never anyone's words


def test_json_by_site(answered, personas):
    data = json.loads(_run("questionnaire_results", "answered", "--format", "json", "--by", "site"))
    assert data == selectors.questionnaire_results(questionnaire=answered, by_site=True).as_dict()
    assert data["threshold"] == 5
    a, b = data["by_site"]
    # Council B's 3 are hidden, and council A's 6 with them: the overall figures minus council
    # A's would otherwise give council B's away.
    assert (a["site"], a["responses"], a["suppressed"], a["questions"]) == (
        personas.council_a.name,
        6,
        True,
        [],
    )
    assert (b["site"], b["responses"], b["questions"]) == (
        personas.council_b.name,
        "fewer than 5",
        [],
    )


def test_a_threshold_of_three_or_more_can_be_asked_for(answered, personas):
    data = json.loads(
        _run(
            "questionnaire_results",
            "answered",
            "--format",
            "json",
            "--by",
            "site",
            "--threshold",
            "3",
        )
    )
    assert data["threshold"] == 3
    assert data["by_site"][1]["responses"] == 3
    assert data["by_site"][1]["questions"][0]["agree_pct"] == 0


@pytest.mark.parametrize("threshold", ["2", "0", "-1"])
def test_a_threshold_below_three_is_refused(answered, threshold):
    with pytest.raises(CommandError, match="3 or more"):
        call_command(
            "questionnaire_results",
            "answered",
            "--by",
            "site",
            "--threshold",
            threshold,
            stdout=StringIO(),
        )


def test_csv(answered, personas):
    rows = list(csv.reader(StringIO(_run("questionnaire_results", "answered", "--format", "csv"))))
    assert rows[0] == HEADER
    assert [row[:7] for row in rows[1:]] == [
        ["All", "useful", "Question useful", "likert", "9", "5", "56"],
        ["All", "again", "Question again", "yes_no", "6", "3", "50"],
        ["All", "years", "Question years", "number", "6", "", ""],
        ["All", "words", "Question words", "text", "6", "", ""],
    ]
    assert rows[1][7] == (
        "Strongly disagree 3; Disagree 1; Neither agree nor disagree 0; Agree 5; Strongly agree 0"
    )
    assert rows[3][7] == "mean 2.5; min 0; max 5"


def test_csv_by_site_says_which_groups_are_hidden(answered, personas):
    out = _run("questionnaire_results", "answered", "--format", "csv", "--by", "site")
    rows = list(csv.reader(StringIO(out)))
    sites = [row[0] for row in rows[1:]]
    assert sites == ["All"] * 4 + [personas.council_a.name] + [personas.council_b.name]
    assert rows[-1][2] == "fewer than 5 responses: not shown"
    assert rows[-2][2] == "not shown either, so a smaller group's answers can't be worked out"
    # With a threshold of 3 both are shown.
    out = _run(
        "questionnaire_results", "answered", "--format", "csv", "--by", "site", "--threshold", "3"
    )
    rows = list(csv.reader(StringIO(out)))
    assert rows[5][4:7] == ["6", "5", "83"]


def test_table(answered, personas):
    out = _run("questionnaire_results", "answered", "--by", "site")  # table is the default
    lines = out.splitlines()
    assert lines[0] == "answered: 9 responses"
    assert lines[1].split() == ["site", "code", "question", "type", "answered", "agree", "or"] + [
        "yes",
        "percent",
        "counts",
    ]
    assert any(line.startswith("All") and " useful " in line for line in lines)
    assert any("fewer than 5 responses: not shown" in line for line in lines)
    assert out == _run("questionnaire_results", "answered", "--format", "table", "--by", "site")


def test_the_table_shortens_long_questions(personas):
    questionnaire = make_questionnaire(personas.council_a, code="long")
    question = make_question(questionnaire, "long", QuestionType.LIKERT)
    question.text = "A statement far too long to fit in one column of the table " * 3
    question.save()
    out = _run("questionnaire_results", "long")
    assert question.text[:49] + "…" in out
    assert question.text not in out


def test_an_unknown_code_is_an_error(db):
    with pytest.raises(CommandError, match="no questionnaire with the code nope"):
        call_command("questionnaire_results", "nope", "--format", "json", stdout=StringIO())


def test_an_unknown_format_is_refused(answered):
    with pytest.raises(CommandError):
        call_command("questionnaire_results", "answered", "--format", "xml", stdout=StringIO())


def test_a_questionnaire_nobody_answered(personas):
    questionnaire = make_questionnaire(personas.council_a, code="empty")
    make_question(questionnaire, "useful", QuestionType.LIKERT)
    data = json.loads(_run("questionnaire_results", "empty", "--format", "json", "--by", "site"))
    assert data["responses"] == 0
    assert data["by_site"] == []
    assert data["questions"][0]["agree_pct"] is None
    assert "empty: 0 responses" in _run("questionnaire_results", "empty")


# learning_summary ----------------------------------------------------------------------------


def test_learning_summary_json(samples):
    product = samples["product"]
    data = json.loads(_run("learning_summary", product.slug, "--format", "json"))
    assert data == selectors.product_evaluation(product=product).as_dict()
    assert set(data) == {"product", "attendance", "questionnaires", "outcomes"}
    assert data["product"] == product.slug
    assert set(data["attendance"]) == {"sites", "totals"}
    assert data["attendance"]["sites"] == [{"site": "Aberdeen City Council", "sessions": [1]}]
    (pre,) = data["questionnaires"]
    assert set(pre) == {"code", "kind", "responses", "response_rate_pct", "by_site", "questions"}
    assert (pre["code"], pre["kind"], pre["responses"]) == ("a-sample-pre", "pre", 2)
    (outcome,) = data["outcomes"]
    assert set(outcome) == {"ilo", "text", "pre_agree_pct", "post_agree_pct"}
    assert (outcome["ilo"], outcome["pre_agree_pct"], outcome["post_agree_pct"]) == (1, 50, None)
    assert f"I will {MARKER}" not in json.dumps(data)


def test_learning_summary_text(samples):
    out = _run("learning_summary", samples["product"].slug, "--format", "text")
    assert out.splitlines()[0] == samples["product"].title
    assert "  Aberdeen City Council: 1" in out
    assert "a-sample-pre (pre): 2 responses" in out
    assert "ILO 1: 50% -> None%" in out


def test_learning_summary_unknown_slug(db):
    with pytest.raises(CommandError, match="no learning product no-such-course"):
        call_command("learning_summary", "no-such-course", stdout=StringIO())


def test_learning_summary_asks_which_organisation_when_two_share_a_slug(samples, personas):
    product = samples["product"]
    theirs = LearningProduct.objects.create(
        organisation=personas.council_b, slug=product.slug, title="Council B's course"
    )
    ProductVersion.objects.create(product=theirs, number=1)
    with pytest.raises(CommandError, match="--organisation"):
        call_command("learning_summary", product.slug, stdout=StringIO())
    data = json.loads(
        _run("learning_summary", product.slug, "--organisation", personas.council_b.name)
    )
    assert data == {
        "product": product.slug,
        "attendance": {"sites": [], "totals": []},
        "questionnaires": [],
        "outcomes": [],
    }
