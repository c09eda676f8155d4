"""The JSON API for engagement: activities, invitations and contributions (/api/activities…,
/api/contributions…, /api/me/invitations…, /api/me/contributions).

Who may do what, as on the web pages: alice (participation lead, council A) reads activities,
who was invited (with wellbeing notes) and contributions; bob (facilitator) reads activities
and contributions but not who was invited; a learning lead runs activities but does not see
the register or wellbeing notes; charlie (council B), nina (national) and erin get 404 for
council A's records. Erin reads and answers her own invitations and withdraws what she said.
Every contribution shown goes through the one rule, so a withdrawal counts in the next request.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership
from powershare.accounts.roles import ROLE_CAPABILITIES, Capability, Role
from powershare.accounts.services import api_token_create
from powershare.audit.models import AccessEvent
from powershare.engagement.models import (
    Activity,
    Contribution,
    ContributionKind,
    Invitation,
    InvitationStatus,
    UseLevel,
)
from powershare.people.models import ConsentPurpose, CreditPreference, Person
from powershare.people.services import consent_change_by_self
from tests.personas import MARKER, PASSWORD

ERROR_KEYS = {"code", "detail", "errors"}
CSRF_SECRET = "c" * 32


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["code"] == code
    assert body["detail"]
    return body


def _url(name, **kwargs):
    return reverse(f"api-1.0:{name}", kwargs=kwargs)


def _activity_url(activity):
    return _url("activity_detail", activity_id=activity.pk)


def _invitations_url(activity):
    return _url("activity_invitation_list", activity_id=activity.pk)


def _contribution_url(contribution):
    return _url("contribution_detail", contribution_id=contribution.pk)


def _withdraw_url(contribution):
    return _url("contribution_withdraw", contribution_id=contribution.pk)


def _answer_url(invitation):
    return _url("my_invitation_answer", invitation_id=invitation.pk)


def _post_json(client, url, data, **kwargs):
    return client.post(url, data, content_type="application/json", **kwargs)


def _ids(client, url, **params) -> list[int]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _erin_agrees(personas, *purposes):
    for purpose in purposes:
        consent_change_by_self(
            user=personas.erin, person=personas.erin_person, purpose=purpose, decision="given"
        )


def _erin_contribution(
    personas, samples, *, use_level=UseLevel.INTERNAL, text="Meet somewhere quieter"
):
    return Contribution.objects.create(
        organisation=personas.council_a,
        activity=samples["erin_invitation"].activity,
        person=personas.erin_person,
        kind=ContributionKind.VIEW,
        text=text,
        use_level=use_level,
        created_by=personas.alice,
    )


def _activity_like(samples, **changes) -> Activity:
    """A copy of erin's activity with some fields changed (a new row)."""
    activity = Activity.objects.get(pk=samples["erin_invitation"].activity_id)
    activity.pk = None
    activity.id = None
    for name, value in changes.items():
        setattr(activity, name, value)
    activity.save()
    return activity


def _learning_lead(personas):
    user = get_user_model().objects.create_user(
        email="lena@a.example", password=PASSWORD, full_name="Lena Learning"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEARNING_LEAD)
    return user


# Activities ----------------------------------------------------------------------------------


