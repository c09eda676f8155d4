"""Keyboard only: the skip link, signing in, and every main navigation link, with a visible
focus indicator on what has focus."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.personas import PASSWORD

pytestmark = pytest.mark.browser

MAIN_MENU = 'nav[aria-label="Main menu"]'
MAX_TABS = 40

_FOCUS_STYLE = """(el) => {
  const s = getComputedStyle(el);
  return {
    outlineStyle: s.outlineStyle,
    outlineWidth: parseFloat(s.outlineWidth) || 0,
    outlineColor: s.outlineColor,
    boxShadow: s.boxShadow,
    backgroundColor: s.backgroundColor,
  };
}"""

_ACTIVE = """() => {
  const el = document.activeElement;
  return el ? el.outerHTML.slice(0, 160) : "nothing";
}"""


def _transparent(colour: str) -> bool:
    return colour == "transparent" or colour.replace(" ", "").endswith(",0)")


def _focus_indicator(before: dict, after: dict) -> str | None:
    """How a focused element shows its focus (compared with its unfocused style), or None."""
    if (
        after["outlineStyle"] != "none"
        and after["outlineWidth"] > 0
        and not _transparent(after["outlineColor"])
    ):
        return f"outline {after['outlineWidth']}px {after['outlineStyle']} {after['outlineColor']}"
    if after["boxShadow"] != "none" and after["boxShadow"] != before["boxShadow"]:
        return f"box-shadow {after['boxShadow']}"
    if after["backgroundColor"] != before["backgroundColor"]:
        return f"background {before['backgroundColor']} -> {after['backgroundColor']}"
    return None


def _assert_visible_focus(page: Page, locator, before: dict):
    """`locator` has focus and shows it; `before` is its style from before it had focus."""
    expect(locator).to_be_focused()
    after = locator.evaluate(_FOCUS_STYLE)
    indicator = _focus_indicator(before, after)
    assert indicator, (
        f"No visible focus indicator on {page.evaluate(_ACTIVE)} at {page.url}: "
        f"unfocused {before}, focused {after}"
    )


def _tab_to(page: Page, locator) -> int:
    """Press Tab until `locator` has focus; the number of presses."""
    handle = locator.element_handle()
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(el) => document.activeElement === el", handle):
            return presses
    raise AssertionError(
        f"Pressed Tab {MAX_TABS} times on {page.url} without reaching {locator}; "
        f"focus ended on {page.evaluate(_ACTIVE)}"
    )


def test_signing_in_with_the_keyboard_alone(open_tab, personas):
    tab = open_tab(None)
    page = tab.page
    tab.goto("/")
    assert urlsplit(page.url).path == "/sign-in/"

    # The skip link is the first stop in the page's tab order.
    skip = page.get_by_role("link", name="Skip to main content")
    first_tabbable = page.evaluate(
        """() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
              .find((el) => el.tabIndex >= 0 && !el.disabled && el.type !== 'hidden')
              ?.textContent.trim()"""
    )
    assert first_tabbable == "Skip to main content"
    # The email field has autofocus, so the page opens with focus in it and Tab goes on from
    # there; Tab on round the page until the skip link has focus (it is then the first stop).
    skip_before = skip.evaluate(_FOCUS_STYLE)
    _tab_to(page, skip)
    expect(skip).to_be_visible()  # visually hidden until it has focus
    _assert_visible_focus(page, skip, skip_before)

    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    assert urlsplit(page.url).fragment == "main-content"

    email = page.get_by_label("Email address")
    email_before = email.evaluate(_FOCUS_STYLE)
    page.keyboard.press("Tab")
    _assert_visible_focus(page, email, email_before)
    page.keyboard.type(personas.alice.email)

    password = page.get_by_label("Password", exact=True)
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type(PASSWORD)

    # The Sign in button shows focus too (it is the next stop after the password).
    button = page.get_by_role("button", name="Sign in")
    button_before = button.evaluate(_FOCUS_STYLE)
    page.keyboard.press("Tab")
    _assert_visible_focus(page, button, button_before)
    page.keyboard.press("Shift+Tab")
    expect(password).to_be_focused()

    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice")
    tab.assert_no_problems()


@pytest.mark.parametrize("name", ["alice", "admin"])
def test_every_main_navigation_link_works_from_the_keyboard(open_tab, name):
    tab = open_tab(name)
    page = tab.page
    start = "/accessibility/"  # a page that is not itself in the main menu
    tab.goto(start)
    links = page.locator(f"{MAIN_MENU} a")
    hrefs = links.evaluate_all("(els) => els.map((el) => el.getAttribute('href'))")
    assert len(hrefs) >= 3, f"{name}'s main menu has only {hrefs}"
    assert start not in hrefs

    for href in hrefs:
        tab.goto(start)
        assert page.evaluate("() => document.activeElement === document.body"), (
            f"{start} should open with nothing focused, so Tab starts at the top of the page"
        )
        link = page.locator(f'{MAIN_MENU} a[href="{href}"]')
        before = link.evaluate(_FOCUS_STYLE)
        _tab_to(page, link)
        _assert_visible_focus(page, link, before)
        page.keyboard.press("Enter")
        expect(page).to_have_url(tab.url(href))
        current = page.locator(f'{MAIN_MENU} a[href="{href}"]')
        expect(current).to_have_attribute("aria-current", "page")
    tab.assert_no_problems()
