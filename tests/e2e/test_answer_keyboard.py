"""Keyboard only, on a phone 390 pixels wide (issue 9): someone answers a questionnaire with
an agree-or-disagree question, a yes-or-no question and a question in their own words, using
Tab, the arrow keys, Space, typing and Enter. Sent once without the required answer, the page
shows the error and keeps everything typed; then the answers are sent and stored. axe-core
passes on the answer page before and after the error, and on the thank-you page. No sign-in,
no session."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from powershare.evaluation import services
from powershare.evaluation.models import QuestionnaireResponse, QuestionType
from tests.e2e.harness import describe_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MAX_TABS = 60
WORDS = "Ask people what matters to them first."


def _questionnaire(personas):
    samples = personas.samples
    alice = personas.alice
    questionnaire = services.questionnaire_create(
        actor=alice,
        organisation_id=personas.council_a.pk,
        code="keyboard-after",
        title="After the course",
        kind="post",
        product=samples["product"],
        intro="Tell us how the course went. It takes about two minutes.",
        thank_you="Thank you. Your answers help us make the course better.",
    )
    section = services.section_add(
        actor=alice,
        questionnaire=questionnaire,
        title="How it went",
        intro="How much do you agree?",
    )
    useful = services.question_add(
        actor=alice,
        questionnaire=questionnaire,
        section=section,
        code="useful",
        text="The course was useful for my work.",
        type=QuestionType.LIKERT,
        allow_prefer_not=True,
        required=True,
    )
    again = services.question_add(
        actor=alice,
        questionnaire=questionnaire,
        section=section,
        code="again",
        text="Would you come to another session?",
        type=QuestionType.YES_NO,
    )
    next_step = services.question_add(
        actor=alice,
        questionnaire=questionnaire,
        code="next",
        text="What will you do differently?",
        type=QuestionType.TEXT,
        help_text="We may quote you without your name. Please don't include names.",
    )
    today = timezone.localdate()
    link = services.link_create(
        actor=alice,
        questionnaire=questionnaire,
        session=samples["session"],
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=7),
    )
    return questionnaire, link, (useful, again, next_step)


def _tab_to(page: Page, locator) -> None:
    handle = locator.element_handle()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
    raise AssertionError(f"Pressed Tab {MAX_TABS} times without reaching {locator}")


def _no_sideways_scroll(page: Page) -> None:
    width, visible = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= visible, f"{page.url} is {width}px wide on a {visible}px screen"


def _axe(tab) -> None:
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)


def test_answering_on_a_phone_by_keyboard_alone(open_tab, personas):
    questionnaire, link, (useful, again, next_step) = _questionnaire(personas)
    tab = open_tab(None)  # nobody signed in
    page = tab.page
    page.set_viewport_size(PHONE)
    tab.goto(reverse("answer:form", args=[link.token]))
    expect(page.get_by_role("heading", level=1)).to_have_text("After the course")
    _no_sideways_scroll(page)
    _axe(tab)

    likert = page.get_by_role("group", name="The course was useful for my work.")
    yes_no = page.get_by_role("group", name="Would you come to another session? (optional)")
    words = page.get_by_label("What will you do differently? (optional)")
    send = page.get_by_role("button", name="Send my answers")

    # First go: the required question left out. Tab past it to "Yes", then to the words.
    _tab_to(page, likert.get_by_label("Strongly disagree"))
    page.keyboard.press("Tab")
    expect(yes_no.get_by_label("Yes")).to_be_focused()
    page.keyboard.press("Space")
    expect(yes_no.get_by_label("Yes")).to_be_checked()
    page.keyboard.press("Tab")
    expect(words).to_be_focused()
    page.keyboard.type(WORDS)
    page.keyboard.press("Tab")
    expect(send).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    summary = page.locator(".ds_error-summary")
    expect(summary).to_contain_text("Question 1: choose an answer")
    assert page.title().startswith("Error:")
    # Nothing typed or chosen was lost.
    expect(words).to_have_value(WORDS)
    expect(yes_no.get_by_label("Yes")).to_be_checked()
    assert not QuestionnaireResponse.objects.filter(questionnaire=questionnaire).exists()
    _no_sideways_scroll(page)
    _axe(tab)

    # The error summary's link leads to the question; arrow keys choose "Agree".
    _tab_to(page, summary.get_by_role("link", name="Question 1: choose an answer"))
    page.keyboard.press("Enter")
    _tab_to(page, likert.get_by_label("Strongly disagree"))
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(likert.get_by_label("Agree", exact=True)).to_be_checked()
    expect(likert.get_by_label("Agree", exact=True)).to_be_focused()
    _tab_to(page, send)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.locator("#thanks")).to_contain_text("Your answers help us make the course better.")
    expect(page.get_by_role("link", name="privacy notice")).to_be_visible()
    _no_sideways_scroll(page)
    _axe(tab)

    response = QuestionnaireResponse.objects.get(questionnaire=questionnaire)
    assert response.session_id == personas.samples["session"].pk
    assert dict(response.answers.values_list("question_id", "value")) == {
        useful.pk: 4,
        again.pk: 1,
    }
    assert response.text_answers.get().text == WORDS
    # Nobody was signed in and no session was started.
    assert not any(c["name"] == "sessionid" for c in tab.context.cookies())

    # Back to the link: this phone has answered.
    tab.goto(reverse("answer:form", args=[link.token]))
    expect(page.locator("#already-answered")).to_contain_text("You've already answered")
    _axe(tab)
    tab.assert_no_problems()


def test_the_other_answer_pages_pass_axe_on_a_phone(open_tab, personas):
    """Not open yet, closed, and a link that needs a paper code and asks for a made-up code
    (with and without its errors)."""
    questionnaire, link, _ = _questionnaire(personas)
    tab = open_tab(None)
    tab.page.set_viewport_size(PHONE)
    today = timezone.localdate()
    for opens, closes, words in (
        (today + datetime.timedelta(days=2), today + datetime.timedelta(days=9), "open yet"),
        (today - datetime.timedelta(days=9), today - datetime.timedelta(days=2), "has closed"),
    ):
        link.opens_on, link.closes_on = opens, closes
        link.save()
        tab.goto(reverse("answer:form", args=[link.token]))
        expect(tab.page.locator("#not-open")).to_contain_text(words)
        _no_sideways_scroll(tab.page)
        _axe(tab)
    link.opens_on, link.closes_on, link.needs_code = today, today, True
    link.save()
    questionnaire.ask_pairing_code = True
    questionnaire.save()
    page = tab.page
    tab.goto(reverse("answer:form", args=[link.token]))
    expect(page.get_by_label("The code on your sheet")).to_be_visible()
    expect(page.get_by_label("Make up a code (optional)")).to_be_visible()
    _no_sideways_scroll(page)
    _axe(tab)
    page.get_by_label("Make up a code (optional)").fill("kestrel 12")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state("load")
    expect(page.locator(".ds_error-summary")).to_contain_text("Enter the code printed")
    expect(page.get_by_label("Make up a code (optional)")).to_have_value("kestrel 12")
    _no_sideways_scroll(page)
    _axe(tab)
    tab.assert_no_problems()
