"""Meetings of a partnership group: actions carried forward to each following meeting's matters
arising until they are done; progress recorded at a meeting; an ordered agenda; one partner
update per member; and agreed minutes that nothing changes any more."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from powershare.improvement import selectors, services
from powershare.improvement.models import (
    ActionStatus,
    AgendaItem,
    Decision,
    MinutesStatus,
    PartnerUpdate,
)
from tests.personas import MARKER

TODAY = timezone.localdate


def _days_ago(n: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=n)


@pytest.fixture
def group(personas):
    alice = personas.alice
    group = services.group_create(
        actor=alice, organisation=personas.council_a, name="Delivery group"
    )
    services.member_add(actor=alice, group=group, organisation=personas.national)
    return group


def _meeting(personas, group, days_ago):
    return services.meeting_create(
        actor=personas.alice, group=group, met_on=_days_ago(days_ago), format="online"
    )


def _action(personas, meeting, title, **kwargs):
    return services.meeting_action_add(
        actor=personas.alice,
        meeting=meeting,
        title=title,
        owner_organisation=personas.national,
        owner_name="Adviser",
        **kwargs,
    )


def _arising_titles(meeting):
    return [action.title for action in selectors.matters_arising(meeting=meeting)]


# ---------------------------------------------------------------------------------------------
# Matters arising


def test_an_unfinished_action_appears_in_the_next_meetings_matters_arising_and_a_finished_one_does_not(
    personas, group
):
    first = _meeting(personas, group, 90)
    second = _meeting(personas, group, 60)
    third = _meeting(personas, group, 30)
    unfinished = _action(personas, first, "Send comments on the work plan")
    finished = _action(personas, first, "Arrange a meeting with the trainers")
    services.action_progress_record(
        actor=personas.alice,
        action=finished,
        status=ActionStatus.DONE,
        note="Met on the 10th",
        written_on=_days_ago(75),  # between the first and second meetings
    )
    # Nothing raised at a meeting is its own matter arising.
    assert _arising_titles(first) == []
    assert _arising_titles(second) == ["Send comments on the work plan"]
    # Still open: carried again, to every following meeting.
    assert _arising_titles(third) == ["Send comments on the work plan"]
    # Finished between the second and third meetings: reported at the second, gone by the third.
    services.action_progress_record(
        actor=personas.alice,
        action=unfinished,
        status=ActionStatus.DONE,
        note="Sent",
        written_on=_days_ago(45),
    )
    assert _arising_titles(second) == ["Send comments on the work plan"]
    assert _arising_titles(third) == []


def test_the_meeting_page_shows_where_a_carried_action_came_from_and_that_it_is_overdue(
    client_for, samples
):
    """The samples' action was raised at the first meeting, is still open and was due
    yesterday: the next meeting's page carries it, marked overdue."""
    body = (
        client_for("alice")
        .get(reverse("improvement:meeting_detail", args=[samples["next_meeting"].pk]))
        .content.decode()
    )
    arising = body[body.index('id="arising"') : body.index('id="updates"')]
    assert f"Partners send updates {MARKER}" in arising
    assert f"Carried forward from {samples['meeting'].met_on:%-d %B %Y}" in arising
    assert "1 meeting so far" in arising
    assert "Overdue" in arising
    # The first meeting, where it was raised, lists it among its own actions instead.
    first = (
        client_for("alice")
        .get(reverse("improvement:meeting_detail", args=[samples["meeting"].pk]))
        .content.decode()
    )
    assert "No actions were carried forward to this meeting." in first


