"""An organisation's own ladders of participation: the list, adding, changing, retiring and
bringing back, as the participation lead (alice) and everyone who must not."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.audit.selectors import change_log_for
from powershare.engagement import selectors, services
from powershare.engagement.ladder_forms import rungs_as_text, rungs_from_text
from powershare.engagement.models import EngagementSettings, Ladder, LadderRung
from powershare.engagement.tests import factories as make
from tests.personas import MARKER

RUNGS = "Told | We tell people what we decided\nAsked | | They asked me\nDeciding together"


def _arnstein():
    return Ladder.objects.get(organisation=None, slug="arnstein")


def _own_ladder(personas, name="Our ladder", rungs=("Told", "Asked", "Deciding together")):
    return services.ladder_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        name=name,
        rungs=[(rung, f"What {rung} means", "") for rung in rungs],
    )


def _rung(ladder, position):
    return ladder.rungs.get(position=position)


def _form(**overrides):
    data = {
        "name": "Our young people's ladder",
        "description": "From our youth forum.",
        "for_children_and_young_people": "on",
        "rungs": RUNGS,
        "form_token": "ladder-1",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _edit_form(ladder, **overrides):
    data = {
        "name": ladder.name,
        "description": ladder.description,
        "rungs": rungs_as_text(ladder.rungs.order_by("position")),
    }
    if ladder.for_children_and_young_people:
        data["for_children_and_young_people"] = "on"
    data.update(overrides)
    return data


def _page(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


# ---------------------------------------------------------------------------------------------
# Adding a ladder


def test_alice_adds_a_ladder_and_its_rungs_are_offered_when_planning(client_for, personas):
    client = client_for("alice")
    response = client.post(reverse("engagement:ladder_create"), _form())
    ladder = Ladder.objects.get(name="Our young people's ladder")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('engagement:ladder_list')}#ladder-{ladder.pk}"
    assert ladder.organisation == personas.council_a
    assert ladder.slug == "our-young-peoples-ladder"
    assert ladder.description == "From our youth forum."
    assert ladder.for_children_and_young_people
    assert ladder.is_active
    assert [(r.position, r.name, r.description, r.plain_words) for r in ladder.rungs.all()] == [
        (1, "Told", "We tell people what we decided", "Told"),
        (2, "Asked", "", "They asked me"),
        (3, "Deciding together", "", "Deciding together"),
    ]
    page = _page(client.get(response["Location"]))
    assert "“Our young people's ladder” has been added." in page

    # The activity form's rung list (selectors.rung_choices) offers the new rungs at once.
    planning = _page(client.get(reverse("engagement:activity_create")))
    assert '<optgroup label="Our young people\'s ladder">' in planning
    for rung in ladder.rungs.all():
        assert f'value="{rung.pk}"' in planning
    assert "1. Told: We tell people what we decided" in planning
    assert rung.pk in selectors.rung_choices(organisation_ids=[personas.council_a.pk]).values_list(
        "pk", flat=True
    )


def test_an_activity_can_be_planned_on_an_own_ladders_rung(client_for, personas):
    ladder = _own_ladder(personas)
    rung = _rung(ladder, 2)
    response = client_for("alice").post(
        reverse("engagement:activity_create"),
        {
            "title": "Shaping the youth club",
            "purpose": "Decide what the youth club offers.",
            "kind": "co_design_workshop",
            "starts_on": "2026-05-04",
            "setting": "community",
            "rung": rung.pk,
            "lundy_space": "yes",
            "lundy_voice": "yes",
            "lundy_audience": "not_yet",
            "lundy_influence": "not_yet",
            "form_token": "plan-own",
        },
    )
    assert response.status_code == 302
    activity = ladder.activities.get()
    assert activity.rung == rung


def test_the_form_asks_which_organisation_when_alice_manages_two(client_for, personas):
    from powershare.accounts.models import Membership
    from powershare.accounts.roles import Role

    Membership.objects.create(
        user=personas.alice, organisation=personas.council_b, role=Role.PARTICIPATION_LEAD
    )
    client = client_for("alice")
    page = _page(client.get(reverse("engagement:ladder_create")))
    assert "Which organisation's ladder is it?" in page
    client.post(reverse("engagement:ladder_create"), _form(organisation=personas.council_b.pk))
    assert Ladder.objects.get(name="Our young people's ladder").organisation == personas.council_b
    listing = _page(client.get(reverse("engagement:ladder_list")))
    assert personas.council_b.display_name in listing


def test_a_double_submit_adds_one_ladder(client_for, personas):
    client = client_for("alice")
    client.post(reverse("engagement:ladder_create"), _form())
    response = client.post(reverse("engagement:ladder_create"), _form(), follow=True)
    assert Ladder.objects.filter(name="Our young people's ladder").count() == 1
    assert "already sent this form" in _page(response)


def test_mistakes_in_the_rungs_name_their_line_and_keep_what_was_typed(client_for, personas):
    rungs = "Told\n\n | what it means\nAsked | a | b | c\n" + "N" * 121 + "\nTold"
    response = client_for("alice").post(reverse("engagement:ladder_create"), _form(rungs=rungs))
    page = _page(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Line 3: give the rung a name before the first |." in page
    assert "Line 4: use at most two | marks" in page
    assert "Line 5: keep the name to 120 characters or fewer (it has 121)." in page
    assert "Line 6: “Told” is already the name of the rung on line 1." in page
    assert 'href="#id_rungs"' in page
    assert "Asked | a | b | c" in page  # everything typed is kept
    assert 'value="Our young people\'s ladder"' in page
    assert "From our youth forum." in page
    assert not Ladder.objects.filter(organisation=personas.council_a).exists()


@pytest.mark.parametrize(
    ("rungs", "message"),
    [
        ("Only one", "Give at least 2 rungs"),
        ("\n".join(f"Rung {n}" for n in range(1, 14)), "Give at most 12 rungs. There are 13."),
        ("  \n ", "Enter the rungs, one a line"),
        ("", "Enter the rungs, one a line"),
    ],
)
def test_a_ladder_has_2_to_12_rungs(client_for, personas, rungs, message):
    response = client_for("alice").post(reverse("engagement:ladder_create"), _form(rungs=rungs))
    assert message in _page(response)
    assert not Ladder.objects.filter(organisation=personas.council_a).exists()


def test_the_rungs_are_read_one_a_line_with_plain_words_defaulting_to_the_name():
    rungs, problems = rungs_from_text("  Told  |  we   tell  \r\n\r\nAsked|  |  They asked me  ")
    assert problems == []
    assert rungs == [
        {"name": "Told", "description": "we tell", "plain_words": "Told"},
        {"name": "Asked", "description": "", "plain_words": "They asked me"},
    ]
    _rungs, problems = rungs_from_text("Told | x\nAsked | y | " + "p" * 201)
    assert problems == ["Line 2: keep the plain words to 200 characters or fewer (they have 201)."]


def test_a_name_already_used_is_refused_and_slugs_stay_unique(client_for, personas):
    _own_ladder(personas, name="Our ladder")
    client = client_for("alice")
    for taken in ("our ladder", "Arnstein's ladder of citizen participation"):
        page = _page(client.post(reverse("engagement:ladder_create"), _form(name=taken)))
        assert f"There is already a ladder called “{taken}”." in page
    # A different name that makes the same slug gets its own.
    second = _own_ladder(personas, name="Our ladder!")
    assert second.slug == "our-ladder-2"
    # Another organisation may use the same name and slug.
    theirs = services.ladder_create(
        actor=personas.charlie,
        organisation_id=personas.council_b.pk,
        name="Our ladder",
        rungs=[("Told", "", ""), ("Asked", "", "")],
    )
    assert theirs.slug == "our-ladder"


# ---------------------------------------------------------------------------------------------
# The list


def test_the_list_shows_shipped_and_own_ladders_with_their_rungs_and_use(
    client_for, personas, samples
):
    ladder = _own_ladder(personas)
    make.activity(personas.council_a, ladder=ladder, rung=_rung(ladder, 2))
    client = client_for("alice")
    page = _page(client.get(reverse("engagement:ladder_list")))
    assert "Ladders that come with PowerShare" in page
    assert "Comes with PowerShare" in page
    assert "Arnstein's ladder of citizen participation" in page
    assert "“We decided things together”" in page  # the plain words people are shown
    assert "Your organisation's own ladders" in page
    assert "Our ladder" in page
    assert "What Asked means" in page
    assert "“Deciding together”" in page
    assert "Used by 1 activity." in page
    assert "Used by 2 activities." in page  # Arnstein's: the two sample activities
    assert reverse("engagement:ladder_edit", args=[ladder.pk]) in page
    assert reverse("engagement:ladder_retire", args=[ladder.pk]) in page
    assert reverse("engagement:ladder_create") in page
    # The shipped ladders offer no change.
    assert reverse("engagement:ladder_edit", args=[_arnstein().pk]) not in page
    assert "Retired ladders" not in page


def test_settings_link_to_the_ladders(client_for, personas):
    page = _page(client_for("alice").get(reverse("engagement:settings")))
    assert "Manage your organisation's ladders" in page
    assert reverse("engagement:ladder_list") in page


def test_the_list_runs_a_fixed_number_of_queries(client_for, personas):
    def add_ladders(start, count):
        ladders = Ladder.objects.bulk_create(
            Ladder(organisation=personas.council_a, slug=f"ladder-{n}", name=f"Ladder {n}")
            for n in range(start, start + count)
        )
        LadderRung.objects.bulk_create(
            LadderRung(ladder=ladder, position=p, name=f"Rung {p}", plain_words=f"Rung {p}")
            for ladder in ladders
            for p in range(1, 4)
        )

    add_ladders(0, 2)
    client = client_for("alice")
    url = reverse("engagement:ladder_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_ladders(2, 18)
    Ladder.objects.filter(slug__in=["ladder-3", "ladder-5"]).update(is_active=False)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    page = _page(response)
    assert "Ladder 19" in page
    assert "Retired ladders" in page


# ---------------------------------------------------------------------------------------------
# Changing a ladder


def test_the_change_form_shows_the_ladder_as_saved(client_for, personas):
    ladder = _own_ladder(personas)
    page = _page(client_for("alice").get(reverse("engagement:ladder_edit", args=[ladder.pk])))
    assert 'value="Our ladder"' in page
    assert "Told | What Told means\nAsked | What Asked means" in page
    assert "These rungs are in use" not in page


def test_changing_a_ladder_in_use_rewords_rungs_in_place_and_adds_new_ones_at_the_top(
    client_for, personas
):
    ladder = _own_ladder(personas)
    asked = _rung(ladder, 2)
    activity = make.activity(personas.council_a, ladder=ladder, rung=asked)
    invitation = make.invitation(activity, make.person(personas.council_a), felt_rung=asked)
    client = client_for("alice")
    page = _page(client.get(reverse("engagement:ladder_edit", args=[ladder.pk])))
    assert "These rungs are in use" in page
    assert "Rung 2, Asked: used by 1 activity and 1 answer from people who took part" in page

    rungs = (
        "Told | Decided without anyone\n"
        "Listened to | We ask and say what we did | They listened to me\n"
        "Deciding together\n"
        "Leading | People lead it"
    )
    response = client.post(
        reverse("engagement:ladder_edit", args=[ladder.pk]),
        _edit_form(ladder, name="Our ladder, second version", rungs=rungs),
    )
    assert response.status_code == 302
    ladder.refresh_from_db()
    assert ladder.name == "Our ladder, second version"
    assert ladder.slug == "our-ladder"  # kept: the slug names the ladder, not its wording
    asked.refresh_from_db()
    assert (asked.position, asked.name, asked.plain_words) == (
        2,
        "Listened to",
        "They listened to me",
    )
    activity.refresh_from_db()
    invitation.refresh_from_db()
    assert activity.rung_id == asked.pk
    assert invitation.felt_rung_id == asked.pk
    assert list(ladder.rungs.values_list("name", flat=True)) == [
        "Told",
        "Listened to",
        "Deciding together",
        "Leading",
    ]
    assert "Your changes have been saved." in _page(client.get(response["Location"]))


def test_a_rung_in_use_cant_be_removed(client_for, personas):
    ladder = _own_ladder(personas)
    make.activity(personas.council_a, ladder=ladder, rung=_rung(ladder, 3))
    make.activity(personas.council_a, ladder=ladder, rung=_rung(ladder, 3))
    response = client_for("alice").post(
        reverse("engagement:ladder_edit", args=[ladder.pk]),
        _edit_form(ladder, rungs="Told\nAsked"),
    )
    page = _page(response)
    assert response.status_code == 200
    assert "“Deciding together” (rung 3) is used by 2 activities, so it can't be removed." in page
    assert "Told\nAsked</textarea>" in page  # what was typed is kept
    assert ladder.rungs.count() == 3


def test_a_rung_in_use_cant_be_moved(client_for, personas):
    ladder = _own_ladder(personas)
    make.activity(personas.council_a, ladder=ladder, rung=_rung(ladder, 1))
    page = _page(
        client_for("alice").post(
            reverse("engagement:ladder_edit", args=[ladder.pk]),
            _edit_form(ladder, rungs="Asked\nTold\nDeciding together"),
        )
    )
    assert "“Told” (rung 1) is used by 1 activity, so it can't move to rung 2." in page
    assert list(ladder.rungs.values_list("name", flat=True)) == [
        "Told",
        "Asked",
        "Deciding together",
    ]


def test_a_rung_in_use_moved_below_where_the_ladder_now_ends_is_called_moved(personas):
    ladder = _own_ladder(personas)
    make.activity(personas.council_a, ladder=ladder, rung=_rung(ladder, 3))
    with pytest.raises(ValidationError) as error:
        services.ladder_update(
            actor=personas.alice,
            ladder=ladder,
            name=ladder.name,
            rungs=["Deciding together", "Told"],
        )
    assert error.value.message_dict["rungs"][0].startswith(
        "“Deciding together” (rung 3) is used by 1 activity, so it can't move to rung 1."
    )


def test_a_rung_in_use_cant_be_replaced_by_deleting_the_one_below_it(personas):
    ladder = _own_ladder(personas)
    make.activity(personas.council_a, ladder=ladder, rung=_rung(ladder, 2))
    with pytest.raises(ValidationError) as error:
        services.ladder_update(
            actor=personas.alice,
            ladder=ladder,
            name=ladder.name,
            rungs=[("Told", "", ""), ("Deciding together", "", "")],
        )
    assert error.value.message_dict["rungs"] == [
        "“Asked” (rung 2) is used by 1 activity, so “Deciding together” (now rung 3) can't "
        "take its place. Keep it as rung 2: you can change its words, and add new rungs above "
        "the top."
    ]


def test_an_answer_from_someone_who_took_part_keeps_a_rung_in_place(personas):
    ladder = _own_ladder(personas)
    activity = make.activity(personas.council_a, ladder=ladder, rung=_rung(ladder, 1))
    make.invitation(activity, make.person(personas.council_a), felt_rung=_rung(ladder, 3))
    with pytest.raises(ValidationError) as error:
        services.ladder_update(
            actor=personas.alice, ladder=ladder, name=ladder.name, rungs=["Told", "Asked"]
        )
    assert (
        "“Deciding together” (rung 3) is used by 1 answer from someone who took part"
        in error.value.message_dict["rungs"][0]
    )


def test_unused_rungs_can_be_removed_from_the_top(personas):
    ladder = _own_ladder(personas, rungs=("Told", "Asked", "Shared", "Led"))
    make.activity(personas.council_a, ladder=ladder, rung=_rung(ladder, 2))
    kept = list(ladder.rungs.filter(position__lte=2).values_list("pk", flat=True))
    services.ladder_update(
        actor=personas.alice,
        ladder=ladder,
        name=ladder.name,
        rungs=[{"name": "Told"}, {"name": "Asked", "plain_words": "They asked me"}],
    )
    assert list(ladder.rungs.values_list("pk", flat=True)) == kept
    assert _rung(ladder, 2).plain_words == "They asked me"


def test_a_change_with_rung_mistakes_names_the_line(client_for, personas):
    ladder = _own_ladder(personas)
    page = _page(
        client_for("alice").post(
            reverse("engagement:ladder_edit", args=[ladder.pk]),
            _edit_form(ladder, name="", rungs="Told\n| nothing"),
        )
    )
    assert "Enter a name for the ladder" in page
    assert "Line 2: give the rung a name before the first |." in page
    ladder.refresh_from_db()
    assert ladder.name == "Our ladder"


# ---------------------------------------------------------------------------------------------
# Retiring and bringing back


def test_retiring_asks_first_then_hides_the_ladder_from_new_activities(client_for, personas):
    ladder = _own_ladder(personas)
    activity = make.activity(personas.council_a, ladder=ladder, rung=_rung(ladder, 2))
    EngagementSettings.objects.create(organisation=personas.council_a, default_ladder=ladder)
    client = client_for("alice")
    url = reverse("engagement:ladder_retire", args=[ladder.pk])
    page = _page(client.get(url))
    assert "Retire “Our ladder”?" in page
    assert "The activity already on it keeps its rung." in page
    assert "new activities use first" in page
    assert 'value="retire"' in page
    ladder.refresh_from_db()
    assert ladder.is_active  # asking changes nothing

    response = client.post(url, {"action": "retire"})
    assert response.status_code == 302
    ladder.refresh_from_db()
    assert not ladder.is_active
    assert EngagementSettings.objects.get(organisation=personas.council_a).default_ladder is None
    listing = _page(client.get(response["Location"]))
    assert "“Our ladder” has been retired." in listing
    assert "Retired ladders" in listing
    assert "Bring back<span" in listing
    # Not offered for new activities...
    offered = selectors.rung_choices(organisation_ids=[personas.council_a.pk])
    assert not offered.filter(ladder=ladder).exists()
    planning = _page(client.get(reverse("engagement:activity_create")))
    assert '<optgroup label="Our ladder">' not in planning
    # ...but the activity already on it keeps its rung.
    activity.refresh_from_db()
    assert (activity.ladder_id, activity.rung_id) == (ladder.pk, _rung(ladder, 2).pk)
    detail = client.get(reverse("engagement:activity_detail", args=[activity.pk]))
    assert "Asked" in _page(detail)


def test_a_retired_ladder_can_be_brought_back(client_for, personas):
    ladder = _own_ladder(personas)
    services.ladder_retire(actor=personas.alice, ladder=ladder)
    client = client_for("alice")
    url = reverse("engagement:ladder_retire", args=[ladder.pk])
    page = _page(client.get(url))
    assert "Bring back “Our ladder”?" in page
    assert 'value="bring_back"' in page
    response = client.post(url, {"action": "bring_back"})
    assert response.status_code == 302
    ladder.refresh_from_db()
    assert ladder.is_active
    assert (
        selectors.rung_choices(organisation_ids=[personas.council_a.pk])
        .filter(ladder=ladder)
        .exists()
    )
    assert "has been brought back" in _page(client.get(response["Location"]))


def test_a_retired_ladder_can_still_be_reworded(client_for, personas):
    ladder = _own_ladder(personas)
    services.ladder_retire(actor=personas.alice, ladder=ladder)
    client = client_for("alice")
    url = reverse("engagement:ladder_edit", args=[ladder.pk])
    assert "This ladder is retired" in _page(client.get(url))
    client.post(url, _edit_form(ladder, name="Our old ladder"))
    ladder.refresh_from_db()
    assert (ladder.name, ladder.is_active) == ("Our old ladder", False)


# ---------------------------------------------------------------------------------------------
# Who may do what


def test_bob_sees_the_list_but_cannot_add_change_or_retire(client_for, personas, samples):
    ladder = samples["ladder"]
    client = client_for("bob")
    page = _page(client.get(reverse("engagement:ladder_list")))
    assert ladder.name in page
    assert reverse("engagement:ladder_create") not in page
    assert reverse("engagement:ladder_edit", args=[ladder.pk]) not in page
    assert client.get(reverse("engagement:ladder_create")).status_code == 404
    assert client.post(reverse("engagement:ladder_create"), _form()).status_code == 404
    for name in ("engagement:ladder_edit", "engagement:ladder_retire"):
        url = reverse(name, args=[ladder.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, _edit_form(ladder, name="Taken over")).status_code == 404, name
    assert (
        client.post(
            reverse("engagement:ladder_retire", args=[ladder.pk]), {"action": "retire"}
        ).status_code
        == 404
    )
    ladder.refresh_from_db()
    assert (ladder.name, ladder.is_active) == (f"Ladder {MARKER}", True)
    assert not Ladder.objects.filter(name="Our young people's ladder").exists()


def test_charlie_gets_404_on_council_a_ladders_and_does_not_see_them(client_for, personas, samples):
    ladder = samples["ladder"]
    client = client_for("charlie")
    page = _page(client.get(reverse("engagement:ladder_list")))
    assert MARKER not in page
    assert "Arnstein's ladder of citizen participation" in page
    assert "Used by 2 activities" not in page  # council A's activities are not counted
    for name in ("engagement:ladder_edit", "engagement:ladder_retire"):
        url = reverse(name, args=[ladder.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, _edit_form(ladder, name="Taken over")).status_code == 404, name
    assert (
        client.post(
            reverse("engagement:ladder_retire", args=[ladder.pk]), {"action": "retire"}
        ).status_code
        == 404
    )
    ladder.refresh_from_db()
    assert (ladder.name, ladder.is_active) == (f"Ladder {MARKER}", True)
    # Charlie's own planning page offers none of council A's rungs.
    assert MARKER not in _page(client.get(reverse("engagement:activity_create")))


@pytest.mark.parametrize("persona", ["nina", "erin"])
def test_people_without_activities_get_404_on_every_ladder_page(client_for, samples, persona):
    client = client_for(persona)
    ladder = samples["ladder"]
    for url in (
        reverse("engagement:ladder_list"),
        reverse("engagement:ladder_create"),
        reverse("engagement:ladder_edit", args=[ladder.pk]),
        reverse("engagement:ladder_retire", args=[ladder.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("engagement:ladder_create"), _form()).status_code == 404


def test_nobody_can_change_or_retire_a_shipped_ladder(client_for, personas):
    arnstein = _arnstein()
    client = client_for("alice")
    for name in ("engagement:ladder_edit", "engagement:ladder_retire"):
        url = reverse(name, args=[arnstein.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"action": "retire", "name": "Mine"}).status_code == 404, name
    with pytest.raises(PermissionDenied):
        services.ladder_update(
            actor=personas.alice, ladder=arnstein, name="Mine", rungs=["One", "Two"]
        )
    with pytest.raises(PermissionDenied):
        services.ladder_retire(actor=personas.alice, ladder=arnstein)
    arnstein.refresh_from_db()
    assert arnstein.is_active
    assert arnstein.name == "Arnstein's ladder of citizen participation"
    assert client.get(reverse("engagement:ladder_edit", args=[99999])).status_code == 404


def test_the_services_refuse_anyone_who_may_not_manage_the_ladders_organisation(personas):
    ladder = _own_ladder(personas)
    for actor in (personas.bob, personas.charlie, personas.erin):
        with pytest.raises(PermissionDenied):
            services.ladder_create(
                actor=actor,
                organisation_id=personas.council_a.pk,
                name="Taken over",
                rungs=["One", "Two"],
            )
        with pytest.raises(PermissionDenied):
            services.ladder_update(actor=actor, ladder=ladder, name="Taken over", rungs=["A", "B"])
        with pytest.raises(PermissionDenied):
            services.ladder_retire(actor=actor, ladder=ladder)
    ladder.refresh_from_db()
    assert (ladder.name, ladder.is_active) == ("Our ladder", True)


def test_ladder_changes_appear_in_council_a_s_change_log_only(personas):
    ladder = _own_ladder(personas)
    services.ladder_update(
        actor=personas.alice, ladder=ladder, name="Our ladder", rungs=["Told", "Listened to"]
    )
    services.ladder_retire(actor=personas.alice, ladder=ladder)
    entries = change_log_for(user=personas.admin)
    ladder_entries = entries.filter(content_type__model="ladder", object_id=ladder.pk)
    assert ladder_entries.count() >= 2  # added, then retired
    rung_entries = entries.filter(content_type__model="ladderrung")
    assert rung_entries.filter(object_repr="2. Listened to").exists()
    assert rung_entries.filter(action=2).exists()  # the third rung, removed
    assert not change_log_for(user=personas.dora).filter(content_type__model="ladder").exists()


def test_an_activity_on_a_retired_ladder_is_still_offered_its_own_rungs(personas):
    """For views._activity_form (see the report): changing an activity on a retired ladder."""
    ladder = _own_ladder(personas)
    activity = make.activity(personas.council_a, ladder=ladder, rung=_rung(ladder, 2))
    other = make.activity(personas.council_a)
    services.ladder_retire(actor=personas.alice, ladder=ladder)
    ids = [personas.council_a.pk]
    assert set(selectors.rung_choices_for(organisation_ids=ids, activity=activity)) == set(
        selectors.rung_choices(organisation_ids=ids)
    ) | set(ladder.rungs.all())
    assert (
        not selectors.rung_choices_for(organisation_ids=ids, activity=other)
        .filter(ladder=ladder)
        .exists()
    )
    assert not selectors.rung_choices_for(organisation_ids=ids).filter(ladder=ladder).exists()
