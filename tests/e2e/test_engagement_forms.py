"""The engagement forms pass axe-core when they show errors: the bulk capture table with a bad
row (and everything typed still there), and the plan-an-activity form."""

import pytest
from django.urls import reverse

from tests.e2e.harness import describe_violations

pytestmark = pytest.mark.browser


def test_bulk_capture_with_a_bad_row_keeps_what_was_typed_and_passes_axe(open_tab, personas):
    activity = personas.samples["activity"]
    tab = open_tab("alice")
    page = tab.page
    tab.goto(reverse("engagement:contribution_capture", args=[activity.pk]))
    assert not (violations := tab.axe_check()), describe_violations(violations)
    # Row 1 is fine (an anonymous group); row 2 has words but no kind and no contributor.
    page.locator("#id_rows-0-text").fill("The room was too hot to think")
    page.locator("#id_rows-0-person").select_option(label="An anonymous group")
    page.locator("#id_rows-0-group_label").fill("Young people, session 2")
    page.locator("#id_rows-0-group_consent_held_by").fill("Partner youth project")
    page.locator("#id_rows-0-kind").select_option("concern")
    page.locator("#id_rows-0-use_level").select_option("2")
    page.locator("#id_rows-1-text").fill("Please send the papers a week before")
    page.get_by_role("button", name="Record these contributions").click()
    page.wait_for_load_state("load")
    assert page.locator(".ds_error-summary").is_visible()
    assert page.locator("#id_rows-0-text").input_value() == "The room was too hot to think"
    assert page.locator("#id_rows-1-text").input_value() == "Please send the papers a week before"
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)
    tab.assert_no_problems()


def test_the_plan_an_activity_form_with_errors_passes_axe(open_tab):
    tab = open_tab("alice")
    tab.goto(reverse("engagement:activity_create"))
    assert not (violations := tab.axe_check()), describe_violations(violations)
    tab.page.locator("main form button[type=submit]").first.click()
    tab.page.wait_for_load_state("load")
    assert tab.page.locator(".ds_error-summary").is_visible()
    violations = tab.axe_check()
    assert not violations, describe_violations(violations)
    tab.assert_no_problems()
