"""Before the session ends, every page offers to extend it (WCAG 2.2.1 Timing Adjustable)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from tests.e2e.harness import describe_violations

pytestmark = pytest.mark.browser


def _sign_out_in(tab, minutes: int) -> None:
    key = next(
        c["value"] for c in tab.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    session = SessionStore(session_key=key)
    session.set_expiry(timezone.now() + datetime.timedelta(minutes=minutes))
    session.save()


def test_the_warning_appears_and_staying_signed_in_keeps_what_was_typed(open_tab):
    tab = open_tab("alice")
    page = tab.page
    tab.goto("/support-services/add/")
    warning = page.locator("#session-warning")
    assert warning.is_hidden()

    _sign_out_in(tab, minutes=3)
    tab.goto("/support-services/add/")
    page.get_by_label("Name of the service").fill("Typed before the warning")
    warning.wait_for(state="visible")
    assert "You will be signed out soon" in warning.inner_text()
    assert not (violations := tab.axe_check()), describe_violations(violations)

    warning.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="hidden")
    # Nothing typed was lost, and the session now runs for hours more.
    assert page.get_by_label("Name of the service").input_value() == "Typed before the warning"
    key = next(
        c["value"] for c in tab.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    remaining = SessionStore(session_key=key).get_expiry_date() - timezone.now()
    assert remaining > datetime.timedelta(hours=7)
    tab.assert_no_problems()
