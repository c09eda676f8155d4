"""Walkthrough pages: alice (participation lead) runs them; bob (facilitator) reads them without
the experts by experience's names and gets 404 on every change; charlie (another council) gets
404 on all of council A's; erin (expert by experience) sees nothing here."""

import datetime

import pytest
from django.urls import reverse

from powershare.audit.models import AccessEvent
from powershare.engagement.models import Activity, ActivityKind
from powershare.improvement import services
from powershare.improvement.models import (
    Observation,
    ObservationKind,
    TeamRole,
    Walkthrough,
    WalkthroughSite,
    WalkthroughTeamMember,
)
from powershare.payments.tests import factories as pay
from powershare.people.models import Person

TODAY = datetime.date.today()
EXPERT_PLACEHOLDER = "An expert by experience"


def _url(name, *args):
    return reverse(f"improvement:{name}", args=args)


def _page(response) -> str:
    return response.content.decode()


def _change_urls(samples) -> list[str]:
    w = samples["walkthrough"].pk
    return [
        _url("walkthrough_create"),
        _url("walkthrough_edit", w),
        _url("site_add", w),
        _url("site_remove", samples["walkthrough_site"].pk),
        _url("team_add", w),
        _url("team_remove", samples["walkthrough_team_member"].pk),
        _url("observation_add", w),
        _url("observation_edit", samples["observation"].pk),
        _url("observation_remove", samples["observation"].pk),
    ]


def _walkthroughs(personas, samples, count: int) -> None:
    version = samples["framework_version"]
    for number in range(count):
        walkthrough = Walkthrough.objects.create(
            organisation=personas.council_a,
            title=f"Walkthrough number {number}",
            service="Duty",
            walked_on=TODAY - datetime.timedelta(days=number),
            version=version,
        )
        site = WalkthroughSite.objects.create(walkthrough=walkthrough, name="Reception")
        Observation.objects.create(
            walkthrough=walkthrough,
            principle=version.principles.first(),
            site=site,
            kind=ObservationKind.STRENGTH,
            text="Warm welcome",
        )


def _activity(personas):
    template = Activity.objects.filter(organisation=personas.council_a).first()
    return Activity.objects.create(
        organisation=personas.council_a,
        title="Walk the front door with us",
        purpose="See the service as families do",
        kind=ActivityKind.WALKTHROUGH,
        starts_on=TODAY,
        ends_on=TODAY,
        setting=template.setting,
        feedback_due_on=TODAY + datetime.timedelta(days=28),
        ladder=template.ladder,
        rung=template.rung,
        created_by=personas.alice,
    )


# ---------------------------------------------------------------------------------------------
# The list


def test_the_list_shows_council_as_walkthroughs_with_their_counts(personas, samples, client_for):
    page = _page(client_for("alice").get(_url("walkthrough_list")))
    assert samples["walkthrough"].title in page
    assert "New walkthrough" in page
    row = page.split(samples["walkthrough"].title)[1].split("</tr>")[0]
    # One site, one observation, one action.
    assert row.count('class="ps-numeric">1</td>') == 3


def test_bob_reads_the_list_but_cannot_start_a_walkthrough(personas, samples, client_for):
    page = _page(client_for("bob").get(_url("walkthrough_list")))
    assert samples["walkthrough"].title in page
    assert "New walkthrough" not in page


def test_charlie_sees_none_of_council_as_walkthroughs(personas, samples, client_for):
    response = client_for("charlie").get(_url("walkthrough_list"))
    assert response.status_code == 200
    assert samples["walkthrough"].title not in _page(response)
    assert "No walkthroughs yet" in _page(response)


def test_erin_has_no_walkthrough_pages(personas, samples, client_for):
    assert client_for("erin").get(_url("walkthrough_list")).status_code == 404


