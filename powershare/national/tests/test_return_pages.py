"""The survey respondent's pages: their council's returns, the return form, a return's page;
and what the national coordinator and everyone else may see of them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.roles import Role
from powershare.national import selectors, services
from powershare.national.models import CouncilReturn, ReturnStatus
from tests.personas import _user, sign_in

TODAY = timezone.localdate()


def _url(name, *args):
    return reverse(f"national:{name}", args=args)


def _html(response) -> str:
    return response.content.decode()


def _round(personas, year=2026, opens=-5, closes=20):
    return services.round_create(
        actor=personas.nina,
        year=year,
        opens_on=TODAY + datetime.timedelta(days=opens),
        closes_on=TODAY + datetime.timedelta(days=closes),
        council_ids=[personas.council_a.pk, personas.council_b.pk],
    )


def _questions(survey_round):
    return {q.code: q for q in survey_round.questionnaire.questions.all()}


def _form_data(questions, *, leave_out=(), **extra):
    """A filled-in return form: yes to every yes/no question, two drivers, a quotable
    example and one that is not."""
    data = {"form_token": "tok-" + "-".join(sorted(extra)) + "-".join(leave_out)}
    for code, question in questions.items():
        if code in leave_out:
            continue
        if question.type == "yes_no":
            data[f"q{question.pk}"] = "1"
    data[f"q{questions['driver-activity'].pk}"] = ["1", "2"]
    examples = questions["driver-activity-examples"]
    data[f"q{examples.pk}"] = "Our panel rewrote the letters we send to families."
    data[f"q{examples.pk}-shareable"] = "on"
    data[f"q{questions['barriers-examples'].pk}"] = "Two trainers left."
    data.update(extra)
    return data


def _ruth(personas):
    """A survey respondent for council B."""
    return _user("ruth@b.example", "Ruth Ross", personas.council_b, Role.SURVEY_RESPONDENT)


def _client(client, user):
    sign_in(client, user)
    return client


@pytest.fixture
def fresh(personas):
    """A round open now, with council A's return not started."""
    survey_round = _round(personas)
    return survey_round, survey_round.returns.get(council=personas.council_a)


# ---------------------------------------------------------------------------------------------
# Your council's returns


def test_rhona_sees_her_council_s_returns_newest_first(client_for, personas, samples, fresh):
    survey_round, council_return = fresh
    services.return_reopen(
        actor=personas.nina, council_return=samples["council_return"], reason="Add the dates"
    )
    html = _html(client_for("rhona").get(_url("my_returns")))
    assert html.index(str(survey_round)) < html.index(str(samples["survey_round"]))
    assert "Not started" in html
    assert "Draft" in html
    assert "Start your return" in html
    assert "Carry on" in html
    assert f"Due in {(survey_round.closes_on - TODAY).days} days" in html
    assert "Add the dates" in html
    assert _url("return_edit", council_return.pk) in html
    assert "Angus" not in html  # council B's returns are not hers


def test_a_sent_return_is_listed_with_a_view_button(client_for, samples):
    html = _html(client_for("rhona").get(_url("my_returns")))
    assert "Sent" in html
    assert "View" in html
    assert _url("return_detail", samples["council_return"].pk) in html


def test_a_late_return_says_when_it_was_due(client_for, personas, samples):
    late = _round(personas, year=2027, opens=-40, closes=-3)
    html = _html(client_for("rhona").get(_url("my_returns")))
    assert f"Was due on {late.closes_on:%-d %B %Y}" in html


@pytest.mark.parametrize("name", ["nina", "alice", "bob", "charlie", "erin"])
def test_your_returns_is_only_for_survey_respondents(client_for, samples, name):
    assert client_for(name).get(_url("my_returns")).status_code == 404


def test_your_returns_runs_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("rhona")
    client.get(_url("my_returns"))  # warm up (session, caches)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(_url("my_returns"))
        assert response.status_code == 200
        return len(queries), len(re.findall(r"<tr>", _html(response)))

    few, few_rows = count()
    for year in (2027, 2028, 2029, 2030):
        _round(personas, year=year)
    many, many_rows = count()
    assert many_rows == few_rows + 4
    assert few == many


