"""Daily reminder digests: what each member of staff must answer soon, once a day."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from powershare.accountability import selectors, services
from powershare.accountability.models import Decision, ReminderDigest, ResponseStatus
from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role

from . import factories as make

DAYS = datetime.timedelta(days=1)
WORDS = "zq-contribution-words"


def _user(email, organisation, role):
    user = User.objects.create_user(email=email, password="x" * 20, full_name=email.split("@")[0])
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def staff(personas):
    a = personas.council_a
    return {
        "alice": personas.alice,
        "bob": personas.bob,
        "charlie": personas.charlie,
        "pat": _user("pat@a.example", a, Role.PARTICIPATION_LEAD),
        "lena": _user("lena@a.example", a, Role.LEARNING_LEAD),
        "fiona": _user("fiona@a.example", a, Role.LEADER),
    }


@pytest.fixture
def due(personas, staff, today):
    """Activities and responses around today: what should and should not be in a digest."""
    a, b = personas.council_a, personas.council_b

    def activity(title, due_in, creator, organisation=a, starts_in=-20, **fields):
        made = make.activity(
            organisation,
            title=title,
            starts_on=today + starts_in * DAYS,
            ends_on=today + starts_in * DAYS,
            feedback_due_on=today + due_in * DAYS,
            created_by=creator,
            **fields,
        )
        make.contribution(made, text=f"{WORDS} said at {title}")
        return made

    made = {
        "alices": activity("Alice's own activity", 3, staff["alice"]),
        "bobs": activity("Bob's activity", -2, staff["bob"]),
        "lenas": activity("Lena's activity", 7, staff["lena"]),
        "fionas": activity("Fiona's activity", 6, staff["fiona"]),
        "later": activity("Due later", 8, staff["alice"]),
        "closed": activity("Closed already", 1, staff["alice"]),
        "cancelled": activity(
            "Cancelled", 0, staff["alice"], cancelled_at=timezone.now() - 3 * DAYS
        ),
        "not_started": activity("Not started yet", 5, staff["alice"], starts_in=1),
        "council_b": activity("Angus activity", 1, staff["charlie"], organisation=b),
    }
    make.answer_the_rest(made["closed"])
    make.sent_letter(made["closed"], sent_on=today - DAYS)

    later = made["later"]

    def response(owner, due_in, **fields):
        return make.response(later, owner=owner, due_on=today + due_in * DAYS, **fields)

    bob = staff["bob"]
    responses = {
        "soon": response(bob, 5, status=ResponseStatus.IN_PROGRESS),
        "overdue": response(bob, -3),
        "edge": response(bob, 7, status=ResponseStatus.ON_HOLD),
        "later": response(bob, 8),
        "complete": response(bob, 2, status=ResponseStatus.COMPLETE),
        "done": response(bob, 1, decision=Decision.DONE),
        "will_not_do": response(bob, -1, decision=Decision.WILL_NOT_DO),
        "no_date": make.response(later, owner=bob),
        "nobodys": response(None, 1),
    }
    gone = _user("gone@a.example", personas.council_a, Role.FACILITATOR)
    gone.is_active = False
    gone.save()
    responses["inactive_owner"] = response(gone, 1)
    return made, responses


def _by_user(digests):
    return {
        User.objects.get(pk=user_id).email: {
            "responses": [r.pk for r in items["responses"]],
            "activities": [a.title for a in items["activities"]],
        }
        for user_id, items in digests.items()
    }


def test_who_is_reminded_of_what(staff, due, today):
    _made, responses = due
    assert _by_user(selectors.staff_to_remind(today=today)) == {
        # An activity's creator who may manage engagement is reminded of it; Bob (a
        # facilitator) and Fiona (a leader) may not, so every participation lead is.
        staff["alice"].email: {
            "responses": [],
            "activities": ["Bob's activity", "Alice's own activity", "Fiona's activity"],
        },
        staff["pat"].email: {"responses": [], "activities": ["Bob's activity", "Fiona's activity"]},
        staff["lena"].email: {"responses": [], "activities": ["Lena's activity"]},
        # A response's owner is reminded of it (overdue first) whatever their role; not of
        # finished ones (complete, done, will not do), undated ones or those due later.
        staff["bob"].email: {
            "responses": [responses["overdue"].pk, responses["soon"].pk, responses["edge"].pk],
            "activities": [],
        },
        staff["charlie"].email: {"responses": [], "activities": ["Angus activity"]},
    }


def _sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


def _bodies(message):
    return [message.subject, message.body, *(content for content, _ in message.alternatives)]


def test_two_runs_on_the_same_day_send_each_email_once(staff, due, today):
    everyone = sorted(staff[name].email for name in ("alice", "pat", "lena", "bob", "charlie"))
    assert services.reminders_send(today=today) == 5
    assert _sent_to() == everyone
    assert services.reminders_send(today=today) == 0
    assert _sent_to() == everyone
    assert ReminderDigest.objects.filter(sent_on=today).count() == 5
    digest = ReminderDigest.objects.get(user=staff["alice"], sent_on=today)
    assert (digest.responses, digest.activities) == (0, 3)
    digest = ReminderDigest.objects.get(user=staff["bob"], sent_on=today)
    assert (digest.responses, digest.activities) == (3, 0)

    # The next day is a new digest.
    mail.outbox.clear()
    assert services.reminders_send(today=today + DAYS) == 5
    assert _sent_to() == everyone
    assert services.reminders_send(today=today + DAYS) == 0
    assert len(mail.outbox) == 5


def test_a_digest_names_the_activities_and_never_anyone_s_words(staff, due, today):
    services.reminders_send(today=today)
    by_address = {message.to[0]: message for message in mail.outbox}
    alices = "\n".join(_bodies(by_address[staff["alice"].email]))
    for title in ("Bob's activity", "Alice's own activity", "Fiona's activity"):
        assert title.replace("'", "&#x27;") in alices or title in alices
    assert "Angus activity" not in alices
    assert "Due later" not in alices
    for message in mail.outbox:
        for text in _bodies(message):
            assert WORDS not in text
            assert text.strip()


def test_the_command_sends_the_digests_once_a_day(staff, due):
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "Reminder digests sent: 5" in out.getvalue()
    assert len(mail.outbox) == 5
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "Reminder digests sent: 0" in out.getvalue()
    assert len(mail.outbox) == 5


def test_nobody_is_reminded_when_nothing_is_due(personas, today):
    activity = make.activity(
        personas.council_a,
        starts_on=today - 3 * DAYS,
        ends_on=today - 3 * DAYS,
        feedback_due_on=today + 20 * DAYS,
        created_by=personas.alice,
    )
    make.contribution(activity)
    assert selectors.staff_to_remind(today=today) == {}
    assert services.reminders_send(today=today) == 0
    assert mail.outbox == []
    assert not ReminderDigest.objects.exists()


def test_someone_who_left_the_organisation_is_not_reminded_of_its_responses(personas, today):
    activity = make.activity(personas.council_a, created_by=personas.alice)
    leaver = _user("leaver@a.example", personas.council_a, Role.FACILITATOR)
    make.response(activity, owner=leaver, due_on=today + 2 * DAYS)
    Membership.objects.filter(user=leaver).update(ended_at=timezone.now())
    assert leaver.pk not in selectors.staff_to_remind(today=today)
