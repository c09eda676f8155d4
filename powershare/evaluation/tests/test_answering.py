"""Answering a questionnaire anonymously through its link: the form built from the questions,
errors that keep everything typed, links not open yet or closed, one response per browser,
single-use paper codes, made-up pairing codes kept only as a keyed hash, closed questions."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.evaluation import services
from powershare.evaluation.answer_views import COOKIE
from powershare.evaluation.models import (
    Answer,
    PaperCode,
    QuestionnaireResponse,
    QuestionType,
    TextAnswer,
)
from powershare.evaluation.tests.factories import agree_and_words


def _q(name, questions):
    return f"q{questions[name].pk}"


@pytest.fixture
def survey(personas, samples):
    """A questionnaire on the sample product with one question of each kind, and a link on the
    sample session, open today."""
    alice = personas.alice
    questionnaire = services.questionnaire_create(
        actor=alice,
        organisation_id=personas.council_a.pk,
        code="test-after",
        title="After the course",
        kind="post",
        product=samples["product"],
        intro="Tell us how the course went for you.",
        thank_you="Thank you: this helps the next group.",
    )
    about = services.section_add(
        actor=alice, questionnaire=questionnaire, title="About you", intro="A little about you."
    )
    views = services.section_add(actor=alice, questionnaire=questionnaire, title="Your views")

    def add(code, text, type, **extra):
        return services.question_add(
            actor=alice, questionnaire=questionnaire, code=code, text=text, type=type, **extra
        )

    questions = {
        "role": add(
            "role",
            "What is your job?",
            QuestionType.SINGLE,
            section=about,
            required=True,
            choices=["Social worker", "Team leader", "Something else"],
        ),
        "years": add("years", "How many years in the job?", QuestionType.NUMBER, section=about),
        "useful": add(
            "useful",
            "The course was useful.",
            QuestionType.LIKERT,
            section=views,
            required=True,
            allow_prefer_not=True,
        ),
        "again": add("again", "Would you come again?", QuestionType.YES_NO, section=views),
        "liked": add(
            "liked",
            "What did you like?",
            QuestionType.MULTIPLE,
            section=views,
            choices=["The stories", "The exercises", "The venue"],
        ),
        "next": add(
            "next",
            "What will you do next?",
            QuestionType.TEXT,
            section=views,
            help_text="Please don't include names.",
        ),
    }
    today = timezone.localdate()
    link = services.link_create(
        actor=alice,
        questionnaire=questionnaire,
        session=samples["session"],
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=10),
    )
    return questionnaire, questions, link


def _url(link):
    return reverse("answer:form", args=[link.token])


def _good(questions, **changes):
    data = {
        _q("role", questions): "2",
        _q("years", questions): "7",
        _q("useful", questions): "5",
        _q("again", questions): "1",
        _q("liked", questions): ["1", "3"],
        _q("next", questions): "Ask people what matters to them first.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _browser():
    """A fresh browser: a client with no cookies, and nobody signed in."""
    return Client()


def _open(client, link):
    response = client.get(_url(link))
    assert response.status_code == 200
    return response


def test_the_answer_page_shows_the_questions_in_order_with_their_kinds(survey):
    questionnaire, questions, link = survey
    client = _browser()
    response = _open(client, link)
    body = response.content.decode()
    assert "After the course" in body
    assert "Tell us how the course went for you." in body
    # Sections are fieldsets with legends; a section's intro is its hint.
    assert re.search(r"<legend><h2[^>]*>About you</h2></legend>", body)
    assert "A little about you." in body
    assert body.index("About you") < body.index("Your views")
    assert body.index("What is your job?") < body.index("The course was useful.")
    # Likert: five labels and "Prefer not to say"; yes/no; choose-any checkboxes.
    for label in (
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
        "Prefer not to say",
    ):
        assert f">{label}</label>" in body
    assert f'type="radio" name="{_q("useful", questions)}" value="0"' in body
    assert f'type="radio" name="{_q("again", questions)}" value="1"' in body
    assert f'type="checkbox" name="{_q("liked", questions)}" value="3"' in body
    assert 'inputmode="numeric"' in body
    assert "<textarea" in body
    assert "Please don&#x27;t include names." in body
    # Optional questions say so; nothing asks who the person is.
    assert "How many years in the job? (optional)" in body
    assert "paper_code" not in body
    assert "pairing_code" not in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_only_sending_answers_sets_a_private_signed_cookie_for_this_link(survey):
    """Opening the page sets nothing. Sending answers sets one cookie, limited to this link,
    holding a signed random value: the browser alone remembers it has answered."""
    questionnaire, questions, link = survey
    client = _browser()
    response = _open(client, link)
    assert COOKIE not in response.cookies
    assert "sessionid" not in response.cookies
    sent = client.post(_url(link), _good(questions))
    cookie = sent.cookies[COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == _url(link)
    assert int(cookie["max-age"]) == 60 * 60 * 24 * 365
    assert not cookie["secure"]
    assert "sessionid" not in sent.cookies
    # A forged or another link's cookie counts for nothing.
    forged = _browser()
    forged.cookies[COOKIE] = cookie.value[:-3] + "abc"
    assert "already answered" not in forged.get(_url(link)).content.decode()
    other = _browser()
    other.cookies[COOKIE] = cookie.value
    assert "already answered" in other.get(_url(link)).content.decode()
    secure = _browser().post(_url(link), _good(questions), secure=True)
    assert secure.cookies[COOKIE]["secure"]


def test_answering_stores_the_answers_and_goes_to_the_thank_you_page(survey, samples):
    questionnaire, questions, link = survey
    client = _browser()
    _open(client, link)
    sessions_before = Session.objects.count()
    response = client.post(_url(link), _good(questions))
    assert response.status_code == 302
    assert response["Location"] == reverse("answer:thanks", args=[link.token])
    assert "sessionid" not in response.cookies
    assert Session.objects.count() == sessions_before

    stored = QuestionnaireResponse.objects.get(questionnaire=questionnaire)
    assert stored.link == link
    assert stored.session == samples["session"]
    assert stored.delivery == samples["delivery"]
    assert stored.site_id == samples["delivery"].site_id
    assert stored.submitted_on == timezone.localdate()
    assert stored.pair_key == ""
    values = {(a.question.code, a.value) for a in Answer.objects.filter(response=stored).all()}
    assert values == {
        ("role", 2),
        ("years", 7),
        ("useful", 5),
        ("again", 1),
        ("liked", 1),
        ("liked", 3),
    }
    text = TextAnswer.objects.get(response=stored)
    assert text.text == "Ask people what matters to them first."
    assert client.cookies[COOKIE].value, "the browser knows it has answered"

    thanks = client.get(response["Location"])
    body = thanks.content.decode()
    assert thanks.status_code == 200
    assert "Thank you: this helps the next group." in body
    assert reverse("pages:privacy") in body
    assert "anonymous" in body


def test_an_error_shows_the_summary_and_keeps_everything_typed(survey):
    questionnaire, questions, link = survey
    client = _browser()
    _open(client, link)
    data = _good(
        questions,
        **{_q("role", questions): None, _q("years", questions): "forty thousand"},
    )
    response = client.post(_url(link), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "<title>Error:" in body
    assert "Question 1: choose an answer" in body
    assert "Question 2: enter a whole number, like 12" in body
    assert f'href="#id_{_q("role", questions)}_0"' in body
    # Everything typed or chosen is still there.
    assert 'value="forty thousand"' in body
    assert "Ask people what matters to them first.</textarea>" in body
    assert (
        f'name="{_q("useful", questions)}" value="5" id="id_{_q("useful", questions)}_4" checked'
        in body
    )
    assert (
        f'name="{_q("liked", questions)}" value="1" id="id_{_q("liked", questions)}_0" checked'
        in body
    )
    assert (
        f'name="{_q("liked", questions)}" value="3" id="id_{_q("liked", questions)}_2" checked'
        in body
    )
    assert f'name="{_q("liked", questions)}" value="2" id="id_{_q("liked", questions)}_1">' in body
    assert (
        f'name="{_q("again", questions)}" value="1" id="id_{_q("again", questions)}_0" checked'
        in body
    )
    assert 'aria-invalid="true"' in body
    assert not questionnaire.responses.exists()
    assert not client.cookies.get(COOKIE) or not client.cookies[COOKIE].value
    # Put right, it is stored.
    response = client.post(_url(link), _good(questions))
    assert response.status_code == 302
    assert questionnaire.responses.count() == 1


def test_required_questions_must_be_answered(survey):
    questionnaire, questions, link = survey
    client = _browser()
    _open(client, link)
    response = client.post(_url(link), {})
    body = response.content.decode()
    assert "Question 1: choose an answer" in body
    assert "Question 3: choose an answer" in body
    assert "Question 2:" not in body  # optional questions may be left out
    assert not questionnaire.responses.exists()
    # Only the required ones answered is enough.
    response = client.post(_url(link), {_q("role", questions): "1", _q("useful", questions): "0"})
    assert response.status_code == 302
    stored = questionnaire.responses.get()
    assert set(stored.answers.values_list("value", flat=True)) == {1, 0}
    assert not stored.text_answers.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("32768", "Question 2: enter a whole number between -32768 and 32767"),
        ("-40000", "Question 2: enter a whole number between -32768 and 32767"),
        ("12.5", "Question 2: enter a whole number, like 12"),
        ("9" * 60, "Question 2: enter a whole number between -32768 and 32767"),
    ],
)
def test_numbers_must_be_whole_and_fit(survey, typed, message):
    questionnaire, questions, link = survey
    client = _browser()
    _open(client, link)
    response = client.post(_url(link), _good(questions, **{_q("years", questions): typed}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not questionnaire.responses.exists()


def test_a_negative_or_zero_number_is_a_number(survey):
    questionnaire, questions, link = survey
    client = _browser()
    _open(client, link)
    client.post(_url(link), _good(questions, **{_q("years", questions): "0"}))
    assert (
        questionnaire.responses.get().answers.filter(question=questions["years"], value=0).exists()
    )


@pytest.mark.parametrize(
    "bad",
    [
        {"role": "9"},  # not one of the options
        {"useful": "6"},
        {"again": "2"},
        {"liked": ["1", "99"]},
        {"useful": "x"},
    ],
)
def test_an_answer_that_is_not_an_option_is_refused_kindly(survey, bad):
    questionnaire, questions, link = survey
    client = _browser()
    _open(client, link)
    data = _good(questions, **{_q(name, questions): value for name, value in bad.items()})
    response = client.post(_url(link), data)
    assert response.status_code == 200
    assert "choose" in response.content.decode()
    assert not questionnaire.responses.exists()


def test_choose_any_stores_one_row_per_option_ticked(survey):
    questionnaire, questions, link = survey
    client = _browser()
    _open(client, link)
    client.post(_url(link), _good(questions, **{_q("liked", questions): ["1", "2", "3"]}))
    stored = questionnaire.responses.get()
    assert sorted(
        stored.answers.filter(question=questions["liked"]).values_list("value", flat=True)
    ) == [1, 2, 3]


def test_a_closed_question_is_not_shown_and_not_stored(survey, personas):
    questionnaire, questions, link = survey
    services.question_close(actor=personas.alice, question=questions["again"])
    client = _browser()
    body = _open(client, link).content.decode()
    assert "Would you come again?" not in body
    # The questions after it are numbered as shown.
    response = client.post(_url(link), _good(questions, **{_q("useful", questions): None}))
    assert "Question 3: choose an answer" in response.content.decode()
    response = client.post(_url(link), _good(questions))
    assert response.status_code == 302
    stored = questionnaire.responses.get()
    assert not stored.answers.filter(question=questions["again"]).exists()
    assert stored.answers.filter(question=questions["useful"]).exists()


def test_a_link_not_open_yet_says_when_it_opens(survey):
    questionnaire, questions, link = survey
    link.opens_on = timezone.localdate() + datetime.timedelta(days=3)
    link.closes_on = link.opens_on + datetime.timedelta(days=7)
    link.save()
    client = _browser()
    response = _open(client, link)
    body = response.content.decode()
    assert "isn't open yet" in body
    assert link.opens_on.strftime("%B %Y") in body
    assert '<form method="post" novalidate class="ps-answer-form"' not in body
    assert "What is your job?" not in body
    response = client.post(_url(link), _good(questions))
    assert response.status_code == 200
    assert not questionnaire.responses.exists()


def test_a_closed_link_says_so_and_takes_nothing(survey):
    questionnaire, questions, link = survey
    link.opens_on = timezone.localdate() - datetime.timedelta(days=20)
    link.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    link.save()
    client = _browser()
    response = _open(client, link)
    body = response.content.decode()
    assert "This questionnaire has closed." in body
    assert "What is your job?" not in body
    response = client.post(_url(link), _good(questions))
    assert response.status_code == 200
    assert "has closed" in response.content.decode()
    assert not questionnaire.responses.exists()


def test_a_cancelled_delivery_s_link_is_closed(survey, samples):
    questionnaire, questions, link = survey
    delivery = samples["delivery"]
    delivery.cancelled_at = timezone.now()
    delivery.save()
    body = _open(_browser(), link).content.decode()
    assert "This questionnaire has closed." in body


def test_a_wrong_link_is_not_found(db):
    response = _browser().get(reverse("answer:form", args=["no-such-token-at-all"]))
    assert response.status_code == 404
    response = _browser().get(reverse("answer:thanks", args=["no-such-token-at-all"]))
    assert response.status_code == 404


def test_one_response_per_browser(survey):
    questionnaire, questions, link = survey
    client = _browser()
    _open(client, link)
    assert client.post(_url(link), _good(questions)).status_code == 302
    again = client.get(_url(link))
    body = again.content.decode()
    assert again.status_code == 200
    assert "You've already answered — thank you." in body
    assert "What is your job?" not in body
    resent = client.post(_url(link), _good(questions))
    assert resent.status_code == 200
    assert "already answered" in resent.content.decode()
    assert questionnaire.responses.count() == 1
    # Another browser may answer.
    other = _browser()
    _open(other, link)
    assert other.post(_url(link), _good(questions)).status_code == 302
    assert questionnaire.responses.count() == 2


def test_the_cookie_is_only_for_its_own_link(survey, personas):
    questionnaire, questions, link = survey
    other_link = services.link_create(
        actor=personas.alice,
        questionnaire=questionnaire,
        opens_on=link.opens_on,
        closes_on=link.closes_on,
    )
    client = _browser()
    _open(client, link)
    client.post(_url(link), _good(questions))
    body = _open(client, other_link).content.decode()
    assert "What is your job?" in body


def test_a_strange_cookie_counts_for_nothing(survey):
    questionnaire, questions, link = survey
    client = _browser()
    client.cookies[COOKIE] = "<script>"
    assert "What is your job?" in _open(client, link).content.decode()
    assert client.post(_url(link), _good(questions)).status_code == 302
    assert questionnaire.responses.count() == 1


def test_paper_codes_work_once(survey, personas):
    questionnaire, questions, link = survey
    link.needs_code = True
    link.save()
    code = services.paper_codes_make(actor=personas.alice, link=link, count=2)[0].code
    client = _browser()
    body = _open(client, link).content.decode()
    assert "The code on your sheet" in body
    # Missing, then wrong: said on the field, nothing typed lost, nothing stored.
    response = client.post(_url(link), _good(questions))
    assert "Enter the code printed on your sheet, like ABCD2345" in response.content.decode()
    response = client.post(_url(link), _good(questions, paper_code="WRONG123"))
    body = response.content.decode()
    assert "isn&#x27;t one of ours or has been used already" in body
    assert 'value="WRONG123"' in body
    assert "Ask people what matters to them first." in body
    assert not questionnaire.responses.exists()
    # Typed in lower case with a space, it works.
    typed = f"{code[:4].lower()} {code[4:]}"
    assert client.post(_url(link), _good(questions, paper_code=typed)).status_code == 302
    assert not PaperCode.objects.filter(code=code).exists(), "deleted once used"
    link.refresh_from_db()
    assert link.paper_codes_used == 1
    # Used once, it works no more, even in another browser.
    other = _browser()
    _open(other, link)
    response = other.post(_url(link), _good(questions, paper_code=code))
    assert response.status_code == 200
    assert "has been used already" in response.content.decode()
    assert questionnaire.responses.count() == 1
    # The code is never tied to the answers.
    assert code not in str(list(questionnaire.responses.values()))


def test_a_made_up_pairing_code_is_kept_only_as_a_keyed_hash(survey):
    questionnaire, questions, link = survey
    questionnaire.ask_pairing_code = True
    questionnaire.save()
    typed = "Heron Kettle 4417"
    client = _browser()
    body = _open(client, link).content.decode()
    assert "Make up a code (optional)" in body
    assert "never shown" in body
    response = client.post(_url(link), _good(questions, pairing_code=typed))
    assert response.status_code == 302
    stored = questionnaire.responses.get()
    assert stored.pair_key == services.pair_key(questionnaire=questionnaire, code=typed)
    assert len(stored.pair_key) == 64
    # The typed code is nowhere in the database, in any table, in any case.
    needles = {typed.casefold(), "heronkettle4417", "heron kettle"}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row).casefold()
                for needle in needles:
                    assert needle not in text, f"{table} holds the pairing code"


def test_a_pairing_code_left_blank_stores_no_key(survey):
    questionnaire, questions, link = survey
    questionnaire.ask_pairing_code = True
    questionnaire.save()
    client = _browser()
    _open(client, link)
    client.post(_url(link), _good(questions, pairing_code="   "))
    assert questionnaire.responses.get().pair_key == ""


def test_the_public_sample_link_can_be_answered(samples):
    link = samples["public_answer_link"]
    client = _browser()
    body = _open(client, link).content.decode()
    assert "I found the course useful." in body
    question = link.questionnaire.questions.get()
    response = client.post(_url(link), {f"q{question.pk}": "4"})
    assert response.status_code == 302
    assert link.questionnaire.responses.get().answers.get().value == 4


def test_a_signed_in_member_of_staff_answers_anonymously_too(survey, client_for):
    questionnaire, questions, link = survey
    client = client_for("alice")
    client.get(_url(link))
    client.post(_url(link), _good(questions))
    stored = questionnaire.responses.get()
    # Nothing about alice on the response: it has no field that could hold her.
    values = " ".join(
        str(v) for v in QuestionnaireResponse.objects.filter(pk=stored.pk).values().get().values()
    )
    assert "alice" not in values.casefold()


def test_the_answer_page_runs_a_fixed_number_of_queries(survey, personas):
    questionnaire, questions, link = survey
    client = _browser()
    _open(client, link)
    with CaptureQueriesContext(connection) as few:
        _open(client, link)
    for n in range(8):
        services.question_add(
            actor=personas.alice,
            questionnaire=questionnaire,
            code=f"extra-{n}",
            text=f"Extra question {n}",
            type=QuestionType.MULTIPLE if n % 2 else QuestionType.SINGLE,
            choices=["One", "Two", "Three"],
        )
    with CaptureQueriesContext(connection) as many:
        body = _open(client, link).content.decode()
    assert "Extra question 7" in body
    assert len(many) == len(few)


def test_nothing_answered_is_not_a_response(samples):
    link = samples["public_answer_link"]
    client = _browser()
    _open(client, link)
    response = client.post(_url(link), {})
    assert response.status_code == 200
    assert "Answer at least one question, then send your answers." in response.content.decode()
    assert not link.questionnaire.responses.exists()


def _real_queries(captured) -> list[str]:
    """What the database is asked, without the test's own savepoints (outside a test the
    service's transaction is a BEGIN and COMMIT, which Django doesn't count as queries)."""
    return [
        q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_sending_answers_takes_at_most_six_queries(personas, samples):
    """Issue 12's target for a submission, on a questionnaire like the standard ones (agreement
    scales and words): the link, its questions, the response, its answers, its words and one
    tally change. Nothing is written to the summary of learning (its PDF goes out of date
    through the count of responses) or to a session."""
    made = agree_and_words(personas, samples, code="quick-after")
    questionnaire, link = made.questionnaire, made.link
    client = _browser()
    _open(client, link)
    data = {f"q{made.agree.pk}": "4", f"q{made.words.pk}": "Listen first."}
    with CaptureQueriesContext(connection) as counted:
        response = client.post(_url(link), data)
    assert response.status_code == 302
    assert questionnaire.responses.count() == 1
    queries = _real_queries(counted.captured_queries)
    assert len(queries) <= 6, "\n\n".join(queries)