# ---------------------------------------------------------------------------------------------
# The return form


def test_rhona_sees_the_form_section_by_section(client_for, samples, fresh):
    survey_round, council_return = fresh
    questions = _questions(survey_round)
    html = _html(client_for("rhona").get(_url("return_edit", council_return.pk)))
    assert "Early signs of the short-term outcomes" in html
    assert "For each outcome, say whether your area has seen early signs" in html  # intro
    assert questions["steering-group"].text in html
    assert 'type="radio"' in html
    assert 'type="checkbox"' in html
    assert "<textarea" in html
    assert "You may quote these words in the national report, without naming our council" in html
    assert "Link this return to your self-assessment" in html
    assert "Save draft" in html
    assert "Send return" in html
    assert 'name="form_token"' in html


def test_rhona_saves_a_draft_and_comes_back_to_it(client_for, fresh):
    survey_round, council_return = fresh
    questions = _questions(survey_round)
    client = client_for("rhona")
    response = client.post(_url("return_edit", council_return.pk), _form_data(questions, save="1"))
    assert response.status_code == 302
    assert response["Location"] == _url("return_edit", council_return.pk)
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.DRAFT
    answers, texts, shareable = selectors.return_answers(council_return=council_return)
    assert answers[questions["driver-activity"].pk] == [1, 2]
    assert answers[questions["steering-group"].pk] == 1
    examples = questions["driver-activity-examples"].pk
    assert shareable == {examples}
    assert questions["barriers-examples"].pk in texts
    # Back on the form, the answers are filled in.
    html = _html(client.get(response["Location"]))
    assert "Your draft is saved" in html
    assert "Our panel rewrote the letters we send to families." in html
    assert re.search(rf'name="q{examples}-shareable"[^>]*checked', html)


def test_sending_with_a_question_left_out_names_it_and_keeps_the_draft(client_for, fresh):
    survey_round, council_return = fresh
    questions = _questions(survey_round)
    response = client_for("rhona").post(
        _url("return_edit", council_return.pk),
        _form_data(questions, leave_out=("steering-group",), send="1"),
    )
    assert response.status_code == 200
    html = _html(response)
    assert "ds_error-summary" in html
    assert "Your answers are saved as a draft" in html
    start = html.index("ds_error-summary")
    summary = html[start : html.index("</ul>", start)]
    assert questions["steering-group"].text in summary
    assert questions["early-signs-knowledge"].text not in summary
    # Nothing typed is lost: on the page, and saved.
    assert "Our panel rewrote the letters we send to families." in html
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.DRAFT
    answers, texts, _ = selectors.return_answers(council_return=council_return)
    assert answers[questions["driver-activity"].pk] == [1, 2]
    assert texts[questions["driver-activity-examples"].pk].startswith("Our panel")


def test_rhona_sends_the_return_and_it_is_locked(client_for, personas, samples, fresh):
    survey_round, council_return = fresh
    client = client_for("rhona")
    response = client.post(
        _url("return_edit", council_return.pk),
        _form_data(_questions(survey_round), send="1", self_assessment=samples["assessment"].pk),
    )
    assert response.status_code == 302
    assert response["Location"] == _url("return_detail", council_return.pk)
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.SUBMITTED
    assert council_return.submitted_by == personas.rhona
    assert council_return.self_assessment == samples["assessment"]
    # The form now sends her to the return's page, saying it is locked.
    response = client.get(_url("return_edit", council_return.pk), follow=True)
    assert response.redirect_chain[-1][0] == _url("return_detail", council_return.pk)
    html = _html(response)
    assert "locked" in html
    assert "reopen" in html
    assert "Rhona Reid" in html  # the council sees who sent it
    # A post to a locked return changes nothing.
    client.post(_url("return_edit", council_return.pk), {"save": "1"})
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.SUBMITTED