def test_alice_lists_her_councils_activities_with_their_counts(client_for, personas, samples):
    response = client_for("alice").get(_url("activity_list"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_id = {item["id"]: item for item in body["items"]}
    activity = samples["activity"]
    item = by_id[activity.pk]
    assert item["title"] == activity.title
    assert item["kind"] == "focus_group"
    assert item["kind_label"] == "Focus group"
    assert item["organisation_id"] == personas.council_a.pk
    assert item["starts_on"] == activity.starts_on.isoformat()
    assert item["feedback_due_on"] == activity.feedback_due_on.isoformat()
    assert item["setting"] == "community"
    assert item["content_notes"] == f"Notes {MARKER}"
    assert item["ladder"] == {"id": activity.ladder_id, "name": activity.ladder.name}
    assert item["rung"] == {
        "id": activity.rung_id,
        "position": 4,
        "name": activity.rung.name,
    }
    assert [check["key"] for check in item["lundy"]] == ["space", "voice", "audience", "influence"]
    assert item["lundy"][0]["answer"] is None
    assert item["cancelled"] is False
    assert (item["invited_count"], item["taking_part_count"], item["contribution_count"]) == (
        1,
        1,
        1,
    )
    assert "questions" not in item
    assert "support_before" not in item


def test_the_activity_list_searches_and_filters(client_for, personas, samples):
    client = client_for("alice")
    url = _url("activity_list")
    activity, erins = samples["activity"], samples["erin_invitation"].activity
    assert _ids(client, url, q="erin's co-design") == [erins.pk]
    assert _ids(client, url, kind="panel") == []
    assert set(_ids(client, url, kind="focus_group")) == {activity.pk, erins.pk}
    assert set(_ids(client, url, when="past")) == {activity.pk, erins.pk}
    assert _ids(client, url, when="upcoming") == []
    assert _ids(client, url, year=activity.starts_on.year - 1) == []
    Activity.objects.filter(pk=erins.pk).update(cancelled_at=timezone.now())
    assert _ids(client, url, when="cancelled") == [erins.pk]
    assert _ids(client, url, q="a\x00b") == []
    for bad, field in (
        ({"when": "someday"}, "when"),
        ({"kind": "party"}, "kind"),
        ({"year": "x"}, "year"),
        ({"q": "x" * 201}, "q"),
        ({"page_size": 101}, "page_size"),
    ):
        body = _assert_error(client.get(url, bad), 422, "invalid")
        assert [e["field"] for e in body["errors"]] == [field]


def test_alice_reads_one_activity_with_its_questions_and_support(client_for, personas, samples):
    activity = samples["activity"]
    Activity.objects.filter(pk=activity.pk).update(
        support_before="A call beforehand", payment_offered="£20 an hour"
    )
    activity.partners.add(personas.council_b)
    response = client_for("alice").get(_activity_url(activity))
    assert response.status_code == 200
    body = response.json()
    assert body["questions"] == [
        {"id": samples["question"].pk, "position": 1, "text": f"Question {MARKER}?"}
    ]
    assert body["support_before"] == "A call beforehand"
    assert body["payment_offered"] == "£20 an hour"
    assert body["partners"] == [{"id": personas.council_b.pk, "name": personas.council_b.name}]
    assert body["invited_count"] == 1


def test_bob_reads_activities_too(client_for, samples):
    client = client_for("bob")
    assert client.get(_url("activity_list")).json()["count"] == 2
    assert client.get(_activity_url(samples["activity"])).status_code == 200


@pytest.mark.parametrize("persona", ["charlie", "dora", "nina", "erin"])
def test_council_as_activities_are_404_to_everyone_else(client_for, samples, persona):
    client = client_for(persona)
    response = client.get(_activity_url(samples["activity"]))
    _assert_error(response, 404, "not_found")
    listing = client.get(_url("activity_list"))
    assert listing.json()["count"] == 0
    assert MARKER not in listing.content.decode()


def test_an_activity_that_does_not_exist_is_404_and_a_bad_id_422(client_for, samples):
    client = client_for("alice")
    _assert_error(client.get("/api/activities/999999"), 404, "not_found")
    for bad in ("0", "abc", str(2**63)):
        body = _assert_error(client.get(f"/api/activities/{bad}"), 422, "invalid")
        assert [e["field"] for e in body["errors"]] == ["activity_id"]


def test_the_activity_list_runs_a_fixed_number_of_queries(
    client_for, personas, samples, django_assert_max_num_queries
):
    template = Activity.objects.get(pk=samples["activity"].pk)

    def add(count):
        Activity.objects.bulk_create(
            Activity(
                organisation=personas.council_a,
                title=f"Copy {i}",
                purpose="p",
                kind=template.kind,
                starts_on=template.starts_on,
                ends_on=template.ends_on,
                setting=template.setting,
                feedback_due_on=template.feedback_due_on,
                ladder_id=template.ladder_id,
                rung_id=template.rung_id,
            )
            for i in range(count)
        )

    client = client_for("alice")
    add(8)
    client.get(_url("activity_list"), {"page_size": 100})
    with django_assert_max_num_queries(12) as few:
        assert client.get(_url("activity_list"), {"page_size": 100}).json()["count"] == 10
    add(990)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(_url("activity_list"), {"page_size": 100}).json()
    assert body["count"] == 1000
    assert len(body["items"]) == 100


# Who was invited -----------------------------------------------------------------------------


def test_alice_lists_who_was_invited_with_wellbeing_notes(client_for, personas, samples):
    activity, invitation = samples["activity"], samples["invitation"]
    response = client_for("alice").get(_invitations_url(activity))
    assert response.status_code == 200
    [item] = response.json()["items"]
    person = samples["person"]
    assert item["id"] == invitation.pk
    assert item["person"] == {"id": person.pk, "reference": person.reference, "name": person.name}
    assert item["status"] == "accepted"
    assert item["status_label"] == "Taking part"
    assert item["access_arrangements"] == f"Access {MARKER}"
    assert item["wellbeing_note"] == f"Wellbeing {MARKER}"
    assert (item["attended"], item["debrief_offered"], item["debrief_done"]) == (
        None,
        False,
        False,
    )


def test_listing_who_was_invited_is_written_to_the_access_log(client_for, personas, samples):
    activity = samples["activity"]
    client_for("alice").get(_invitations_url(activity))
    event = AccessEvent.objects.get()
    assert event.user == personas.alice
    assert event.organisation == personas.council_a
    assert event.subject_id == str(activity.pk)
    assert event.description == (
        f"Who was invited to activity {activity.pk} listed (API), with wellbeing notes"
    )
    assert samples["person"].full_name not in event.description


@pytest.mark.parametrize("persona", ["bob", "charlie", "dora", "nina", "erin", "admin"])
def test_only_participation_leads_see_who_was_invited(client_for, samples, persona):
    response = client_for(persona).get(_invitations_url(samples["activity"]))
    _assert_error(response, 404, "not_found")
    assert MARKER not in response.content.decode()
    assert not AccessEvent.objects.exists()


def test_a_learning_lead_runs_activities_but_doesnt_see_the_register(client, personas, samples):
    client.force_login(_learning_lead(personas))
    assert client.get(_activity_url(samples["activity"])).status_code == 200
    _assert_error(client.get(_invitations_url(samples["activity"])), 404, "not_found")


def test_without_the_wellbeing_capability_the_note_is_null(client, personas, samples, monkeypatch):
    """Were a role to see the register and run activities but not read wellbeing notes (say
    a learning lead allowed the register), the list leaves the note out."""
    monkeypatch.setitem(
        ROLE_CAPABILITIES,
        Role.LEARNING_LEAD,
        ROLE_CAPABILITIES[Role.LEARNING_LEAD] | {Capability.VIEW_PEOPLE},
    )
    client.force_login(_learning_lead(personas))
    response = client.get(_invitations_url(samples["activity"]))
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["wellbeing_note"] is None
    assert "Wellbeing" not in response.content.decode()
    event = AccessEvent.objects.get()
    assert "wellbeing" not in event.description


# Contributions -------------------------------------------------------------------------------


def test_alice_lists_contributions_for_internal_use(client_for, personas, samples):
    response = client_for("alice").get(_url("contribution_list"))
    assert response.status_code == 200
    body = response.json()
    # Erin has not agreed to be quoted at all yet, so only the group's contribution shows.
    assert body["count"] == 1
    [item] = body["items"]
    contribution = samples["contribution"]
    assert item == {
        "id": contribution.pk,
        "reference": contribution.reference,
        "activity_id": samples["activity"].pk,
        "question_id": samples["question"].pk,
        "kind": "view",
        "kind_label": "View",
        "text": f"Said {MARKER}",
        "contributor": f"Group {MARKER}",
        "shown_under_use": "internal",
        "widest_use_now": "internal",
        "captured_on": contribution.captured_on.isoformat(),
    }


def test_a_persons_contribution_shows_while_they_agree_to_the_use(client_for, personas, samples):
    client = client_for("alice")
    url = _url("contribution_list")
    erins = samples["erin_contribution"]
    assert erins.pk not in _ids(client, url)
    _erin_agrees(personas, ConsentPurpose.QUOTE_INTERNAL)
    assert erins.pk in _ids(client, url)
    consent_change_by_self(
        user=personas.erin,
        person=personas.erin_person,
        purpose=ConsentPurpose.QUOTE_INTERNAL,
        decision="withdrawn",
    )
    assert erins.pk not in _ids(client, url)
    _assert_error(client.get(_contribution_url(erins)), 404, "not_found")


def test_anonymised_use_leaves_out_internal_only_ones_and_names_nobody(
    client_for, personas, samples
):
    _erin_agrees(personas, ConsentPurpose.QUOTE_INTERNAL, ConsentPurpose.QUOTE_ANONYMOUS)
    Person.objects.filter(pk=personas.erin_person.pk).update(credit_as=CreditPreference.FULL_NAME)
    wider = _erin_contribution(personas, samples, use_level=UseLevel.ANONYMISED)
    client = client_for("alice")
    response = client.get(_url("contribution_list"), {"use": "anonymised"})
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["id"] == wider.pk
    assert item["contributor"] == "Anonymous contributor"
    assert item["shown_under_use"] == "anonymised"
    assert item["widest_use_now"] == "anonymised"
    assert "Erin" not in response.content.decode()
    assert MARKER not in response.content.decode()  # the group's internal-only contribution
    # Inside the organisation the internal ones show too, and nobody is named either.
    internal = client.get(_url("contribution_list")).json()["items"]
    assert {i["id"] for i in internal} == {
        wider.pk,
        samples["erin_contribution"].pk,
        samples["contribution"].pk,
    }
    assert {i["contributor"] for i in internal} == {"Anonymous contributor", f"Group {MARKER}"}
    assert client.get(_url("contribution_list"), {"use": "attributed"}).json()["count"] == 0


def test_attributed_use_gives_the_persons_chosen_credit(client_for, personas, samples):
    _erin_agrees(personas, ConsentPurpose.QUOTE_NAMED)
    Person.objects.filter(pk=personas.erin_person.pk).update(credit_as=CreditPreference.FULL_NAME)
    named = _erin_contribution(personas, samples, use_level=UseLevel.ATTRIBUTED)
    client = client_for("alice")
    [item] = client.get(_url("contribution_list"), {"use": "attributed"}).json()["items"]
    assert (item["id"], item["contributor"]) == (named.pk, "Erin Edwards")
    detail = client.get(_contribution_url(named), {"use": "attributed"}).json()
    assert detail["contributor"] == "Erin Edwards"
    assert detail["activity_title"] == "Erin's co-design workshop"
    assert detail["question_text"] is None
    # Not agreed to being quoted inside the organisation: a narrower use is not shown.
    assert named.pk not in _ids(client, _url("contribution_list"))


def test_the_contribution_list_filters(client_for, personas, samples):
    _erin_agrees(personas, ConsentPurpose.QUOTE_INTERNAL)
    client = client_for("alice")
    url = _url("contribution_list")
    group, erins = samples["contribution"], samples["erin_contribution"]
    assert _ids(client, url, activity=samples["activity"].pk) == [group.pk]
    assert _ids(client, url, question=samples["question"].pk) == [group.pk]
    assert _ids(client, url, kind="idea") == [erins.pk]
    assert _ids(client, url, q="library") == [erins.pk]
    assert _ids(client, url, q="a\x00b") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"use": "everywhere"}, "use"),
        ({"use": "2"}, "use"),
        ({"kind": "rumour"}, "kind"),
        ({"activity": "0"}, "activity"),
        ({"question": "x"}, "question"),
        ({"q": "x" * 201}, "q"),
        ({"page": "0"}, "page"),
    ],
)
def test_invalid_contribution_filters_are_422_naming_the_field(client_for, samples, params, field):
    body = _assert_error(client_for("alice").get(_url("contribution_list"), params), 422, "invalid")
    assert [e["field"] for e in body["errors"]] == [field]


