"""Changes after feedback was sent: recorded, then told in one batched update per person."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from powershare.accountability import services
from powershare.accountability.models import (
    ChangeNotice,
    Decision,
    ResponseChange,
    ResponseStatus,
)
from powershare.engagement.services import contribution_withdraw
from powershare.people.models import ConsentPurpose

from . import factories as make


@pytest.fixture
def told(personas):
    """An activity whose letter was sent, answering five people and a group."""
    a = personas.council_a
    alice = personas.alice
    activity = make.activity(a, created_by=alice)
    people = {}
    for name, channel in (
        ("Email Person", "email"),
        ("Changed Their Mind", "email"),
        ("Post Person", "post"),
        ("Withdrew Their Words", "email"),
        ("Other Response", "email"),
    ):
        person = make.person(a, name=name, contact_channel=channel)
        make.consent(person, ConsentPurpose.CONTACT)
        people[name] = person
    said = {
        name: make.contribution(activity, person=person, text=f"Words of {name}")
        for name, person in people.items()
    }
    group = make.contribution(activity, group_label="Youth club", group_consent_held_by="YMCA")
    changing = services.response_create(
        actor=alice,
        activity=activity,
        contributions=[said[n] for n in list(people)[:4]] + [group],
        decision=Decision.CONSIDERING,
        what_will_change="We are looking at evening sessions.",
    )
    staying = services.response_create(
        actor=alice,
        activity=activity,
        contributions=[said["Other Response"]],
        decision=Decision.WILL_DO,
        what_will_change="Bus fares paid on the day.",
    )
    letter = services.letter_draft_start(actor=alice, activity=activity)
    services.letter_send(actor=alice, letter=letter)
    # After the letter: one person says not to contact them any more; another withdraws
    # what they said.
    make.consent(
        people["Changed Their Mind"],
        ConsentPurpose.CONTACT,
        given=False,
        at=timezone.now() + datetime.timedelta(seconds=1),
    )
    contribution_withdraw(user=alice, contribution=said["Withdrew Their Words"], by_person=False)
    return {"people": people, "changing": changing, "staying": staying, "letter": letter}


def _change_twice(personas, response):
    services.response_update(actor=personas.alice, response=response, decision=Decision.WILL_DO)
    services.response_progress_add(
        actor=personas.alice,
        response=response,
        text="The first evening session ran last week.",
        status=ResponseStatus.IN_PROGRESS,
    )


def test_two_changes_make_one_update_per_person(personas, told, django_capture_on_commit_callbacks):
    people, response = told["people"], told["changing"]
    mail.outbox.clear()
    _change_twice(personas, response)
    changes = list(ResponseChange.objects.filter(response=response).order_by("pk"))
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("decision", "considering", "will_do"),
        ("status", "not_started", "in_progress"),
    ]
    assert all(c.announced_at is None and c.changed_by == personas.alice for c in changes)

    with django_capture_on_commit_callbacks(execute=True):
        notices = services.changes_announce()

    by_person = {n.person.full_name: n for n in notices}
    # The person who withdrew their words and the one whose response did not change hear
    # nothing; the group has no one to tell.
    assert set(by_person) == {"Email Person", "Changed Their Mind", "Post Person"}
    for notice in notices:
        assert set(notice.changes.all()) == set(changes)
    assert by_person["Email Person"].emailed is True
    # Still told in their portal's record, but not emailed: one no longer agrees to contact,
    # the other gets post.
    assert by_person["Changed Their Mind"].emailed is False
    assert by_person["Post Person"].emailed is False

    assert [m.to for m in mail.outbox] == [[people["Email Person"].email]]
    body = mail.outbox[0].body
    assert "We will do this" in body
    assert "In progress" in body
    for name in people:
        assert f"Words of {name}" not in body
    assert all(c.announced_at is not None for c in ResponseChange.objects.filter(response=response))

    # Nothing new: a second run tells nobody anything.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.changes_announce() == []
    assert len(mail.outbox) == 1
    assert ChangeNotice.objects.count() == 3


def test_a_later_change_is_a_new_update_with_only_that_change(
    personas, told, django_capture_on_commit_callbacks
):
    response = told["changing"]
    _change_twice(personas, response)
    services.changes_announce()
    mail.outbox.clear()
    services.response_progress_add(
        actor=personas.alice,
        response=response,
        text="Paused while the building is repaired.",
        status=ResponseStatus.ON_HOLD,
    )
    with django_capture_on_commit_callbacks(execute=True):
        notices = services.changes_announce()
    assert len(notices) == 3
    latest = ResponseChange.objects.get(response=response, after=ResponseStatus.ON_HOLD)
    for notice in notices:
        assert list(notice.changes.all()) == [latest]
    assert len(mail.outbox) == 1


def test_changes_that_are_not_about_decision_or_progress_are_not_announced(personas, told):
    response = told["changing"]
    services.response_update(
        actor=personas.alice,
        response=response,
        what_will_change="Evening sessions at the library.",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.response_progress_add(
        actor=personas.alice, response=response, text="A note, no new status."
    )
    assert not ResponseChange.objects.exists()
    assert services.changes_announce() == []


def test_changes_before_any_letter_was_sent_record_nothing(personas):
    activity = make.activity(personas.council_a, created_by=personas.alice)
    person = make.person(personas.council_a)
    make.consent(person, ConsentPurpose.CONTACT)
    said = make.contribution(activity, person=person)
    response = services.response_create(
        actor=personas.alice,
        activity=activity,
        contributions=[said],
        decision=Decision.CONSIDERING,
        what_will_change="Thinking about it.",
    )
    _change_twice(personas, response)
    assert not ResponseChange.objects.exists()
    assert services.changes_announce() == []
    assert not ChangeNotice.objects.exists()
    # A draft letter is not "sent" either.
    services.letter_draft_start(actor=personas.alice, activity=activity)
    services.response_update(actor=personas.alice, response=response, decision=Decision.DONE)
    assert not ResponseChange.objects.exists()
