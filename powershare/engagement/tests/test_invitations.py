"""Inviting people to an activity from the register, and recording their taking part.

Only people who agreed to be contacted can be invited; resting, rest periods, topics to avoid
and being asked the same question before are warnings, never refusals. The wellbeing note is for
participation leads only."""

import datetime
import itertools
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.audit.models import AccessEvent
from powershare.engagement import services
from powershare.engagement.invitation_views import activity_invitations_context
from powershare.engagement.models import (
    ActivityKind,
    ActivitySetting,
    Invitation,
    InvitationStatus,
    Ladder,
)
from powershare.people.models import (
    ConsentDecision,
    ConsentMethod,
    ConsentPurpose,
    ConsentRecord,
    ContactChannel,
    Person,
    PersonStatus,
)
from powershare.privacy.selectors import consent_statement_current
from tests.personas import PASSWORD, sign_in

_numbers = itertools.count(1)
TODAY = datetime.date.today()


def _person(organisation, name, *, contact=True, **fields):
    person = Person.objects.create(
        organisation=organisation,
        full_name=name,
        email=fields.pop("email", f"person{next(_numbers)}@people.example"),
        age_band="26_64",
        **fields,
    )
    if contact:
        _consent(person, ConsentPurpose.CONTACT)
    return person


def _consent(person, purpose, decision=ConsentDecision.GIVEN):
    return ConsentRecord.objects.create(
        person=person,
        purpose=purpose,
        statement=consent_statement_current(
            organisation_id=person.organisation_id, purpose=purpose
        ),
        decision=decision,
        method=ConsentMethod.WRITTEN,
    )


def _activity(personas, title="Planning the new drop-in", *, days_ahead=14, questions=(), **extra):
    ladder = Ladder.objects.get(organisation=None, slug="arnstein")
    start = TODAY + datetime.timedelta(days=days_ahead)
    return services.activity_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        title=title,
        purpose="Shape how the drop-in welcomes people.",
        kind=ActivityKind.CO_DESIGN_WORKSHOP,
        starts_on=start,
        ends_on=start,
        setting=ActivitySetting.COMMUNITY,
        ladder=ladder,
        rung=ladder.rungs.get(position=6),
        questions=list(questions),
        **extra,
    )


def _learning_lead(personas):
    user = User.objects.create_user(
        email="lena@a.example", password=PASSWORD, full_name="Lena Learning"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEARNING_LEAD)
    return user


def _form_token(html):
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def register(personas):
    """An activity about alcohol, and people each showing one reason to think twice."""
    a = personas.council_a
    activity = _activity(
        personas,
        content_notes="We will talk about alcohol and how services respond to it.",
        questions=["What makes a first visit feel safe?"],
    )
    earlier = _activity(
        personas,
        "Last spring's listening event",
        days_ahead=-60,
        questions=["What makes a first visit feel SAFE?!"],
    )
    recent = _activity(personas, "Last week's panel", days_ahead=-7)
    people = {
        "ann": _person(a, "Ann Able"),
        "ben": _person(a, "Ben Blocked", contact=False),
        "rhona": _person(
            a,
            "Rhona Resting",
            status=PersonStatus.RESTING,
            resting_until=TODAY + datetime.timedelta(days=30),
            contact_channel=ContactChannel.PHONE,
        ),
        "rory": _person(a, "Rory Recent", rest_days_between_involvements=60),
        "tam": _person(a, "Tam Topic", topics_to_avoid="alcohol"),
        "asha": _person(a, "Asha Asked"),
        "ivan": _person(a, "Ivan Invited"),
    }
    Invitation.objects.create(
        activity=recent, person=people["rory"], status=InvitationStatus.ACCEPTED
    )
    Invitation.objects.create(
        activity=earlier, person=people["asha"], status=InvitationStatus.ACCEPTED
    )
    Invitation.objects.create(activity=activity, person=people["ivan"])
    return activity, people


def _row(html, person):
    """The table row of one person on the invite page."""
    rows = re.findall(r"<tr>.*?</tr>", html, re.S)
    found = [row for row in rows if person.full_name in row]
    assert found, f"{person.full_name} is not on the page"
    return found[0]


# ---------------------------------------------------------------------------------------------
# The invite page