def test_a_withdrawn_contribution_is_gone_in_the_very_next_request(client_for, personas, samples):
    client = client_for("alice")
    contribution = samples["contribution"]
    assert contribution.pk in _ids(client, _url("contribution_list"))
    Contribution.objects.filter(pk=contribution.pk).update(withdrawn_at=timezone.now())
    assert contribution.pk not in _ids(client, _url("contribution_list"))
    _assert_error(client.get(_contribution_url(contribution)), 404, "not_found")


def test_alice_reads_one_contribution(client_for, samples):
    contribution = samples["contribution"]
    response = client_for("alice").get(_contribution_url(contribution))
    assert response.status_code == 200
    body = response.json()
    assert body["text"] == f"Said {MARKER}"
    assert body["activity_title"] == samples["activity"].title
    assert body["question_text"] == f"Question {MARKER}?"
    assert body["shown_under_use"] == "internal"
    # Shown for a wider use than the group agreed to, it is not there.
    _assert_error(
        client_for("alice").get(_contribution_url(contribution), {"use": "public"}),
        404,
        "not_found",
    )


@pytest.mark.parametrize("persona", ["charlie", "dora", "nina", "erin"])
def test_council_as_contributions_are_404_to_everyone_else(client_for, personas, samples, persona):
    _erin_agrees(personas, ConsentPurpose.QUOTE_INTERNAL)
    client = client_for(persona)
    for contribution in (samples["contribution"], samples["erin_contribution"]):
        response = client.get(_contribution_url(contribution))
        _assert_error(response, 404, "not_found")
    listing = client.get(_url("contribution_list"))
    assert listing.json()["count"] == 0
    assert MARKER not in listing.content.decode()


