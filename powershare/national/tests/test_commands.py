"""`manage.py national_results` and `manage.py national_import`.

On the demo database, round 2025's results are the source document's worked example: 29 of 32
councils, 100, 97, 97, 93 and 90% for the five outcomes and 79% for the steering group.

Imports run on the personas' round 2025 (council A, Aberdeen City, has sent its return; council
B, Angus, has not started). A good file imports (names matched loosely, answers by code); a
file with any problem exits with status 1 naming each row and column, and stores nothing.
"""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from powershare.evaluation.models import (
    YES,
    Answer,
    Question,
    QuestionnaireResponse,
    QuestionType,
    TextAnswer,
)
from powershare.national import importing, selectors
from powershare.national.models import CouncilReturn, ReturnSource, ReturnStatus, SurveyRound

OUTCOMES = [
    "early-signs-knowledge",
    "early-signs-understanding",
    "early-signs-leadership",
    "early-signs-environments",
    "early-signs-wellbeing",
]


def _results(year, format="json") -> str:
    out = StringIO()
    call_command("national_results", "--round", str(year), "--format", format, stdout=out)
    return out.getvalue()


def _import(tmp_path, text: str, *options, encoding="utf-8") -> tuple[str, str]:
    path = tmp_path / "returns.csv"
    path.write_text(text, encoding=encoding)
    out, err = StringIO(), StringIO()
    call_command("national_import", *options, str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _failing_import(tmp_path, text: str, *options) -> str:
    """The command fails with exit status 1; returns everything it printed to stderr."""
    path = tmp_path / "returns.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("national_import", *options, str(path), stdout=out, stderr=err)
    assert failure.value.returncode == 1
    assert "Imported" not in out.getvalue()
    return err.getvalue() + "\n" + str(failure.value)


def _stored() -> tuple[int, ...]:
    return (
        SurveyRound.objects.count(),
        CouncilReturn.objects.count(),
        CouncilReturn.objects.filter(status=ReturnStatus.SUBMITTED).count(),
        QuestionnaireResponse.objects.count(),
        Answer.objects.count(),
        TextAnswer.objects.count(),
        Question.objects.count(),
    )


# ---------------------------------------------------------------------------------------------
# national_results on the demo


@pytest.fixture
def demo(demo_database, db):
    return None


def test_round_2025_of_the_demo_gives_29_of_32_and_the_documents_percentages(demo):
    results = json.loads(_results(2025))
    assert results["round"] == 2025
    assert results["invited"] == 32
    assert results["returns"] == 29
    by_code = {q["code"]: q for q in results["questions"]}
    assert [by_code[code]["yes_pct"] for code in OUTCOMES] == [100, 97, 97, 93, 90]
    assert by_code["steering-group"]["yes_pct"] == 79
    assert by_code["steering-group"]["answered"] == 29
    assert by_code["steering-group"]["yes"] == 23
    assert set(by_code["steering-group"]) == {
        "code",
        "text",
        "type",
        "answered",
        "yes",
        "yes_pct",
    }
    # Text questions have no yes.
    assert by_code["driver-activity-examples"]["yes_pct"] is None


def test_the_text_format_is_a_readable_table_of_the_same_figures(demo):
    text = _results(2025, "text")
    assert "29 of 32 councils sent a return" in text
    line = next(line for line in text.splitlines() if line.startswith("steering-group "))
    assert "79%" in line.split()
    assert "23" in line.split()


def test_the_default_format_is_text(db, samples):
    out = StringIO()
    call_command("national_results", "--round", "2025", stdout=out)
    assert "1 of 2 councils sent a return" in out.getvalue()


def test_an_unknown_round_exits_with_status_1(db):
    with pytest.raises(CommandError) as failure:
        _results(1999)
    assert failure.value.returncode == 1
    assert "no survey round 1999" in str(failure.value)


# ---------------------------------------------------------------------------------------------
# national_import: a good file

GOOD = (
    "local_area,early-signs-knowledge,early-signs-understanding,steering-group,driver-activity,"
    "driver-activity-examples,driver-activity-examples-shareable,early-signs-leadership,"
    "early-signs-environments,early-signs-wellbeing\n"
    'aberdeen city,No,n,FALSE,2,"We met the panel twice.",no,no,0,false\n'
    'Angus Council,yes,Y,1,"{first}; {second}","Our panel rewrote the letters.",Yes,y,1,yes\n'
)
#: Imported returns are sent, so each row answers every required question: the outcomes'
#: columns (besides steering-group) for files about something else, and their answers.
OTHERS = ",".join(OUTCOMES)
YESES = ",".join("yes" for _ in OUTCOMES)


def _good(samples) -> str:
    choices = list(
        Question.objects.get(
            questionnaire=samples["survey_round"].questionnaire, code="driver-activity"
        ).choices.order_by("value")
    )
    return GOOD.format(first=choices[0].label.upper(), second=choices[2].label)


def _answers(council_return, code) -> list[int]:
    return sorted(
        Answer.objects.filter(
            response__council_return=council_return, question__code=code
        ).values_list("value", flat=True)
    )


def test_a_good_file_imports_and_the_results_change(db, personas, samples, tmp_path):
    survey_round = samples["survey_round"]
    before = selectors.round_results(survey_round=survey_round).by_code()
    assert before["early-signs-knowledge"].answered == 1
    out, err = _import(tmp_path, _good(samples), "--round", "2025", "--replace")
    assert err == ""
    assert "Imported 2 returns to round 2025." in out
    assert "Aberdeen City Council (row 2): its return to round 2025 is replaced" in out

    after = json.loads(_results(2025))
    assert after["returns"] == 2
    by_code = {q["code"]: q for q in after["questions"]}
    assert by_code["early-signs-knowledge"]["answered"] == 2
    assert by_code["driver-activity-examples"]["answered"] == 2

    angus = CouncilReturn.objects.get(round=survey_round, council=personas.council_b)
    assert angus.status == ReturnStatus.SUBMITTED
    assert angus.source == ReturnSource.IMPORT
    assert angus.submitted_at is not None
    assert _answers(angus, "early-signs-knowledge") == [YES]
    assert _answers(angus, "driver-activity") == [1, 3]  # labels, any case
    words = TextAnswer.objects.get(response__council_return=angus)
    assert (words.text, words.shareable) == ("Our panel rewrote the letters.", True)

    aberdeen = CouncilReturn.objects.get(round=survey_round, council=personas.council_a)
    assert aberdeen.source == ReturnSource.IMPORT
    assert _answers(aberdeen, "early-signs-knowledge") == [0]
    assert _answers(aberdeen, "steering-group") == [0]
    assert _answers(aberdeen, "driver-activity") == [2]  # an option's number
    # Replaced: rhona said yes to every outcome; not shareable.
    assert _answers(aberdeen, "early-signs-leadership") == [0]
    assert not TextAnswer.objects.get(response__council_return=aberdeen).shareable


def test_a_file_with_a_byte_order_mark_and_semicolons_imports(db, personas, samples, tmp_path):
    text = f"local_area;steering-group;{OTHERS}\nAngus;yes;{YESES}\n".replace(",", ";")
    out, _ = _import(tmp_path, text, "--round", "2025", encoding="utf-8-sig")
    assert "Imported 1 return to round 2025." in out
    angus = CouncilReturn.objects.get(round=samples["survey_round"], council=personas.council_b)
    assert _answers(angus, "steering-group") == [YES]


def test_a_council_not_invited_is_invited_and_said_so(db, personas, samples, tmp_path):
    survey_round = samples["survey_round"]
    assert not survey_round.returns.filter(council__name="Fife Council").exists()
    text = f"local_area,steering-group,{OTHERS}\nFife,no,{YESES}\n"
    out, _ = _import(tmp_path, text, "--round", "2025")
    assert "Fife Council (row 2) was not invited to round 2025: the import invites it." in out
    fife = survey_round.returns.get(council__name="Fife Council")
    assert fife.status == ReturnStatus.SUBMITTED
    assert _answers(fife, "steering-group") == [0]


def test_blank_cells_are_not_answered_and_blank_rows_skipped(db, personas, samples, tmp_path):
    text = f"local_area,enablers,steering-group,{OTHERS}\n,,\nAngus Council,,yes,{YESES}\n"
    out, _ = _import(tmp_path, text, "--round", "2025")
    assert "Imported 1 return to" in out
    angus = CouncilReturn.objects.get(round=samples["survey_round"], council=personas.council_b)
    assert _answers(angus, "enablers") == []
    assert _answers(angus, "early-signs-knowledge") == [YES]


# ---------------------------------------------------------------------------------------------
# national_import: all or nothing


def test_an_unknown_council_exits_1_names_the_row_and_stores_nothing(
    db, personas, samples, tmp_path
):
    before = _stored()
    text = (
        f"local_area,steering-group,{OTHERS}\nAngus Council,yes,{YESES}\nNarnia,no,{YESES}\n"
        f"Aberdeen Cty,no,{YESES}\n"
    )
    printed = _failing_import(tmp_path, text, "--round", "2025", "--replace")
    assert "Row 3: no council called 'Narnia'" in printed
    assert "check the spelling" in printed.lower()
    assert "32 councils" in printed
    # A near miss is suggested.
    assert "Row 4: no council called 'Aberdeen Cty' (did you mean 'Aberdeen City Council'?)" in (
        printed
    )
    assert "Nothing was imported: 2 problems" in printed
    assert _stored() == before
    angus = CouncilReturn.objects.get(round=samples["survey_round"], council=personas.council_b)
    assert angus.status == ReturnStatus.NOT_STARTED


def test_a_bad_yes_no_value_names_the_row_and_column(db, samples, tmp_path):
    before = _stored()
    text = "local_area,steering-group,early-signs-knowledge\nAngus Council,maybe,yes\n"
    printed = _failing_import(tmp_path, text, "--round", "2025")
    assert 'Row 2, column "steering-group": "maybe" is not an allowed answer' in printed
    assert "yes, no, y, n, 1, 0, true or false" in printed
    assert _stored() == before


def test_every_problem_is_listed_at_once(db, samples, tmp_path):
    text = (
        "local_area,steering-group,driver-activity,barriers\n"
        "Angus Council,sometimes,Nothing at all,\n"
        "Improvement Service,yes,,\n"
        "Angus,yes,,\n"
        "Stirling,,,99\n"
        ",yes,,\n"
    )
    printed = _failing_import(tmp_path, text, "--round", "2025")
    assert 'Row 2, column "steering-group": "sometimes"' in printed
    assert 'Row 2, column "driver-activity": "Nothing at all" is not an allowed answer' in printed
    assert "Row 3, column local_area: Improvement Service is not a council" in printed
    assert "Row 4, column local_area: Angus Council is already on row 2" in printed
    assert 'Row 5, column "barriers": "99"' in printed
    assert "Row 6, column local_area: say which council this row is for." in printed


def test_a_sent_return_is_only_replaced_with_replace(db, personas, samples, tmp_path):
    before = _stored()
    printed = _failing_import(
        tmp_path, "local_area,steering-group\nAberdeen,no\n", "--round", "2025"
    )
    assert "Row 2: Aberdeen City Council has already sent its return to round 2025" in printed
    assert "--replace" in printed
    assert _stored() == before


def test_an_unknown_column_without_create_is_an_error_naming_it(db, samples, tmp_path):
    before = _stored()
    text = "local_area,steering-group,partners-involved\nAngus Council,yes,yes\n"
    printed = _failing_import(tmp_path, text, "--round", "2025")
    assert 'Row 1, column "partners-involved": round 2025 has no question with this code' in printed
    assert "--create" in printed
    assert _stored() == before


def test_a_missing_round_without_create_is_an_error(db, samples, tmp_path):
    before = _stored()
    printed = _failing_import(tmp_path, "local_area,x\nAngus,yes\n", "--round", "2030")
    assert "There is no survey round 2030" in printed
    assert _stored() == before


def test_a_file_without_a_council_column_is_an_error(db, samples, tmp_path):
    printed = _failing_import(tmp_path, "council,steering-group\nAngus,yes\n", "--round", "2025")
    assert "Row 1: there is no column called local_area" in printed


def test_a_file_that_is_not_utf8_is_an_error(db, samples, tmp_path):
    path = tmp_path / "returns.csv"
    path.write_bytes("local_area,steering-group\nNa h-Eileanan Siar \xe9,yes\n".encode("latin-1"))
    with pytest.raises(CommandError):
        call_command("national_import", "--round", "2025", str(path), stderr=StringIO())


# ---------------------------------------------------------------------------------------------
# national_import --create

CREATE = (
    "local_area,partners-involved,what-worked,what-worked-shareable,steering-group\n"
    "Angus Council,Yes,We met in the library.,yes,no\n"
    "Aberdeen City Council,n,,,\n"
    "Fife,true,Short sessions,,\n"
)


def test_create_makes_the_round_and_a_question_for_each_new_column(db, personas, samples, tmp_path):
    assert not SurveyRound.objects.filter(year=2027).exists()
    out, _ = _import(tmp_path, CREATE, "--round", "2027", "--create")
    assert "Imported 3 returns to round 2027." in out
    assert "New round 2027, inviting every council, open from 1 April 2027 to 30 June 2027." in out
    survey_round = SurveyRound.objects.get(year=2027)
    assert survey_round.organisation == personas.national  # nina's body
    assert survey_round.opens_on == datetime.date(2027, 4, 1)
    assert survey_round.closes_on == datetime.date(2027, 6, 30)
    questions = {q.code: q for q in survey_round.questionnaire.questions.all()}
    assert set(questions) == {"partners-involved", "what-worked", "steering-group"}
    assert questions["partners-involved"].type == QuestionType.YES_NO
    assert questions["partners-involved"].text == "Partners involved"
    assert questions["what-worked"].type == QuestionType.TEXT
    assert questions["steering-group"].type == QuestionType.YES_NO
    results = selectors.round_results(survey_round=survey_round)
    assert results.returns == 3
    assert results.invited >= 3
    assert results.by_code()["partners-involved"].answered == 3
    assert results.by_code()["partners-involved"].yes == 2
    angus = survey_round.returns.get(council=personas.council_b)
    assert TextAnswer.objects.get(response__council_return=angus).shareable


def test_create_adds_new_questions_to_an_existing_round(db, personas, samples, tmp_path):
    survey_round = samples["survey_round"]
    text = (
        f"local_area,steering-group,local-lead-in-post,notes,{OTHERS}\n"
        f"Angus,yes,no,Going well,{YESES}\n"
    )
    out, _ = _import(tmp_path, text, "--round", "2025", "--create")
    assert "New question local-lead-in-post (yes or no)" in out
    assert "New question notes (text)" in out
    questions = {q.code: q for q in survey_round.questionnaire.questions.all()}
    assert questions["local-lead-in-post"].type == QuestionType.YES_NO
    assert questions["notes"].type == QuestionType.TEXT
    assert questions["steering-group"].type == QuestionType.YES_NO  # unchanged
    angus = survey_round.returns.get(council=personas.council_b)
    assert _answers(angus, "local-lead-in-post") == [0]


def test_create_refuses_a_heading_that_cannot_be_a_code(db, samples, tmp_path):
    before = _stored()
    text = "local_area,Partners Involved,ok-code\nAngus,yes,yes\n"
    printed = _failing_import(tmp_path, text, "--round", "2027", "--create")
    assert "Row 1, column \"Partners Involved\": this heading can't be a question's code" in printed
    assert _stored() == before
    assert not SurveyRound.objects.filter(year=2027).exists()


def test_create_with_a_problem_in_a_row_makes_neither_the_round_nor_questions(
    db, samples, tmp_path
):
    before = _stored()
    printed = _failing_import(
        tmp_path, "local_area,new-question\nNarnia,yes\n", "--round", "2027", "--create"
    )
    assert "Row 2: no council called 'Narnia'" in printed
    assert _stored() == before


# ---------------------------------------------------------------------------------------------
# The checker on its own (for a page or the API)


def test_check_file_returns_the_plan_without_storing(db, personas, samples):
    before = _stored()
    checked = importing.check_file(_good(samples).encode(), year=2025, create=False, replace=True)
    assert checked.ok, checked.errors
    plan = checked.plan()
    assert plan.survey_round == samples["survey_round"]
    assert [(row.council, row.line) for row in plan.rows] == [
        (personas.council_a, 2),
        (personas.council_b, 3),
    ]
    angus = plan.rows[1]
    assert angus.answers["steering-group"] == YES
    assert angus.answers["driver-activity"] == [1, 3]
    assert angus.texts == {"driver-activity-examples": "Our panel rewrote the letters."}
    assert angus.shareable == {"driver-activity-examples"}
    assert plan.new_questions == []
    assert _stored() == before


def test_only_a_text_questions_words_can_be_marked_shareable(db, samples, tmp_path):
    text = "local_area,steering-group,steering-group-shareable\nAngus,yes,yes\n"
    printed = _failing_import(tmp_path, text, "--round", "2025")
    assert 'Row 1, column "steering-group-shareable": only a text question\'s words' in printed
    text = "local_area,missing-shareable\nAngus,yes\n"
    printed = _failing_import(tmp_path, text, "--round", "2025")
    assert 'Row 1, column "missing-shareable": there is no column "missing"' in printed


def test_a_bad_shareable_value_names_its_column(db, samples, tmp_path):
    text = "local_area,anything-else,anything-else-shareable\nAngus,Words,perhaps\n"
    printed = _failing_import(tmp_path, text, "--round", "2025")
    assert 'Row 2, column "anything-else-shareable": "perhaps" is not yes or no' in printed


def test_a_wrong_option_lists_the_options(db, samples, tmp_path):
    text = "local_area,enablers\nAngus,Luck; 1\n"
    printed = _failing_import(tmp_path, text, "--round", "2025")
    assert 'Row 2, column "enablers": "Luck" is not an allowed answer' in printed
    assert "1. Commitment of local services and practitioners" in printed


def test_create_refuses_a_year_out_of_range(db, samples, tmp_path):
    printed = _failing_import(tmp_path, "local_area,x\nAngus,yes\n", "--round", "1850", "--create")
    assert "between 2020 and 2100" in printed
    assert not SurveyRound.objects.filter(year=1850).exists()
