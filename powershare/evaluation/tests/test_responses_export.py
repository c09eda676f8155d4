"""Downloading every response to a questionnaire as CSV: one row per response, each answer as
people chose it, small sites put together, formulas defused, the same few queries whatever
the number of rows, and only for those who may see the results."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import slugify

from powershare.accounts.models import Organisation, OrganisationKind
from powershare.audit.models import AccessEvent
from powershare.evaluation.models import (
    Answer,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireResponse,
    QuestionType,
    ResponseSource,
    TextAnswer,
)
from powershare.evaluation.responses_export import (
    HEADERS,
    OTHER_SITES,
    csv_chunks,
    responses_export,
)
from powershare.evaluation.services import MAX_QUESTIONS
from tests.personas import MARKER

DAY = datetime.date(2025, 3, 4)
OTHER = OTHER_SITES.format(n=5)


def _url(questionnaire):
    return reverse("evaluation:responses_download", args=[questionnaire.pk])


def _read(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def _site(name):
    return Organisation.objects.get_or_create(
        name=name, defaults={"kind": OrganisationKind.LOCAL_AUTHORITY, "slug": slugify(name)}
    )[0]


def _questionnaire(personas, code="export"):
    """Council A's questionnaire with one question of every type."""
    questionnaire = Questionnaire.objects.create(
        organisation=personas.council_a, code=code, title=f"Survey {code}"
    )

    def question(position, type_, text, **extra):
        return Question.objects.create(
            questionnaire=questionnaire,
            position=position,
            code=f"q{position}",
            text=text,
            type=type_,
            **extra,
        )

    questions = {
        "likert": question(1, QuestionType.LIKERT, "I learned a lot", allow_prefer_not=True),
        "yes_no": question(2, QuestionType.YES_NO, "Would you come again?"),
        "single": question(3, QuestionType.SINGLE, "=Your role"),
        "multiple": question(4, QuestionType.MULTIPLE, "What helped"),
        "number": question(5, QuestionType.NUMBER, "How many sessions"),
        "text": question(6, QuestionType.TEXT, "Anything else?"),
    }
    for value, label in ((1, "Social worker"), (2, "-Manager")):
        Choice.objects.create(question=questions["single"], value=value, label=label)
    for value, label in ((1, "Leaflets"), (2, "Talks"), (3, "Stories")):
        Choice.objects.create(question=questions["multiple"], value=value, label=label)
    return questionnaire, questions


def _respond(questionnaire, values, *, site=None, label="", day=DAY, source="online", text=None):
    response = QuestionnaireResponse.objects.create(
        questionnaire=questionnaire,
        site=site,
        site_label=label,
        submitted_on=day,
        source=source,
    )
    answers = []
    for question, value in values.items():
        for v in value if isinstance(value, list) else [value]:
            answers.append(Answer(response=response, question=question, value=v))
    Answer.objects.bulk_create(answers)
    if text is not None:
        question = questionnaire.questions.get(type=QuestionType.TEXT)
        TextAnswer.objects.create(response=response, question=question, text=text)
    return response


# What the file holds ---------------------------------------------------------------------------


def test_each_response_is_one_row_with_every_answer_as_people_chose_it(client_for, personas):
    questionnaire, q = _questionnaire(personas)
    stirling = _site("Stirling Council")
    _respond(
        questionnaire,
        {q["likert"]: 4, q["yes_no"]: 1, q["single"]: 2, q["multiple"]: [3, 1], q["number"]: -3},
        site=stirling,
        text='Good, but "long"\nand late',
    )
    _respond(questionnaire, {q["likert"]: 0, q["yes_no"]: 0}, site=stirling, text="=SUM(A1:A9)")
    _respond(questionnaire, {q["single"]: 9}, site=stirling, text="@me +1 -2")
    _respond(questionnaire, {q["number"]: 0}, site=stirling)
    _respond(questionnaire, {q["likert"]: 5}, site=stirling, source=ResponseSource.IMPORT)

    response = client_for("alice").get(_url(questionnaire))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="responses-{questionnaire.code}-' in response["Content-Disposition"]
    rows = _read(response)
    assert rows[0] == [
        "Response",
        "Date",
        "Site",
        "How it came in",
        "I learned a lot",
        "Would you come again?",
        "'=Your role",
        "What helped",
        "How many sessions",
        "Anything else?",
    ]
    body = rows[1:]
    assert [row[0] for row in body] == ["1", "2", "3", "4", "5"]
    assert {row[1] for row in body} == {"2025-03-04"}
    assert {row[2] for row in body} == {"Stirling Council"}
    by_text = {row[9]: row for row in body}
    assert by_text['Good, but "long"\nand late'][3:9] == [
        "Answered online",
        "Agree",
        "Yes",
        "'-Manager",
        "Leaflets; Stories",
        "-3",
    ]
    # "Prefer not to say", a blank, and a formula defused.
    assert by_text["'=SUM(A1:A9)"][4:9] == ["Prefer not to say", "No", "", "", ""]
    # A value whose choice has gone reads as its number.
    assert by_text["'@me +1 -2"][4:9] == ["", "", "9", "", ""]
    # Nothing answered but a number (0 is an answer, not a blank); no words.
    imported = next(row for row in body if row[3] == "Imported from a file")
    assert imported[4:] == ["Strongly agree", "", "", "", "", ""]
    assert ["", "", "", "", "0", ""] in [row[4:] for row in body]