def test_progress_recorded_at_a_meeting_closes_a_carried_action_for_later_meetings(
    client_for, personas, samples
):
    group = samples["group"]
    action = samples["group_action"]
    next_meeting = samples["next_meeting"]
    later = services.meeting_create(
        actor=personas.alice,
        group=group,
        met_on=next_meeting.met_on + datetime.timedelta(days=30),
        format="online",
    )
    assert action in selectors.matters_arising(meeting=later)
    client = client_for("alice")
    url = reverse("improvement:arising_update", args=[next_meeting.pk, action.pk])
    response = client.post(url, {"note": "All partners sent theirs", "status": "done"})
    assert response["Location"].endswith("#arising")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    update = action.updates.get(text="All partners sent theirs")
    assert update.meeting == next_meeting
    # The meeting is still to come, so the update is dated today, not in the future.
    assert update.written_on == TODAY()
    page = client.get(reverse("improvement:meeting_detail", args=[next_meeting.pk]))
    assert "Reported here: All partners sent theirs" in page.content.decode()
    assert action not in selectors.matters_arising(meeting=later)


def test_sending_the_progress_form_twice_records_the_progress_once(client_for, samples):
    """A double click on "Record the progress" (the same form, sent twice) saves one update."""
    action = samples["group_action"]
    client = client_for("alice")
    url = reverse("improvement:arising_update", args=[samples["next_meeting"].pk, action.pk])
    form = client.get(url).content.decode()
    assert 'name="form_token"' in form
    data = {"note": "Two partners sent theirs", "status": "in_progress", "form_token": "twice"}
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first["Location"].endswith("#arising")
    assert second.redirect_chain[-1][0].endswith("#arising")
    assert "nothing new was saved" in second.content.decode()
    assert action.updates.filter(text="Two partners sent theirs").count() == 1


def test_only_a_carried_action_can_be_updated_as_a_matter_arising(client_for, samples):
    # At the meeting where it was raised it is not a matter arising.
    url = reverse(
        "improvement:arising_update", args=[samples["meeting"].pk, samples["group_action"].pk]
    )
    assert client_for("alice").get(url).status_code == 404
    other = reverse(
        "improvement:arising_update", args=[samples["next_meeting"].pk, samples["action"].pk]
    )
    assert client_for("alice").get(other).status_code == 404


# ---------------------------------------------------------------------------------------------
# Agenda, partner updates, decisions


def test_agenda_items_keep_their_order_when_moved_and_removed(client_for, personas, group):
    meeting = _meeting(personas, group, 10)
    for title in ("Welcome", "Updates", "Next steps"):
        services.agenda_item_add(actor=personas.alice, meeting=meeting, title=title)
    next_steps = AgendaItem.objects.get(meeting=meeting, title="Next steps")
    client = client_for("alice")
    response = client.post(
        reverse("improvement:agenda_edit", args=[next_steps.pk]),
        {"title": "Next steps", "notes": "Dates agreed", "position": "1"},
    )
    assert response.status_code == 302

    def order():
        return list(meeting.agenda.order_by("order").values_list("order", "title"))

    assert order() == [(1, "Next steps"), (2, "Welcome"), (3, "Updates")]
    welcome = AgendaItem.objects.get(meeting=meeting, title="Welcome")
    confirm = client.get(reverse("improvement:agenda_remove", args=[welcome.pk]))
    assert "You can&#x27;t undo this." in confirm.content.decode()
    client.post(reverse("improvement:agenda_remove", args=[welcome.pk]))
    assert order() == [(1, "Next steps"), (2, "Updates")]


def test_a_partner_update_is_one_per_member_and_blank_words_remove_it(
    client_for, personas, samples
):
    meeting = samples["meeting"]
    member = samples["group_member"]
    url = reverse("improvement:partner_update_edit", args=[meeting.pk, member.pk])
    client = client_for("alice")
    client.post(url, {"text": "Reviewing our learning materials"})
    assert PartnerUpdate.objects.get(meeting=meeting, member=member).text == (
        "Reviewing our learning materials"
    )
    client.post(url, {"text": "   "})
    assert not PartnerUpdate.objects.filter(meeting=meeting, member=member).exists()
    # Another group's member is not found here.
    other = services.group_create(
        actor=personas.alice, organisation=personas.council_a, name="Another group"
    )
    stranger = other.members.get()
    assert (
        client.get(
            reverse("improvement:partner_update_edit", args=[meeting.pk, stranger.pk])
        ).status_code
        == 404
    )


