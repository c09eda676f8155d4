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
from tests.isolation import REGISTRY, has_parameters, named_urls
from tests.personas import PASSWORD
from tests.test_isolation import ERIN_OWN_PAGES, NINA_NATIONAL_PAGES, OUTSIDERS

pytestmark = pytest.mark.browser


def _named_urls_filled(samples, persona: str | None = None) -> list[str]:
    """Every named URL of the project, parameters filled with council A's samples (as the
    isolation walk does).

    People outside council A (and visitors who are not signed in) would meet the same "not
    found" page (or the sign-in page) at every address that names one of council A's records:
    tests/test_isolation.py already opens each of those for each of them and proves they get
    404 (or are sent to sign in) and see nothing. So here they open only the addresses that
    name no record of council A's, and one that does, to check the page they meet there; the
    pages they can reach from those are crawled as for everyone else."""
    names = named_urls()
    if persona is None or persona in OUTSIDERS:
        routes = names
        kept = [
            name
            for name in names
            if not has_parameters(routes[name])
            or REGISTRY[name].public
            or REGISTRY[name].own_organisation
            or (persona == "erin" and name in ERIN_OWN_PAGES)
            or (persona == "nina" and name in NINA_NATIONAL_PAGES)
        ]
        kept.append("people:detail")  # one of council A's records: a 404 (or sign-in) page
        names = list(dict.fromkeys(kept))
    return [reverse(name, kwargs=REGISTRY[name].kwargs(samples)) for name in names]


@pytest.mark.parametrize("name", PERSONA_NAMES, ids=persona_id)
def test_every_page_reachable_by_the_persona_passes_axe(open_tab, personas, name):
    tab = open_tab(name)
    start = ["/"] + (["/sign-in/"] if name is None else [])
    named = _named_urls_filled(personas.samples, name)
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
    # Open every operation at once (one click each, in the page), as clicking them one by one
    # from here takes minutes with a hundred operations.
    count = page.eval_on_selector_all(
        ".opblock-summary-control", "els => { els.forEach((e) => e.click()); return els.length; }"
    )
    expect(page.locator(".opblock.is-open")).to_have_count(count)
    # A hundred operations take a while to render on a busy machine: give the first one's
    # "Try it out" button time to appear.
    page.get_by_role("button", name="Try it out").first.click(timeout=120_000)
    page.get_by_role("button", name="Execute").first.click()
    page.locator(".live-responses-table").first.wait_for()
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)
    tab.assert_no_problems()
