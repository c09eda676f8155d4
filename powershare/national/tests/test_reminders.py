"""Reminders to councils that have not sent their return: the coordinator's "Send reminders"
(emails to each such council's survey respondents only, counted per council) and the daily
digest's section for survey respondents with a return due within 7 days or overdue."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from powershare.accountability import reminders as digest
from powershare.accounts.models import Membership, Organisation, User
from powershare.accounts.roles import Role
from powershare.national import reminders, selectors, services
from powershare.national.models import ReturnStatus

TODAY = timezone.localdate()


def _url(name, *args):
    return reverse(f"national:{name}", args=args)


def _respondent(council, email, role=Role.SURVEY_RESPONDENT):
    user = User.objects.create_user(email=email, password="x" * 20, full_name="Test Person")
    Membership.objects.create(user=user, organisation=council, role=role)
    return user


@pytest.fixture
def chasing(personas, samples):
    """Round 2025 with council A (sent), council B (not started, two respondents, a leader
    who is not one) and Fife (not started, nobody to email)."""
    survey_round = samples["survey_round"]
    fife = Organisation.objects.get(name="Fife Council")
    services.round_councils_set(
        actor=personas.nina,
        survey_round=survey_round,
        council_ids=[personas.council_a.pk, personas.council_b.pk, fife.pk],
    )
    _respondent(personas.council_b, "first@b.example")
    _respondent(personas.council_b, "second@b.example")
    ended = _respondent(personas.council_b, "gone@b.example")
    Membership.objects.filter(user=ended).update(ended_at=timezone.now())
    _respondent(personas.council_b, "leader@b.example", role=Role.LEADER)
    return survey_round


def test_the_confirmation_counts_councils_and_emails_and_names_councils_without_anyone(
    client_for, chasing
):
    html = client_for("nina").get(_url("reminders_send", chasing.pk)).content.decode()
    assert "2 councils have not sent their return" in html
    assert "1 email" not in html
    assert "2 emails to 1 council" in html
    assert "Fife Council" in html
    assert "no survey respondent" in html
    # Counts only: nobody's name or address.
    assert "first@b.example" not in html
    assert "Test Person" not in html
    assert len(mail.outbox) == 0


def test_sending_emails_the_survey_respondents_of_councils_that_have_not_sent(
    client_for, personas, chasing
):
    client = client_for("nina")
    response = client.post(
        _url("reminders_send", chasing.pk), {"form_token": "remind-1"}, follow=True
    )
    assert response.status_code == 200
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "first@b.example",
        "second@b.example",
    ]
    message = mail.outbox[0]
    assert len(message.to) == 1
    assert "Angus Council" in message.subject
    assert str(chasing) in message.body
    assert chasing.closes_on.strftime("%B %Y") in message.body
    assert _url("my_returns") in message.body
    html = response.content.decode()
    assert "Reminders sent: 2 emails to the survey respondents of 1 council." in html
    assert "1 council has no survey respondent to remind." in html

    b = chasing.returns.get(council=personas.council_b)
    assert b.reminders_sent == 1
    assert b.last_reminded_at is not None
    assert chasing.returns.get(council__name="Fife Council").reminders_sent == 0
    assert chasing.returns.get(council=personas.council_a).reminders_sent == 0
    # The chasing list shows it.
    assert "Never" in client.get(_url("round_detail", chasing.pk)).content.decode()

    # The same form sent twice (a double click) sends nothing more; a new one does.
    client.post(_url("reminders_send", chasing.pk), {"form_token": "remind-1"})
    assert len(mail.outbox) == 2
    client.post(_url("reminders_send", chasing.pk), {"form_token": "remind-2"})
    assert len(mail.outbox) == 4
    b.refresh_from_db()
    assert b.reminders_sent == 2


def test_nobody_to_remind_is_said_kindly(client_for, personas, samples):
    survey_round = samples["survey_round"]
    # Council B has no survey respondent and council A has sent.
    response = client_for("nina").post(
        _url("reminders_send", survey_round.pk), {"form_token": "remind-none"}
    )
    assert response.status_code == 200
    assert "nobody to email" in response.content.decode()
    assert len(mail.outbox) == 0
    services.round_councils_set(
        actor=personas.nina, survey_round=survey_round, council_ids=[personas.council_a.pk]
    )
    with pytest.raises(ValidationError):
        services.reminders_send(actor=personas.nina, survey_round=survey_round)
    html = client_for("nina").get(_url("reminders_send", survey_round.pk)).content.decode()
    assert "Every council taking part has sent its return" in html


def test_only_the_coordinator_sends_reminders(personas, chasing):
    for persona in (personas.charlie, personas.rhona, personas.alice):
        with pytest.raises(PermissionDenied):
            services.reminders_send(actor=persona, survey_round=chasing)
    assert len(mail.outbox) == 0


# ---------------------------------------------------------------------------------------------
# The daily digest


def test_the_digest_reminds_respondents_of_a_return_due_within_7_days_or_overdue(personas, chasing):
    assert reminders.REMINDER_KEY in {source.key for source in digest.registered()}
    b_people = set(
        User.objects.filter(email__in=["first@b.example", "second@b.example"]).values_list(
            "pk", flat=True
        )
    )
    leader = User.objects.get(email="leader@b.example")
    # Due in 20 days (personas' round): not yet.
    due_soon = chasing.closes_on - datetime.timedelta(days=7)
    assert reminders.collect(chasing.closes_on - datetime.timedelta(days=8)) == {}
    items = reminders.collect(due_soon)
    assert set(items) == b_people
    item = items[next(iter(b_people))][0]
    assert "Angus Council" in item.title
    assert item.path == _url("my_returns")
    assert item.due_on == chasing.closes_on
    assert not item.overdue
    # Overdue: still reminded, and marked so.
    overdue = reminders.collect(chasing.closes_on + datetime.timedelta(days=3))
    assert overdue[next(iter(b_people))][0].overdue
    assert leader.pk not in overdue
    # Council A sent its return: rhona hears nothing.
    assert personas.rhona.pk not in overdue
    # A long-overdue round is left to the coordinator.
    assert (
        reminders.collect(chasing.closes_on + datetime.timedelta(days=selectors.OVERDUE_DAYS + 1))
        == {}
    )


def test_the_digest_stops_once_the_return_is_sent_and_goes_out_once_a_day(personas, samples):
    survey_round = samples["survey_round"]
    council_return = samples["council_return"]
    services.return_reopen(actor=personas.nina, council_return=council_return, reason="Add more")
    day = survey_round.closes_on - datetime.timedelta(days=2)
    assert personas.rhona.pk in reminders.collect(day)

    from powershare.accountability.services import reminders_send

    mail.outbox.clear()
    reminders_send(today=day)
    to_rhona = [m for m in mail.outbox if personas.rhona.email in m.to]
    assert len(to_rhona) == 1
    assert str(survey_round) in to_rhona[0].body
    mail.outbox.clear()
    reminders_send(today=day)
    assert not [m for m in mail.outbox if personas.rhona.email in m.to]

    council_return.refresh_from_db()
    council_return.status = ReturnStatus.SUBMITTED
    council_return.submitted_at = timezone.now()
    council_return.save()
    assert personas.rhona.pk not in reminders.collect(day)