def test_the_list_runs_the_same_queries_for_3_or_30_walkthroughs(
    personas, samples, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("alice")
    _walkthroughs(personas, samples, 2)  # with the sample: 3
    client.get(_url("walkthrough_list"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("walkthrough_list")).status_code == 200
    _walkthroughs(personas, samples, 27)
    with django_assert_num_queries(len(few.captured_queries)):
        page = _page(client.get(_url("walkthrough_list")))
    assert "30 walkthroughs" in page


# ---------------------------------------------------------------------------------------------
# Making one


def test_alice_makes_a_walkthrough_with_the_current_roadmap(personas, samples, client_for):
    client = client_for("alice")
    response = client.post(
        _url("walkthrough_create"),
        {
            "title": "Front door",
            "service": "Children and families",
            "walked_on": (TODAY + datetime.timedelta(days=14)).isoformat(),
            "purpose": "See it as families do",
            "form_token": "token-one",
        },
    )
    walkthrough = Walkthrough.objects.get(title="Front door")
    assert response.status_code == 302
    assert response.url == _url("walkthrough_detail", walkthrough.pk)
    assert walkthrough.version == samples["framework_version"]
    assert walkthrough.created_by == personas.alice


def test_a_walkthrough_form_says_what_is_missing(personas, samples, client_for):
    response = client_for("alice").post(
        _url("walkthrough_create"), {"title": "", "service": "", "walked_on": "31/02/2026"}
    )
    page = _page(response)
    assert response.status_code == 200
    assert "Give the walkthrough a title" in page
    assert "Say which service was walked through" in page
    assert "Enter the date of the walkthrough as a real date" in page
    assert not Walkthrough.objects.exclude(pk=samples["walkthrough"].pk).exists()


def test_alice_links_the_walkthrough_to_its_engagement_activity(personas, samples, client_for):
    activity = _activity(personas)
    walkthrough = samples["walkthrough"]
    client = client_for("alice")
    assert activity.title in _page(client.get(_url("walkthrough_edit", walkthrough.pk)))
    response = client.post(
        _url("walkthrough_edit", walkthrough.pk),
        {
            "title": walkthrough.title,
            "service": walkthrough.service,
            "walked_on": walkthrough.walked_on.isoformat(),
            "summary": "Families felt rushed",
            "activity": activity.pk,
        },
    )
    assert response.status_code == 302
    walkthrough.refresh_from_db()
    assert (walkthrough.activity_id, walkthrough.summary) == (activity.pk, "Families felt rushed")


# ---------------------------------------------------------------------------------------------
# One walkthrough


def test_alice_sees_the_expert_by_experience_by_name_and_it_is_recorded(
    personas, samples, client_for
):
    member = samples["walkthrough_team_member"]
    person = samples["person"]
    before = AccessEvent.objects.filter(user=personas.alice).count()
    page = _page(client_for("alice").get(_url("walkthrough_detail", samples["walkthrough"].pk)))
    assert person.name in page
    assert samples["walkthrough_site"].name in page
    assert samples["observation"].text in page
    assert samples["walkthrough_action"].title in page
    event = AccessEvent.objects.filter(user=personas.alice).order_by("-pk").first()
    assert AccessEvent.objects.filter(user=personas.alice).count() == before + 1
    assert event.subject_id == str(member.pk)
    assert person.reference in event.description
    assert person.name not in event.description


def test_bob_reads_the_walkthrough_without_names_or_changes(personas, samples, client_for):
    before = AccessEvent.objects.filter(user=personas.bob).count()
    response = client_for("bob").get(_url("walkthrough_detail", samples["walkthrough"].pk))
    page = _page(response)
    assert response.status_code == 200
    assert samples["observation"].text in page
    assert samples["person"].name not in page
    assert EXPERT_PLACEHOLDER in page
    assert "Make this an action" not in page
    assert "Record an observation" not in page
    assert AccessEvent.objects.filter(user=personas.bob).count() == before


def test_make_this_an_action_links_to_the_action_form_with_the_observation(
    personas, samples, client_for
):
    page = _page(client_for("alice").get(_url("walkthrough_detail", samples["walkthrough"].pk)))
    expected = reverse("improvement:action_create") + f"?observation={samples['observation'].pk}"
    assert f'href="{expected}"' in page


def test_observations_are_grouped_by_principle_and_kind(personas, samples, client_for):
    walkthrough = samples["walkthrough"]
    trust = walkthrough.version.principles.get(key="trust")
    services.observation_add(
        actor=personas.alice,
        walkthrough=walkthrough,
        principle=trust,
        kind=ObservationKind.STRENGTH,
        text="Staff explained what happens next",
    )
    page = _page(client_for("alice").get(_url("walkthrough_detail", walkthrough.pk)))
    trust_part = page.split(f'id="principle-{trust.pk}"')[1].split("<h3")[0]
    assert "Strengths" in trust_part
    assert "Staff explained what happens next" in trust_part
    assert "Across the sites" in trust_part
    assert samples["observation"].text not in trust_part


def test_the_page_runs_the_same_queries_for_few_or_many_observations(
    personas, samples, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walkthrough = samples["walkthrough"]
    principles = list(walkthrough.version.principles.all())
    client = client_for("alice")
    url = _url("walkthrough_detail", walkthrough.pk)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    for number in range(12):
        observation = services.observation_add(
            actor=personas.alice,
            walkthrough=walkthrough,
            principle=principles[number % len(principles)],
            kind=ObservationKind.IMPROVE if number % 2 else ObservationKind.STRENGTH,
            text=f"Observation {number}",
            site=samples["walkthrough_site"],
        )
        if number % 2:
            services.action_create(
                actor=personas.alice,
                organisation=personas.council_a,
                title=f"Action {number}",
                source="walkthrough",
                observation=observation,
                owner=personas.alice,
            )
    with django_assert_num_queries(len(few.captured_queries)):
        page = _page(client.get(url))
    assert "13 observations" in page
    assert "Action 11" in page


def test_payments_for_the_team_show_to_people_who_see_payments(personas, samples, client_for):
    walkthrough = samples["walkthrough"]
    activity = _activity(personas)
    services.walkthrough_update(actor=personas.alice, walkthrough=walkthrough, activity=activity)
    person = samples["person"]
    pay.payment(person, "75.00", activity=activity, worked_on=TODAY)
    page = _page(client_for("alice").get(_url("walkthrough_detail", walkthrough.pk)))
    assert "Payments for the team" in page
    assert "£75.00" in page
    record = reverse("payments:payment_create") + f"?person={person.pk}&amp;activity={activity.pk}"
    assert record in page
    bob_page = _page(client_for("bob").get(_url("walkthrough_detail", walkthrough.pk)))
    assert "Payments for the team" not in bob_page
    assert "£75.00" not in bob_page


def test_charlie_and_erin_get_404_on_the_walkthrough(personas, samples, client_for):
    url = _url("walkthrough_detail", samples["walkthrough"].pk)
    for name in ("charlie", "erin"):
        assert client_for(name).get(url).status_code == 404


# ---------------------------------------------------------------------------------------------
# Changes: who may


@pytest.mark.parametrize("name", ["bob", "charlie", "nina", "erin"])
def test_only_managers_reach_the_pages_that_change_walkthroughs(
    personas, samples, client_for, name
):
    client = client_for(name)
    for url in _change_urls(samples)[1:]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x", "text": "x"}).status_code == 404, url
    assert WalkthroughSite.objects.filter(walkthrough=samples["walkthrough"]).count() == 1
    assert Observation.objects.filter(pk=samples["observation"].pk).exists()


def test_bob_cannot_start_a_walkthrough(personas, samples, client_for):
    client = client_for("bob")
    assert client.get(_url("walkthrough_create")).status_code == 404
    assert client.post(_url("walkthrough_create"), {"title": "x"}).status_code == 404


# ---------------------------------------------------------------------------------------------
# Sites, team and observations through the pages


def test_alice_adds_and_removes_a_site(personas, samples, client_for):
    walkthrough = samples["walkthrough"]
    client = client_for("alice")
    response = client.post(
        _url("site_add", walkthrough.pk),
        {"name": "Family room", "address": "2 Union St", "form_token": "site-1"},
    )
    assert response.status_code == 302
    site = walkthrough.sites.get(name="Family room")
    page = _page(client.get(_url("site_remove", site.pk)))
    assert "Take the site off" in page
    assert client.post(_url("site_remove", site.pk)).status_code == 302
    assert not walkthrough.sites.filter(pk=site.pk).exists()


def test_a_duplicate_site_is_refused_with_a_message(personas, samples, client_for):
    walkthrough = samples["walkthrough"]
    page = _page(
        client_for("alice").post(
            _url("site_add", walkthrough.pk),
            {"name": samples["walkthrough_site"].name, "form_token": "site-2"},
        )
    )
    assert "This site is already on the walkthrough." in page
    assert walkthrough.sites.count() == 1


def test_alice_adds_staff_and_an_expert_by_experience(personas, samples, client_for):
    walkthrough = samples["walkthrough"]
    client = client_for("alice")
    page = _page(client.get(_url("team_add", walkthrough.pk)))
    assert personas.erin_person.name in page  # alice may see the register
    assert (
        client.post(
            _url("team_add", walkthrough.pk),
            {"role": TeamRole.STAFF, "user": personas.bob.pk, "form_token": "team-1"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            _url("team_add", walkthrough.pk),
            {
                "role": TeamRole.EXPERT_BY_EXPERIENCE,
                "person": personas.erin_person.pk,
                "form_token": "team-2",
            },
        ).status_code
        == 302
    )
    assert walkthrough.team.filter(user=personas.bob, role=TeamRole.STAFF).exists()
    assert walkthrough.team.filter(person=personas.erin_person).exists()


def test_a_person_from_another_council_is_refused_on_the_team_page(personas, samples, client_for):
    walkthrough = samples["walkthrough"]
    angus = Person.objects.create(organisation=personas.council_b, full_name="Angus Person")
    response = client_for("alice").post(
        _url("team_add", walkthrough.pk),
        {"role": TeamRole.EXPERT_BY_EXPERIENCE, "person": angus.pk, "form_token": "team-3"},
    )
    assert response.status_code == 200
    assert "Choose a person from the list" in _page(response)
    assert not walkthrough.team.filter(person=angus).exists()


def test_the_team_form_asks_for_someone(personas, samples, client_for):
    response = client_for("alice").post(
        _url("team_add", samples["walkthrough"].pk),
        {"role": TeamRole.MANAGER, "form_token": "team-4"},
    )
    assert "Choose a member of staff, or type the name" in _page(response)


def test_alice_takes_someone_off_the_team(personas, samples, client_for):
    member = samples["walkthrough_team_member"]
    client = client_for("alice")
    assert samples["person"].name in _page(client.get(_url("team_remove", member.pk)))
    assert client.post(_url("team_remove", member.pk)).status_code == 302
    assert not WalkthroughTeamMember.objects.filter(pk=member.pk).exists()


def test_alice_records_changes_and_takes_out_an_observation(personas, samples, client_for):
    walkthrough = samples["walkthrough"]
    principle = walkthrough.version.principles.get(key="collaboration")
    client = client_for("alice")
    response = client.post(
        _url("observation_add", walkthrough.pk),
        {
            "principle": principle.pk,
            "kind": ObservationKind.IMPROVE,
            "site": samples["walkthrough_site"].pk,
            "text": "Nobody asked families what they thought",
            "form_token": "observation-1",
        },
    )
    observation = walkthrough.observations.get(text="Nobody asked families what they thought")
    assert response.status_code == 302
    assert response.url.endswith(f"#observation-{observation.pk}")
    response = client.post(
        _url("observation_edit", observation.pk),
        {"principle": principle.pk, "kind": ObservationKind.STRENGTH, "text": "Families asked"},
    )
    assert response.status_code == 302
    observation.refresh_from_db()
    assert (observation.kind, observation.text, observation.site_id) == (
        ObservationKind.STRENGTH,
        "Families asked",
        None,
    )
    assert client.post(_url("observation_remove", observation.pk)).status_code == 302
    assert not Observation.objects.filter(pk=observation.pk).exists()


def test_the_observation_form_says_what_is_missing(personas, samples, client_for):
    page = _page(
        client_for("alice").post(
            _url("observation_add", samples["walkthrough"].pk), {"form_token": "observation-2"}
        )
    )
    assert "Choose the principle it is about" in page
    assert "Say whether it is a strength or something to improve" in page
    assert "Say what was seen or heard" in page


def test_an_observation_that_became_an_action_is_kept_with_a_kind_message(
    personas, samples, client_for
):
    observation = samples["observation"]
    client = client_for("alice")
    page = _page(client.get(_url("observation_remove", observation.pk)))
    assert "became an action, so it stays" in page
    assert "Take out the observation" not in page
    response = client.post(_url("observation_remove", observation.pk))
    assert response.status_code == 200
    assert "became an action, so it stays" in _page(response)
    assert Observation.objects.filter(pk=observation.pk).exists()
