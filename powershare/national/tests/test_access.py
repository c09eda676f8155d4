"""Who opens which national survey page: every national URL walked as each persona.

* nina (national coordinator of the body running the round) opens the round's pages, the
  report and council A's sent return (to read it or reopen it), never the form that changes
  a return, and has no "your returns" page.
* rhona (council A's survey respondent) opens her council's returns and nothing of the
  round's running or its report.
* everyone else (council A's other staff, council B, an expert by experience) gets 404 from
  every national page, and anonymous visitors are sent to sign in.
"""

import pytest
from django.urls import reverse

from powershare.evaluation.models import Question
from powershare.national.models import CouncilReturn, ReturnStatus, SurveyRound
from tests.isolation import REGISTRY, has_parameters, named_urls

pytestmark = pytest.mark.django_db

NATIONAL = sorted(name for name in REGISTRY if name.startswith("national:"))
PARAMETERISED = [name for name in NATIONAL if has_parameters(named_urls()[name])]
NO_PARAMETERS = [name for name in NATIONAL if name not in PARAMETERISED]

#: Pages that show something on a GET for the coordinator.
NINA_PAGES = {
    "national:round_create",
    "national:round_detail",
    "national:round_progress",
    "national:round_edit",
    "national:round_councils",
    "national:round_narrative",
    "national:round_questions",
    "national:question_add",
    "national:question_edit",
    "national:report",
    "national:report_pdf",
    "national:return_detail",
    "national:return_reopen",
}
#: Things the coordinator does with a button: a GET shows a page to confirm (200), or goes back
#: to the page the button is on (302, to the question on the round's questions).
NINA_ACTIONS = {
    "national:round_copy": 200,
    "national:reminders_send": 200,
    "national:question_remove": 200,
    "national:question_move": 302,
}
NINA_NOT_FOUND = {"national:return_edit", "national:my_returns"}

RHONA_PAGES = {"national:my_returns", "national:return_detail"}
OUTSIDERS = ["alice", "bob", "charlie", "dora", "erin"]


def _url(name, samples):
    return reverse(name, kwargs=REGISTRY[name].kwargs(samples))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_national_page_is_expected_somewhere():
    """A new national page must be placed in this walk before it can ship."""
    assert NATIONAL, "No national: entries in tests/isolation.py REGISTRY"
    placed = (
        NINA_PAGES | set(NINA_ACTIONS) | NINA_NOT_FOUND | {"national:home", "national:chart_svg"}
    )
    assert set(NATIONAL) == placed, sorted(set(NATIONAL) ^ placed)
    assert set(NO_PARAMETERS) == {"national:home", "national:round_create", "national:my_returns"}


def test_anonymous_visitors_are_sent_to_sign_in(client_for, samples):
    client = client_for(None)
    login = reverse("accounts:login")
    for name in NATIONAL:
        response = client.get(_url(name, samples))
        assert response.status_code == 302, f"{name} answered {response.status_code}"
        assert response["Location"].startswith(login), f"{name} -> {response['Location']}"


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_everyone_else_gets_404_from_every_national_page(client_for, samples, persona):
    """alice and bob work for council A but are not its survey respondent; charlie and dora
    are council B's; erin is on council A's register. None of them reaches the survey."""
    client = client_for(persona)
    for name in NATIONAL:
        response = client.get(_url(name, samples))
        assert response.status_code == 404, f"{name} answered {response.status_code} to {persona}"


def test_the_coordinator_opens_the_rounds_the_report_and_sent_returns(client_for, samples):
    client = client_for("nina")
    for name in sorted(NINA_PAGES):
        # The progress part is what the round's page asks htmx for ("N of M", live).
        headers = {"HX-Request": "true"} if name == "national:round_progress" else {}
        response = client.get(_url(name, samples), headers=headers)
        assert response.status_code == 200, f"{name} answered {response.status_code} to nina"
        assert _body(response), f"{name} is empty"
    for name, status in sorted(NINA_ACTIONS.items()):
        response = client.get(_url(name, samples))
        assert response.status_code == status, f"{name} answered {response.status_code}"
        if status == 200:
            assert _body(response), f"{name} is empty"
    # Moving a question is a button: a GET goes back to the question in the round's list.
    question = samples["survey_question"]
    moved = client.get(_url("national:question_move", samples))
    assert moved["Location"] == (
        reverse("national:round_questions", args=[samples["survey_round"].pk])
        + f"#question-{question.pk}"
    )
    for name in sorted(NINA_NOT_FOUND):
        response = client.get(_url(name, samples))
        assert response.status_code == 404, f"{name} answered {response.status_code} to nina"
    # The coordinator's survey home is the list of her body's rounds, not a redirect.
    home = client.get(_url("national:home", samples))
    assert home.status_code == 200, home.status_code
    assert str(samples["survey_round"]) in home.content.decode()


