"""Fixes from the review of the national survey (issue 11): answers to closed questions survive
a re-sent return, imports check the lock inside their transaction, a council is never dropped
from a round once its return is started, NUL characters and big files are refused kindly, a
sent import answers every required question, nothing is saved or chased before a round opens,
questions without a section sort last everywhere, and evaluation's commands leave national
questionnaires to the national commands."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from powershare.evaluation import services as evaluation_services
from powershare.evaluation.models import YES, Answer, Question, QuestionType
from powershare.national import importing, selectors, services
from powershare.national.management.commands import national_import
from powershare.national.models import CouncilReturn, ReturnSource, ReturnStatus

TODAY = timezone.localdate()


def _questions(survey_round):
    return {q.code: q for q in survey_round.questionnaire.questions.all()}


def _all_required(questions):
    answers = {q.pk: YES for q in questions.values() if q.type == QuestionType.YES_NO}
    answers[questions["driver-activity"].pk] = [1]
    return answers


def _sent_return_of_b(personas, samples):
    """Council B's return to the samples' round 2025, saved and sent by a respondent of B."""
    from powershare.accounts.models import Membership, User
    from powershare.accounts.roles import Role

    survey_round = samples["survey_round"]
    person = User.objects.create_user(email="resp@b.example", password="x" * 20, full_name="B R")
    Membership.objects.create(
        user=person, organisation=personas.council_b, role=Role.SURVEY_RESPONDENT
    )
    council_return = survey_round.returns.get(council=personas.council_b)
    services.return_save(
        actor=person,
        council_return=council_return,
        answers=_all_required(_questions(survey_round)),
        submit=True,
    )
    council_return.refresh_from_db()
    return person, council_return


# ---------------------------------------------------------------------------------------------
# 1. Re-sending a reopened return keeps its answers to questions closed since


def test_a_closed_questions_answer_survives_a_reopened_return_sent_again(personas, samples):
    survey_round = samples["survey_round"]
    questions = _questions(survey_round)
    council_return = survey_round.returns.get(council=personas.council_a)
    assert council_return.status == ReturnStatus.SUBMITTED
    steering = questions["steering-group"]
    before = selectors.round_results(survey_round=survey_round).by_code()["steering-group"]
    assert before.answered == 1

    evaluation_services.question_close(actor=personas.nina, question=steering)
    services.return_reopen(actor=personas.nina, council_return=council_return, reason="A typo.")
    answers = _all_required(_questions(survey_round))
    answers.pop(steering.pk)  # no longer asked: the page doesn't show it
    services.return_save(
        actor=personas.rhona, council_return=council_return, answers=answers, submit=True
    )

    assert Answer.objects.filter(response__council_return=council_return, question=steering)
    # Closed questions still count in the results.
    evaluation_services.question_close(actor=personas.nina, question=steering, closed=False)
    after = selectors.round_results(survey_round=survey_round).by_code()["steering-group"]
    assert after.answered == 1


def test_saving_still_replaces_the_answers_to_open_questions(personas, samples):
    survey_round = samples["survey_round"]
    questions = _questions(survey_round)
    council_return = survey_round.returns.get(council=personas.council_a)
    services.return_reopen(actor=personas.nina, council_return=council_return, reason="Check.")
    services.return_save(
        actor=personas.rhona,
        council_return=council_return,
        answers={questions["steering-group"].pk: 0},
    )
    stored = set(
        Answer.objects.filter(response__council_return=council_return).values_list(
            "question__code", "value"
        )
    )
    assert stored == {("steering-group", 0)}


# ---------------------------------------------------------------------------------------------
# 2. The import checks the lock inside its transaction; no stale sender


def _plan(survey_round, council, **answers):
    return services.ImportPlan(
        survey_round=survey_round,
        rows=[services.ReturnRow(council=council, answers=answers or {"steering-group": YES})],
    )


def test_returns_import_refuses_a_started_or_sent_return_without_replace(personas, samples):
    survey_round = samples["survey_round"]
    with pytest.raises(ValidationError) as refused:
        services.returns_import(plan=_plan(survey_round, personas.council_a))
    assert "Aberdeen City Council" in " ".join(refused.value.messages)
    council_return = survey_round.returns.get(council=personas.council_a)
    assert council_return.source == ReturnSource.ONLINE
    assert council_return.submitted_by == personas.rhona

    services.returns_import(plan=_plan(survey_round, personas.council_a), replace=True)
    council_return.refresh_from_db()
    assert council_return.source == ReturnSource.IMPORT
    assert council_return.status == ReturnStatus.SUBMITTED
    # The import, not rhona, sent this version.
    assert council_return.submitted_by is None


def test_a_return_started_after_the_check_is_not_overwritten(personas, samples):
    """The file was checked while council B had not started; a draft was saved before the
    import was stored: the import refuses, naming the council, and stores nothing."""
    survey_round = samples["survey_round"]
    text = "local_area," + ",".join(
        code for code, q in _questions(survey_round).items() if q.required
    )
    required = [q for q in _questions(survey_round).values() if q.required]
    text += "\nAngus," + ",".join("yes" for _ in required) + "\n"
    checked = importing.check_file(text.encode(), year=2025)
    assert checked.ok, checked.errors
    council_return = survey_round.returns.get(council=personas.council_b)
    CouncilReturn.objects.filter(pk=council_return.pk).update(status=ReturnStatus.DRAFT)
    answers_before = Answer.objects.count()
    with pytest.raises(ValidationError) as refused:
        importing.import_apply(checked)
    assert "Angus Council" in " ".join(refused.value.messages)
    assert Answer.objects.count() == answers_before
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.DRAFT

    # Checked with --replace, the same file is stored.
    checked = importing.check_file(text.encode(), year=2025, replace=True)
    assert checked.ok, checked.errors
    importing.import_apply(checked)
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.SUBMITTED


def test_a_reopened_return_has_no_sender(personas, samples):
    survey_round = samples["survey_round"]
    council_return = survey_round.returns.get(council=personas.council_a)
    assert council_return.submitted_by == personas.rhona
    services.return_reopen(actor=personas.nina, council_return=council_return, reason="Check.")
    council_return.refresh_from_db()
    assert council_return.submitted_by is None


def test_the_demo_loads_its_rounds_through_the_import(demo_database, db):
    from powershare.national.models import SurveyRound

    third = SurveyRound.objects.get(year=2026)
    statuses = dict(third.returns.values_list("council__name", "status"))
    assert statuses["Fife Council"] == ReturnStatus.DRAFT
    assert list(statuses.values()).count(ReturnStatus.SUBMITTED) == 11
    assert list(statuses.values()).count(ReturnStatus.DRAFT) == 7


# ---------------------------------------------------------------------------------------------
# 3. Choosing councils never deletes a return that has been started


def test_a_return_started_while_councils_are_chosen_is_kept(personas, samples):
    survey_round = samples["survey_round"]
    council_return = survey_round.returns.get(council=personas.council_b)
    assert council_return.status == ReturnStatus.NOT_STARTED
    table = CouncilReturn._meta.db_table
    raced = []

    def draft_saved_meanwhile(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not raced and sql.lstrip().upper().startswith("SELECT") and table in sql:
            raced.append(sql)
            # Council B saves a draft just after the statuses were read.
            CouncilReturn.objects.filter(pk=council_return.pk).update(status=ReturnStatus.DRAFT)
        return result

    with connection.execute_wrapper(draft_saved_meanwhile):
        services.round_councils_set(
            actor=personas.nina, survey_round=survey_round, council_ids=[personas.council_a.pk]
        )
    assert raced
    assert CouncilReturn.objects.filter(pk=council_return.pk).exists()


def test_a_council_not_started_is_still_removed(personas, samples):
    survey_round = samples["survey_round"]
    services.round_councils_set(
        actor=personas.nina, survey_round=survey_round, council_ids=[personas.council_a.pk]
    )
    assert list(survey_round.returns.values_list("council", flat=True)) == [personas.council_a.pk]


# ---------------------------------------------------------------------------------------------
# 4. NUL characters and big files


def _required_columns(survey_round) -> tuple[str, str]:
    codes = [code for code, q in _questions(survey_round).items() if q.required]
    return ",".join(codes), ",".join("yes" for _ in codes)


def test_a_nul_character_is_named_by_row_and_column(personas, samples):
    headings, values = _required_columns(samples["survey_round"])
    text = f"local_area,{headings},anything-else\nAngus,{values},Wor\x00ds\n"
    checked = importing.check_file(text.encode(), year=2025)
    assert not checked.ok
    assert (
        'Row 2, column "anything-else": contains a character that can\'t be stored (NUL); '
        "remove it" in checked.errors
    )
    assert checked.error_count == 1


def test_the_command_refuses_a_nul_without_a_traceback(personas, samples, tmp_path):
    path = tmp_path / "returns.csv"
    path.write_bytes(b"local_area,steering-group\nAng\x00us,yes\n")
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("national_import", "--round", "2025", str(path), stderr=err)
    assert failure.value.returncode == 1
    assert "Row 2, column local_area: contains a character that can't be stored" in err.getvalue()


def test_the_command_refuses_a_file_too_big_to_read(personas, samples, tmp_path, monkeypatch):
    monkeypatch.setattr(national_import, "MAX_FILE_BYTES", 100)
    path = tmp_path / "returns.csv"
    path.write_text("local_area,steering-group\n" + "Angus,yes\n" * 20)

    def never(*args, **kwargs):  # pragma: no cover - the point is it isn't called
        raise AssertionError("the file was read")

    monkeypatch.setattr(importing, "check_file", never)
    with pytest.raises(CommandError) as failure:
        call_command("national_import", "--round", "2025", str(path), stderr=StringIO())
    assert failure.value.returncode == 1
    assert "too big" in str(failure.value)


@pytest.mark.parametrize(
    "problem", [UnicodeDecodeError("utf-8", b"x", 0, 1, "bad"), ValidationError("Bad file.")]
)
def test_the_command_turns_what_the_import_raises_into_a_message(
    personas, samples, tmp_path, monkeypatch, problem
):
    def raises(*args, **kwargs):
        raise problem

    monkeypatch.setattr(importing, "check_file", raises)
    path = tmp_path / "returns.csv"
    path.write_text("local_area,steering-group\nAngus,yes\n")
    with pytest.raises(CommandError) as failure:
        call_command("national_import", "--round", "2025", str(path), stderr=StringIO())
    assert failure.value.returncode == 1
    assert "Nothing was imported" in str(failure.value)


# ---------------------------------------------------------------------------------------------
# 5. An imported (sent) return answers every required question


def test_an_import_names_each_required_question_left_blank(personas, samples):
    text = "local_area,steering-group,early-signs-knowledge\nAngus,,yes\n"
    checked = importing.check_file(text.encode(), year=2025)
    assert not checked.ok
    assert "Row 2: the required question steering-group has no answer." in checked.errors
    # Columns left out of the file are unanswered too.
    assert "Row 2: the required question early-signs-wellbeing has no answer." in checked.errors
    assert "Row 2: the required question early-signs-knowledge has no answer." not in (
        checked.errors
    )


def test_a_closed_required_question_need_not_be_answered(personas, samples):
    survey_round = samples["survey_round"]
    steering = _questions(survey_round)["steering-group"]
    evaluation_services.question_close(actor=personas.nina, question=steering)
    codes = [code for code, q in _questions(survey_round).items() if q.required and not q.is_closed]
    text = "local_area," + ",".join(codes) + "\nAngus," + ",".join("no" for _ in codes) + "\n"
    checked = importing.check_file(text.encode(), year=2025)
    assert checked.ok, checked.errors


# ---------------------------------------------------------------------------------------------
# 7. Nothing is saved or chased before the round opens


@pytest.fixture
def not_open_yet(personas, samples):
    survey_round = samples["survey_round"]
    opens = TODAY + datetime.timedelta(days=3)
    services.round_update(
        actor=personas.nina,
        survey_round=survey_round,
        opens_on=opens,
        closes_on=opens + datetime.timedelta(days=30),
    )
    return survey_round


def test_reminders_wait_until_the_round_opens(personas, not_open_yet):
    opens = not_open_yet.opens_on
    with pytest.raises(ValidationError) as refused:
        services.reminders_send(actor=personas.nina, survey_round=not_open_yet)
    assert refused.value.messages == [
        f"The round opens on {opens.day} {opens:%B %Y}: reminders can go once councils can "
        "send their return."
    ]
    assert not not_open_yet.returns.filter(reminders_sent__gt=0).exists()


def test_a_return_cant_be_saved_before_the_round_opens(personas, not_open_yet):
    from powershare.accounts.models import Membership, User
    from powershare.accounts.roles import Role

    person = User.objects.create_user(email="early@b.example", password="x" * 20, full_name="E")
    Membership.objects.create(
        user=person, organisation=personas.council_b, role=Role.SURVEY_RESPONDENT
    )
    council_return = not_open_yet.returns.get(council=personas.council_b)
    with pytest.raises(ValidationError) as refused:
        services.return_save(
            actor=person,
            council_return=council_return,
            answers={_questions(not_open_yet)["steering-group"].pk: YES},
        )
    assert "opens on" in " ".join(refused.value.messages)
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.NOT_STARTED
    assert council_return.response_id is None


# ---------------------------------------------------------------------------------------------
# 8. Questions without a section come last, whatever the database


def test_questions_without_a_section_come_last(personas, samples):
    survey_round = samples["survey_round"]
    loose = evaluation_services.question_add(
        actor=None,
        questionnaire=survey_round.questionnaire,
        section=None,
        code="loose-end",
        text="Anything we forgot?",
        type=QuestionType.TEXT,
    )
    ordered = selectors.round_questions(survey_round=survey_round)
    assert ordered[-1] == loose
    assert ordered[0].section is not None


# ---------------------------------------------------------------------------------------------
# 9. Evaluation's commands leave national questionnaires to the national ones


def test_questionnaire_results_refuses_a_national_questionnaire(samples):
    code = samples["survey_round"].questionnaire.code
    with pytest.raises(CommandError) as refused:
        call_command("questionnaire_results", code, stdout=StringIO())
    assert "national_results --round 2025" in str(refused.value)


def test_questionnaire_import_refuses_a_national_questionnaire(samples, tmp_path):
    code = samples["survey_round"].questionnaire.code
    path = tmp_path / "answers.csv"
    path.write_text("site,steering-group\nAngus,yes\n")
    before = Answer.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("questionnaire_import", str(path), "--questionnaire", code, stdout=StringIO())
    assert "national_import" in str(refused.value)
    assert Answer.objects.count() == before


def test_questionnaire_import_wont_create_a_national_questionnaire(samples, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("site,steering-group\nAngus,yes\n")
    with pytest.raises(CommandError) as refused:
        call_command(
            "questionnaire_import",
            str(path),
            "--questionnaire",
            "new-national",
            "--create",
            "--kind",
            "national",
            stdout=StringIO(),
        )
    assert "national_import" in str(refused.value)
    assert not Question.objects.filter(questionnaire__code="new-national").exists()