def test_the_contribution_list_runs_a_fixed_number_of_queries(
    client_for, personas, samples, django_assert_max_num_queries
):
    _erin_agrees(personas, ConsentPurpose.QUOTE_INTERNAL, ConsentPurpose.QUOTE_NAMED)
    activity = samples["activity"]

    def add(count):
        Contribution.objects.bulk_create(
            Contribution(
                organisation=personas.council_a,
                activity=activity,
                question=samples["question"] if i % 2 else None,
                person=personas.erin_person if i % 3 else None,
                group_label="" if i % 3 else "Young people, session 2",
                group_consent_held_by="" if i % 3 else "Youth project",
                kind=ContributionKind.VIEW,
                text=f"Said {i}",
                use_level=UseLevel.ATTRIBUTED,
            )
            for i in range(count)
        )

    client = client_for("alice")
    url = _url("contribution_list")
    add(8)  # with the two samples: 10
    client.get(url, {"page_size": 100})
    few = {}
    # The group's and erin's internal-only samples are not shown for attributed use.
    for use, count in (("internal", 10), ("attributed", 8)):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"page_size": 100, "use": use}).json()["count"] == count
        few[use] = len(captured.captured_queries)
        assert few[use] <= 10
    add(990)
    for use, count in (("internal", 1000), ("attributed", 998)):
        with django_assert_max_num_queries(few[use]):
            body = client.get(url, {"page_size": 100, "use": use}).json()
        assert body["count"] == count
        assert len(body["items"]) == 100


