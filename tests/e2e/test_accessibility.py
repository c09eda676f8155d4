"""Every page each persona can reach passes axe-core (WCAG 2.2 A and AA), with no CSP
violations or JavaScript errors, including the 404 page and forms showing their errors."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.harness import (
    MAX_PAGES_PER_PERSONA,
    PERSONA_NAMES,
    crawl,
    crawlable,
    describe_violations,
    persona_id,
)
from tests.isolation import REGISTRY, named_urls
from tests.personas import PASSWORD

pytestmark = pytest.mark.browser


def _named_urls_filled(samples) -> list[str]:
    """Every named URL of the project, parameters filled with council A's samples (as the
    isolation walk does; charlie gets 404 pages for those)."""
    return [reverse(name, kwargs=REGISTRY[name].kwargs(samples)) for name in named_urls()]


@pytest.mark.parametrize("name", PERSONA_NAMES, ids=persona_id)
def test_every_page_reachable_by_the_persona_passes_axe(open_tab, personas, name):
    tab = open_tab(name)
    start = ["/"] + (["/sign-in/"] if name is None else [])
    named = _named_urls_filled(personas.samples)
    result = crawl(tab, start + named)

    who = persona_id(name)
    visited = {v.requested for v in result.visits}
    expected = {crawlable(tab, tab.url(url)) for url in start + named} - {None}
    missed = sorted(expected - visited)
    assert not missed, (
        f"The crawl for {who} stopped at {MAX_PAGES_PER_PERSONA} pages before opening {missed}; "
        "raise MAX_PAGES_PER_PERSONA in tests/e2e/harness.py"
    )
    assert not result.server_errors, f"Server errors for {who}: {result.server_errors}"
    assert not result.violations, describe_violations(result.violations)
    tab.assert_no_problems()
    checked = sum(v.axe_run for v in result.visits)
    assert checked >= 5, f"Too few pages checked: {result.visits}"
    print(f"{who}: {len(result.visits)} pages opened, axe-core run on {checked}, 0 violations")
    if name is not None:
        # The crawl must not have ended the session (it never presses the sign-out button).
        account = reverse("accounts:settings")
        tab.goto(account)
        assert tab.page.url == tab.url(account), f"{who} was signed out by the crawl"


def test_the_404_page_passes_axe(open_tab):
    tab = open_tab("charlie")
    response = tab.goto("/support-services/999999/")
    assert response.status == 404
    assert tab.page.get_by_role("heading", level=1).is_visible()
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)
    tab.assert_no_problems()


def test_the_sign_in_form_with_errors_passes_axe(open_tab):
    tab = open_tab(None)
    tab.goto("/sign-in/")
    tab.page.get_by_role("button", name="Sign in").click()
    tab.page.wait_for_load_state("load")
    assert tab.page.locator(".ds_error-summary").is_visible()
    assert tab.page.title().startswith("Error:")
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)
    tab.assert_no_problems()


def test_the_two_factor_code_page_and_its_errors_pass_axe(open_tab, personas):
    """The step between password and code, which the crawl passes straight through."""
    tab = open_tab(None)
    page = tab.page
    tab.goto("/sign-in/")
    page.get_by_label("Email address").fill(personas.admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    violations = tab.axe_check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".ds_error-summary")).to_be_visible()
    violations += tab.axe_check()
    assert not violations, describe_violations(violations)
    tab.assert_no_problems()


def test_the_add_a_support_service_form_with_errors_passes_axe(open_tab):
    tab = open_tab("alice")
    tab.goto(reverse("support:create"))
    assert tab.page.get_by_role("heading", level=1).inner_text() == "Add a support service"
    tab.page.locator("main form button[type=submit]").click()
    tab.page.wait_for_load_state("load")
    assert tab.page.locator(".ds_error-summary").is_visible()
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)
    tab.assert_no_problems()


def test_the_interactive_api_docs_pass_axe_while_in_use(open_tab):
    """/api/docs is Swagger UI, restyled and labelled by templates/ninja/swagger.html,
    static/css/swagger-accessible.css and static/js/swagger-accessible.js. Check it as someone
    uses it: every operation open, one tried out, with its response shown."""
    tab = open_tab("alice")
    tab.goto("/api/docs")
    page = tab.page
    page.locator(".opblock").first.wait_for()
    assert not (violations := tab.axe_check()), describe_violations(violations)
    for summary in page.locator(".opblock-summary-control").all():
        summary.click()
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    page.locator(".live-responses-table").first.wait_for()
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)
    tab.assert_no_problems()
