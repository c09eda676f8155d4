"""A contributor withdraws one of her contributions in the portal with the keyboard alone, and
the very next request for the staff list, the export and the API no longer contains it."""

import pytest
from playwright.sync_api import expect

from powershare.engagement import services
from powershare.engagement.models import Contribution, UseLevel
from powershare.engagement.tests import factories as make
from tests.e2e.test_portal_keyboard import _tab_until
from tests.personas import PASSWORD

pytestmark = pytest.mark.browser

WORDS = "Meeting in the library felt safer than the council office"


def test_a_contributor_withdraws_a_contribution_with_the_keyboard_alone(open_tab, personas):
    erin = personas.erin_person
    make.consent(erin, "quote_internal", "quote_anonymous")
    activity = personas.samples["erin_invitation"].activity
    contribution = services.contribution_create(
        actor=personas.alice,
        activity=activity,
        person=erin,
        use_level=UseLevel.ANONYMISED,
        text=WORDS,
        kind="view",
    )

    staff = open_tab("alice")

    def as_staff(path: str) -> str:
        # The staff tab's own cookies: the same session a browser would send.
        response = staff.page.request.get(staff.url(path))
        assert response.status == 200, f"{path} answered {response.status}"
        return response.text()

    staff_list = as_staff("/activities/contributions/")
    assert WORDS in staff_list, "Before withdrawal alice sees the contribution"

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

    _tab_until(
        page,
        "() => document.activeElement?.matches('a[href=\"/my/said/\"]')",
        "the link to the things she has said",
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/my/said/"))
    assert not tab.axe_check()

    withdraw = f"/my/said/{contribution.pk}/withdraw/"
    _tab_until(
        page,
        f"() => document.activeElement?.matches('a[href=\"{withdraw}\"]')",
        "the link to withdraw the contribution",
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url(withdraw))
    assert not tab.axe_check()
    _tab_until(
        page,
        "() => document.activeElement?.closest('main form[method=post]') !== null"
        " && document.activeElement.matches('button, input[type=submit]')",
        "the button that confirms",
    )
    page.keyboard.press("Enter")
    expect(page).to_have_url(tab.url("/my/said/"))
    expect(page.locator(".ds_notification-panel, [role=status], .ps-message").first).to_be_visible()
    assert not tab.axe_check()
    tab.assert_no_problems()

    assert Contribution.objects.get(pk=contribution.pk).withdrawn_at is not None
    # The very next requests, as staff: the list, both exports, and the API.
    for path in (
        "/activities/contributions/",
        "/activities/contributions/export/?format=csv&use=1",
        "/activities/contributions/export/?format=csv&use=2",
        "/api/contributions?use=internal",
        "/api/contributions?use=anonymised",
        f"/activities/{activity.pk}/",
    ):
        assert WORDS not in as_staff(path), f"{path} still shows the withdrawn words"