def test_rows_go_by_day_and_never_in_the_order_they_arrived(personas):
    questionnaire, q = _questionnaire(personas, "order")
    later = DAY + datetime.timedelta(days=1)
    ids = [
        _respond(questionnaire, {q["number"]: n}, day=later if n % 2 else DAY).pk for n in range(40)
    ]
    assert ids == sorted(ids)

    def numbers():
        export = responses_export(questionnaire=questionnaire)
        rows = list(csv.reader(io.StringIO("".join(csv_chunks(export))[1:])))[1:]
        return [(row[1], int(row[8])) for row in rows]

    first = numbers()
    assert [day for day, _ in first] == ["2025-03-04"] * 20 + ["2025-03-05"] * 20
    # The order within a day is the same every time, but not the order they were given in.
    assert numbers() == first
    given = [n for _, n in first]
    assert given[:20] != sorted(given[:20])
    assert given[20:] != sorted(given[20:])


def test_sites_with_few_responses_are_put_together_as_on_the_results_page(personas):
    """Threshold 5: Oban's 2 are too few, so the next smallest (Fife, 6) is hidden with them,
    or the overall figures minus the sites shown would give Oban's away. Stirling (7) shows.
    An imported site name and "no site" are groups of their own."""
    questionnaire, q = _questionnaire(personas, "sites")
    sizes = {"Stirling Council": 7, "Fife Council": 6, "Oban Community Trust": 2}
    for name, n in sizes.items():
        for _ in range(n):
            _respond(questionnaire, {q["likert"]: 3}, site=_site(name))
    for _ in range(8):
        _respond(questionnaire, {q["likert"]: 3}, label="=Harbour Hall", source="import")
    for _ in range(8):
        _respond(questionnaire, {q["likert"]: 3})

    export = responses_export(questionnaire=questionnaire)
    rows = list(csv.reader(io.StringIO("".join(csv_chunks(export))[1:])))[1:]
    counts = {}
    for row in rows:
        counts[row[2]] = counts.get(row[2], 0) + 1
    assert counts == {"Stirling Council": 7, OTHER: 8, "'=Harbour Hall": 8, "No site given": 8}
    assert export.responses == 31


def test_a_questionnaire_without_responses_gives_the_header_alone(client_for, personas):
    questionnaire, _ = _questionnaire(personas, "empty")
    rows = _read(client_for("alice").get(_url(questionnaire)))
    assert len(rows) == 1
    assert rows[0][:4] == ["Response", "Date", "Site", "How it came in"]


# The same few queries whatever the number of rows ------------------------------------------------


def _queries(client, questionnaire) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(questionnaire))
        rows = _read(response)
    return len(queries), len(rows) - 1


def test_a_download_runs_the_same_number_of_queries_whatever_the_number_of_rows(
    client_for, personas, monkeypatch
):
    # Fetch a few rows at a time, so many rows cross many chunks.
    from powershare.evaluation import responses_export as module

    monkeypatch.setattr(module, "FETCH_ROWS", 3)
    client = client_for("alice")
    questionnaire, q = _questionnaire(personas, "queries")
    site = _site("Stirling Council")
    _respond(questionnaire, {q["likert"]: 4, q["multiple"]: [1, 2]}, site=site, text="a")
    few, rows = _queries(client, questionnaire)
    assert rows == 1
    for n in range(40):
        _respond(
            questionnaire,
            {q["likert"]: 1 + n % 5, q["multiple"]: [1 + n % 3], q["number"]: n},
            site=_site(f"Site {n % 4}"),
            text=f"words {n}",
        )
    many, rows = _queries(client, questionnaire)
    assert rows == 41
    assert many == few
    # The session and user, the questionnaire, its questions and their choices, the responses
    # per site, the sites' names, the access log, and the rows (one streamed query); on
    # PostgreSQL also the transaction's savepoint and the planner settings for the cursor.
    assert many <= 16


# Who may download it -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("bob", 200), ("charlie", 404), ("dora", 404), ("nina", 404), ("erin", 404)],
)
def test_the_download_is_for_those_who_may_see_the_results(client_for, samples, persona, status):
    questionnaire = samples["questionnaire"]
    response = client_for(persona).get(_url(questionnaire))
    assert response.status_code == status
    if status == 200:
        rows = _read(response)
        # Council A's two sample responses: too few to name their site.
        assert len(rows) == 3
        assert {row[2] for row in rows[1:]} == {OTHER}
        assert f"I will {MARKER}" in [row[5] for row in rows[1:]]
    else:
        body = response.content.decode()
        assert MARKER not in body