def test_decisions_are_numbered_in_the_order_they_were_made(client_for, personas, group):
    meeting = _meeting(personas, group, 5)
    client = client_for("alice")
    for words in ("Adopt the work plan", "Meet every two months"):
        client.post(
            reverse("improvement:decision_add", args=[meeting.pk]),
            {"text": words, "form_token": words},
        )
    assert list(meeting.decisions.values_list("order", "text")) == [
        (1, "Adopt the work plan"),
        (2, "Meet every two months"),
    ]
    response = client.post(reverse("improvement:decision_add", args=[meeting.pk]), {"text": ""})
    assert "Say what the group decided" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Agreed minutes are locked


def test_agreed_minutes_are_locked(client_for, personas, samples):
    meeting = samples["meeting"]
    client = client_for("alice")
    confirm = client.get(reverse("improvement:minutes_agree", args=[meeting.pk]))
    assert "can&#x27;t be changed" in confirm.content.decode()
    response = client.post(reverse("improvement:minutes_agree", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_status == MinutesStatus.AGREED
    assert meeting.minutes_agreed_on == TODAY()

    # Services refuse, in words that say why.
    with pytest.raises(ValidationError, match="were agreed"):
        services.agenda_item_add(actor=personas.alice, meeting=meeting, title="Late item")
    with pytest.raises(ValidationError, match="were agreed"):
        services.decision_remove(actor=personas.alice, decision=samples["decision"])
    with pytest.raises(ValidationError, match="were agreed"):
        services.meeting_action_add(
            actor=personas.alice, meeting=meeting, title="Late", owner_name="x"
        )

    # The forms say so kindly and go back to the meeting; nothing changes.
    for url, data in [
        (reverse("improvement:meeting_edit", args=[meeting.pk]), {"met_on": "2020-01-01"}),
        (reverse("improvement:agenda_add", args=[meeting.pk]), {"title": "Late item"}),
        (reverse("improvement:decision_remove", args=[samples["decision"].pk]), {}),
        (reverse("improvement:agenda_edit", args=[samples["agenda_item"].pk]), {"title": "New"}),
        (reverse("improvement:meeting_attendance", args=[meeting.pk]), {}),
        (
            reverse(
                "improvement:partner_update_edit",
                args=[meeting.pk, samples["group_member"].pk],
            ),
            {"text": ""},
        ),
        (reverse("improvement:minutes_agree", args=[meeting.pk]), {}),
    ]:
        response = client.post(url, data, follow=True)
        assert response.redirect_chain[-1][0] == reverse(
            "improvement:meeting_detail", args=[meeting.pk]
        ), url
        assert "Record anything new at the next meeting" in response.content.decode(), url
    assert Decision.objects.filter(pk=samples["decision"].pk).exists()
    assert not AgendaItem.objects.filter(title="Late item").exists()
    assert PartnerUpdate.objects.filter(pk=samples["partner_update"].pk).exists()
    page = client.get(reverse("improvement:meeting_detail", args=[meeting.pk])).content.decode()
    assert "These minutes were agreed on" in page
    assert "Add the action" not in page
    assert reverse("improvement:agenda_add", args=[meeting.pk]) not in page
    # Its carried actions still take progress at later meetings.
    services.arising_progress_record(
        actor=personas.alice,
        meeting=samples["next_meeting"],
        action=samples["group_action"],
        note="Two of three sent",
    )


def test_minutes_of_a_meeting_still_to_come_cannot_be_agreed(personas, samples):
    with pytest.raises(ValidationError, match="once the meeting has met"):
        services.minutes_agree(actor=personas.alice, meeting=samples["next_meeting"])


def test_bob_cannot_change_a_meeting_through_the_services(personas, samples):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.decision_add(actor=personas.bob, meeting=samples["meeting"], text="No")
    with pytest.raises(PermissionDenied):
        services.minutes_agree(actor=personas.charlie, meeting=samples["meeting"])