# Withdrawing your own contribution -----------------------------------------------------------


def test_erin_withdraws_her_own_contribution_and_alice_no_longer_sees_it(
    client_for, personas, samples
):
    _erin_agrees(personas, ConsentPurpose.QUOTE_INTERNAL)
    erins = samples["erin_contribution"]
    assert erins.pk in _ids(client_for("alice"), _url("contribution_list"))

    response = client_for("erin").post(_withdraw_url(erins))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["reference"]) == (erins.pk, erins.reference)
    erins.refresh_from_db()
    assert erins.withdrawn_at is not None
    assert erins.withdrawn_by_person is True
    assert erins.withdrawn_by == personas.erin

    alice = client_for("alice")
    assert erins.pk not in _ids(alice, _url("contribution_list"))
    _assert_error(alice.get(_contribution_url(erins)), 404, "not_found")


def test_withdrawing_twice_changes_nothing(client_for, personas, samples):
    client = client_for("erin")
    erins = samples["erin_contribution"]
    first = client.post(_withdraw_url(erins)).json()
    second = client.post(_withdraw_url(erins))
    assert second.status_code == 200
    assert second.json() == first


def test_erins_withdrawal_by_session_needs_the_csrf_token(personas, samples):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.erin)
    erins = samples["erin_contribution"]
    _assert_error(client.post(_withdraw_url(erins)), 403, "error")
    erins.refresh_from_db()
    assert erins.withdrawn_at is None
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post(_withdraw_url(erins), headers={"X-CSRFToken": CSRF_SECRET})
    assert response.status_code == 200
    erins.refresh_from_db()
    assert erins.withdrawn_at is not None