def _more_sent_returns(survey_round, count: int) -> None:
    """`count` more councils invited to the round, each with a sent return (yes to every
    outcome), made through the services."""
    from powershare.accounts.models import Organisation, OrganisationKind
    from powershare.national import services

    rows = []
    for number in range(count):
        council = Organisation.objects.create(
            name=f"Test Council {number}",
            slug=f"test-council-{number}",
            kind=OrganisationKind.LOCAL_AUTHORITY,
        )
        answers = {code: 1 for code, _ in services.OUTCOMES}
        answers[services.STEERING_GROUP[0]] = 1
        rows.append(services.ReturnRow(council=council, answers=answers))
    services.returns_import(plan=services.ImportPlan(survey_round=survey_round, rows=rows))


def test_the_pdf_and_the_chart_are_what_they_say(client_for, samples):
    client = client_for("nina")
    pdf = client.get(_url("national:report_pdf", samples))
    assert pdf["Content-Type"].startswith("application/pdf")
    assert _body(pdf).startswith(b"%PDF")
    # One sent return: no figures on fewer than 5 councils, so there is no chart to draw.
    assert client.get(_url("national:chart_svg", samples)).status_code == 404
    _more_sent_returns(samples["survey_round"], 4)
    chart = client.get(_url("national:chart_svg", samples))
    assert chart.status_code == 200
    assert chart["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in _body(chart)
    # Still nobody else's.
    for persona in ("rhona", "charlie", "alice"):
        response = client_for(persona).get(_url("national:chart_svg", samples))
        assert response.status_code == 404, persona


def test_the_respondent_opens_only_her_councils_returns(client_for, samples):
    client = client_for("rhona")
    detail = reverse("national:return_detail", args=[samples["council_return"].pk])
    for name in sorted(RHONA_PAGES):
        response = client.get(_url(name, samples))
        assert response.status_code == 200, f"{name} answered {response.status_code} to rhona"
    # The sample return is sent (locked): its form sends her back to the return.
    assert samples["council_return"].status == ReturnStatus.SUBMITTED
    edit = client.get(_url("national:return_edit", samples))
    assert edit.status_code == 302, edit.status_code
    assert edit["Location"] == detail
    home = client.get(_url("national:home", samples))
    assert home.status_code == 302, home.status_code
    assert home["Location"] == reverse("national:my_returns")
    running = set(NATIONAL) - RHONA_PAGES - {"national:return_edit", "national:home"}
    assert "national:return_reopen" in running
    assert "national:report" in running
    for name in sorted(running):
        response = client.get(_url(name, samples))
        assert response.status_code == 404, f"{name} answered {response.status_code} to rhona"


def test_the_respondent_does_not_see_another_councils_return(client_for, personas, samples):
    council_b_return = CouncilReturn.objects.get(
        round=samples["survey_round"], council=personas.council_b
    )
    client = client_for("rhona")
    for name in ("national:return_detail", "national:return_edit"):
        url = reverse(name, args=[council_b_return.pk])
        assert client.get(url).status_code == 404, name
    listing = client.get(reverse("national:my_returns"))
    assert personas.council_b.name not in listing.content.decode()


def _state(samples):
    council_return = CouncilReturn.objects.get(pk=samples["council_return"].pk)
    survey_round = SurveyRound.objects.get(pk=samples["survey_round"].pk)
    return {
        "rounds": SurveyRound.objects.count(),
        "status": council_return.status,
        "reopen_reason": council_return.reopen_reason,
        "saved_at": council_return.saved_at,
        "reminders": sorted(
            survey_round.returns.values_list("council_id", "reminders_sent", "last_reminded_at")
        ),
        "round": (
            survey_round.title,
            survey_round.opens_on,
            survey_round.closes_on,
            survey_round.key_messages,
        ),
        "questions": sorted(
            Question.objects.filter(questionnaire=survey_round.questionnaire).values_list(
                "pk", "text", "position"
            )
        ),
    }


POSTS = {
    "national:return_edit": {"submit": "send", "reason": "x"},
    "national:return_reopen": {"reason": "Taken over by another council"},
    "national:round_edit": {
        "title": "Taken over",
        "opens_on": "2020-01-01",
        "closes_on": "2020-02-01",
    },
    "national:round_copy": {"year": "2031"},
    "national:reminders_send": {"status": "not_started"},
}


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("charlie", list(POSTS)),
        ("alice", list(POSTS)),
        # Each of the two people with a part in the survey is refused the other's forms.
        ("rhona", ["national:return_reopen", "national:round_edit", "national:round_copy"]),
        ("nina", ["national:return_edit"]),
    ],
)
def test_forms_refuse_people_who_may_not_use_them(client_for, samples, persona, names):
    assert samples["council_return"].status == ReturnStatus.SUBMITTED
    before = _state(samples)
    client = client_for(persona)
    for number, name in enumerate(names):
        data = {"form_token": f"{persona}-{number}", **POSTS[name]}
        response = client.post(_url(name, samples), data)
        assert response.status_code == 404, f"{name} answered {response.status_code}"
    assert _state(samples) == before
