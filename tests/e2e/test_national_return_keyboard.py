"""A council's survey respondent fills in the national survey return with the keyboard alone:
from her council's returns she opens this year's, answers yes/no questions, ticks a driver,
writes an example she lets the national team quote, saves a draft, then sends it. Every page
on the way passes axe-core, the form also when it shows the "not sent yet" errors."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from powershare.evaluation.models import Question, TextAnswer
from powershare.national import services as national_services
from powershare.national.models import ReturnStatus
from tests.e2e.test_keyboard import _ACTIVE, MAX_TABS

pytestmark = pytest.mark.browser


def _tab_to(page, selector: str, what: str) -> None:
    script = f"() => document.activeElement?.matches({selector!r}) ?? false"
    for _ in range(MAX_TABS * 4):
        page.keyboard.press("Tab")
        if page.evaluate(script):
            return
    raise AssertionError(
        f"Pressed Tab {MAX_TABS * 4} times on {page.url} without reaching {what}; "
        f"focus ended on {page.evaluate(_ACTIVE)}"
    )


def _no_violations(tab) -> None:
    violations = tab.axe_check()
    assert not violations, violations


def test_a_respondent_drafts_and_sends_the_return_by_keyboard(open_tab, personas):
    today = timezone.localdate()
    survey_round = national_services.round_create(
        actor=personas.nina,
        year=2026,
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=20),
        council_ids=[personas.council_a.pk, personas.council_b.pk],
    )
    council_return = survey_round.returns.get(council=personas.council_a)
    questions = {
        q.code: q for q in Question.objects.filter(questionnaire=survey_round.questionnaire)
    }

    tab = open_tab("rhona")
    page = tab.page
    tab.goto("/national/your-returns/")
    _no_violations(tab)
    edit = f"/national/returns/{council_return.pk}/edit/"
    _tab_to(page, f'a[href="{edit}"]', "the link to start this year's return")
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url(edit))
    _no_violations(tab)

    # The first outcome: Tab to its "Yes" and choose it with Space.
    first = questions["early-signs-knowledge"]
    _tab_to(page, f'input[name="q{first.pk}"]', "the first yes/no question")
    page.keyboard.press("Space")
    expect(page.locator(f'input[name="q{first.pk}"][value="1"]')).to_be_checked()
    # Its examples: type them, then tick "you may quote these words".
    examples = questions["early-signs-knowledge-examples"]
    _tab_to(page, f'textarea[name="q{examples.pk}"]', "the examples box")
    page.keyboard.type("Team leaders say first visits are slower and kinder.")
    _tab_to(page, f'input[name="q{examples.pk}-shareable"]', "the may-we-quote box")
    page.keyboard.press("Space")
    # A driver: tick the first option of the drivers question.
    drivers = questions["driver-activity"]
    _tab_to(page, f'input[name="q{drivers.pk}"]', "the first driver")
    page.keyboard.press("Space")

    # Send now: the other required questions are unanswered, so it is kept as a draft.
    _tab_to(page, 'button[name="send"]', "the send button")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    expect(page.locator(".ds_error-summary")).to_be_visible()
    _no_violations(tab)
    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.DRAFT
    # Nothing typed was lost.
    expect(page.locator(f'textarea[name="q{examples.pk}"]')).to_have_value(
        "Team leaders say first visits are slower and kinder."
    )

    # Answer every other required question "Yes" by keyboard, then send.
    required = [q for q in questions.values() if q.required and q.pk != first.pk]
    for question in required:
        _tab_to(page, f'input[name="q{question.pk}"]', f"question {question.code}")
        page.keyboard.press("Space")
    _tab_to(page, 'button[name="send"]', "the send button")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    expect(page).to_have_url(tab.url(f"/national/returns/{council_return.pk}/"))
    _no_violations(tab)
    tab.assert_no_problems()

    council_return.refresh_from_db()
    assert council_return.status == ReturnStatus.SUBMITTED
    words = TextAnswer.objects.get(response=council_return.response, question=examples)
    assert words.shareable
    assert council_return.response.answers.filter(question=drivers).exists()
