"""Leaders (a chief social work officer, a service manager) run self-assessments and action
plans for their own organisation: they see their own organisation's plans and nobody else's,
on the pages and through the API, and the national coordinator sees a plan only once its
organisation shares it."""

import pytest
from django.test import Client
from django.urls import reverse

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.accounts.services import api_token_create, share_create
from powershare.improvement import services
from tests.personas import MARKER


def _leader(organisation, email) -> User:
    user = User.objects.create_user(email=email, password="x" * 20, full_name="Lee Leader")
    Membership.objects.create(user=user, organisation=organisation, role=Role.LEADER)
    return user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user) -> Client:
    _, plain = api_token_create(user=user, name="Tests")
    return Client(headers={"authorization": f"Bearer {plain}"})


@pytest.fixture
def leaders(personas, samples):
    a = _leader(personas.council_a, "leader.a@a.example")
    b = _leader(personas.council_b, "leader.b@b.example")
    plan_b = services.plan_create(actor=b, organisation=personas.council_b, title="Angus plan")
    return a, b, plan_b


def test_a_leader_sees_their_own_organisations_plans_only(samples, leaders):
    leader_a, leader_b, plan_b = leaders
    plan_a = samples["plan"]
    page = _client(leader_a).get(reverse("improvement:plan_list")).content.decode()
    assert plan_a.title in page
    assert "Angus plan" not in page
    page = _client(leader_b).get(reverse("improvement:plan_list")).content.decode()
    assert "Angus plan" in page
    assert MARKER not in page
    assert (
        _client(leader_b).get(reverse("improvement:plan_detail", args=[plan_a.pk])).status_code
        == 404
    )
    assert (
        _client(leader_a).get(reverse("improvement:plan_detail", args=[plan_b.pk])).status_code
        == 404
    )
    actions = _client(leader_b).get(reverse("improvement:action_list")).content.decode()
    assert MARKER not in actions


def test_a_leader_may_run_their_own_plan_but_not_anothers(samples, leaders):
    leader_a, leader_b, plan_b = leaders
    edit_a = reverse("improvement:plan_edit", args=[samples["plan"].pk])
    assert _client(leader_a).get(edit_a).status_code == 200
    assert _client(leader_b).get(edit_a).status_code == 404
    assert _client(leader_b).get(reverse("improvement:plan_create")).status_code == 200


def test_through_the_api_a_leader_gets_their_own_actions_only(samples, leaders):
    leader_a, leader_b, _ = leaders
    ids_a = {a["id"] for a in _api(leader_a).get("/api/actions").json()["items"]}
    ids_b = {a["id"] for a in _api(leader_b).get("/api/actions").json()["items"]}
    assert samples["action"].pk in ids_a
    assert samples["action"].pk not in ids_b
    assert _api(leader_b).get(f"/api/actions/{samples['action'].pk}").status_code == 404


def test_nina_sees_no_plan_until_one_is_shared_with_her_organisation(personas, samples, leaders):
    nina = _client(personas.nina)
    url = reverse("improvement:plan_detail", args=[samples["plan"].pk])
    assert nina.get(url).status_code == 404
    assert MARKER not in nina.get(reverse("improvement:plan_list")).content.decode()
    share_create(actor=personas.alice, record=samples["plan"], partner=personas.national)
    assert nina.get(url).status_code == 200
    # Sharing one plan shows that plan, not the organisation's assessments or walkthroughs.
    assert (
        nina.get(
            reverse("improvement:assessment_detail", args=[samples["assessment"].pk])
        ).status_code
        == 404
    )
    assert (
        nina.get(
            reverse("improvement:walkthrough_detail", args=[samples["walkthrough"].pk])
        ).status_code
        == 404
    )


def test_a_partnership_groups_action_cannot_be_put_in_a_private_plan(personas, samples):
    from django.core.exceptions import ValidationError

    from powershare.improvement.models import ActionSource

    with pytest.raises(ValidationError) as refused:
        services.action_create(
            actor=personas.alice,
            organisation=personas.council_a,
            title="Partners write to councils",
            source=ActionSource.PARTNERSHIP_MEETING,
            meeting=samples["meeting"],
            plan=samples["plan"],
            owner_name="Programme lead",
        )
    assert "action log" in str(refused.value)
