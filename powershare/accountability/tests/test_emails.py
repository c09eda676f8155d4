"""The emails of the accountability loop: the letter itself, the batched update when something
changes after it was sent, and the staff reminder digest."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from powershare.accountability import services
from powershare.accountability.models import Decision, ResponseStatus
from powershare.accounts.models import User
from powershare.engagement.models import UseLevel
from powershare.engagement.tests import factories as make
from powershare.people.models import ConsentPurpose

OPENING = "Thank you qzopening for your evening."


def _html(message) -> str:
    [(content, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return content


def _to(mailoutbox, address):
    found = [m for m in mailoutbox if m.to == [address]]
    assert len(found) == 1, f"{len(found)} emails to {address}"
    return found[0]


@pytest.fixture
def told(personas):
    """An activity where liz (portal, email, happy to be quoted without her name) and kim (no
    portal, email, her words for inside the team only) took part, answered by one response."""
    a = personas.council_a
    activity = make.activity(a, "Carers' café", created_by=personas.alice)
    liz_user = User.objects.create_user(email="liz@people.example", full_name="Liz Lang")
    liz = make.person(
        a,
        "Elizabeth Lang",
        preferred_name="Liz",
        email="liz@people.example",
        user=liz_user,
        staff_contact=personas.alice,
        support_contact_name="Sam Support",
        support_contact_phone="01632 960 123",
    )
    make.consent(liz, ConsentPurpose.CONTACT, ConsentPurpose.QUOTE_ANONYMOUS)
    kim = make.person(a, "Kim King", email="kim@people.example")
    make.consent(kim, ConsentPurpose.CONTACT, ConsentPurpose.QUOTE_INTERNAL)
    liz_said = make.contribution(
        activity, person=liz, text="qzliz more biscuits", use_level=UseLevel.ANONYMISED
    )
    kim_said = make.contribution(
        activity, person=kim, text="qzkim private worry", use_level=UseLevel.INTERNAL
    )
    response = services.response_create(
        actor=personas.alice,
        activity=activity,
        contributions=[liz_said, kim_said],
        decision=Decision.WILL_DO,
        what_will_change="The café qzchange will open on Fridays.",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    letter = services.letter_draft_start(actor=personas.alice, activity=activity)
    services.letter_update(
        actor=personas.alice,
        letter=letter,
        subject="What happened after the café",
        opening=OPENING,
        closing="qzclosing words.",
    )
    return SimpleNamespace(activity=activity, liz=liz, kim=kim, response=response, letter=letter)


def _send(personas, told, capture):
    with capture(execute=True):
        services.letter_send(
            actor=personas.alice, letter=told.letter, domain="powershare.example", use_https=True
        )


def test_the_letter_email_marks_the_persons_own_words_and_links_to_their_portal(
    personas, told, django_capture_on_commit_callbacks, mailoutbox
):
    _send(personas, told, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2
    message = _to(mailoutbox, "liz@people.example")
    assert message.subject == "What happened after the café"
    for body in (message.body, _html(message)):
        assert "Dear Liz," in body
        assert "qzopening" in body
        assert "qzchange" in body
        assert "qzclosing" in body
        assert "qzliz more biscuits" in body
        assert "qzkim" not in body  # kim's words are for inside the team only
        assert "Kim" not in body
        assert (
            "https://powershare.example" + reverse("portal:feedback_letter", args=[told.letter.pk])
            in body
        )
        assert "https://powershare.example" + reverse("portal:contributions") in body
        assert "change your mind" in body
        assert "Alice Anderson" in body
        assert "Sam Support" in body
    assert "You said:\n“qzliz more biscuits”" in message.body
    assert "<strong>You said:</strong>" in _html(message)


def test_someone_without_a_portal_is_told_how_to_change_their_mind(
    personas, told, django_capture_on_commit_callbacks, mailoutbox
):
    _send(personas, told, django_capture_on_commit_callbacks)
    message = _to(mailoutbox, "kim@people.example")
    for body in (message.body, _html(message)):
        assert "qzkim private worry" in body  # her own words, shown to her
        assert "qzliz more biscuits" in body  # liz agreed to be quoted without her name
        assert "Liz" not in body
        assert "/my/" not in body
        assert "change your mind" in body
        assert "the person who asked you to take part" in body
    assert "You said:\n“qzkim private worry”" in message.body
    assert "Someone who took part said:\n“qzliz more biscuits”" in message.body


def test_changes_after_sending_arrive_in_one_update_per_person(
    personas, told, django_capture_on_commit_callbacks, mailoutbox
):
    _send(personas, told, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    services.response_update(
        actor=personas.alice, response=told.response, status=ResponseStatus.IN_PROGRESS
    )
    services.response_update(actor=personas.alice, response=told.response, decision=Decision.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        services.changes_announce()
    assert sorted(m.to[0] for m in mailoutbox) == ["kim@people.example", "liz@people.example"]
    liz = _to(mailoutbox, "liz@people.example")
    kim = _to(mailoutbox, "kim@people.example")
    for message in (liz, kim):
        assert message.subject == "An update on what happened after you took part"
        for body in (message.body, _html(message)):
            assert "Carers" in body
            assert "from “Not started” to “In progress”" in body
            assert "from “We will do this” to “We have done this”" in body
            assert "qzchange" in body
            assert "qzliz" not in body
            assert "qzkim" not in body
    assert reverse("portal:feedback") in liz.body
    assert reverse("portal:feedback") in _html(liz)
    assert "/my/" not in kim.body
    assert "Alice Anderson" in liz.body
    assert "Sam Support" in liz.body


def test_the_reminder_digest_links_to_what_is_due_without_anyones_words(personas, told, mailoutbox):
    today = timezone.localdate()
    services.response_update(
        actor=personas.alice,
        response=told.response,
        owner=personas.alice,
        due_on=today - datetime.timedelta(days=2),
    )
    told.activity.feedback_due_on = today + datetime.timedelta(days=3)
    told.activity.save(update_fields=["feedback_due_on"])
    assert services.reminders_send(today=today) == 1
    message = _to(mailoutbox, personas.alice.email)
    assert message.subject == "Feedback reminder: 1 response and 1 activity due soon or overdue"
    for body in (message.body, _html(message)):
        assert "Alice Anderson" in body
        assert told.response.reference in body
        assert "overdue" in body
        assert "Carers" in body
        assert (
            "http://localhost" + reverse("accountability:response_detail", args=[told.response.pk])
            in body
        )
        assert (
            "http://localhost" + reverse("accountability:activity_loop", args=[told.activity.pk])
            in body
        )
        for words in ("qzliz", "qzkim", "qzchange", "qzopening"):
            assert words not in body, words
    assert f"feedback due {told.activity.feedback_due_on:%-d %B %Y}" in message.body
    # Running again the same day sends nothing.
    assert services.reminders_send(today=today) == 0
    assert len(mailoutbox) == 1