def test_erin_cant_withdraw_anyone_elses_contribution(client_for, personas, samples):
    someone_elses = Contribution.objects.create(
        organisation=personas.council_a,
        activity=samples["activity"],
        person=samples["person"],
        kind=ContributionKind.VIEW,
        text="Not erin's",
        use_level=UseLevel.INTERNAL,
    )
    client = client_for("erin")
    for contribution in (samples["contribution"], someone_elses):
        _assert_error(client.post(_withdraw_url(contribution)), 404, "not_found")
    assert not Contribution.objects.filter(withdrawn_at__isnull=False).exists()


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "admin"])
def test_staff_withdraw_on_the_web_not_through_this_operation(client_for, samples, persona):
    client = client_for(persona)
    for contribution in (samples["contribution"], samples["erin_contribution"]):
        _assert_error(client.post(_withdraw_url(contribution)), 404, "not_found")
    assert not Contribution.objects.filter(withdrawn_at__isnull=False).exists()


# Your own invitations ------------------------------------------------------------------------


def test_erin_lists_her_own_invitations(client_for, personas, samples):
    response = client_for("erin").get(_url("my_invitation_list"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    invitation = samples["erin_invitation"]
    assert item["id"] == invitation.pk
    assert item["status"] == "accepted"
    assert item["status_label"] == "Taking part"
    activity = item["activity"]
    assert activity["title"] == "Erin's co-design workshop"
    assert activity["feedback_due_on"] == invitation.activity.feedback_due_on.isoformat()
    assert activity["cancelled"] is False
    assert {"purpose", "times", "venue", "setting", "content_notes", "payment_offered"} <= set(
        activity
    )
    assert MARKER not in response.content.decode()


@pytest.mark.parametrize("persona", ["alice", "charlie", "admin"])
def test_staff_without_a_person_record_get_404_for_your_own_things(client_for, samples, persona):
    client = client_for(persona)
    for name in ("my_invitation_list", "my_contribution_list"):
        _assert_error(client.get(_url(name)), 404, "not_found")
    answer = _post_json(client, _answer_url(samples["erin_invitation"]), {"answer": "decline"})
    _assert_error(answer, 404, "not_found")


def _upcoming_invitation(personas, samples, **changes) -> Invitation:
    soon = timezone.localdate() + datetime.timedelta(days=10)
    activity = _activity_like(
        samples,
        title="Walkthrough of the new library",
        starts_on=soon,
        ends_on=soon,
        feedback_due_on=soon + datetime.timedelta(days=28),
        **changes,
    )
    return Invitation.objects.create(activity=activity, person=personas.erin_person)


def test_erin_says_no_without_a_reason_and_then_yes(client_for, personas, samples):
    invitation = _upcoming_invitation(personas, samples)
    client = client_for("erin")
    response = _post_json(client, _answer_url(invitation), {"answer": "decline"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["status"], body["status_label"]) == (
        invitation.pk,
        "declined",
        "Said no",
    )
    assert body["answered_at"]
    response = _post_json(client, _answer_url(invitation), {"answer": "accept"})
    assert response.json()["status"] == "accepted"
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_erin_may_say_why_she_said_no(client_for, personas, samples):
    invitation = _upcoming_invitation(personas, samples)
    data = {"answer": "decline", "reason": "  It clashes with work. "}
    response = _post_json(client_for("erin"), _answer_url(invitation), data)
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.decline_reason == "It clashes with work."


def test_a_finished_or_cancelled_activity_cant_be_answered(client_for, personas, samples):
    client = client_for("erin")
    finished = samples["erin_invitation"]
    body = _assert_error(
        _post_json(client, _answer_url(finished), {"answer": "decline"}), 422, "invalid"
    )
    assert body["errors"] == [{"field": "request", "message": "This activity has finished."}]
    cancelled = _upcoming_invitation(personas, samples, cancelled_at=timezone.now())
    body = _assert_error(
        _post_json(client, _answer_url(cancelled), {"answer": "accept"}), 422, "invalid"
    )
    assert body["errors"] == [{"field": "request", "message": "This activity was cancelled."}]
    finished.refresh_from_db()
    assert finished.status == InvitationStatus.ACCEPTED


def test_saying_yes_needs_her_agreement_to_take_part(client_for, personas, samples):
    invitation = _upcoming_invitation(personas, samples)
    consent_change_by_self(
        user=personas.erin,
        person=personas.erin_person,
        purpose=ConsentPurpose.TAKE_PART,
        decision="withdrawn",
    )
    response = _post_json(client_for("erin"), _answer_url(invitation), {"answer": "accept"})
    body = _assert_error(response, 422, "invalid")
    assert [e["field"] for e in body["errors"]] == ["answer"]


def test_erin_cant_answer_someone_elses_invitation(client_for, samples):
    response = _post_json(
        client_for("erin"), _answer_url(samples["invitation"]), {"answer": "decline"}
    )
    _assert_error(response, 404, "not_found")
    samples["invitation"].refresh_from_db()
    assert samples["invitation"].status == InvitationStatus.ACCEPTED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "answer"),
        ({"answer": "maybe"}, "answer"),
        ({"answer": "decline", "reason": "x" * 2001}, "reason"),
        ({"answer": "decline", "reason": "a\x00b"}, "reason"),
    ],
)
def test_an_invalid_answer_is_422_naming_the_field(client_for, personas, samples, data, field):
    invitation = _upcoming_invitation(personas, samples)
    body = _assert_error(
        _post_json(client_for("erin"), _answer_url(invitation), data), 422, "invalid"
    )
    assert [e["field"] for e in body["errors"]] == [field]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.INVITED