def test_the_invite_page_says_who_cannot_be_invited_and_warns_without_blocking(
    client_for, register
):
    activity, people = register
    html = client_for("alice").get(reverse("engagement:invite", args=[activity.pk])).content
    html = html.decode()

    assert f'id="invite-{people["ann"].pk}"' in _row(html, people["ann"])
    ben = _row(html, people["ben"])
    assert 'type="checkbox"' not in ben
    assert "Has not agreed to be contacted" in ben
    ivan = _row(html, people["ivan"])
    assert 'type="checkbox"' not in ivan
    assert "Already invited" in ivan

    # Warnings: shown, but each of them can still be ticked.
    expectations = {
        "rhona": "Resting until",
        "rory": "days&#x27; rest between involvements",
        "tam": "Asked to avoid a topic this activity&#x27;s content notes mention: alcohol",
        "asha": "Already asked",
    }
    for key, warning in expectations.items():
        row = _row(html, people[key])
        assert warning in row, key
        assert f'id="invite-{people[key].pk}"' in row, key
    assert "Already asked" not in _row(html, people["ann"])
    assert "Last spring&#x27;s listening event" in _row(html, people["asha"])


def test_the_invite_page_filters_by_name_and_area_of_lived_experience(
    client_for, register, samples
):
    activity, people = register
    client = client_for("alice")
    url = reverse("engagement:invite", args=[activity.pk])

    html = client.get(url, {"q": "rhona"}).content.decode()
    assert "Rhona Resting" in html
    assert "Ann Able" not in html

    area = samples["area"]
    people["tam"].areas.add(area)
    html = client.get(url, {"area": area.pk}).content.decode()
    assert "Tam Topic" in html
    assert "Ann Able" not in html


def test_opening_the_invite_page_records_that_the_register_was_read(client_for, register):
    activity, _ = register
    client_for("alice").get(reverse("engagement:invite", args=[activity.pk]))
    event = AccessEvent.objects.filter(path=reverse("engagement:invite", args=[activity.pk]))
    assert event.exists()
    assert "Ann Able" not in event.first().description


def test_inviting_creates_invitations_and_emails_only_people_who_prefer_email(
    client_for, personas, register, django_capture_on_commit_callbacks, mailoutbox
):
    activity, people = register
    client = client_for("alice")
    url = reverse("engagement:invite", args=[activity.pk])
    html = client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "people": [people["ann"].pk, people["rhona"].pk, people["tam"].pk],
                "form_token": _form_token(html),
            },
        )
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("engagement:activity_detail", args=[activity.pk]) + "#invitations"
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "3 people invited. They'll see it on their page, and people who prefer email get an email."
    ]
    invited = Invitation.objects.filter(activity=activity, status=InvitationStatus.INVITED)
    assert set(invited.values_list("person__full_name", flat=True)) == {
        "Ann Able",
        "Rhona Resting",
        "Tam Topic",
        "Ivan Invited",
    }
    tam = invited.get(person=people["tam"])
    assert tam.invited_by == personas.alice
    assert any("alcohol" in warning for warning in tam.warnings_at_invitation)
    # Rhona prefers a phone call: she sees it on her page, with no email.
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [people["ann"].email, people["tam"].email]
    )
    assert activity.title in mailoutbox[0].subject


