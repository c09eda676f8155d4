"""Opportunities for you: a person's own invitations in their portal, and their answers.

Erin sees only her own invitations; she can say yes, say no (a reason only if she wants to),
leave at any time, say how much say she felt she had, and add something she wants to say, used
only as far as she has agreed."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.engagement import services
from powershare.engagement.models import (
    USE_PLAIN_WORDS,
    Activity,
    ActivityKind,
    ActivityQuestion,
    ActivitySetting,
    Contribution,
    ContributionSource,
    Invitation,
    InvitationStatus,
    Ladder,
    UseLevel,
)
from powershare.people.models import (
    ConsentDecision,
    ConsentMethod,
    ConsentPurpose,
    ConsentRecord,
)
from powershare.privacy.selectors import consent_statement_current
from tests.personas import MARKER

TODAY = datetime.date.today()


def _activity(personas, title="Designing the new welcome pack", *, days_ahead=14, **extra):
    ladder = Ladder.objects.get(organisation=None, slug="arnstein")
    start = TODAY + datetime.timedelta(days=days_ahead)
    return services.activity_create(
        actor=personas.alice,
        organisation_id=personas.council_a.pk,
        title=title,
        purpose="A welcome pack that people actually want to read.",
        kind=ActivityKind.CO_DESIGN_WORKSHOP,
        starts_on=start,
        ends_on=start,
        times="10am to 1pm",
        venue="Central Library, community room",
        setting=ActivitySetting.COMMUNITY,
        ladder=ladder,
        rung=ladder.rungs.get(position=6),
        support_before="A phone call to talk it through.",
        support_during="A quiet room and a support worker.",
        support_after="A debrief call the week after.",
        payment_offered="£40 for the morning, or a voucher",
        **extra,
    )


def _invite_erin(personas, activity):
    [invitation] = services.invitations_send(
        actor=personas.alice, activity=activity, people=[personas.erin_person]
    )
    return invitation


def _consent(person, purpose, decision=ConsentDecision.GIVEN):
    ConsentRecord.objects.create(
        person=person,
        purpose=purpose,
        statement=consent_statement_current(
            organisation_id=person.organisation_id, purpose=purpose
        ),
        decision=decision,
        method=ConsentMethod.ONLINE,
    )


def _form_token(html):
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def waiting(personas, samples):
    """A new invitation for erin, about an activity with content notes and questions."""
    activity = _activity(
        personas,
        content_notes="We will talk about being in care as a child.",
        questions=["What should the first page say?", "What should we leave out?"],
    )
    return _invite_erin(personas, activity)


# ---------------------------------------------------------------------------------------------
# The list


def test_erin_sees_her_invitations_grouped_by_what_they_need_from_her(
    client_for, personas, samples, waiting
):
    declined = _invite_erin(personas, _activity(personas, "A panel she said no to"))
    Invitation.objects.filter(pk=declined.pk).update(status=InvitationStatus.DECLINED)
    coming = _invite_erin(personas, _activity(personas, "A walkthrough coming up"))
    Invitation.objects.filter(pk=coming.pk).update(status=InvitationStatus.ACCEPTED)

    html = client_for("erin").get(reverse("portal:opportunities")).content.decode()
    headings = ["Waiting for your answer", "Coming up", "Finished", "You said no"]
    positions = [html.index(heading) for heading in headings]
    assert positions == sorted(positions)
    sections = html.split("Coming up")
    assert waiting.activity.title in sections[0]
    assert "A walkthrough coming up" in sections[1].split("Finished")[0]
    assert "Erin&#x27;s co-design workshop" in html.split("Finished")[1].split("You said no")[0]
    assert "A panel she said no to" in html.split("You said no")[1]
    assert MARKER not in html


def test_erin_never_sees_someone_elses_invitation(client_for, personas, samples):
    other = samples["invitation"]
    client = client_for("erin")
    assert (
        samples["activity"].title
        not in client.get(reverse("portal:opportunities")).content.decode()
    )
    urls = [
        reverse("portal:opportunity", args=[other.pk]),
        reverse("portal:opportunity_answer", args=[other.pk, "yes"]),
        reverse("portal:opportunity_answer", args=[other.pk, "no"]),
        reverse("portal:opportunity_leave", args=[other.pk]),
        reverse("portal:opportunity_say", args=[other.pk]),
        reverse("portal:contribution_add", args=[other.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x", "felt": "none"}).status_code == 404, url
    other.refresh_from_db()
    assert other.status == InvitationStatus.ACCEPTED


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie"])
def test_staff_without_a_person_record_get_404_in_the_portal(client_for, samples, persona):
    mine = samples["erin_invitation"]
    client = client_for(persona)
    assert client.get(reverse("portal:opportunities")).status_code == 404
    assert client.get(reverse("portal:opportunity", args=[mine.pk])).status_code == 404


def _opportunities_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:opportunities")).status_code == 200
    return len(queries)


def _bulk_invitations(personas, count, start):
    ladder = Ladder.objects.get(organisation=None, slug="arnstein")
    rung = ladder.rungs.get(position=4)
    activities = Activity.objects.bulk_create(
        Activity(
            organisation=personas.council_a,
            title=f"Bulk activity {start + n}",
            purpose="Bulk",
            kind=ActivityKind.PANEL,
            starts_on=TODAY + datetime.timedelta(days=n % 40 - 20),
            ends_on=TODAY + datetime.timedelta(days=n % 40 - 20),
            setting=ActivitySetting.ONLINE,
            feedback_due_on=TODAY + datetime.timedelta(days=60),
            ladder=ladder,
            rung=rung,
        )
        for n in range(count)
    )
    statuses = list(InvitationStatus)
    Invitation.objects.bulk_create(
        Invitation(
            activity=activity,
            person=personas.erin_person,
            status=statuses[n % len(statuses)],
            felt_rung=rung if n % 3 == 0 else None,
        )
        for n, activity in enumerate(activities)
    )


def test_the_opportunities_page_runs_the_same_queries_for_10_or_200_invitations(
    client_for, personas, samples
):
    client = client_for("erin")
    _bulk_invitations(personas, 10, 0)
    few = _opportunities_queries(client)
    _bulk_invitations(personas, 190, 10)
    many = _opportunities_queries(client)
    assert many == few


def test_the_home_page_shows_invitations_waiting_for_an_answer(client_for, waiting):
    html = client_for("erin").get(reverse("portal:home")).content.decode()
    assert "1 invitation waiting for your answer" in html
    assert reverse("portal:opportunity", args=[waiting.pk]) in html


# ---------------------------------------------------------------------------------------------
# One opportunity


def test_the_opportunity_page_puts_content_notes_first_and_says_when_she_will_hear_back(
    client_for, waiting
):
    html = client_for("erin").get(reverse("portal:opportunity", args=[waiting.pk])).content
    html = html.decode()
    assert html.index("Before you decide") < html.index("What it is")
    assert "being in care as a child" in html
    for words in [
        "A welcome pack that people actually want to read.",
        "Central Library, community room",
        "A quiet room and a support worker.",
        "£40 for the morning",
        "What should we leave out?",
        f"We'll tell you what came of it by {waiting.activity.feedback_due_on:%-d %B %Y}",
    ]:
        assert words.replace("'", "&#x27;") in html or words in html, words
    assert reverse("portal:opportunity_answer", args=[waiting.pk, "yes"]) in html
    assert reverse("portal:opportunity_answer", args=[waiting.pk, "no"]) in html
    assert "Leave this activity" not in html


def test_an_opportunity_without_content_notes_has_no_before_you_decide(
    client_for, personas, samples
):
    invitation = _invite_erin(personas, _activity(personas))
    html = client_for("erin").get(reverse("portal:opportunity", args=[invitation.pk])).content
    assert b"Before you decide" not in html


# ---------------------------------------------------------------------------------------------
# Answering


def test_erin_says_yes(client_for, waiting):
    client = client_for("erin")
    url = reverse("portal:opportunity_answer", args=[waiting.pk, "yes"])
    page = client.get(url).content.decode()
    assert "Yes, I&#x27;d like to take part" in page or "Yes, I'd like to take part" in page
    response = client.post(url, {"form_token": _form_token(page)})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:opportunity", args=[waiting.pk])
    waiting.refresh_from_db()
    assert waiting.status == InvitationStatus.ACCEPTED
    html = client.get(response["Location"]).content.decode()
    assert "Leave this activity" in html
    assert "Add something you want to say" in html


def test_erin_says_no_without_a_reason(client_for, waiting):
    client = client_for("erin")
    url = reverse("portal:opportunity_answer", args=[waiting.pk, "no"])
    page = client.get(url).content.decode()
    assert "Tell us why, only if you want to (optional)" in page
    assert "You don&#x27;t have to give a reason." in page or "You don't have to give" in page
    response = client.post(url, {"reason": "   ", "form_token": _form_token(page)})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == InvitationStatus.DECLINED
    assert waiting.decline_reason == ""


def test_erin_says_no_and_tells_us_why(client_for, waiting):
    client = client_for("erin")
    url = reverse("portal:opportunity_answer", args=[waiting.pk, "no"])
    response = client.post(url, {"reason": "I have a hospital appointment that week."})
    assert response.status_code == 302
    assert _messages(response) == ["Thank you for letting us know. You said no."]
    waiting.refresh_from_db()
    assert waiting.decline_reason == "I have a hospital appointment that week."


def test_an_answer_other_than_yes_or_no_is_not_found(client_for, waiting):
    response = client_for("erin").get(
        reverse("portal:opportunity_answer", args=[waiting.pk, "maybe"])
    )
    assert response.status_code == 404


def test_answering_a_finished_activity_is_explained_kindly(client_for, samples):
    finished = samples["erin_invitation"]
    Invitation.objects.filter(pk=finished.pk).update(status=InvitationStatus.INVITED)
    client = client_for("erin")
    url = reverse("portal:opportunity_answer", args=[finished.pk, "yes"])
    response = client.get(url)
    assert response.status_code == 200
    assert "This activity has finished" in response.content.decode()
    response = client.post(url, {})
    assert response.status_code == 200
    finished.refresh_from_db()
    assert finished.status == InvitationStatus.INVITED


def test_answering_a_cancelled_activity_is_explained_kindly(client_for, personas, waiting):
    services.activity_cancel(actor=personas.alice, activity=waiting.activity)
    client = client_for("erin")
    for answer in ("yes", "no"):
        url = reverse("portal:opportunity_answer", args=[waiting.pk, answer])
        assert "was cancelled" in client.get(url).content.decode()
        response = client.post(url, {"reason": "x"})
        assert response.status_code == 200
        assert "was cancelled" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == InvitationStatus.INVITED
    detail = client.get(reverse("portal:opportunity", args=[waiting.pk])).content.decode()
    assert "This activity was cancelled" in detail
    assert reverse("portal:opportunity_answer", args=[waiting.pk, "yes"]) not in detail


def test_saying_yes_first_needs_agreeing_to_take_part(client_for, personas, waiting):
    _consent(personas.erin_person, ConsentPurpose.TAKE_PART, ConsentDecision.WITHDRAWN)
    client = client_for("erin")
    url = reverse("portal:opportunity_answer", args=[waiting.pk, "yes"])
    html = client.get(url).content.decode()
    assert reverse("portal:choices") in html
    assert "happy to take part in activities" in html
    assert client.post(url, {}).status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == InvitationStatus.INVITED
    # Saying no needs no agreement at all.
    client.post(reverse("portal:opportunity_answer", args=[waiting.pk, "no"]), {})
    waiting.refresh_from_db()
    assert waiting.status == InvitationStatus.DECLINED


def test_a_double_click_on_yes_answers_once(client_for, waiting):
    client = client_for("erin")
    url = reverse("portal:opportunity_answer", args=[waiting.pk, "yes"])
    data = {"form_token": "one-click"}
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 302
    assert "You had already sent this form" in " ".join(_messages(second))


# ---------------------------------------------------------------------------------------------
# Leaving, how much say, adding something


def test_erin_leaves_and_is_told_what_happens_to_what_she_said(client_for, waiting):
    Invitation.objects.filter(pk=waiting.pk).update(status=InvitationStatus.ACCEPTED)
    client = client_for("erin")
    url = reverse("portal:opportunity_leave", args=[waiting.pk])
    page = client.get(url).content.decode()
    assert "It stays yours" in page
    assert reverse("portal:contributions") in page
    response = client.post(url, {"form_token": _form_token(page)})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == InvitationStatus.LEFT


def test_leaving_something_she_is_not_part_of_changes_nothing(client_for, waiting):
    client = client_for("erin")
    url = reverse("portal:opportunity_leave", args=[waiting.pk])
    assert "nothing to leave" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 200
    waiting.refresh_from_db()
    assert waiting.status == InvitationStatus.INVITED


def test_erin_says_how_much_say_she_felt_she_had_and_can_take_it_back(client_for, samples):
    invitation = samples["erin_invitation"]
    rungs = list(invitation.activity.ladder.rungs.order_by("position"))
    client = client_for("erin")
    url = reverse("portal:opportunity_say", args=[invitation.pk])
    page = client.get(url).content.decode()
    assert "How much say did you feel you had?" in page
    positions = [page.index(rung.plain_words.replace("'", "&#x27;")) for rung in rungs]
    assert positions == sorted(positions)  # from the least say to the most
    assert "I&#x27;d rather not say" in page

    response = client.post(url, {"felt": str(rungs[2].pk)})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.felt_rung == rungs[2]

    response = client.post(url, {"felt": "none"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.felt_rung is None


def test_how_much_say_takes_only_the_activitys_own_ladder(client_for, samples):
    invitation = samples["erin_invitation"]
    other = Ladder.objects.exclude(pk=invitation.activity.ladder_id).first()
    response = client_for("erin").post(
        reverse("portal:opportunity_say", args=[invitation.pk]),
        {"felt": str(other.rungs.first().pk)},
    )
    assert response.status_code == 200
    assert "Choose one of the answers on the list." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.felt_rung is None


def test_how_much_say_waits_until_the_activity_has_started(client_for, waiting):
    Invitation.objects.filter(pk=waiting.pk).update(status=InvitationStatus.ACCEPTED)
    client = client_for("erin")
    detail = client.get(reverse("portal:opportunity", args=[waiting.pk])).content.decode()
    assert "Tell us how much say you had" not in detail
    url = reverse("portal:opportunity_say", args=[waiting.pk])
    assert "once" in client.get(url).content.decode()


def test_adding_something_needs_an_agreement_on_how_it_may_be_used(client_for, samples):
    invitation = samples["erin_invitation"]
    client = client_for("erin")
    url = reverse("portal:contribution_add", args=[invitation.pk])
    html = client.get(url).content.decode()
    assert reverse("portal:choices") in html
    assert 'name="text"' not in html
    client.post(url, {"text": "Hello", "kind": "idea", "use_level": "1"})
    assert not Contribution.objects.filter(text="Hello").exists()


def test_erin_adds_something_and_chooses_who_can_see_it(client_for, personas, samples):
    erin = personas.erin_person
    _consent(erin, ConsentPurpose.QUOTE_INTERNAL)
    _consent(erin, ConsentPurpose.QUOTE_ANONYMOUS)
    invitation = samples["erin_invitation"]
    question = ActivityQuestion.objects.create(
        activity=invitation.activity, text="Where should we meet?"
    )
    client = client_for("erin")
    url = reverse("portal:contribution_add", args=[invitation.pk])
    html = client.get(url).content.decode()
    assert "What do you want to say?" in html
    assert "Where should we meet?" in html
    assert USE_PLAIN_WORDS[UseLevel.INTERNAL] in html
    assert USE_PLAIN_WORDS[UseLevel.ANONYMISED] in html
    assert USE_PLAIN_WORDS[UseLevel.ATTRIBUTED].replace("'", "&#x27;") not in html
    # The widest she agreed to is chosen unless she changes it.
    assert re.search(r'value="2" id="id_use_level_\d"\s*checked', html)

    response = client.post(
        url,
        {
            "text": "A room with windows, please.",
            "kind": "idea",
            "question": question.pk,
            "use_level": "1",
            "form_token": _form_token(html),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:contributions")
    contribution = Contribution.objects.get(text="A room with windows, please.")
    assert contribution.person == erin
    assert contribution.use_level == UseLevel.INTERNAL
    assert contribution.question == question
    assert contribution.source == ContributionSource.PORTAL


def test_erin_cannot_choose_a_use_she_has_not_agreed_to(client_for, personas, samples):
    _consent(personas.erin_person, ConsentPurpose.QUOTE_INTERNAL)
    invitation = samples["erin_invitation"]
    response = client_for("erin").post(
        reverse("portal:contribution_add", args=[invitation.pk]),
        {"text": "Publish this everywhere", "kind": "view", "use_level": "4"},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "Publish this everywhere" in response.content.decode()  # nothing typed is lost
    assert not Contribution.objects.filter(text="Publish this everywhere").exists()


def test_adding_something_waits_until_she_has_said_yes(client_for, personas, waiting):
    _consent(personas.erin_person, ConsentPurpose.QUOTE_INTERNAL)
    client = client_for("erin")
    url = reverse("portal:contribution_add", args=[waiting.pk])
    assert "once you have said yes" in client.get(url).content.decode()
    client.post(url, {"text": "Too early", "kind": "view", "use_level": "1"})
    assert not Contribution.objects.filter(text="Too early").exists()


def test_a_finished_activity_has_nothing_to_leave(client_for, samples):
    invitation = samples["erin_invitation"]
    client = client_for("erin")
    detail = client.get(reverse("portal:opportunity", args=[invitation.pk])).content.decode()
    assert "Leave this activity" not in detail
    url = reverse("portal:opportunity_leave", args=[invitation.pk])
    assert "has finished, so there is nothing to leave" in client.get(url).content.decode()
    assert client.post(url, {}).status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED


def test_the_home_page_asks_how_much_say_she_had_after_an_activity(client_for, samples):
    html = client_for("erin").get(reverse("portal:home")).content.decode()
    assert reverse("portal:opportunity_say", args=[samples["erin_invitation"].pk]) in html
