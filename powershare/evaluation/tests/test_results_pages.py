"""A questionnaire's results pages: who may see them, what they show (counts and percentages of
those who answered, small sites left out), the downloads, a text question's answers, the
diverging chart, and a fixed number of queries whatever the number of questions or answers."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.accounts.models import Organisation, OrganisationKind
from powershare.evaluation.models import (
    Answer,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireResponse,
    QuestionPurpose,
    QuestionType,
    TextAnswer,
)
from powershare.evaluation.tallies import tallies_add
from powershare.lib.charts import diverging_stacked_bar_chart
from tests.personas import MARKER

SVG = "{http://www.w3.org/2000/svg}"
TODAY = datetime.date.today()
SUPPRESSED = "fewer than 5 responses: not shown so nobody can be recognised"


def _results_url(questionnaire, **query):
    url = reverse("evaluation:results", args=[questionnaire.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def _site(name):
    return Organisation.objects.get_or_create(
        name=name, defaults={"kind": OrganisationKind.LOCAL_AUTHORITY}
    )[0]


def _respond(questionnaire, site, values: dict, texts: dict | None = None, delivery=None):
    """One anonymous response: `values` maps questions to stored values."""
    response = QuestionnaireResponse.objects.create(
        questionnaire=questionnaire, site=site, delivery=delivery, submitted_on=TODAY
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=v) for q, v in values.items()
    )
    TextAnswer.objects.bulk_create(
        TextAnswer(response=response, question=q, text=t) for q, t in (texts or {}).items()
    )
    tallies_add(response_id=response.pk)  # as the services do when they store answers
    return response


def _questionnaire(personas, code, likert_count):
    """A questionnaire of council A with `likert_count` agree-or-disagree questions, a yes/no,
    a choose-any, a number and a free-text question; 6 answers at Stirling, 2 at Oban."""
    questionnaire = Questionnaire.objects.create(
        organisation=personas.council_a, code=code, title=f"Survey {code}"
    )
    questions = [
        Question.objects.create(
            questionnaire=questionnaire,
            position=index,
            code=f"q{index}",
            text=f"Statement {index}",
            type=QuestionType.LIKERT,
            purpose=QuestionPurpose.OUTCOME,
        )
        for index in range(1, likert_count + 1)
    ]
    position = likert_count
    extra = {}
    for kind in (QuestionType.YES_NO, QuestionType.MULTIPLE, QuestionType.NUMBER):
        position += 1
        extra[kind] = Question.objects.create(
            questionnaire=questionnaire,
            position=position,
            code=kind,
            text=f"A {kind} question",
            type=kind,
        )
    for value, label in ((1, "Leaflets"), (2, "Talks")):
        Choice.objects.create(question=extra[QuestionType.MULTIPLE], value=value, label=label)
    words = Question.objects.create(
        questionnaire=questionnaire,
        position=position + 1,
        code="words",
        text="Anything else?",
        type=QuestionType.TEXT,
        quotable=True,
    )
    stirling, oban = _site("Stirling Council"), _site("Oban Community Trust")
    for index in range(8):
        values = {q: 1 + (index + q.position) % 5 for q in questions}
        values[extra[QuestionType.YES_NO]] = index % 2
        values[extra[QuestionType.NUMBER]] = index
        response = _respond(
            questionnaire,
            stirling if index < 6 else oban,
            values,
            {words: f"Words {index}"},
        )
        Answer.objects.create(response=response, question=extra[QuestionType.MULTIPLE], value=1)
    return questionnaire


# Who may see them ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"), [("alice", 200), ("bob", 200), ("charlie", 404), ("nina", 404)]
)
def test_the_results_page_is_for_staff_who_see_learning_in_its_organisation(
    client_for, samples, persona, status
):
    response = client_for(persona).get(_results_url(samples["questionnaire"]))
    assert response.status_code == status
    if status == 200:
        body = _body(response)
        assert f"Outcome statement {MARKER}" in body
        assert "1 of 2 (50%) agree or strongly agree." in body


@pytest.mark.parametrize(("persona", "status"), [("alice", 200), ("bob", 200), ("charlie", 404)])
def test_the_downloads_and_free_text_follow_the_same_rule(client_for, samples, persona, status):
    client = client_for(persona)
    export = reverse("evaluation:results_export", args=[samples["questionnaire"].pk])
    assert client.get(export + "?format=csv").status_code == status
    assert client.get(export + "?format=xlsx&by=site").status_code == status
    words = reverse("evaluation:free_text", args=[samples["text_question"].pk])
    response = client.get(words)
    assert response.status_code == status
    if status == 200:
        assert f"I will {MARKER}" in _body(response)


# What the page shows ---------------------------------------------------------------------------


def test_each_question_shows_counts_and_percentages_of_those_who_answered(client_for, personas):
    questionnaire = _questionnaire(personas, "counts", 1)
    response = client_for("alice").get(_results_url(questionnaire))
    body = _body(response)
    assert response.context["results"].responses == 8
    # q1's answers are 2, 3, 4, 5, 1, 2, 3, 4: 3 of 8 agree, 37.5% rounded half up.
    assert "3 of 8 (38%) agree or strongly agree." in body
    assert "4 of 8 (50%) said yes." in body
    assert "8 answered: on average 3.5 (from 0 to 7)." in body
    assert "8 answers in their own words." in body
    words = questionnaire.questions.get(code="words")
    assert reverse("evaluation:free_text", args=[words.pk]) in body
    # The chart of the agree-or-disagree questions, with the figures in its alternative text.
    assert "?chart=svg" in body
    assert "Statement 1: 3 of 8 (38%) agree" in body


def test_by_site_leaves_out_small_groups_so_nobody_can_be_recognised(client_for, personas):
    questionnaire = _questionnaire(personas, "by-site", 2)
    response = client_for("alice").get(_results_url(questionnaire, by="site"))
    body = _body(response)
    assert "Stirling Council" in body
    assert "Oban Community Trust" in body
    assert SUPPRESSED.capitalize() in body
    assert "Fewer than 5" in body  # in the table of responses per site
    # Stirling's own figures are shown (6 responses), Oban's (2) never are.
    groups = response.context["results"].by_site
    oban = next(g for g in groups if g.site == "Oban Community Trust")
    assert oban.suppressed
    assert not oban.questions
    assert [row["site"] for row in response.context["sections"][0]["questions"][0]["sites"]] == [
        "All sites",
        "Oban Community Trust",
        "Stirling Council",
    ]


def test_one_delivery_with_few_answers_is_not_shown_on_its_own(client_for, samples):
    questionnaire = samples["questionnaire"]
    QuestionnaireResponse.objects.filter(questionnaire=questionnaire).update(
        delivery=samples["delivery"]
    )
    response = client_for("alice").get(_results_url(questionnaire, delivery=samples["delivery"].pk))
    body = _body(response)
    assert response.context["too_few"]
    assert "fewer than 5 responses" in body
    assert "agree or strongly agree" not in body
    # A delivery the questionnaire's product doesn't have is ignored, not an error.
    response = client_for("alice").get(_results_url(questionnaire, delivery=999999))
    assert response.status_code == 200
    assert not response.context["too_few"]


def test_the_chart_is_an_svg_of_the_agree_or_disagree_questions(client_for, personas):
    questionnaire = _questionnaire(personas, "chart", 2)
    response = client_for("alice").get(_results_url(questionnaire, chart="svg"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own drawing
    assert root.find(f"{SVG}title").text == f"How much people agreed: {questionnaire.title}"
    texts = [t.text for t in root.iter(f"{SVG}text") if t.text]
    assert "Statement 1" in texts
    assert any(t.endswith("% agree") for t in texts)


# Downloads -------------------------------------------------------------------------------------


def test_the_csv_download_holds_every_question_and_by_site_leaves_out_small_groups(
    client_for, personas
):
    questionnaire = _questionnaire(personas, "export", 1)
    client = client_for("alice")
    export = reverse("evaluation:results_export", args=[questionnaire.pk])
    response = client.get(export + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "results-export-" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(_body(response))))
    assert rows[0][:5] == ["site", "code", "question", "type", "answered"]
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["q1"][4:7] == ["8", "3", "38"]
    assert by_code["yes_no"][4:7] == ["8", "4", "50"]
    assert by_code["number"][7] == "mean 3.5; min 0; max 7"

    rows = list(csv.reader(io.StringIO(_body(client.get(export + "?format=csv&by=site")))))
    sites = {row[0] for row in rows[1:]}
    assert sites == {"All", "Stirling Council", "Oban Community Trust"}
    oban = [row for row in rows if row[0] == "Oban Community Trust"]
    assert len(oban) == 1
    assert "fewer than 5 responses" in oban[0][2]


def test_the_xlsx_download_is_a_workbook_with_the_same_rows(client_for, personas):
    from openpyxl import load_workbook

    questionnaire = _questionnaire(personas, "workbook", 1)
    export = reverse("evaluation:results_export", args=[questionnaire.pk])
    response = client_for("alice").get(export + "?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "site"
    q1 = next(row for row in rows if row[1] == "q1")
    assert q1[4:7] == [8, 3, 38]


# Free text -------------------------------------------------------------------------------------


def test_free_text_is_alphabetical_paginated_and_says_whether_it_may_be_quoted(client_for, samples):
    question = samples["text_question"]
    for index in range(60):
        _respond(question.questionnaire, None, {}, {question: f"Answer {index:03d}"})
    client = client_for("alice")
    url = reverse("evaluation:free_text", args=[question.pk])
    body = _body(client.get(url))
    assert "61 answers" in body
    assert "may be quoted in reports" in body
    first = list(client.get(url).context["page_obj"])
    assert first == sorted(first)
    assert first[0] == "Answer 000"
    assert len(first) == 50
    second = list(client.get(url + "?page=2").context["page_obj"])
    assert second[-1] == f"I will {MARKER}"
    # A question not answered in people's own words has no such page.
    assert (
        client.get(
            reverse("evaluation:free_text", args=[samples["likert_question"].pk])
        ).status_code
        == 404
    )


def test_free_text_of_a_question_not_to_be_quoted_says_so(client_for, samples):
    question = samples["text_question"]
    Question.objects.filter(pk=question.pk).update(quotable=False)
    body = _body(client_for("alice").get(reverse("evaluation:free_text", args=[question.pk])))
    assert "were not told their words may be quoted" in body
    assert f"I will {MARKER}" in body


# A fixed number of queries ---------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", [{}, {"by": "site"}, {"chart": "svg"}])
def test_the_results_page_runs_the_same_queries_for_3_or_30_questions(client_for, personas, query):
    client = client_for("alice")
    small = _questionnaire(personas, "small", 3)
    large = _questionnaire(personas, "large", 30)
    _count_queries(client, _results_url(small, **query))  # warm the session
    assert _count_queries(client, _results_url(small, **query)) == _count_queries(
        client, _results_url(large, **query)
    )


def test_the_downloads_run_the_same_queries_for_3_or_30_questions(client_for, personas):
    client = client_for("alice")
    small = _questionnaire(personas, "small-x", 3)
    large = _questionnaire(personas, "large-x", 30)
    for query in ("?format=csv", "?format=xlsx&by=site"):
        urls = [reverse("evaluation:results_export", args=[q.pk]) + query for q in (small, large)]
        _count_queries(client, urls[0])
        assert _count_queries(client, urls[0]) == _count_queries(client, urls[1])


def test_free_text_runs_the_same_queries_for_few_or_many_answers(client_for, samples, personas):
    client = client_for("alice")
    few = samples["text_question"]
    many = _questionnaire(personas, "many", 1).questions.get(code="words")
    for index in range(150):
        _respond(many.questionnaire, None, {}, {many: f"More words {index}"})
    urls = [reverse("evaluation:free_text", args=[q.pk]) for q in (few, many)]
    _count_queries(client, urls[0])
    assert _count_queries(client, urls[0]) == _count_queries(client, urls[1])
    assert _count_queries(client, urls[1] + "?page=3") == _count_queries(client, urls[0])


# The chart itself ------------------------------------------------------------------------------


def test_the_diverging_chart_is_valid_svg_with_its_title_and_values_as_text():
    svg = diverging_stacked_bar_chart(
        title="Agreement <before & after>",
        description="Outcome 1: 57% agreed before, 100% after.",
        categories=["Outcome 1, before", "Outcome 1, after"],
        segments=["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"],
        values=[[4, 14, 25, 36, 21], [0, 0, 0, 44, 56]],
        row_labels=["57% agree", "100% agree"],
        group_size=2,
    )
    root = ET.fromstring(svg.encode())  # noqa: S314 - our own drawing
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    children = list(root)
    assert children[0].tag == f"{SVG}title"
    assert children[0].text == "Agreement <before & after>"
    assert children[1].text == "Outcome 1: 57% agreed before, 100% after."
    texts = [t.text for t in root.iter(f"{SVG}text") if t.text]
    for text in (
        "Outcome 1, before",
        "Outcome 1, after",
        "57% agree",
        "100% agree",
        "14%",
        "25%",
        "36%",
        "44%",
        "56%",
        "Strongly disagree",
        "Strongly agree",
        "Neither",
    ):
        assert text in texts, text
    # Too narrow a segment (4%) carries no label of its own: the table beside it has it.
    assert "4%" not in texts


def test_the_diverging_chart_refuses_rows_of_the_wrong_length():
    with pytest.raises(ValueError, match="one value per segment"):
        diverging_stacked_bar_chart(
            title="T",
            description="D",
            categories=["A"],
            segments=["No", "Yes"],
            values=[[50]],
        )