def test_a_person_who_has_not_agreed_to_be_contacted_is_refused_and_nobody_is_invited(
    client_for, register, mailoutbox
):
    activity, people = register
    response = client_for("alice").post(
        reverse("engagement:invite", args=[activity.pk]),
        {"people": [people["ann"].pk, people["ben"].pk]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Ben Blocked: They have not been asked about this: be contacted." in html
    # What was ticked stays ticked.
    assert re.search(
        rf'value="{people["ann"].pk}" id="invite-{people["ann"].pk}"[^>]*checked', html
    )
    assert not Invitation.objects.filter(activity=activity, person=people["ann"]).exists()
    assert not Invitation.objects.filter(activity=activity, person=people["ben"]).exists()
    assert mailoutbox == []


def test_sending_nobody_asks_to_choose_someone(client_for, register):
    activity, _ = register
    response = client_for("alice").post(reverse("engagement:invite", args=[activity.pk]), {})
    assert response.status_code == 200
    assert "Choose at least one person to invite." in response.content.decode()


def test_someone_from_another_register_cannot_be_slipped_in(client_for, register, personas):
    activity, _ = register
    outsider = _person(personas.council_b, "Olive Outsider")
    response = client_for("alice").post(
        reverse("engagement:invite", args=[activity.pk]), {"people": [outsider.pk]}
    )
    assert response.status_code == 200
    assert "Choose people from the list." in response.content.decode()
    assert not Invitation.objects.filter(person=outsider).exists()


def test_a_double_click_invites_people_once(client_for, register):
    activity, people = register
    client = client_for("alice")
    url = reverse("engagement:invite", args=[activity.pk])
    data = {"people": [people["ann"].pk], "form_token": "the-same-token"}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert Invitation.objects.filter(activity=activity, person=people["ann"]).count() == 1
    assert "You had already sent this form" in " ".join(
        str(m) for m in get_messages(second.wsgi_request)
    )


def test_nobody_is_invited_to_a_cancelled_activity(client_for, register, personas):
    activity, people = register
    services.activity_cancel(actor=personas.alice, activity=activity)
    client = client_for("alice")
    url = reverse("engagement:invite", args=[activity.pk])
    html = client.get(url).content.decode()
    assert "cancelled" in html
    assert f'id="invite-{people["ann"].pk}"' not in html
    response = client.post(url, {"people": [people["ann"].pk]})
    assert response.status_code == 200
    assert not Invitation.objects.filter(activity=activity, person=people["ann"]).exists()


def _invite_page_queries(client, activity):
    url = reverse("engagement:invite", args=[activity.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _bulk_people(organisation, count):
    """`count` people, every other one without an agreement to be contacted."""
    start = Person.objects.count()
    people = Person.objects.bulk_create(
        Person(
            organisation=organisation, full_name=f"Bulk Person {start + n:05d}", age_band="26_64"
        )
        for n in range(count)
    )
    statement = consent_statement_current(
        organisation_id=organisation.pk, purpose=ConsentPurpose.CONTACT
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            person=person,
            purpose=ConsentPurpose.CONTACT,
            statement=statement,
            decision=ConsentDecision.GIVEN,
            method=ConsentMethod.WRITTEN,
        )
        for person in people[::2]
    )


def test_the_invite_page_runs_the_same_queries_for_10_or_1000_people(client_for, personas, samples):
    activity = _activity(personas, questions=["What should change first?"])
    client = client_for("alice")
    _bulk_people(personas.council_a, 10)
    few = _invite_page_queries(client, activity)
    _bulk_people(personas.council_a, 990)
    many = _invite_page_queries(client, activity)
    assert many == few


# ---------------------------------------------------------------------------------------------
# Who may do what


@pytest.mark.parametrize("persona", ["bob", "charlie", "nina", "erin"])
def test_only_people_who_run_activities_reach_invitations(client_for, samples, persona):
    client = client_for(persona)
    invitation = samples["invitation"]
    urls = [
        reverse("engagement:invite", args=[samples["activity"].pk]),
        reverse("engagement:invitation_detail", args=[invitation.pk]),
        reverse("engagement:invitation_withdraw", args=[invitation.pk]),
        reverse("engagement:invitation_leave", args=[invitation.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"attended": "yes"}).status_code == 404, url
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED
    assert invitation.attended is None


def test_a_learning_lead_runs_activities_but_cannot_search_the_register(client, samples, personas):
    sign_in(client, _learning_lead(personas))
    assert client.get(reverse("engagement:invite", args=[samples["activity"].pk])).status_code == (
        404
    )


# ---------------------------------------------------------------------------------------------
# One invitation


def test_alice_records_attendance_debrief_and_a_wellbeing_note(client_for, samples):
    invitation = samples["invitation"]
    client = client_for("alice")
    url = reverse("engagement:invitation_detail", args=[invitation.pk])
    html = client.get(url).content.decode()
    assert invitation.person.reference in html
    assert "Wellbeing check-in note" in html
    assert invitation.wellbeing_note in html
    response = client.post(
        url,
        {
            "access_arrangements": "Taxi both ways",
            "attended": "yes",
            "debrief_done": "on",
            "wellbeing_note": "Felt tired; call on Friday.",
        },
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.attended is True
    assert invitation.debrief_offered
    assert invitation.debrief_done
    assert invitation.access_arrangements == "Taxi both ways"
    assert invitation.wellbeing_note == "Felt tired; call on Friday."
    assert AccessEvent.objects.filter(path=url, description__startswith="P").exists()


def test_a_learning_lead_never_sees_nor_changes_the_wellbeing_note(client, samples, personas):
    """Learning leads run activities but do not see the register: an invitation shows the
    person's needs and support contact, so it is not theirs to open (404), and its wellbeing
    note cannot be changed by them."""
    invitation = samples["invitation"]
    sign_in(client, _learning_lead(personas))
    url = reverse("engagement:invitation_detail", args=[invitation.pk])
    response = client.get(url)
    assert response.status_code == 404
    assert invitation.wellbeing_note not in response.content.decode()
    response = client.post(url, {"attended": "no", "wellbeing_note": "Overwritten"})
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.attended is None
    assert invitation.wellbeing_note.startswith("Wellbeing ")


def test_the_invitation_page_shows_a_reason_for_no_only_when_one_was_given(
    client_for, personas, register
):
    activity, people = register
    invitation = Invitation.objects.get(activity=activity, person=people["ivan"])
    Invitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.DECLINED, decline_reason="It clashes with my course."
    )
    client = client_for("alice")
    url = reverse("engagement:invitation_detail", args=[invitation.pk])
    assert "It clashes with my course." in client.get(url).content.decode()
    Invitation.objects.filter(pk=invitation.pk).update(decline_reason="")
    assert "They didn't say, and they don't need to." in client.get(url).content.decode()


def test_attendance_is_not_recorded_before_they_said_yes(client_for, register):
    activity, people = register
    invitation = Invitation.objects.get(activity=activity, person=people["ivan"])
    response = client_for("alice").post(
        reverse("engagement:invitation_detail", args=[invitation.pk]), {"attended": "yes"}
    )
    assert response.status_code == 200
    assert "They have not said yes yet" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.attended is None


def test_withdrawing_an_invitation_asks_first_and_happens_once(client_for, register):
    activity, people = register
    invitation = Invitation.objects.get(activity=activity, person=people["ivan"])
    client = client_for("alice")
    detail = client.get(reverse("engagement:invitation_detail", args=[invitation.pk]))
    assert "Withdraw invitation" in detail.content.decode()
    url = reverse("engagement:invitation_withdraw", args=[invitation.pk])
    page = client.get(url).content.decode()
    assert "Withdraw the invitation to Ivan Invited" in page
    data = {"form_token": _form_token(page)}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the same click again: no error
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN


def test_an_answered_invitation_cannot_be_withdrawn(client_for, samples):
    invitation = samples["invitation"]
    client = client_for("alice")
    detail = client.get(reverse("engagement:invitation_detail", args=[invitation.pk])).content
    assert b"Withdraw invitation" not in detail
    url = reverse("engagement:invitation_withdraw", args=[invitation.pk])
    assert b"Only an invitation still waiting" in client.get(url).content
    response = client.post(url, {})
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_staff_record_that_someone_left_on_their_behalf(client_for, samples):
    invitation = samples["invitation"]
    client = client_for("alice")
    detail = client.get(reverse("engagement:invitation_detail", args=[invitation.pk])).content
    assert b"Record that they left" in detail
    url = reverse("engagement:invitation_leave", args=[invitation.pk])
    page = client.get(url).content.decode()
    assert "What they have said so far stays theirs" in page
    response = client.post(url, {"form_token": _form_token(page)})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.LEFT
    assert invitation.left_at is not None


# ---------------------------------------------------------------------------------------------
# The invitations on the activity page


def _partial(user, activity):
    request = RequestFactory().get("/")
    request.user = user
    context = activity_invitations_context(request, activity)
    return context, render_to_string(
        "engagement/_activity_invitations.html", {"activity": activity, **context}
    )


def test_the_activity_page_counts_invitations_for_everyone_who_may_see_the_activity(
    personas, samples
):
    activity = samples["activity"]
    context, html = _partial(personas.bob, activity)
    assert context["invitations_visible"]
    assert not context["invitations_show_people"]
    assert context["invitations_list"] == []
    assert "Taking part" in html
    assert samples["person"].full_name not in html
    assert "Invite people" not in html


def test_the_activity_page_lists_people_for_those_who_run_activities_and_see_the_register(
    personas, samples
):
    activity = _activity(personas)
    services.invitations_send(actor=personas.alice, activity=activity, people=[samples["person"]])
    context, html = _partial(personas.alice, activity)
    assert context["invitations_show_people"]
    assert samples["person"].full_name in html
    invitation = Invitation.objects.get(activity=activity)
    assert reverse("engagement:invitation_detail", args=[invitation.pk]) in html
    assert reverse("engagement:invite", args=[activity.pk]) in html
    assert dict(context["invitations_counts"])["Waiting for an answer"] == 1


def test_the_activity_page_shows_nothing_of_invitations_to_another_council(personas, samples):
    context, html = _partial(personas.charlie, samples["activity"])
    assert context == {"invitations_visible": False}
    assert html.strip() == ""


def test_invitations_sent_to_people_resting_keep_the_warning_shown(personas, register):
    activity, people = register
    services.invitations_send(actor=personas.alice, activity=activity, people=[people["rhona"]])
    invitation = Invitation.objects.get(activity=activity, person=people["rhona"])
    assert invitation.warnings_at_invitation[0].startswith("Resting until")
    assert invitation.invited_at <= timezone.now()


def test_the_invitation_email_names_who_to_talk_to(
    personas, samples, django_capture_on_commit_callbacks, mailoutbox
):
    activity = _activity(personas)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitations_send(
            actor=personas.alice, activity=activity, people=[personas.erin_person]
        )
    [message] = mailoutbox
    assert "Shona Gray" in message.body
    assert reverse("portal:opportunities") in message.body
    assert "say no without giving a reason" in message.body