def test_before_the_round_opens_there_is_no_form(client_for, personas, samples):
    later = _round(personas, year=2027, opens=3, closes=30)
    council_return = later.returns.get(council=personas.council_a)
    client = client_for("rhona")
    html = _html(client.get(_url("return_edit", council_return.pk)))
    assert "not open yet" in html
    assert "Send return" not in html
    client.post(_url("return_edit", council_return.pk), {"save": "1"})
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.NOT_STARTED


def test_after_the_closing_date_a_return_can_still_be_sent(client_for, personas, samples):
    late = _round(personas, year=2027, opens=-40, closes=-3)
    council_return = late.returns.get(council=personas.council_a)
    client = client_for("rhona")
    assert "so it is late" in _html(client.get(_url("return_edit", council_return.pk)))
    client.post(_url("return_edit", council_return.pk), _form_data(_questions(late), send="1"))
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.SUBMITTED


# ---------------------------------------------------------------------------------------------
# A return's page, and who may open it


def test_nina_sees_a_sent_return_but_not_who_sent_it(client_for, samples):
    council_return = samples["council_return"]
    assert council_return.status == ReturnStatus.SUBMITTED
    response = client_for("nina").get(_url("return_detail", council_return.pk))
    assert response.status_code == 200
    html = _html(response)
    assert "Our panel rewrote the letters." in html
    assert "May be quoted" in html
    assert "Rhona" not in html
    assert "rhona@" not in html
    assert _url("return_reopen", council_return.pk) in html
    assert _url("return_edit", council_return.pk) not in html


def test_nina_sees_a_draft_s_status_but_not_its_answers(client_for, personas, fresh):
    survey_round, council_return = fresh
    questions = _questions(survey_round)
    services.return_save(
        actor=personas.rhona,
        council_return=council_return,
        answers={questions["steering-group"].pk: 1},
        texts={questions["anything-else"].pk: "A draft thought about funding."},
    )
    html = _html(client_for("nina").get(_url("return_detail", council_return.pk)))
    assert "Draft" in html
    assert "A draft thought about funding." not in html
    assert questions["steering-group"].text not in html
    assert _url("return_reopen", council_return.pk) not in html
    # Her own council's respondent sees the draft.
    html = _html(client_for("rhona").get(_url("return_detail", council_return.pk)))
    assert "A draft thought about funding." in html
    assert _url("return_edit", council_return.pk) in html


def test_nina_gets_404_on_the_return_form(client_for, samples, fresh):
    _, council_return = fresh
    client = client_for("nina")
    for pk in (council_return.pk, samples["council_return"].pk):
        assert client.get(_url("return_edit", pk)).status_code == 404
        assert client.post(_url("return_edit", pk), {"save": "1"}).status_code == 404


@pytest.mark.parametrize("name", ["alice", "bob", "charlie"])
def test_other_staff_get_404_for_council_a_s_return(client_for, samples, fresh, name):
    client = client_for(name)
    for council_return in (samples["council_return"], fresh[1]):
        for page in ("return_detail", "return_edit"):
            assert client.get(_url(page, council_return.pk)).status_code == 404, page
        response = client.post(_url("return_edit", council_return.pk), {"save": "1"})
        assert response.status_code == 404
    assert CouncilReturn.objects.get(pk=fresh[1].pk).status == ReturnStatus.NOT_STARTED


def test_another_council_s_respondent_cannot_open_council_a_s_return(
    client, personas, samples, fresh
):
    survey_round, council_return = fresh
    client = _client(client, _ruth(personas))
    for pk in (council_return.pk, samples["council_return"].pk):
        assert client.get(_url("return_detail", pk)).status_code == 404
        assert client.get(_url("return_edit", pk)).status_code == 404
    html = _html(client.get(_url("my_returns")))
    assert "Aberdeen" not in html
    assert "Angus" in html
    own = survey_round.returns.get(council=personas.council_b)
    assert client.get(_url("return_edit", own.pk)).status_code == 200
