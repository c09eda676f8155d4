"""The national coordinator's pages for survey rounds: the rounds list, starting, changing and
copying a round, its councils, narrative and questions, the chasing list with its live
"N of M", and reopening a sent return. Only the coordinator of the body running the round may
open them; everyone else gets 404 (a council's survey respondent is sent to their returns)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.accounts.models import Organisation, OrganisationKind
from powershare.evaluation.models import Question, QuestionType
from powershare.national import services
from powershare.national.models import CouncilReturn, ReturnStatus, SurveyRound

TODAY = datetime.date.today()


def _url(name, *args):
    return reverse(f"national:{name}", args=args)


def _html(response) -> str:
    return response.content.decode()


def _reference_councils():
    return Organisation.objects.filter(kind=OrganisationKind.LOCAL_AUTHORITY, is_reference=True)


def _round(personas, year=2030, council_ids=None):
    return services.round_create(
        actor=personas.nina,
        year=year,
        opens_on=TODAY - datetime.timedelta(days=5),
        closes_on=TODAY + datetime.timedelta(days=30),
        council_ids=council_ids,
    )


# ---------------------------------------------------------------------------------------------
# Who may open the pages


ROUND_PAGES = [
    "round_detail",
    "round_progress",
    "round_edit",
    "round_councils",
    "round_narrative",
    "round_copy",
    "reminders_send",
    "round_questions",
    "question_add",
]
QUESTION_PAGES = ["question_edit", "question_remove", "question_move"]


def test_nina_opens_every_round_page(client_for, samples):
    client = client_for("nina")
    survey_round = samples["survey_round"]
    for name in ROUND_PAGES:
        response = client.get(_url(name, survey_round.pk))
        expected = 302 if name in ("round_progress",) else 200
        assert response.status_code == expected, name
    for name in QUESTION_PAGES:
        response = client.get(_url(name, samples["survey_question"].pk))
        assert response.status_code == (302 if name == "question_move" else 200), name
    assert client.get(_url("return_reopen", samples["council_return"].pk)).status_code == 200
    assert client.get(_url("home")).status_code == 200
    assert client.get(_url("round_create")).status_code == 200


@pytest.mark.parametrize("persona", ["charlie", "alice", "rhona"])
def test_everyone_else_gets_404_for_the_round_pages(client_for, samples, persona):
    client = client_for(persona)
    survey_round = samples["survey_round"]
    for name in ROUND_PAGES:
        assert client.get(_url(name, survey_round.pk)).status_code == 404, name
        if name not in ("round_detail", "round_progress", "round_questions"):  # GET only
            assert client.post(_url(name, survey_round.pk), {}).status_code == 404, name
    for name in QUESTION_PAGES:
        assert client.get(_url(name, samples["survey_question"].pk)).status_code == 404, name
        assert client.post(_url(name, samples["survey_question"].pk), {}).status_code == 404
    reopen = _url("return_reopen", samples["council_return"].pk)
    assert client.get(reopen).status_code == 404
    assert client.post(reopen, {"reason": "Taken over"}).status_code == 404
    assert client.get(_url("round_create")).status_code == 404
    assert CouncilReturn.objects.get(pk=samples["council_return"].pk).is_locked


def test_home_sends_a_survey_respondent_to_their_returns_and_others_get_404(client_for, samples):
    response = client_for("rhona").get(_url("home"))
    assert response.status_code == 302
    assert response["Location"] == _url("my_returns")
    assert client_for("charlie").get(_url("home")).status_code == 404
    assert client_for("alice").get(_url("home")).status_code == 404


def test_the_navigation_shows_the_national_survey_to_nina_and_rhona_only(client_for, samples):
    for persona, shown in (("nina", True), ("rhona", True), ("alice", False)):
        response = client_for(persona).get(reverse("support:list"))
        labels = [item["label"] for item in response.context["navigation"]]
        assert ("National survey" in labels) is shown, persona


# ---------------------------------------------------------------------------------------------
# The rounds list and starting a round


def test_home_lists_rounds_with_n_of_m_and_the_period(client_for, samples):
    html = _html(client_for("nina").get(_url("home")))
    assert str(samples["survey_round"]) in html
    assert "covers 2024/25" in html
    assert "1 of 2 returns" in html
    assert _url("round_create") in html


def test_home_runs_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("nina")
    client.get(_url("home"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("home")).status_code == 200
    for year in (2031, 2032, 2033):
        _round(personas, year, council_ids=[personas.council_a.pk])
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url("home")).status_code == 200
    assert len(few) == len(many)


def test_starting_a_round_invites_the_32_councils_by_default(client_for, samples):
    client = client_for("nina")
    response = client.get(_url("round_create"))
    form = response.context["form"]
    assert form.initial["year"] == 2026  # the year after the latest round (2025)
    ticked = form.initial["councils"]
    assert len(ticked) == 32
    assert set(ticked) == set(_reference_councils().values_list("pk", flat=True))
    html = _html(response)
    assert "Aberdeen City Council" in html
    assert html.count('type="checkbox" name="councils"') == len(form.fields["councils"].choices)

    response = client.post(
        _url("round_create"),
        {
            "year": "2026",
            "title": "",
            "opens_on": "2026-04-20",
            "closes_on": "2026-06-12",
            "councils": ticked,
            "form_token": "create-2026",
        },
    )
    survey_round = SurveyRound.objects.get(year=2026)
    assert response.status_code == 302
    assert response["Location"] == _url("round_detail", survey_round.pk)
    assert survey_round.returns.count() == 32
    assert survey_round.questionnaire.questions.filter(code="steering-group").exists()
    assert survey_round.title == "National learning survey 2026"
    # The same form sent again (a double click) makes nothing new.
    client.post(
        _url("round_create"),
        {
            "year": "2026",
            "opens_on": "2026-04-20",
            "closes_on": "2026-06-12",
            "councils": ticked,
            "form_token": "create-2026",
        },
    )
    assert SurveyRound.objects.filter(year=2026).count() == 1


def test_starting_a_round_keeps_what_was_typed_on_errors(client_for, samples):
    client = client_for("nina")
    response = client.post(
        _url("round_create"),
        {
            "year": "2025",  # taken
            "title": "Kept title",
            "opens_on": "2026-06-12",
            "closes_on": "2026-04-20",
            "councils": ["not-a-number", str(2**70)],
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "councils" in form.errors
    assert "closes_on" in form.errors
    assert "Kept title" in _html(response)
    response = client.post(
        _url("round_create"),
        {
            "year": "2025",
            "opens_on": "2026-04-20",
            "closes_on": "2026-06-12",
            "councils": [samples["survey_round"].returns.first().council_id],
        },
    )
    assert response.status_code == 200
    assert "There is already a round for 2025" in _html(response)
    for year in ("1999", "abc", "99999999999999999999"):
        response = client.post(_url("round_create"), {"year": year})
        assert response.status_code == 200
        assert "year" in response.context["form"].errors


# ---------------------------------------------------------------------------------------------
# A round's page


def test_the_round_page_shows_n_of_m_and_each_council_s_status(client_for, personas, samples):
    survey_round = samples["survey_round"]
    html = _html(client_for("nina").get(_url("round_detail", survey_round.pk)))
    assert "1 of 2 councils</strong> have sent their return" in html
    assert "Aberdeen City Council" in html
    assert "Angus Council" in html
    assert "Not started" in html
    assert 'hx-get="' + _url("round_progress", survey_round.pk) + '"' in html
    assert 'hx-trigger="every 30s"' in html
    # A sent return: a link to read it and to reopen it; never who sent it.
    assert _url("return_detail", samples["council_return"].pk) in html
    assert _url("return_reopen", samples["council_return"].pk) in html
    assert "Rhona" not in html
    assert "rhona@" not in html
    # Council B has no survey respondent: the coordinator is told.
    assert "No survey respondent" in html
    for name in ("round_edit", "round_councils", "round_questions", "round_narrative"):
        assert _url(name, survey_round.pk) in html
    assert _url("round_copy", survey_round.pk) in html
    assert _url("report", survey_round.pk) in html
    assert _url("reminders_send", survey_round.pk) in html


def test_the_round_page_filters_by_status(client_for, samples):
    survey_round = samples["survey_round"]
    client = client_for("nina")
    sent = client.get(_url("round_detail", survey_round.pk), {"status": "submitted"})
    assert [r.council.name for r in sent.context["page_obj"]] == ["Aberdeen City Council"]
    waiting = client.get(_url("round_detail", survey_round.pk), {"status": "not_started"})
    assert [r.council.name for r in waiting.context["page_obj"]] == ["Angus Council"]
    every = client.get(_url("round_detail", survey_round.pk), {"status": "nonsense"})
    assert every.context["page_obj"].paginator.count == 2


def test_the_live_progress_returns_the_counts(client_for, personas, samples):
    survey_round = samples["survey_round"]
    client = client_for("nina")
    response = client.get(_url("round_progress", survey_round.pk), headers={"HX-Request": "true"})
    html = _html(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert "1 of 2 councils" in html
    assert "1 sent" in html
    assert "0 with a draft saved" in html
    assert "1 not started" in html
    services.round_councils_set(
        actor=personas.nina,
        survey_round=survey_round,
        council_ids=list(_reference_councils().values_list("pk", flat=True)),
    )
    html = _html(
        client.get(_url("round_progress", survey_round.pk), headers={"HX-Request": "true"})
    )
    assert "1 of 32 councils" in html
    assert "31 not started" in html
    # Without htmx, the round's page.
    response = client.get(_url("round_progress", survey_round.pk))
    assert response.status_code == 302


def test_the_round_page_runs_a_fixed_number_of_queries(client_for, personas, samples):
    survey_round = samples["survey_round"]
    client = client_for("nina")
    client.get(_url("round_detail", survey_round.pk))
    with CaptureQueriesContext(connection) as few:
        response = client.get(_url("round_detail", survey_round.pk))
    assert response.context["page_obj"].paginator.count == 2
    services.round_councils_set(
        actor=personas.nina,
        survey_round=survey_round,
        council_ids=list(_reference_councils().values_list("pk", flat=True)),
    )
    CouncilReturn.objects.filter(round=survey_round).update(reminders_sent=2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url("round_detail", survey_round.pk))
    assert response.context["page_obj"].paginator.count == 32
    assert len(few) == len(many)


# ---------------------------------------------------------------------------------------------
# Changing a round


def test_nina_changes_the_title_and_dates_and_bad_dates_are_kept(client_for, samples):
    survey_round = samples["survey_round"]
    client = client_for("nina")
    response = client.post(
        _url("round_edit", survey_round.pk),
        {"title": "Survey 2025", "opens_on": "2025-05-01", "closes_on": "2025-04-01"},
    )
    assert response.status_code == 200
    assert "closes_on" in response.context["form"].errors
    assert 'value="Survey 2025"' in _html(response)
    response = client.post(
        _url("round_edit", survey_round.pk),
        {"title": "Survey 2025", "opens_on": "2025-04-01", "closes_on": "2025-06-01"},
    )
    assert response.status_code == 302
    survey_round.refresh_from_db()
    assert survey_round.title == "Survey 2025"
    assert survey_round.closes_on == datetime.date(2025, 6, 1)
    assert survey_round.questionnaire.title == "Survey 2025"


def test_nina_writes_the_narrative(client_for, samples):
    survey_round = samples["survey_round"]
    response = client_for("nina").post(
        _url("round_narrative", survey_round.pk),
        {"key_messages": "Councils see change.", "recommendations": "Keep leads in post."},
    )
    assert response.status_code == 302
    survey_round.refresh_from_db()
    assert survey_round.key_messages == "Councils see change."
    assert survey_round.recommendations == "Keep leads in post."
    too_long = client_for("nina").post(
        _url("round_narrative", survey_round.pk), {"key_messages": "x" * 20001}
    )
    assert too_long.status_code == 200
    assert "key_messages" in too_long.context["form"].errors


def test_changing_the_councils_refuses_to_drop_a_council_that_started(
    client_for, personas, samples
):
    survey_round = samples["survey_round"]
    client = client_for("nina")
    page = client.get(_url("round_councils", survey_round.pk))
    assert set(page.context["form"].initial["councils"]) == {
        personas.council_a.pk,
        personas.council_b.pk,
    }
    assert "Aberdeen City Council (return: sent)" in _html(page)
    # Council A sent its return: it can't be taken out.
    response = client.post(
        _url("round_councils", survey_round.pk), {"councils": [personas.council_b.pk]}
    )
    assert response.status_code == 200
    assert "started a return already, so they stay in this round" in _html(response)
    assert survey_round.returns.filter(council=personas.council_a).exists()
    # Nothing chosen: a kind message, not a 500.
    response = client.post(_url("round_councils", survey_round.pk), {})
    assert response.status_code == 200
    assert "Choose at least one council" in _html(response)
    # Council B (not started) can go, and another council can join.
    fife = Organisation.objects.get(name="Fife Council")
    response = client.post(
        _url("round_councils", survey_round.pk), {"councils": [personas.council_a.pk, fife.pk]}
    )
    assert response.status_code == 302
    assert set(survey_round.returns.values_list("council__name", flat=True)) == {
        "Aberdeen City Council",
        "Fife Council",
    }


def test_nina_copies_a_round_to_the_next_year(client_for, samples):
    survey_round = samples["survey_round"]
    client = client_for("nina")
    page = _html(client.get(_url("round_copy", survey_round.pk)))
    assert "This makes round 2026, covering 2025/26" in page
    response = client.post(_url("round_copy", survey_round.pk), {"form_token": "copy-2026"})
    new = SurveyRound.objects.get(year=2026)
    assert response.status_code == 302
    assert response["Location"] == _url("round_detail", new.pk)
    assert new.copied_from_id == survey_round.pk
    assert new.returns.count() == 2
    assert not new.returns.exclude(status=ReturnStatus.NOT_STARTED).exists()
    assert set(new.questionnaire.questions.values_list("code", flat=True)) == set(
        survey_round.questionnaire.questions.values_list("code", flat=True)
    )
    # Copying again: the year is taken, said kindly.
    page = _html(client.get(_url("round_copy", survey_round.pk)))
    assert "There is already a round for 2026" in page
    response = client.post(_url("round_copy", survey_round.pk), {"form_token": "copy-again"})
    assert response.status_code == 200
    assert "There is already a round for 2026" in _html(response)
    assert SurveyRound.objects.filter(year=2026).count() == 1


def test_nina_reopens_a_sent_return_with_a_reason(client_for, samples):
    council_return = samples["council_return"]
    client = client_for("nina")
    url = _url("return_reopen", council_return.pk)
    assert "Aberdeen City Council" in _html(client.get(url))
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = client.post(url, {"reason": "Please add your examples."})
    assert response.status_code == 302
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.DRAFT
    assert council_return.reopen_reason == "Please add your examples."
    # Only a sent return: a draft is sent back to the round's page with a note.
    response = client.get(url)
    assert response.status_code == 302
    response = client.post(url, {"reason": "Again"})
    assert response.status_code == 302
    council_return.refresh_from_db()
    assert council_return.reopen_reason == "Please add your examples."


# ---------------------------------------------------------------------------------------------
# Questions


def test_the_questions_page_lists_them_by_section(client_for, samples):
    survey_round = samples["survey_round"]
    html = _html(client_for("nina").get(_url("round_questions", survey_round.pk)))
    assert html.index("Early signs of the short-term outcomes") < html.index(
        "Activity across the Roadmap"
    )
    assert "<code>steering-group</code>" in html
    assert "Choose any" in html
    assert "Staff turnover and hard-to-fill posts" in html  # an option of "barriers"
    assert "Councils have answered it" in html


def test_nina_adds_changes_moves_and_removes_a_question(client_for, samples):
    survey_round = samples["survey_round"]
    section = survey_round.questionnaire.sections.order_by("position").last()
    client = client_for("nina")
    response = client.post(
        _url("question_add", survey_round.pk),
        {
            "code": "Peer-Support",
            "text": "Which kinds of peer support do you offer?",
            "type": QuestionType.MULTIPLE,
            "choices": "Buddying\n\nPeer groups\n",
            "section": section.pk,
            "form_token": "add-peer",
        },
    )
    question = Question.objects.get(questionnaire=survey_round.questionnaire, code="peer-support")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert list(question.choices.values_list("label", flat=True)) == ["Buddying", "Peer groups"]
    assert question.section == section

    response = client.post(
        _url("question_edit", question.pk),
        {
            "code": "peer-support",
            "text": "Which kinds of peer support does your area offer?",
            "type": QuestionType.MULTIPLE,
            "choices": "Buddying\nPeer groups\nReflective practice",
            "required": "on",
            "section": section.pk,
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Which kinds of peer support does your area offer?"
    assert question.required
    assert question.choices.count() == 3

    before = question.position
    client.post(_url("question_move", question.pk), {"direction": "up"})
    question.refresh_from_db()
    assert question.position == before - 1

    response = client.post(_url("question_remove", question.pk))
    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()


def test_question_forms_keep_what_was_typed_and_show_the_engine_s_refusals(client_for, samples):
    survey_round = samples["survey_round"]
    client = client_for("nina")
    response = client.post(
        _url("question_add", survey_round.pk),
        {
            "code": "steering-group",  # taken
            "text": "Kept wording",
            "type": QuestionType.SINGLE,
            "choices": "Only one",
            "section": str(2**70),
        },
    )
    assert response.status_code == 200
    html = _html(response)
    assert "Kept wording" in html
    assert "section" in response.context["form"].errors
    response = client.post(
        _url("question_add", survey_round.pk),
        {
            "code": "steering-group",
            "text": "Kept wording",
            "type": QuestionType.SINGLE,
            "choices": "Only one",
        },
    )
    errors = response.context["form"].errors
    assert "already has the code steering-group" in str(errors["code"])
    assert "at least two options" in str(errors["choices"])
    response = client.post(
        _url("question_add", survey_round.pk),
        {"code": "likert-q", "text": "A likert", "type": QuestionType.LIKERT},
    )
    assert "type" in response.context["form"].errors

    # The steering-group question has answers: its wording stays, and it can't be taken out.
    answered = samples["survey_question"]
    page = _html(client.get(_url("question_edit", answered.pk)))
    assert "Councils have answered this question" in page
    response = client.post(
        _url("question_edit", answered.pk),
        {"code": "changed", "text": "Changed", "type": QuestionType.TEXT, "help_text": "New hint"},
    )
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.code == "steering-group"
    assert answered.type == QuestionType.YES_NO
    assert answered.help_text == "New hint"
    driver = Question.objects.get(questionnaire=survey_round.questionnaire, code="driver-activity")
    labels = list(driver.choices.values_list("label", flat=True))
    response = client.post(
        _url("question_edit", driver.pk), {"choices": "\n".join(reversed(labels))}
    )
    assert response.status_code == 200
    assert "options stay as they are" in _html(response)

    response = client.post(_url("question_remove", answered.pk))
    assert response.status_code == 200
    assert "can&#x27;t be taken out" in _html(response) or "can't be taken out" in _html(response)
    assert Question.objects.filter(pk=answered.pk).exists()
    # It can stop being asked instead, and be asked again.
    client.post(_url("question_remove", answered.pk), {"closed": "1"})
    answered.refresh_from_db()
    assert answered.is_closed
    client.post(_url("question_remove", answered.pk), {"closed": "0"})
    answered.refresh_from_db()
    assert not answered.is_closed


def test_question_pages_of_another_questionnaire_are_404_for_nina(client_for, samples):
    other = samples.get("question")
    if other is None:
        other = Question.objects.exclude(questionnaire__kind="national").first()
    assert other is not None
    client = client_for("nina")
    for name in QUESTION_PAGES:
        assert client.get(_url(name, other.pk)).status_code == 404, name
