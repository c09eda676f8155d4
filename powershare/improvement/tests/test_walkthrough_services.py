"""Walkthrough services: the rules for a walkthrough, its sites, its team and its
observations, whoever calls them (pages, the API or the demo)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from powershare.engagement.models import Activity, ActivityKind
from powershare.improvement import services
from powershare.improvement.models import (
    Framework,
    Observation,
    ObservationKind,
    TeamRole,
    Walkthrough,
)
from powershare.improvement.selectors import version_current
from powershare.people.models import Person

TODAY = datetime.date.today()


def _walkthrough(personas, **extra):
    values = {
        "title": "Front door walkthrough",
        "service": "Children and families",
        "walked_on": TODAY,
    }
    values.update(extra)
    return services.walkthrough_create(
        actor=personas.alice, organisation=personas.council_a, **values
    )


def _activity(personas, organisation=None, kind=ActivityKind.WALKTHROUGH, title="Walk with us"):
    template = Activity.objects.filter(organisation=personas.council_a).first()
    return Activity.objects.create(
        organisation=organisation or personas.council_a,
        title=title,
        purpose="Look at the front door together",
        kind=kind,
        starts_on=TODAY,
        ends_on=TODAY,
        setting=template.setting,
        feedback_due_on=TODAY + datetime.timedelta(days=28),
        ladder=template.ladder,
        rung=template.rung,
        created_by=personas.alice,
    )


def _messages(error: ValidationError) -> dict:
    return {field: " ".join(messages) for field, messages in error.message_dict.items()}


# ---------------------------------------------------------------------------------------------
# The walkthrough


def test_a_new_walkthrough_uses_the_organisations_current_roadmap_version(personas, samples):
    walkthrough = _walkthrough(personas)
    roadmap = Framework.objects.get(key="roadmap")
    assert walkthrough.version == samples["framework_version"]
    assert walkthrough.version == version_current(
        framework=roadmap, organisation_id=personas.council_a.pk
    )
    assert walkthrough.version.organisation_id == personas.council_a.pk


def test_another_organisation_gets_the_default_version(personas, samples):
    walkthrough = services.walkthrough_create(
        actor=personas.charlie,
        organisation=personas.council_b,
        title="Angus walkthrough",
        service="Duty",
        walked_on=TODAY,
    )
    assert walkthrough.version.organisation_id is None


def test_a_walkthrough_can_be_planned_ahead(personas, samples):
    walkthrough = _walkthrough(personas, walked_on=TODAY + datetime.timedelta(days=60))
    assert walkthrough.walked_on > TODAY


def test_a_walkthrough_needs_a_title_and_a_service(personas, samples):
    with pytest.raises(ValidationError) as caught:
        _walkthrough(personas, title="  ", service="")
    assert _messages(caught.value) == {
        "title": "Give the walkthrough a title.",
        "service": "Say which service was walked through.",
    }


def test_only_people_who_manage_improvement_make_walkthroughs(personas, samples):
    for name in ("bob", "charlie", "nina", "admin"):
        with pytest.raises(PermissionDenied):
            services.walkthrough_create(
                actor=personas.by_name(name),
                organisation=personas.council_a,
                title="Not allowed",
                service="Duty",
                walked_on=TODAY,
            )
    assert not Walkthrough.objects.filter(title="Not allowed").exists()


def test_its_activity_must_be_a_walkthrough_of_the_same_organisation(personas, samples):
    focus_group = _activity(personas, kind=ActivityKind.FOCUS_GROUP, title="A focus group")
    with pytest.raises(ValidationError) as caught:
        _walkthrough(personas, activity=focus_group)
    assert _messages(caught.value) == {"activity": "Choose an activity planned as a walkthrough."}
    elsewhere = _activity(personas, organisation=personas.council_b, title="Angus walk")
    with pytest.raises(ValidationError) as caught:
        _walkthrough(personas, activity=elsewhere)
    assert "this organisation's activities" in _messages(caught.value)["activity"]


def test_an_activity_pays_for_one_walkthrough_only(personas, samples):
    activity = _activity(personas)
    first = _walkthrough(personas, activity=activity)
    assert first.activity == activity
    with pytest.raises(ValidationError) as caught:
        _walkthrough(personas, title="Second", activity=activity)
    assert "already linked" in _messages(caught.value)["activity"]
    # The walkthrough that has it keeps it when it is changed.
    services.walkthrough_update(
        actor=personas.alice, walkthrough=first, summary="Went well", activity=activity
    )
    first.refresh_from_db()
    assert (first.summary, first.activity_id) == ("Went well", activity.pk)


def test_updating_never_changes_the_framework_version(personas, samples):
    walkthrough = samples["walkthrough"]
    with pytest.raises(TypeError):
        services.walkthrough_update(actor=personas.alice, walkthrough=walkthrough, version=None)
    with pytest.raises(PermissionDenied):
        services.walkthrough_update(actor=personas.bob, walkthrough=walkthrough, title="Bob's")


# ---------------------------------------------------------------------------------------------
# Sites


def test_a_walkthrough_covers_several_sites_in_order(personas, samples):
    walkthrough = _walkthrough(personas)
    first = services.site_add(actor=personas.alice, walkthrough=walkthrough, name="Reception")
    second = services.site_add(
        actor=personas.alice, walkthrough=walkthrough, name="Family room", address="1 High St"
    )
    assert [s.name for s in walkthrough.sites.all()] == ["Reception", "Family room"]
    assert second.order > first.order
    with pytest.raises(ValidationError) as caught:
        services.site_add(actor=personas.alice, walkthrough=walkthrough, name="reception")
    assert _messages(caught.value) == {"name": "This site is already on the walkthrough."}
    with pytest.raises(ValidationError) as caught:
        services.site_add(actor=personas.alice, walkthrough=walkthrough, name=" ")
    assert _messages(caught.value) == {"name": "Say which site was visited."}


def test_removing_a_site_keeps_its_observations(personas, samples):
    site = samples["walkthrough_site"]
    observation = samples["observation"]
    with pytest.raises(PermissionDenied):
        services.site_remove(actor=personas.bob, site=site)
    services.site_remove(actor=personas.alice, site=site)
    observation.refresh_from_db()
    assert observation.site_id is None


# ---------------------------------------------------------------------------------------------
# The team


def test_staff_and_managers_are_members_or_names(personas, samples):
    walkthrough = _walkthrough(personas)
    bob = services.team_member_add(
        actor=personas.alice, walkthrough=walkthrough, role=TeamRole.STAFF, user=personas.bob
    )
    manager = services.team_member_add(
        actor=personas.alice,
        walkthrough=walkthrough,
        role=TeamRole.MANAGER,
        name="Team manager, Justice",
    )
    assert (bob.user, bob.name) == (personas.bob, "")
    assert (manager.user, manager.name) == (None, "Team manager, Justice")
    with pytest.raises(ValidationError) as caught:
        services.team_member_add(
            actor=personas.alice, walkthrough=walkthrough, role=TeamRole.STAFF, user=personas.bob
        )
    assert _messages(caught.value) == {"user": "They are already on the team."}
    with pytest.raises(ValidationError) as caught:
        services.team_member_add(
            actor=personas.alice,
            walkthrough=walkthrough,
            role=TeamRole.STAFF,
            user=personas.charlie,
        )
    assert _messages(caught.value) == {"user": "Choose someone who works in the organisation."}
    with pytest.raises(ValidationError) as caught:
        services.team_member_add(
            actor=personas.alice, walkthrough=walkthrough, role=TeamRole.MANAGER
        )
    assert "Choose a member of staff" in _messages(caught.value)["user"]


def test_experts_by_experience_come_from_the_organisations_own_register(personas, samples):
    walkthrough = _walkthrough(personas)
    member = services.team_member_add(
        actor=personas.alice,
        walkthrough=walkthrough,
        role=TeamRole.EXPERT_BY_EXPERIENCE,
        person=personas.erin_person,
    )
    assert member.person == personas.erin_person
    with pytest.raises(ValidationError) as caught:
        services.team_member_add(
            actor=personas.alice,
            walkthrough=walkthrough,
            role=TeamRole.EXPERT_BY_EXPERIENCE,
            person=personas.erin_person,
        )
    assert _messages(caught.value) == {"person": "They are already on the team."}
    with pytest.raises(ValidationError) as caught:
        services.team_member_add(
            actor=personas.alice, walkthrough=walkthrough, role=TeamRole.EXPERT_BY_EXPERIENCE
        )
    assert "from your organisation's register" in _messages(caught.value)["person"]


def test_a_person_from_another_organisation_is_refused(personas, samples):
    walkthrough = _walkthrough(personas)
    angus = Person.objects.create(organisation=personas.council_b, full_name="Angus Person")
    with pytest.raises(ValidationError) as caught:
        services.team_member_add(
            actor=personas.alice,
            walkthrough=walkthrough,
            role=TeamRole.EXPERT_BY_EXPERIENCE,
            person=angus,
        )
    assert _messages(caught.value) == {"person": "Choose someone on your organisation's register."}
    assert not walkthrough.team.exists()


def test_an_erased_person_is_refused(personas, samples):
    walkthrough = _walkthrough(personas)
    erased = Person.objects.create(
        organisation=personas.council_a, full_name="Erased person", erased_at=timezone.now()
    )
    with pytest.raises(ValidationError):
        services.team_member_add(
            actor=personas.alice,
            walkthrough=walkthrough,
            role=TeamRole.EXPERT_BY_EXPERIENCE,
            person=erased,
        )


def test_a_person_from_the_register_joins_only_as_an_expert_by_experience(personas, samples):
    walkthrough = _walkthrough(personas)
    with pytest.raises(ValidationError) as caught:
        services.team_member_add(
            actor=personas.alice,
            walkthrough=walkthrough,
            role=TeamRole.STAFF,
            person=personas.erin_person,
        )
    assert "experts by experience" in _messages(caught.value)["role"]


def test_only_managers_change_the_team(personas, samples):
    member = samples["walkthrough_team_member"]
    for name in ("bob", "charlie"):
        with pytest.raises(PermissionDenied):
            services.team_member_remove(actor=personas.by_name(name), member=member)
    services.team_member_remove(actor=personas.alice, member=member)
    assert not samples["walkthrough"].team.filter(pk=member.pk).exists()


# ---------------------------------------------------------------------------------------------
# Observations


def test_an_observation_is_under_a_principle_of_the_walkthroughs_own_version(personas, samples):
    walkthrough = samples["walkthrough"]
    own = walkthrough.version.principles.get(key="trust")
    observation = services.observation_add(
        actor=personas.alice,
        walkthrough=walkthrough,
        principle=own,
        kind=ObservationKind.STRENGTH,
        text="  Staff greeted everyone by name.  ",
    )
    assert observation.text == "Staff greeted everyone by name."
    default = version_current(framework=samples["framework"], organisation_id=None)
    assert default.pk != walkthrough.version_id
    with pytest.raises(ValidationError) as caught:
        services.observation_add(
            actor=personas.alice,
            walkthrough=walkthrough,
            principle=default.principles.get(key="trust"),
            kind=ObservationKind.STRENGTH,
            text="Wrong version",
        )
    assert _messages(caught.value) == {
        "principle": "Choose one of the principles of this walkthrough's framework."
    }


def test_an_observation_needs_words_a_kind_and_one_of_its_own_sites(personas, samples):
    walkthrough = samples["walkthrough"]
    other = _walkthrough(personas)
    other_site = services.site_add(actor=personas.alice, walkthrough=other, name="Elsewhere")
    with pytest.raises(ValidationError) as caught:
        services.observation_add(
            actor=personas.alice,
            walkthrough=walkthrough,
            principle=walkthrough.version.principles.first(),
            kind="maybe",
            text=" ",
            site=other_site,
        )
    assert _messages(caught.value) == {
        "kind": "Say whether it is a strength or something to improve.",
        "text": "Say what was seen or heard.",
        "site": "Choose one of the sites on this walkthrough.",
    }


def test_an_observation_that_became_an_action_stays(personas, samples):
    observation = samples["observation"]
    assert observation.actions.exists()
    with pytest.raises(ValidationError) as caught:
        services.observation_remove(actor=personas.alice, observation=observation)
    assert "became an action" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError) as caught:
        services.observation_update(
            actor=personas.alice,
            observation=observation,
            principle=observation.principle,
            kind=ObservationKind.STRENGTH,
            text=observation.text,
        )
    assert "stays something to improve" in _messages(caught.value)["kind"]
    assert Observation.objects.filter(pk=observation.pk, kind=ObservationKind.IMPROVE).exists()


def test_an_observation_without_an_action_can_be_changed_and_taken_out(personas, samples):
    walkthrough = samples["walkthrough"]
    observation = services.observation_add(
        actor=personas.alice,
        walkthrough=walkthrough,
        principle=walkthrough.version.principles.get(key="choice"),
        kind=ObservationKind.IMPROVE,
        text="No choice of room",
        site=samples["walkthrough_site"],
    )
    services.observation_update(
        actor=personas.alice,
        observation=observation,
        principle=observation.principle,
        kind=ObservationKind.STRENGTH,
        text="People chose the room",
    )
    observation.refresh_from_db()
    assert (observation.kind, observation.text, observation.site_id) == (
        ObservationKind.STRENGTH,
        "People chose the room",
        None,
    )
    with pytest.raises(PermissionDenied):
        services.observation_remove(actor=personas.bob, observation=observation)
    services.observation_remove(actor=personas.alice, observation=observation)
    assert not Observation.objects.filter(pk=observation.pk).exists()
