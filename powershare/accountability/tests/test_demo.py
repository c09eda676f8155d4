"""The accountability demo: loads on top of the engagement demo, changes nothing when run again,
and gives the participation lead's dashboard something overdue, something due soon, and loops
closed on time and late."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from powershare.accountability import selectors
from powershare.accountability.models import (
    ChangeNotice,
    Decision,
    Delivery,
    FeedbackLetter,
    FeedbackRecipient,
    GroupReply,
    LetterStatus,
    PublicPage,
    Response,
    ResponseChange,
)
from powershare.accountability.selectors import LoopState, Urgency
from powershare.accounts.management.commands import demo_data
from powershare.accounts.models import Membership, User
from powershare.engagement.models import Activity, Contribution
from powershare.people.models import Person

MODULE = "powershare.accountability.demo"


def _load_demo(stdout):
    """The demo_data command, with this module in DEMO_MODULES (whether or not it is listed
    there yet)."""
    modules = demo_data.DEMO_MODULES
    if MODULE not in modules:
        modules = [*modules, MODULE]
    with mock.patch.object(demo_data, "DEMO_MODULES", modules):
        call_command("demo_data", "--force", stdout=stdout)


@pytest.fixture
def demo(demo_database, db):
    """The whole demo, loaded once for the run (see conftest.py)."""
    return demo_database


@pytest.fixture
def today():
    return timezone.localdate()


def _row_counts():
    counts = {
        model._meta.label: model.objects.count()
        for app in ("accountability", "engagement")
        for model in apps.get_app_config(app).get_models()
    }
    counts["auditlog.LogEntry"] = LogEntry.objects.count()
    return counts


def test_running_it_again_changes_nothing(demo):
    first = _row_counts()
    letters = list(FeedbackLetter.objects.values_list("pk", "status", "sent_on", "subject"))
    out = StringIO()
    _load_demo(out)
    assert _row_counts() == first
    assert list(FeedbackLetter.objects.values_list("pk", "status", "sent_on", "subject")) == (
        letters
    )
    assert "nothing to change" in out.getvalue()


def test_it_says_what_it_loaded_and_nothing_personal(demo):
    assert "Accountability:" in demo
    for name in Person.objects.values_list("full_name", flat=True):
        assert name not in demo
    for email in User.objects.values_list("email", flat=True):
        assert email not in demo


def test_the_participation_lead_has_overdue_due_soon_and_closed_loops(demo, today):
    aileen = User.objects.get(email="aileen.murray@fife.example")
    counts = selectors.dashboard_counts_for(user=aileen, today=today)
    assert counts["overdue"] >= 1
    assert counts["due_soon"] >= 1
    assert counts["without_response"] >= 1
    rows = list(selectors.dashboard_for(user=aileen, today=today))
    assert rows[0].urgency == Urgency.OVERDUE  # overdue first
    assert rows[0].without_response > 0
    assert Urgency.DUE_SOON in {row.urgency for row in rows}
    fife = aileen.memberships.get().organisation
    closed = selectors.with_loop_status(
        Activity.objects.filter(organisation=fife), today=today
    ).filter(loop_state=LoopState.CLOSED)
    on_time = [a for a in closed if a.first_feedback_on <= a.feedback_due_on]
    late = [a for a in closed if a.first_feedback_on > a.feedback_due_on]
    assert on_time
    assert late
    metrics = selectors.loop_metrics(
        organisation=fife, start=today - datetime.timedelta(days=800), end=today
    )
    assert metrics.closed >= 3
    assert 0 < metrics.on_time < metrics.closed
    assert metrics.median_days is not None


def test_most_finished_activities_have_responses(demo, today):
    finished = Activity.objects.filter(
        ends_on__lt=today,
        cancelled_at__isnull=True,
        contributions__withdrawn_at__isnull=True,
    ).distinct()
    answered = finished.filter(responses__isnull=False).distinct()
    assert answered.count() >= 0.7 * finished.count()
    assert not Response.objects.filter(activity__ends_on__gte=today).exists()
    # Some loops are overdue now, across the organisations.
    overdue = selectors.with_loop_status(finished, today=today).filter(is_overdue=True)
    assert overdue.count() >= 3


def test_responses_have_a_mix_of_decisions_owners_and_progress(demo, today):
    responses = Response.objects.all()
    assert set(responses.values_list("decision", flat=True)) == set(Decision.values)
    for response in responses.filter(decision=Decision.WILL_NOT_DO):
        assert len(response.reason) > 40
    assert len(set(responses.values_list("status", flat=True))) >= 3
    assert responses.filter(progress__isnull=False).distinct().count() >= 10
    assert responses.exclude(evidence="").exists()
    for response in responses.select_related("owner"):
        assert response.owner is not None
        assert Membership.objects.filter(
            user=response.owner, organisation_id=response.organisation_id, ended_at=None
        ).exists()
        assert response.links.exists()
        assert all(p.happened_on <= today for p in response.progress.all())
    # Reminders have something to say: responses due within a week or overdue.
    assert selectors.staff_to_remind(today=today)


def test_letters_are_dated_in_the_past_and_send_no_email_now(demo, today):
    sent = FeedbackLetter.objects.filter(status=LetterStatus.SENT).select_related("activity")
    assert sent.count() >= 5
    assert FeedbackLetter.objects.filter(status=LetterStatus.DRAFT).exists()
    for letter in sent:
        assert letter.activity.ends_on <= letter.sent_on < today
        assert letter.sent_at.date() == letter.sent_on
        assert set(letter.recipients.values_list("sent_on", flat=True)) == {letter.sent_on}
    # Emails count as gone on the day the letter was sent: the task has nothing left to send.
    assert not FeedbackRecipient.objects.filter(
        delivery=Delivery.EMAIL, emailed_at__isnull=True
    ).exists()
    deliveries = set(FeedbackRecipient.objects.values_list("delivery", flat=True))
    assert {Delivery.EMAIL, Delivery.POST, Delivery.PARTNER} <= deliveries
    # Some printed letters are still to post.
    posts = FeedbackRecipient.objects.filter(delivery=Delivery.POST)
    assert posts.filter(posted_on__isnull=True).exists()
    assert posts.filter(posted_on__isnull=False).exists()
    # A letter never stores anyone's words.
    texts = set(Contribution.objects.values_list("text", flat=True))
    for letter in FeedbackLetter.objects.all():
        for text in texts:
            assert text not in letter.opening
            assert text not in letter.closing


def test_a_group_s_replies_went_round_the_loop_again(demo, today):
    replies = GroupReply.objects.select_related("letter", "contribution")
    assert replies.count() >= 2
    letter = replies.first().letter
    assert letter.recipients.filter(
        delivery=Delivery.PARTNER, group_label=replies.first().contribution.group_label
    ).exists()
    for reply in replies:
        assert reply.contribution.person is None
        assert reply.contribution.captured_on >= letter.sent_on
        assert reply.contribution.response_links.exists()
    # Answered and told in a second letter: the loop is closed again.
    activity = selectors.activity_loop_get(activity=letter.activity)
    assert activity.loop_state == LoopState.CLOSED
    assert FeedbackLetter.objects.filter(activity=activity, status=LetterStatus.SENT).count() == 2


def test_changes_after_feedback_were_told_in_batched_updates(demo):
    assert ResponseChange.objects.count() >= 3
    assert not ResponseChange.objects.filter(announced_at__isnull=True).exists()
    notices = ChangeNotice.objects.all()
    assert notices.exists()
    assert notices.filter(emailed=True).exists()
    assert any(notice.changes.count() > 1 for notice in notices)
    for change in ResponseChange.objects.select_related("response"):
        first_letter = change.response.letters.order_by("sent_on").first()
        assert first_letter is not None
        assert change.changed_at.date() >= first_letter.sent_on
        assert change.announced_at >= change.changed_at


def test_the_portal_people_have_heard_back(demo):
    jamie = Person.objects.get(full_name="Jamie Wilson")
    assert selectors.letters_for_person(person=jamie).exists()
    assert selectors.change_notices_for_person(person=jamie).exists()
    ayesha = Person.objects.get(full_name="Ayesha Khan")
    assert selectors.letters_for_person(person=ayesha).exists()


def test_one_public_page_for_the_organisation_with_most_closed_loops(demo, today):
    page = PublicPage.objects.get()
    assert page.is_published
    assert len(page.introduction) > 50
    closed = {}
    for activity in selectors.with_loop_status(Activity.objects.all(), today=today):
        if activity.loop_state == LoopState.CLOSED:
            closed[activity.organisation_id] = closed.get(activity.organisation_id, 0) + 1
    assert closed[page.organisation_id] == max(closed.values())
    assert selectors.public_activities(organisation=page.organisation).exists()


def test_answers_fit_what_was_said_and_letters_promise_no_past_dates(demo):
    # A "will not do" answers only the people who asked for that thing.
    for response in Response.objects.filter(decision=Decision.WILL_NOT_DO):
        for contribution in response.contributions.all():
            assert "reflective writing" in contribution.text or "vote on the final" in (
                contribution.text
            )
    # A decision changed by the demo has words to match.
    for response in Response.objects.filter(decision=Decision.WILL_DO):
        assert "we will decide" not in response.what_will_change.lower()
    # Nothing promised in a letter was already past when the letter went.
    for response in Response.objects.filter(decision=Decision.WILL_DO, due_on__isnull=False):
        first = response.letters.filter(status=LetterStatus.SENT).order_by("sent_on").first()
        if first is not None:
            assert response.due_on > first.sent_on
    # Groups are people, not notes.
    for label in GroupReply.objects.values_list("contribution__group_label", flat=True):
        assert "notes" not in label


def test_jamie_has_one_new_letter(demo):
    recipients = list(
        FeedbackRecipient.objects.filter(
            person__full_name="Jamie Wilson", letter__status=LetterStatus.SENT
        ).order_by("sent_on", "pk")
    )
    assert len(recipients) >= 2
    assert recipients[-1].read_at is None
    assert all(r.read_at is not None for r in recipients[:-1])
