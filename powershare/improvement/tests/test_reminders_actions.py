"""Action reminders go through accountability's one daily digest: an action's owner hears of it
while it is due within 7 days (once) and when it is overdue (then once a week); never of a
finished one; and never twice in a day."""

import datetime

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from powershare.accountability import reminders
from powershare.accountability import services as accountability_services
from powershare.accountability.models import ReminderDigest
from powershare.accounts.models import Membership
from powershare.improvement import selectors, services
from powershare.improvement.models import ActionSource, ActionStatus

DAY = datetime.timedelta(days=1)


def _to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def _all_text(message):
    return "\n".join([message.subject, message.body, *(c for c, _ in message.alternatives)])


def test_improvement_registers_its_section_of_the_digest():
    assert "improvement_actions" in {source.key for source in reminders.registered()}


def test_an_overdue_action_s_owner_gets_it_in_the_daily_digest(personas, samples):
    today = timezone.localdate()
    action = samples["action"]  # alice's, 3 days overdue
    assert accountability_services.reminders_send(today=today) >= 1
    (message,) = _to(personas.alice)
    text = _all_text(message)
    assert action.title in text
    assert "http://localhost" + reverse("improvement:action_detail", args=[action.pk]) in text
    assert "overdue" in text
    assert "1 improvement action" in message.subject
    # Actions due later than a week away are not in it.
    assert samples["response_action"].title not in text
    digest = ReminderDigest.objects.get(user=personas.alice, sent_on=today)
    assert digest.others == {"improvement_actions": 1}


def test_a_done_action_is_not_reminded(personas, samples):
    today = timezone.localdate()
    services.action_progress_record(
        actor=personas.alice, action=samples["action"], status=ActionStatus.DONE
    )
    assert personas.alice.pk not in selectors.action_reminders_due(today=today)
    accountability_services.reminders_send(today=today)
    assert all(samples["action"].title not in _all_text(m) for m in mail.outbox)


def test_a_second_run_the_same_day_sends_nothing(personas, samples):
    today = timezone.localdate()
    first = accountability_services.reminders_send(today=today)
    assert first >= 1
    assert accountability_services.reminders_send(today=today) == 0
    assert len(mail.outbox) == first
    assert ReminderDigest.objects.filter(user=personas.alice, sent_on=today).count() == 1


def _due_for(user, today):
    return [a.pk for a in selectors.action_reminders_due(today=today).get(user.pk, [])]


def test_due_soon_once_then_overdue_once_a_week(personas, samples):
    today = timezone.localdate()
    action = services.action_create(
        actor=personas.alice,
        organisation=personas.council_a,
        title="Due in five days",
        source=ActionSource.OTHER,
        owner=personas.bob,  # a facilitator sees improvement work, so may own an action
        due_on=today + 5 * DAY,
    )
    assert _due_for(personas.bob, today - 3 * DAY) == []  # 8 days away: not yet
    assert _due_for(personas.bob, today) == [action.pk]
    accountability_services.reminders_send(today=today)
    assert len(_to(personas.bob)) == 1
    # Not again while it is still only due soon.
    assert _due_for(personas.bob, today + DAY) == []
    assert accountability_services.reminders_send(today=today + DAY) >= 0
    assert len(_to(personas.bob)) == 1
    # On the day it becomes overdue, and then a week later.
    overdue_day = today + 6 * DAY
    assert _due_for(personas.bob, overdue_day) == [action.pk]
    accountability_services.reminders_send(today=overdue_day)
    assert len(_to(personas.bob)) == 2
    assert _due_for(personas.bob, overdue_day + 3 * DAY) == []
    assert _due_for(personas.bob, overdue_day + 7 * DAY) == [action.pk]


def test_an_owner_who_left_the_organisation_is_not_reminded(personas, samples):
    today = timezone.localdate()
    Membership.objects.filter(user=personas.alice, organisation=personas.council_a).update(
        ended_at=timezone.now()
    )
    assert personas.alice.pk not in selectors.action_reminders_due(today=today)


def test_an_action_owned_by_a_partner_organisation_reminds_nobody(personas, samples):
    group_action = samples["group_action"]  # overdue, owned by a partner's representative
    due = selectors.action_reminders_due(today=timezone.localdate())
    assert all(group_action.pk not in [a.pk for a in actions] for actions in due.values())


def test_feedback_and_actions_share_one_email(personas, samples):
    today = timezone.localdate()
    accountability_services.response_update(
        actor=personas.alice,
        response=samples["response"],
        owner=personas.alice,
        due_on=today - 2 * DAY,
    )
    accountability_services.reminders_send(today=today)
    (message,) = _to(personas.alice)
    assert message.subject.startswith("Feedback reminder: 1 response")
    assert message.subject.endswith("and 1 improvement action due soon or overdue")
    text = _all_text(message)
    assert samples["response"].reference in text
    assert samples["action"].title in text
    digest = ReminderDigest.objects.get(user=personas.alice, sent_on=today)
    assert (digest.responses, digest.others) == (1, {"improvement_actions": 1})


def test_from_a_week_before_due_reminds_due_soon_once_then_the_day_after_then_weekly(
    personas, samples
):
    start = timezone.localdate()
    due_on = start + 7 * DAY
    action = services.action_create(
        actor=personas.alice,
        organisation=personas.council_a,
        title="Due in exactly a week",
        source=ActionSource.OTHER,
        owner=personas.bob,
        due_on=due_on,
    )
    reminded = []
    for offset in range(23):
        day = start + offset * DAY
        accountability_services.reminders_send(today=day)
        # Never twice in a day: a second run the same day adds nothing.
        accountability_services.reminders_send(today=day)
        count = sum(action.title in _all_text(m) for m in _to(personas.bob))
        if count > len(reminded):
            assert count == len(reminded) + 1
            reminded.append((day - due_on).days)
    # Due soon once (7 days before), overdue on the first overdue day, then weekly.
    assert reminded == [-7, 1, 8, 15]
