"""Action plans: making, changing, closing and sharing them, and a plan's page with its actions
under each priority of its self-assessment."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.accounts.models import Share
from powershare.improvement import services
from powershare.improvement.models import ActionPlan, ActionSource, ActionStatus, SelfAssessment
from tests.personas import MARKER

TODAY = datetime.date.today()


def _url(name, *args):
    return reverse(f"improvement:{name}", args=args)


def _html(response) -> str:
    return response.content.decode()


def _actions(personas, plan, n, **extra):
    for i in range(n):
        services.action_create(
            actor=personas.alice,
            organisation=personas.council_a,
            title=f"Extra action {i}",
            source=ActionSource.OTHER,
            plan=plan,
            owner=personas.alice,
            due_on=TODAY + datetime.timedelta(days=i - 2),
            **extra,
        )


# ---------------------------------------------------------------------------------------------
# Services


def test_a_plan_needs_a_title_and_dates_in_order(personas):
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            actor=personas.alice,
            organisation=personas.council_a,
            title="  ",
            starts_on=TODAY,
            ends_on=TODAY - datetime.timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"title", "ends_on"}


def test_a_plan_can_not_use_another_organisation_s_assessment(personas, samples):
    with pytest.raises(ValidationError) as error:
        services.plan_create(
            actor=personas.charlie,
            organisation=personas.council_b,
            title="Angus plan",
            assessment=samples["assessment"],
        )
    assert "assessment" in error.value.message_dict


def test_only_a_manager_of_the_organisation_makes_a_plan(personas):
    for who in (personas.bob, personas.charlie, personas.nina):
        with pytest.raises(PermissionDenied):
            services.plan_create(actor=who, organisation=personas.council_a, title="Taken over")


def test_a_plan_s_assessment_stays_while_actions_sit_under_its_priorities(personas, samples):
    other = SelfAssessment.objects.create(
        organisation=personas.council_a,
        version=samples["framework_version"],
        period="Another period",
        assessed_on=TODAY,
    )
    with pytest.raises(ValidationError) as error:
        services.plan_update(actor=personas.alice, plan=samples["plan"], assessment=other)
    assert "assessment" in error.value.message_dict
    plan = services.plan_update(actor=personas.alice, plan=samples["plan"], title="Renamed")
    assert plan.title == "Renamed"


def test_a_plan_closes_only_when_every_action_is_finished(personas, samples):
    plan = samples["plan"]
    with pytest.raises(ValidationError):
        services.plan_close(actor=personas.alice, plan=plan)
    for action in plan.actions.all():
        services.action_progress_record(
            actor=personas.alice, action=action, status=ActionStatus.DONE
        )
    assert services.plan_close(actor=personas.alice, plan=plan).closed_at is not None
    assert services.plan_reopen(actor=personas.alice, plan=plan).closed_at is None


# ---------------------------------------------------------------------------------------------
# The list


def test_the_plan_list_shows_the_organisation_s_plans_to_alice_and_bob(client_for, samples):
    for who in ("alice", "bob"):
        response = client_for(who).get(_url("plan_list"))
        assert response.status_code == 200
        assert samples["plan"].title in _html(response)
    assert "New action plan" in _html(client_for("alice").get(_url("plan_list")))
    assert "New action plan" not in _html(client_for("bob").get(_url("plan_list")))


@pytest.mark.parametrize("who", ["charlie", "nina"])
def test_other_organisations_see_no_plan_of_council_a(client_for, samples, who):
    response = client_for(who).get(_url("plan_list"))
    assert response.status_code == 200
    assert MARKER not in _html(response)
    assert client_for(who).get(_url("plan_detail", samples["plan"].pk)).status_code == 404


def test_the_expert_by_experience_gets_404(client_for, samples):
    assert client_for("erin").get(_url("plan_list")).status_code == 404


def test_the_plan_list_runs_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("alice")
    client.get(_url("plan_list"))

    def plans(n):
        for i in range(n):
            plan = services.plan_create(
                actor=personas.alice, organisation=personas.council_a, title=f"Plan {n}-{i}"
            )
            _actions(personas, plan, 2)

    plans(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("plan_list")).status_code == 200
    plans(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url("plan_list")).status_code == 200
    assert len(few) == len(many)


# ---------------------------------------------------------------------------------------------
# A plan's page


def test_a_plan_groups_its_actions_under_its_priorities_with_links_to_their_sources(
    client_for, samples
):
    response = client_for("alice").get(_url("plan_detail", samples["plan"].pk))
    html = _html(response)
    priority_heading = html.index(f"Priority: {samples['priority'].driver.name}")
    other_heading = html.index("Other actions")
    # The action from the priority sits under it; the walkthrough's and the response's under
    # "other actions".
    assert priority_heading < html.index(samples["action"].title) < other_heading
    assert other_heading < html.index(samples["walkthrough_action"].title)
    assert other_heading < html.index(samples["response_action"].title)
    # Overdue is shown in words, and the sources link back.
    assert "Overdue" in html
    assert _url("assessment_detail", samples["assessment"].pk) in html
    assert _url("walkthrough_detail", samples["walkthrough"].pk) in html
    assert reverse("accountability:response_detail", args=[samples["response"].pk]) in html
    assert f"{_url('action_create')}?plan={samples['plan'].pk}" in html


def test_bob_reads_a_plan_but_is_offered_no_change(client_for, samples):
    html = _html(client_for("bob").get(_url("plan_detail", samples["plan"].pk)))
    assert samples["action"].title in html
    assert "Add an action" not in html
    assert _url("plan_edit", samples["plan"].pk) not in html


def test_the_plan_page_runs_a_fixed_number_of_queries(client_for, personas, samples):
    client = client_for("alice")
    plan = samples["plan"]
    client.get(_url("plan_detail", plan.pk))
    _actions(personas, plan, 3, priority=samples["priority"])
    with CaptureQueriesContext(connection) as few:
        client.get(_url("plan_detail", plan.pk))
    _actions(personas, plan, 27, priority=samples["priority"])
    with CaptureQueriesContext(connection) as many:
        client.get(_url("plan_detail", plan.pk))
    assert len(few) == len(many)


# ---------------------------------------------------------------------------------------------
# Making and changing a plan


def test_alice_makes_a_plan_from_a_self_assessment(client_for, samples):
    client = client_for("alice")
    page = client.get(_url("plan_create") + f"?assessment={samples['assessment'].pk}")
    assert f'value="{samples["assessment"].pk}" selected' in _html(page)
    data = {
        "title": "Roadmap plan",
        "assessment": samples["assessment"].pk,
        "starts_on": "2026-04-01",
        "ends_on": "2027-03-31",
        "summary": "",
        "form_token": "tok-1",
    }
    response = client.post(_url("plan_create"), data)
    plan = ActionPlan.objects.get(title="Roadmap plan")
    assert response.status_code == 302
    assert response["Location"] == _url("plan_detail", plan.pk)
    assert plan.assessment == samples["assessment"]
    # A double submit makes nothing new.
    assert client.post(_url("plan_create"), data).status_code == 302
    assert ActionPlan.objects.filter(title="Roadmap plan").count() == 1


def test_the_plan_form_says_what_is_wrong_and_keeps_what_was_typed(client_for):
    response = client_for("alice").post(
        _url("plan_create"),
        {"title": "", "starts_on": "2026-05-01", "ends_on": "2026-04-01", "summary": "Kept words"},
    )
    html = _html(response)
    assert response.status_code == 200
    assert "Enter title" in html
    assert "The end date must be on or after the start date" in html
    assert "Kept words" in html


def test_charlie_can_not_make_a_plan_from_council_a_s_assessment(client_for, samples):
    response = client_for("charlie").post(
        _url("plan_create"), {"title": "Angus", "assessment": samples["assessment"].pk}
    )
    assert response.status_code == 200
    assert "Choose one of your self-assessments from the list" in _html(response)
    assert not ActionPlan.objects.filter(title="Angus").exists()


def test_alice_changes_and_closes_a_plan_and_bob_and_charlie_get_404(client_for, samples):
    plan = samples["plan"]
    for who in ("bob", "charlie", "nina"):
        assert client_for(who).get(_url("plan_edit", plan.pk)).status_code == 404
        assert client_for(who).post(_url("plan_edit", plan.pk), {"close": "1"}).status_code == 404
    client = client_for("alice")
    response = client.post(
        _url("plan_edit", plan.pk),
        {"title": "New title", "assessment": plan.assessment_id, "summary": "Changed"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.summary) == ("New title", "Changed")
    # Open actions stop it closing, with the reason.
    response = client.post(_url("plan_edit", plan.pk), {"close": "1"})
    assert response.status_code == 200
    assert "still open" in _html(response)
    plan.refresh_from_db()
    assert plan.closed_at is None


# ---------------------------------------------------------------------------------------------
# Sharing


def test_a_plan_shared_with_the_national_team_shows_to_nina_with_its_actions(
    client_for, personas, samples
):
    plan = samples["plan"]
    for who in ("bob", "charlie", "nina"):
        assert client_for(who).get(_url("plan_sharing", plan.pk)).status_code == 404
    client = client_for("alice")
    response = client.post(
        _url("plan_sharing", plan.pk), {"partner": personas.national.pk, "form_token": "s-1"}
    )
    assert response.status_code == 302
    share = Share.objects.get(object_id=plan.pk, partner=personas.national, ended_at=None)

    nina = client_for("nina")
    html = _html(nina.get(_url("plan_detail", plan.pk)))
    assert samples["action"].title in html
    assert "Shared with you" in html
    # She reads it, but the council's other records are not linked for her.
    assert _url("assessment_detail", samples["assessment"].pk) not in html
    assert nina.get(_url("action_detail", samples["action"].pk)).status_code == 200
    assert plan.title in _html(nina.get(_url("plan_list")))
    assert plan.title in _html(nina.get(_url("home")))
    assert nina.get(_url("plan_edit", plan.pk)).status_code == 404
    assert nina.get(_url("plan_sharing", plan.pk)).status_code == 404

    client = client_for("alice")
    assert client.get(_url("plan_share_end", plan.pk, share.pk)).status_code == 200
    assert client.post(_url("plan_share_end", plan.pk, share.pk)).status_code == 302
    assert client_for("nina").get(_url("plan_detail", plan.pk)).status_code == 404


def test_stopping_a_share_of_another_record_is_404(client_for, samples):
    plan, other_share = samples["plan"], samples["share"]
    response = client_for("alice").post(_url("plan_share_end", plan.pk, other_share.pk))
    assert response.status_code == 404