def test_signed_out_visitors_are_sent_to_sign_in(client_for, samples):
    response = client_for(None).get(_url(samples["questionnaire"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_missing_questionnaire_is_404(client_for):
    assert (
        client_for("alice").get(reverse("evaluation:responses_download", args=[999999])).status_code
        == 404
    )


def test_each_download_is_written_to_the_access_log(client_for, personas, samples):
    questionnaire = samples["questionnaire"]
    before = AccessEvent.objects.count()
    b"".join(client_for("alice").get(_url(questionnaire)).streaming_content)
    event = AccessEvent.objects.order_by("-pk").first()
    assert AccessEvent.objects.count() == before + 1
    assert event.user == personas.alice
    assert event.organisation_id == questionnaire.organisation_id
    assert event.action == AccessEvent.Action.EXPORTED
    assert event.subject_id == str(questionnaire.pk)
    assert "(2 responses)" in event.description


def test_the_results_page_links_to_the_download(client_for, samples):
    questionnaire = samples["questionnaire"]
    response = client_for("alice").get(reverse("evaluation:results", args=[questionnaire.pk]))
    assert _url(questionnaire) in response.content.decode()


# The command -------------------------------------------------------------------------------------


def test_the_command_writes_the_same_file(client_for, personas, tmp_path):
    questionnaire, q = _questionnaire(personas, "command")
    for n in range(6):
        _respond(
            questionnaire, {q["likert"]: 1 + n % 5}, site=_site("Stirling Council"), text="x,y"
        )
    out = io.StringIO()
    call_command("questionnaire_responses_export", "command", stdout=out)
    from_stdout = out.getvalue()
    call_command("questionnaire_responses_export", "command", output=str(tmp_path / "r.csv"))
    from_file = (tmp_path / "r.csv").read_bytes().decode("utf-8")
    downloaded = b"".join(client_for("alice").get(_url(questionnaire)).streaming_content)
    assert from_stdout == from_file == downloaded.decode("utf-8")
    rows = list(csv.reader(io.StringIO(from_file[1:])))
    assert len(rows) == 7
    assert rows[1][9] == "x,y"
    assert (
        AccessEvent.objects.filter(
            user=None, subject_id=str(questionnaire.pk), action=AccessEvent.Action.EXPORTED
        ).count()
        == 2
    )


def test_the_command_refuses_an_unknown_code(db):
    with pytest.raises(CommandError, match="no questionnaire with the code nope"):
        call_command("questionnaire_responses_export", "nope", stdout=io.StringIO())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")
def test_on_postgresql_the_export_always_streams_and_changes_no_other_query(personas):
    """Hashing is turned off for the export's own transaction (so PostgreSQL merges answers in
    response order rather than hashing them all first), and for nothing after it."""
    questionnaire, q = _questionnaire(personas, "plan")
    _respond(questionnaire, {q["likert"]: 4})
    export = responses_export(questionnaire=questionnaire)
    chunks = csv_chunks(export)
    next(chunks)  # the header: the transaction is not open yet
    with connection.cursor() as cursor:
        inside = next(chunks)
        cursor.execute("SHOW enable_hashagg")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW enable_hashjoin")
        assert cursor.fetchone()[0] == "off"
        assert list(chunks) == []
        cursor.execute("SHOW enable_hashagg")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("SHOW enable_hashjoin")
        assert cursor.fetchone()[0] == "on"
    assert inside.startswith("1,")


def test_a_questionnaire_with_the_most_questions_allowed_exports_every_answer(personas):
    """Each line is made by a function call (PostgreSQL's CONCAT, SQLite's printf), and both
    take a limited number of arguments (CONCAT 100, two per cell): the line is made 40 cells
    at a time, so every question allowed still has its cell."""
    questionnaire = Questionnaire.objects.create(
        organisation=personas.council_a, code="widest", title="Survey widest"
    )
    questions = Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            position=n,
            code=f"n{n}",
            text=f"How many {n}",
            type=QuestionType.NUMBER,
        )
        for n in range(1, MAX_QUESTIONS + 1)
    )
    _respond(questionnaire, {question: n for n, question in enumerate(questions, 1)})
    export = responses_export(questionnaire=questionnaire)
    rows = list(csv.reader(io.StringIO("".join(csv_chunks(export))[1:])))
    assert len(rows[0]) == len(HEADERS) + MAX_QUESTIONS
    assert rows[1][len(HEADERS) :] == [str(n) for n in range(1, MAX_QUESTIONS + 1)]
    assert rows[1][0] == "1"