# Your own contributions ----------------------------------------------------------------------


def test_erin_lists_what_she_said_with_withdrawn_ones_left_without_words(
    client_for, personas, samples
):
    client = client_for("erin")
    erins = samples["erin_contribution"]
    [item] = client.get(_url("my_contribution_list")).json()["items"]
    assert item["id"] == erins.pk
    assert item["activity"] == {"id": erins.activity_id, "title": "Erin's co-design workshop"}
    assert item["text"] == erins.text
    assert item["kind"] == "idea"
    assert item["use_level"] == "internal"
    assert item["use_level_label"] == "Only staff inside the organisation can read it"
    assert item["widest_use_now"] is None  # she has not agreed to being quoted yet
    assert item["withdrawn_at"] is None

    client.post(_withdraw_url(erins))
    [item] = client.get(_url("my_contribution_list")).json()["items"]
    assert item["text"] == ""
    assert item["withdrawn_at"]
    assert "library" not in client.get(_url("my_contribution_list")).content.decode()


# Signing in and the schema -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "kwargs"),
    [
        ("get", "activity_list", {}),
        ("get", "activity_detail", {"activity_id": 1}),
        ("get", "activity_invitation_list", {"activity_id": 1}),
        ("get", "contribution_list", {}),
        ("get", "contribution_detail", {"contribution_id": 1}),
        ("post", "contribution_withdraw", {"contribution_id": 1}),
        ("get", "my_invitation_list", {}),
        ("post", "my_invitation_answer", {"invitation_id": 1}),
        ("get", "my_contribution_list", {}),
    ],
)
def test_without_signing_in_every_operation_is_401(client, db, method, name, kwargs):
    _assert_error(getattr(client, method)(_url(name, **kwargs)), 401, "not_authenticated")


