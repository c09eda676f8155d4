"""The staff pages that build questionnaires: who may see and change them, what each page
does, that answered questions keep their meaning on the page too, and that the list and a
questionnaire's page run the same number of queries however many rows they show."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.evaluation import services
from powershare.evaluation.models import (
    AnswerLink,
    Choice,
    ImportBatch,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionPurpose,
    QuestionType,
    Section,
)
from tests.personas import MARKER

pytestmark = pytest.mark.django_db


def _detail(questionnaire) -> str:
    return reverse("evaluation:questionnaire_detail", args=[questionnaire.pk])


def _change_urls(samples) -> dict[str, str]:
    q = samples["questionnaire"]
    question = samples["likert_question"]
    return {
        "questionnaire_create": reverse("evaluation:questionnaire_create"),
        "questionnaire_edit": reverse("evaluation:questionnaire_edit", args=[q.pk]),
        "section_add": reverse("evaluation:section_add", args=[q.pk]),
        "section_edit": reverse("evaluation:section_edit", args=[samples["section"].pk]),
        "question_add": reverse("evaluation:question_add", args=[q.pk]),
        "question_edit": reverse("evaluation:question_edit", args=[question.pk]),
        "question_close": reverse("evaluation:question_close", args=[question.pk]),
        "question_remove": reverse("evaluation:question_remove", args=[question.pk]),
        "question_move": reverse("evaluation:question_move", args=[question.pk]),
        "standard_make": reverse("evaluation:standard_make", args=[samples["product"].pk]),
        "import_new": reverse("evaluation:import_new"),
        "import_answers": reverse("evaluation:import_answers", args=[q.pk]),
        "import_undo": reverse("evaluation:import_undo", args=[samples["import_batch"].pk]),
    }


def _text(response) -> str:
    return response.content.decode()


# ---------------------------------------------------------------------------------------------
# Who may do what


def test_alice_opens_every_page(client_for, samples):
    client = client_for("alice")
    assert client.get(reverse("evaluation:questionnaire_list")).status_code == 200
    assert client.get(_detail(samples["questionnaire"])).status_code == 200
    for name, url in _change_urls(samples).items():
        response = client.get(url)
        expected = 302 if name in ("question_close", "question_move") else 200
        assert response.status_code == expected, name


def test_bob_the_facilitator_sees_but_changes_nothing(client_for, samples):
    client = client_for("bob")
    listing = client.get(reverse("evaluation:questionnaire_list"))
    assert listing.status_code == 200
    assert samples["questionnaire"].title in _text(listing)
    assert "New questionnaire" not in _text(listing)
    detail = client.get(_detail(samples["questionnaire"]))
    assert detail.status_code == 200
    assert samples["likert_question"].text in _text(detail)
    assert reverse("evaluation:questionnaire_edit", args=[samples["questionnaire"].pk]) not in (
        _text(detail)
    )
    for name, url in _change_urls(samples).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"title": "Taken over", "closed": "1"}).status_code == 404, name
    question = Question.objects.get(pk=samples["likert_question"].pk)
    assert not question.is_closed
    assert Questionnaire.objects.get(pk=samples["questionnaire"].pk).title.startswith("Before")


def test_charlie_gets_404_for_everything_of_council_a(client_for, samples):
    client = client_for("charlie")
    listing = client.get(reverse("evaluation:questionnaire_list"))
    assert listing.status_code == 200
    assert MARKER not in _text(listing)
    assert client.get(_detail(samples["questionnaire"])).status_code == 404
    own_organisation = {"questionnaire_create", "import_new"}
    for name, url in _change_urls(samples).items():
        response = client.get(url)
        if name in own_organisation:
            assert response.status_code == 200, name
            assert MARKER not in _text(response), name
        else:
            assert response.status_code == 404, name
            assert client.post(url, {"closed": "1"}).status_code == 404, name
    assert Question.objects.filter(pk=samples["likert_question"].pk).exists()
    assert ImportBatch.objects.filter(pk=samples["import_batch"].pk).exists()


def test_get_on_post_only_addresses_goes_back_to_the_questionnaire(client_for, samples):
    client = client_for("alice")
    question = samples["likert_question"]
    for name in ("question_close", "question_move"):
        response = client.get(reverse(f"evaluation:{name}", args=[question.pk]))
        assert response.status_code == 302
        assert response["Location"] == _detail(samples["questionnaire"]) + (
            f"#question-{question.pk}"
        )
    question.refresh_from_db()
    assert not question.is_closed


# ---------------------------------------------------------------------------------------------
# What the pages do


def test_alice_makes_a_questionnaire_with_a_section_and_a_question(client_for, personas, samples):
    client = client_for("alice")
    response = client.post(
        reverse("evaluation:questionnaire_create"),
        {
            "form_token": "make-one",
            "code": "Spring-Feedback",
            "title": "Spring feedback",
            "kind": QuestionnaireKind.REACTION,
            "product": samples["product"].pk,
            "intro": "Tell us how it went.",
            "thank_you": "Thanks!",
            "small_group_threshold": "6",
        },
    )
    questionnaire = Questionnaire.objects.get(code="spring-feedback")
    assert response["Location"] == _detail(questionnaire)
    assert questionnaire.organisation == personas.council_a
    assert questionnaire.product == samples["product"]
    assert questionnaire.small_group_threshold == 6

    response = client.post(
        reverse("evaluation:section_add", args=[questionnaire.pk]),
        {"form_token": "section", "title": "About you", "intro": ""},
    )
    section = Section.objects.get(questionnaire=questionnaire)
    assert response["Location"].endswith(f"#section-{section.pk}")

    response = client.post(
        reverse("evaluation:question_add", args=[questionnaire.pk]),
        {
            "form_token": "question",
            "code": "role",
            "text": "What is your role?",
            "type": QuestionType.SINGLE,
            "choices": "Social worker\n\nTeam leader\n",
            "purpose": QuestionPurpose.ABOUT_YOU,
            "section": section.pk,
        },
    )
    question = Question.objects.get(questionnaire=questionnaire, code="role")
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert question.section == section
    assert list(question.choices.values_list("label", flat=True)) == [
        "Social worker",
        "Team leader",
    ]
    detail = _text(client.get(_detail(questionnaire)))
    assert "What is your role?" in detail
    assert "About you" in detail

    client.post(
        reverse("evaluation:questionnaire_edit", args=[questionnaire.pk]),
        {
            "title": "Spring feedback 2026",
            "kind": QuestionnaireKind.REACTION,
            "small_group_threshold": "5",
            "paired_with": samples["questionnaire"].pk,
        },
    )
    questionnaire.refresh_from_db()
    assert questionnaire.title == "Spring feedback 2026"
    assert questionnaire.paired_with == samples["questionnaire"]


def test_form_mistakes_are_shown_on_their_fields_and_keep_what_was_typed(client_for, samples):
    client = client_for("alice")
    response = client.post(
        reverse("evaluation:questionnaire_create"),
        {
            "form_token": "bad",
            "code": samples["questionnaire"].code,
            "title": "Typed title",
            "kind": QuestionnaireKind.PRE,
            "small_group_threshold": "2",
        },
    )
    body = _text(response)
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "enter 3 or more" in body
    assert "Typed title" in body
    response = client.post(
        reverse("evaluation:questionnaire_create"),
        {
            "form_token": "bad-2",
            "code": samples["questionnaire"].code,
            "title": "Typed title",
            "kind": QuestionnaireKind.PRE,
            "small_group_threshold": "5",
        },
    )
    assert "already used by another questionnaire" in _text(response)

    response = client.post(
        reverse("evaluation:question_add", args=[samples["questionnaire"].pk]),
        {
            "form_token": "bad-question",
            "code": "job",
            "text": "Your job?",
            "type": QuestionType.SINGLE,
            "choices": "Only one",
            "purpose": QuestionPurpose.OTHER,
        },
    )
    body = _text(response)
    assert "Give at least two options" in body
    assert "Your job?" in body
    assert not Question.objects.filter(code="job").exists()


def test_an_answered_question_shows_what_stays_and_why(client_for, samples):
    client = client_for("alice")
    question = samples["likert_question"]  # answered in the samples
    url = reverse("evaluation:question_edit", args=[question.pk])
    page = _text(client.get(url))
    assert "People have answered this question" in page
    assert 'name="text"' not in page
    assert 'name="code"' not in page
    client.post(
        url,
        {
            "text": "Sneaked-in wording",
            "code": "sneaky",
            "type": QuestionType.YES_NO,
            "help_text": "A new hint",
            "purpose": QuestionPurpose.OUTCOME,
        },
    )
    question.refresh_from_db()
    assert question.text.startswith("Outcome statement")
    assert (question.code, question.type) == ("ilo-1", QuestionType.LIKERT)
    assert question.help_text == "A new hint"

    # Options can be added at the end, not reordered: the refusal shows on the field.
    choice_question = services.question_add(
        actor=None,
        questionnaire=samples["questionnaire"],
        code="role",
        text="Role?",
        type=QuestionType.SINGLE,
        choices=["A", "B"],
    )
    response = services.response_submit(
        link=samples["answer_link"], answers={choice_question.pk: 1}
    )
    assert response.pk
    url = reverse("evaluation:question_edit", args=[choice_question.pk])
    refused = client.post(url, {"choices": "B\nA", "purpose": QuestionPurpose.OTHER})
    assert refused.status_code == 200
    assert "options stay as they are" in _text(refused)
    assert 'id="id_choices-error"' in _text(refused)
    client.post(url, {"choices": "A\nB\nC", "purpose": QuestionPurpose.OTHER})
    assert list(choice_question.choices.values_list("label", flat=True)) == ["A", "B", "C"]


def test_close_reopen_move_and_remove(client_for, samples):
    client = client_for("alice")
    questionnaire = samples["questionnaire"]
    answered = samples["likert_question"]
    client.post(reverse("evaluation:question_close", args=[answered.pk]), {"closed": "1"})
    answered.refresh_from_db()
    assert answered.is_closed
    assert "Closed" in _text(client.get(_detail(questionnaire)))
    client.post(reverse("evaluation:question_close", args=[answered.pk]), {"closed": "0"})
    answered.refresh_from_db()
    assert not answered.is_closed

    # An answered question can't be taken out: the page offers to close it instead.
    remove = reverse("evaluation:question_remove", args=[answered.pk])
    assert "close it instead" in _text(client.get(remove))
    client.post(remove)
    assert Question.objects.filter(pk=answered.pk).exists()

    fresh = services.question_add(
        actor=None,
        questionnaire=questionnaire,
        code="fresh",
        text="Fresh?",
        type=QuestionType.YES_NO,
        section=samples["section"],
    )
    client.post(reverse("evaluation:question_move", args=[fresh.pk]), {"direction": "up"})
    order = list(questionnaire.questions.order_by("position").values_list("code", flat=True))
    assert order.index("fresh") < order.index("will-do-next")
    remove = reverse("evaluation:question_remove", args=[fresh.pk])
    assert "Take out the question" in _text(client.get(remove))
    response = client.post(remove)
    assert response.status_code == 302
    assert not Question.objects.filter(pk=fresh.pk).exists()


def test_standard_questionnaires_page(client_for, samples):
    client = client_for("alice")
    url = reverse("evaluation:standard_make", args=[samples["product"].pk])
    page = _text(client.get(url))
    assert "I would recommend the sessions to others." in page
    assert samples["version"].outcomes.first().text in page
    response = client.post(
        url,
        {
            "form_token": "standard",
            "about_1_text": "What is your job role?",
            "about_1_options": "Social worker\nTeam leader",
            "about_2_text": "",
            "about_2_options": "",
            "about_3_text": "Who does your service work with?",
            "about_3_options": "Only one",
            "pairing": "on",
        },
    )
    assert response.status_code == 200
    assert "Give at least two options for question 3" in _text(response)
    assert not Questionnaire.objects.filter(product=samples["product"], is_standard=True).exists()
    response = client.post(
        url,
        {
            "form_token": "standard-2",
            "about_1_text": "What is your job role?",
            "about_1_options": "Social worker\nTeam leader",
            "pairing": "on",
        },
    )
    pre = Questionnaire.objects.get(product=samples["product"], is_standard=True, kind="pre")
    assert response["Location"] == _detail(pre)
    assert pre.ask_pairing_code
    assert pre.questions.filter(code="what-is-your-job-role", type=QuestionType.SINGLE).exists()
    again = _text(client.get(url))
    assert "already has its standard questionnaires" in again
    assert _detail(pre) in again


# ---------------------------------------------------------------------------------------------
# A fixed number of queries, whatever the number of rows


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_runs_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("alice")
    url = reverse("evaluation:questionnaire_list")

    def make(count, start):
        for n in range(start, start + count):
            questionnaire = Questionnaire.objects.create(
                organisation=personas.council_a,
                code=f"many-{n}",
                title=f"Many {n}",
                product=samples["product"] if n % 2 else None,
                kind=QuestionnaireKind.CUSTOM,
            )
            Question.objects.create(
                questionnaire=questionnaire,
                position=1,
                code="q",
                text="Q?",
                type=QuestionType.YES_NO,
            )

    make(3, 0)
    client.get(url)  # warm the session and caches
    few = _queries(client, url)
    make(27, 3)
    many = _queries(client, url)
    print("QUERIES", few, many)
    assert few == many
    assert "Many 29" in _text(client.get(url))


def test_the_questionnaire_page_runs_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("alice")
    questionnaire = samples["questionnaire"]
    url = _detail(questionnaire)
    today = datetime.date.today()
    outcome = samples["version"].outcomes.first()

    def make(count, start):
        for n in range(start, start + count):
            section = Section.objects.create(
                questionnaire=questionnaire, position=10 + n, title=f"Part {n}"
            )
            question = Question.objects.create(
                questionnaire=questionnaire,
                section=section if n % 2 else None,
                position=10 + n,
                code=f"q-{n}",
                text=f"Question {n}?",
                type=QuestionType.SINGLE if n % 3 else QuestionType.LIKERT,
                outcome=None if n % 3 else outcome,
            )
            if n % 3:
                Choice.objects.bulk_create(
                    Choice(question=question, value=v, label=f"Option {v}") for v in (1, 2, 3)
                )
            AnswerLink.objects.create(
                questionnaire=questionnaire,
                delivery=samples["delivery"],
                opens_on=today,
                closes_on=today,
            )
            ImportBatch.objects.create(
                questionnaire=questionnaire,
                file_name=f"file-{n}.csv",
                rows=0,
                imported_by=personas.alice,
            )

    make(3, 0)
    client.get(url)
    few = _queries(client, url)
    make(27, 3)
    many = _queries(client, url)
    print("QUERIES", few, many)
    assert few == many
    body = _text(client.get(url))
    assert "Question 29?" in body
    assert "file-29.csv" in body
