"""An expert by experience uses her portal with the keyboard alone: she signs in, finds her
choices and withdraws one, and the "may we?" answer changes at once."""

import re

import pytest
from playwright.sync_api import expect

from powershare.people.models import Person
from powershare.people.selectors import may_we
from tests.e2e.test_keyboard import _ACTIVE, MAX_TABS
from tests.personas import PASSWORD

pytestmark = pytest.mark.browser


def _tab_until(page, predicate_js: str, what: str) -> None:
    for _ in range(MAX_TABS * 2):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(
        f"Pressed Tab {MAX_TABS * 2} times on {page.url} without reaching {what}; "
        f"focus ended on {page.evaluate(_ACTIVE)}"
    )


def test_a_person_withdraws_a_consent_with_the_keyboard_alone(open_tab, personas):
    erin = personas.erin_person
    assert may_we(person=erin, purpose="contact").allowed

    tab = open_tab(None)
    page = tab.page
    tab.goto("/sign-in/")
    _tab_until(
        page, "() => document.activeElement?.id === 'id_username'", "the email address field"
    )
    page.keyboard.type(personas.erin.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/my/"))

    # From her portal's home page, Tab to the link to her choices and follow it.
    _tab_until(
        page,
        "() => document.activeElement?.matches('a[href=\"/my/choices/\"]')",
        "the link to her choices",
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/my/choices/"))
    violations = tab.axe_check()
    assert not violations, violations

    # Tab to the button that withdraws "Be contacted", and press it.
    _tab_until(
        page,
        "() => document.activeElement?.closest('form[action$=\"/my/choices/contact/\"]') !== null"
        " && document.activeElement.matches('button, input[type=submit]')",
        "the button for being contacted",
    )
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    # Back on her choices, at the one she changed.
    expect(page).to_have_url(
        re.compile(re.escape(tab.url("/my/choices/")) + r"(#choice-contact)?$")
    )
    expect(page.locator(".ds_notification-panel, [role=status], .ps-message").first).to_be_visible()

    erin = Person.objects.get(pk=erin.pk)
    answer = may_we(person=erin, purpose="contact")
    assert not answer.allowed, "Withdrawing in the portal should change the answer at once"
    assert "withdrawn" in answer.reason
    # The page says so too, and still passes axe.
    assert not tab.axe_check()
    tab.assert_no_problems()