def test_alice_reads_with_a_personal_token(personas, samples):
    _, plain = api_token_create(user=personas.alice, name="Engagement")
    client = Client(enforce_csrf_checks=True)
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get(_url("activity_list"), headers=headers).json()["count"] == 2
    assert client.get(_url("contribution_list"), headers=headers).json()["count"] == 1
    assert client.get(_invitations_url(samples["activity"]), headers=headers).status_code == 200


def test_the_schema_documents_the_engagement_operations(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    withdraw = paths["/api/contributions/{contribution_id}/withdraw"]["post"]
    assert set(withdraw["responses"]) == {"200", "400", "401", "403", "404", "422"}
    [use] = [p for p in paths["/api/contributions"]["get"]["parameters"] if p["name"] == "use"]
    assert use["schema"]["default"] == "internal"
    answer = paths["/api/me/invitations/{invitation_id}/answer"]["post"]
    assert "422" in answer["responses"]
    assert set(paths["/api/me/contributions"]) == {"get"}


# Every engagement operation, as every persona -------------------------------------------------

ENGAGEMENT_OPERATIONS = [
    "activity_list",
    "activity_detail",
    "activity_invitation_list",
    "contribution_list",
    "contribution_detail",
    "contribution_withdraw",
    "my_invitation_list",
    "my_invitation_answer",
    "my_contribution_list",
]


@pytest.mark.parametrize(
    "persona", [None, "alice", "bob", "charlie", "nina", "admin", "dora", "erin"]
)
def test_every_engagement_operation_answers_each_persona_as_the_isolation_walk_expects(
    client_for, personas, samples, persona
):
    """The isolation walk's rules (tests/test_isolation.py), for these operations alone: no
    server errors, 401 without signing in, and nothing of council A's for outsiders, with 404
    for every council A record named in the address."""
    from tests.isolation import REGISTRY, has_parameters, named_urls

    _erin_agrees(personas, ConsentPurpose.QUOTE_INTERNAL)
    routes = named_urls()
    client = client_for(persona)
    for operation in ENGAGEMENT_OPERATIONS:
        name = f"api-1.0:{operation}"
        entry = REGISTRY[name]
        response = client.get(reverse(name, kwargs=entry.kwargs(samples)))
        assert response.status_code < 500, name
        if entry.public:
            assert response.status_code == 405, name
            continue
        if persona is None:
            assert response.status_code == 401, name
        if persona in ("charlie", "dora", "nina", "erin"):
            assert MARKER not in response.content.decode(), name
            if has_parameters(routes[name]):
                assert response.status_code == 404, name
