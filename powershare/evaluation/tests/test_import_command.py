"""`python manage.py questionnaire_import FILE --questionnaire CODE [--create] [--site-column C]`:
all or nothing. A value that isn't allowed stops the whole file with exit status 1, naming the
row, the column, the value and what is allowed."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from powershare.accounts.models import Organisation, OrganisationKind
from powershare.evaluation.management.commands.questionnaire_import import Command
from powershare.evaluation.models import (
    Answer,
    ImportBatch,
    Questionnaire,
    QuestionnaireResponse,
    QuestionType,
    TextAnswer,
)

pytestmark = pytest.mark.django_db


def _csv(tmp_path, text: str, name: str = "answers.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("questionnaire_import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _values(questionnaire, code) -> list[int]:
    return sorted(
        Answer.objects.filter(
            question__questionnaire=questionnaire, question__code=code
        ).values_list("value", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# A bad value: exit status 1, the row, column, value and what is allowed, and nothing imported


def test_a_bad_value_imports_nothing_and_says_where(tmp_path, samples):
    questionnaire = samples["questionnaire"]
    before = questionnaire.responses.count()
    path = _csv(tmp_path, "ilo-1,will-do-next\nAgree,Listen more\nsort of,Ask first\n4,\n")
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "questionnaire_import", path, "--questionnaire", questionnaire.code, stderr=err
        )
    assert failed.value.returncode == 1
    assert "Nothing was imported" in str(failed.value)
    message = err.getvalue()
    assert "Row 3" in message
    assert 'column "ilo-1"' in message
    assert '"sort of"' in message
    assert "Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree" in (
        message
    )
    assert "1 to 5" in message
    assert questionnaire.responses.count() == before
    assert ImportBatch.objects.filter(questionnaire=questionnaire).count() == 1  # the sample's


def test_from_the_command_line_a_bad_value_exits_with_status_1(
    tmp_path, samples, capsys, monkeypatch
):
    """As `manage.py` runs it: the error goes to stderr and the process exits with 1."""
    from django.core.management import base

    # run_from_argv closes every database connection when it ends, as a process would; the
    # test's connection (holding its transaction) must stay open.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    questionnaire = samples["questionnaire"]
    before = questionnaire.responses.count()
    path = _csv(tmp_path, "ilo-1\nAgree\nMaybe\n")
    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(
            ["manage.py", "questionnaire_import", path, "--questionnaire", questionnaire.code]
        )
    assert exited.value.code == 1
    stderr = capsys.readouterr().err
    assert 'Row 3, column "ilo-1": "Maybe" is not an allowed answer' in stderr
    assert "Strongly agree" in stderr
    assert questionnaire.responses.count() == before


def test_every_bad_value_is_listed(tmp_path, samples):
    path = _csv(tmp_path, "ilo-1\nAgree\n6\nYes\n0\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("questionnaire_import", path, "--questionnaire", "a-sample-pre", stderr=err)
    for row, value in ((3, "6"), (4, "Yes"), (5, "0")):
        assert f'Row {row}, column "ilo-1": "{value}"' in err.getvalue()


def test_an_unknown_questionnaire_or_a_missing_file_is_an_error(tmp_path, samples):
    with pytest.raises(CommandError) as failed:
        _run(str(tmp_path / "nowhere.csv"), "--questionnaire", "a-sample-pre")
    assert "no file" in str(failed.value)
    path = _csv(tmp_path, "ilo-1\nAgree\n")
    with pytest.raises(CommandError):
        _run(path, "--questionnaire", "no-such-questionnaire")


# ---------------------------------------------------------------------------------------------
# An existing questionnaire: columns by code or exact wording; blank = not answered


def test_columns_match_codes_or_exact_wording_and_blanks_are_not_answers(tmp_path, samples):
    questionnaire = samples["questionnaire"]
    words = samples["text_question"]
    before = questionnaire.responses.count()
    path = _csv(
        tmp_path,
        f'ILO-1,"{words.text}",Notes\n'
        "  strongly AGREE ,I will listen,ignored\n"
        "1,,ignored\n"
        ",Ask first,\n",
    )
    out, _err = _run(path, "--questionnaire", questionnaire.code)
    assert "Imported 3 responses" in out
    assert "Columns left out (no question matches): Notes" in out
    assert questionnaire.responses.count() == before + 3
    batch = ImportBatch.objects.filter(questionnaire=questionnaire).latest("pk")
    assert batch.file_name == "answers.csv"
    assert batch.rows == 3
    imported = Answer.objects.filter(response__import_batch=batch)
    assert sorted(imported.values_list("value", flat=True)) == [1, 5]  # the blank isn't one
    texts = TextAnswer.objects.filter(response__import_batch=batch)
    assert sorted(texts.values_list("text", flat=True)) == ["Ask first", "I will listen"]


def test_an_xlsx_file_works(tmp_path, samples):
    questionnaire = samples["questionnaire"]
    book = Workbook()
    sheet = book.active
    sheet.append(["ilo-1", "will-do-next"])
    sheet.append([5, "Listen"])
    sheet.append(["Disagree", None])
    sheet.append([None, "Only words"])
    path = tmp_path / "answers.xlsx"
    book.save(path)
    out, _err = _run(str(path), "--questionnaire", questionnaire.code)
    assert "Imported 3 responses" in out
    batch = ImportBatch.objects.filter(questionnaire=questionnaire).latest("pk")
    assert sorted(
        Answer.objects.filter(response__import_batch=batch).values_list("value", flat=True)
    ) == [2, 5]
    assert TextAnswer.objects.filter(response__import_batch=batch).count() == 2


# ---------------------------------------------------------------------------------------------
# --create: the questions come from the columns, their kinds from the values


def test_create_works_out_each_columns_kind_of_answer(tmp_path, personas):
    path = _csv(
        tmp_path,
        "I feel confident,Would recommend,Scored,What helped\n"
        "strongly agree,Yes,1,The stories\n"
        " Neither Agree nor  Disagree ,no,5,\n"
        "AGREE,YES,3,Time to talk\n"
        ",,,\n"
        ",No,,Nothing\n",
    )
    out, _err = _run(
        path,
        "--questionnaire",
        "made-from-file",
        "--create",
        "--organisation",
        personas.council_a.name,
        "--title",
        "Made from a file",
    )
    questionnaire = Questionnaire.objects.get(code="made-from-file")
    assert questionnaire.organisation == personas.council_a
    assert questionnaire.title == "Made from a file"
    kinds = dict(questionnaire.questions.values_list("code", "type"))
    assert kinds == {
        "i-feel-confident": QuestionType.LIKERT,
        "would-recommend": QuestionType.YES_NO,
        "scored": QuestionType.LIKERT,
        "what-helped": QuestionType.TEXT,
    }
    assert questionnaire.questions.get(code="i-feel-confident").text == "I feel confident"
    assert "new question would-recommend: yes_no" in out
    # The empty row is skipped; blank cells are not answers.
    assert questionnaire.responses.count() == 4
    assert _values(questionnaire, "i-feel-confident") == [3, 4, 5]
    assert _values(questionnaire, "would-recommend") == [0, 0, 1, 1]
    assert _values(questionnaire, "scored") == [1, 3, 5]
    assert TextAnswer.objects.filter(question__code="what-helped").count() == 3


def test_create_refuses_a_code_already_used(tmp_path, samples):
    path = _csv(tmp_path, "q\nYes\n")
    with pytest.raises(CommandError):
        _run(path, "--questionnaire", samples["questionnaire"].code, "--create")


# ---------------------------------------------------------------------------------------------
# Sites


def test_sites_match_organisations_by_name_or_are_kept_as_written(tmp_path, personas):
    stirling, _ = Organisation.objects.get_or_create(
        slug="stirling-council",
        defaults={"name": "Stirling Council", "kind": OrganisationKind.LOCAL_AUTHORITY},
    )
    path = _csv(
        tmp_path,
        "Site,Useful\n"
        "Stirling,Yes\n"
        "Stirling Council,No\n"
        " stirling council ,Yes\n"
        "Bonnyrigg Community Hall,Yes\n"
        ",Yes\n",
    )
    out, _err = _run(
        path,
        "--questionnaire",
        "sites-test",
        "--create",
        "--site-column",
        "site",
        "--organisation",
        personas.council_a.name,
    )
    questionnaire = Questionnaire.objects.get(code="sites-test")
    # The site column is not a question.
    assert list(questionnaire.questions.values_list("code", flat=True)) == ["useful"]
    responses = QuestionnaireResponse.objects.filter(questionnaire=questionnaire)
    assert responses.filter(site=stirling).count() == 3
    assert responses.filter(site_label="Stirling").count() == 0
    kept = responses.get(site__isnull=True, site_label="Bonnyrigg Community Hall")
    assert kept.site_label == "Bonnyrigg Community Hall"
    assert responses.filter(site__isnull=True, site_label="").count() == 1
    assert "Sites kept as written (no organisation has that name): Bonnyrigg Community Hall" in out


def test_a_missing_site_column_is_an_error(tmp_path, samples):
    path = _csv(tmp_path, "ilo-1\nAgree\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "questionnaire_import",
            path,
            "--questionnaire",
            "a-sample-pre",
            "--site-column",
            "Where",
            stderr=err,
        )
    assert 'There is no column called "Where"' in err.getvalue()
