"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

One browser for the whole run; one context (cookies, tab) per persona. Every test runs in a
transactional database that is flushed afterwards, so the personas are made again per test.
"""

import os

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import sync_playwright

from tests.e2e.harness import PersonaTab, axe_source, persona_id
from tests.personas import make_council_a_samples, make_personas

CHROMIUM = "/usr/bin/chromium"
# This machine has no internet: keep Chromium from phoning home (background networking,
# component updates, sync) so no failing connections slow it down or fill the logs.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def axe_js():
    try:
        return axe_source()
    except FileNotFoundError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh (make test-browser).")
    # Playwright's sync API runs an asyncio event loop in this thread, so Django would refuse
    # the ORM calls the tests make here (SynchronousOnlyOperation), though nothing is really
    # asynchronous. Allowed only while the browser runs: this conftest is also imported by the
    # non-browser runs, which must keep Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def personas(transactional_db, live_server):
    """The shared personas and council A's samples, made afresh in the flushed database."""
    people = make_personas()
    make_council_a_samples(people)
    return people


@pytest.fixture
def open_tab(browser, live_server, personas, axe_js):
    """open_tab("alice") gives a new browser context signed in as alice (None: anonymous)."""
    tabs = []

    def _open(name: str | None) -> PersonaTab:
        tab = PersonaTab(browser, live_server.url, persona_id(name), axe_js)
        tabs.append(tab)
        user = personas.by_name(name)
        if user is not None:
            tab.sign_in(user, TOTPDevice.objects.filter(user=user, confirmed=True).first())
        return tab

    yield _open
    for tab in tabs:
        tab.close()
