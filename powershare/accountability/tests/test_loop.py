"""The loop of an activity, with the clock frozen: open while a contribution has no response,
ready when all have one, closed when feedback was sent; overdue from the day after the promised
date until it is closed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from powershare.accountability import selectors, services
from powershare.accountability.models import (
    Decision,
    FeedbackLetter,
    FeedbackRecipient,
    LetterStatus,
)
from powershare.accountability.selectors import LoopState, Urgency
from powershare.engagement.models import Activity
from powershare.engagement.services import activity_cancel, contribution_withdraw
from powershare.people.models import ConsentPurpose

from . import factories as make

ONE_DAY = datetime.timedelta(days=1)
# The promised feedback date of the activities below (a fixed day, far from the real one).
D = make.day("2031-03-10")
ENDED = D - datetime.timedelta(days=28)


def _loop(activity, today):
    return selectors.with_loop_status(Activity.objects.filter(pk=activity.pk), today=today).get()


def _activity(personas, **fields):
    fields.setdefault("starts_on", ENDED)
    fields.setdefault("ends_on", ENDED)
    fields.setdefault("feedback_due_on", D)
    return make.activity(personas.council_a, created_by=personas.alice, **fields)


def _answer(personas, activity, *contributions, **fields):
    fields.setdefault("decision", Decision.WILL_DO)
    fields.setdefault("what_will_change", "We will hold the meetings in the library.")
    return services.response_create(
        actor=personas.alice, activity=activity, contributions=list(contributions), **fields
    )


def _send(personas, activity, on):
    with make.frozen(on):
        letter = services.letter_draft_start(actor=personas.alice, activity=activity)
        services.letter_send(actor=personas.alice, letter=letter)
    letter.refresh_from_db()
    return letter


def test_overdue_from_the_day_after_the_promised_date_until_feedback_is_sent(personas):
    activity = _activity(personas)
    said = make.contribution(activity, text="Meet somewhere that is not the council office.")
    _answer(personas, activity, said)

    on_the_day = _loop(activity, D)
    assert on_the_day.loop_state == LoopState.READY
    assert on_the_day.is_overdue is False
    day_after = _loop(activity, D + ONE_DAY)
    assert day_after.loop_state == LoopState.READY
    assert day_after.is_overdue is True

    letter = _send(personas, activity, D + 2 * ONE_DAY)
    assert letter.status == LetterStatus.SENT
    assert letter.sent_on == D + 2 * ONE_DAY
    for today in (D + 2 * ONE_DAY, D + 30 * ONE_DAY):
        closed = _loop(activity, today)
        assert closed.loop_state == LoopState.CLOSED
        assert closed.is_overdue is False
        assert closed.first_feedback_on == D + 2 * ONE_DAY
    # Closed loops leave the dashboard.
    assert activity not in selectors.dashboard_for(user=personas.alice, today=D + 3 * ONE_DAY)


def test_an_activity_without_any_answer_is_overdue_the_day_after_too(personas):
    activity = _activity(personas)
    make.contribution(activity)
    assert _loop(activity, D).is_overdue is False
    assert _loop(activity, D + ONE_DAY).is_overdue is True
    assert _loop(activity, D + ONE_DAY).loop_state == LoopState.OPEN


def test_the_loop_goes_open_ready_closed_and_opens_again_when_a_group_replies(personas):
    activity = _activity(personas)
    group = make.contribution(
        activity,
        text="The room was too hot.",
        group_label="Youth club",
        group_consent_held_by="YMCA",
    )
    person = make.person(personas.council_a)
    own = make.contribution(activity, person=person, text="Send the papers a week before.")

    first = _loop(activity, D)
    assert (first.loop_state, first.contribution_total, first.without_response) == (
        LoopState.OPEN,
        2,
        2,
    )
    _answer(personas, activity, group)
    assert _loop(activity, D).loop_state == LoopState.OPEN
    assert _loop(activity, D).without_response == 1
    _answer(personas, activity, own, decision=Decision.DONE, what_will_change="Done already.")
    ready = _loop(activity, D)
    assert (ready.loop_state, ready.without_response, ready.not_told) == (LoopState.READY, 0, 2)

    letter = _send(personas, activity, D - ONE_DAY)
    closed = _loop(activity, D)
    assert (closed.loop_state, closed.not_told, closed.is_overdue) == (LoopState.CLOSED, 0, False)

    # The youth club's partner passes the letter on; two replies come back.
    with make.frozen(D + 5 * ONE_DAY):
        replies = services.group_replies_record(
            actor=personas.alice,
            letter=letter,
            group_label="Youth club",
            replies=["Thanks for moving it.", "Can we have water on the tables?"],
        )
    assert len(replies) == 2
    assert {r.group_label for r in replies} == {"Youth club"}
    reopened = _loop(activity, D + 5 * ONE_DAY)
    assert reopened.loop_state == LoopState.OPEN
    assert reopened.without_response == 2
    # The promised date has passed and the loop is open again: overdue until the replies are
    # answered and told.
    assert reopened.is_overdue is True
    assert reopened.first_feedback_on == D - ONE_DAY

    _answer(personas, activity, *replies, what_will_change="Water jugs on every table.")
    assert _loop(activity, D + 6 * ONE_DAY).loop_state == LoopState.READY
    _send(personas, activity, D + 7 * ONE_DAY)
    again = _loop(activity, D + 7 * ONE_DAY)
    assert again.loop_state == LoopState.CLOSED
    # "First feedback" stays the first letter's date.
    assert again.first_feedback_on == D - ONE_DAY
    assert FeedbackLetter.objects.filter(activity=activity, status="sent").count() == 2


def test_a_withdrawn_contribution_does_not_hold_the_loop_open(personas):
    activity = _activity(personas)
    answered = make.contribution(activity, text="Answered")
    waiting = make.contribution(activity, text="Not answered")
    _answer(personas, activity, answered)
    assert _loop(activity, D).loop_state == LoopState.OPEN

    contribution_withdraw(user=personas.alice, contribution=waiting, by_person=False)
    ready = _loop(activity, D)
    assert (ready.loop_state, ready.contribution_total, ready.without_response) == (
        LoopState.READY,
        1,
        0,
    )
    _send(personas, activity, D)
    assert _loop(activity, D + ONE_DAY).loop_state == LoopState.CLOSED
    assert _loop(activity, D + ONE_DAY).is_overdue is False


def test_a_contribution_answered_after_the_letter_makes_the_loop_ready_not_closed(personas):
    activity = _activity(personas)
    _answer(personas, activity, make.contribution(activity))
    _send(personas, activity, D - ONE_DAY)
    late = make.contribution(activity, text="Said after the letter went")
    assert _loop(activity, D).loop_state == LoopState.OPEN
    _answer(personas, activity, late)
    ready = _loop(activity, D)
    assert (ready.loop_state, ready.not_told) == (LoopState.READY, 1)
    assert _loop(activity, D + ONE_DAY).is_overdue is True


def test_a_cancelled_activity_is_never_overdue(personas):
    activity = _activity(personas)
    make.contribution(activity)
    activity = activity_cancel(actor=personas.alice, activity=activity)
    for today in (D + ONE_DAY, D + 400 * ONE_DAY):
        assert _loop(activity, today).is_overdue is False
    assert activity not in selectors.dashboard_for(user=personas.alice, today=D + ONE_DAY)
    with pytest.raises(ValidationError):
        services.letter_draft_start(actor=personas.alice, activity=activity)


def test_letter_send_refuses_while_a_contribution_has_no_response(personas):
    activity = _activity(personas)
    answered = make.contribution(activity)
    make.contribution(activity, text="Still waiting")
    make.contribution(activity, text="Also waiting")
    _answer(personas, activity, answered)
    letter = services.letter_draft_start(actor=personas.alice, activity=activity)
    with pytest.raises(ValidationError) as refused:
        services.letter_send(actor=personas.alice, letter=letter)
    assert "2 contributions still have no response" in refused.value.messages[0]
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT
    assert letter.sent_on is None
    assert not FeedbackRecipient.objects.filter(letter=letter).exists()
    assert _loop(activity, D + ONE_DAY).is_overdue is True


def test_only_those_who_manage_engagement_send_letters(personas):
    activity = _activity(personas)
    _answer(personas, activity, make.contribution(activity))
    letter = services.letter_draft_start(actor=personas.alice, activity=activity)
    for someone in (personas.bob, personas.charlie):
        with pytest.raises(PermissionDenied):
            services.letter_send(actor=someone, letter=letter)
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT


def test_a_letter_is_sent_once_and_records_each_recipient_and_how(personas):
    activity = _activity(personas)
    a = personas.council_a
    emailed = make.person(a, name="Email Person")
    make.consent(emailed, ConsentPurpose.CONTACT)
    posted = make.person(a, name="Post Person", contact_channel="post")
    make.consent(posted, ConsentPurpose.CONTACT)
    quiet = make.person(a, name="Quiet Person")  # never agreed to be contacted, no portal
    attended = make.person(a, name="Came But Said Nothing")
    make.consent(attended, ConsentPurpose.CONTACT)
    make.invitation(activity, attended)
    said = [make.contribution(activity, person=p) for p in (emailed, posted, quiet)]
    said.append(make.contribution(activity, group_label="Youth club", group_consent_held_by="YMCA"))
    _answer(personas, activity, *said)
    letter = _send(personas, activity, D)

    recipients = {
        (r.person.full_name if r.person else r.group_label): (r.delivery, r.sent_on)
        for r in letter.recipients.select_related("person")
    }
    assert recipients == {
        "Email Person": ("email", D),
        "Post Person": ("post", D),
        "Quiet Person": ("not_contacted", D),
        "Came But Said Nothing": ("email", D),
        "Youth club": ("partner", D),
    }
    assert set(letter.contributions.all()) == set(said)
    assert letter.sent_by == personas.alice
    with pytest.raises(ValidationError):
        services.letter_send(actor=personas.alice, letter=letter)
    assert letter.recipients.count() == 5


def test_the_dashboard_puts_overdue_first_then_due_soon_then_open(personas):
    today = D
    a = personas.council_a

    def activity(title, due_in_days, answered=False, started=True):
        made = make.activity(
            a,
            title=title,
            starts_on=today - ONE_DAY if started else today + ONE_DAY,
            ends_on=today - ONE_DAY if started else today + ONE_DAY,
            feedback_due_on=today + due_in_days * ONE_DAY,
        )
        make.contribution(made)
        make.contribution(made)
        if answered:
            make.answer_the_rest(made)
        return made

    open_later = activity("Open later", 40)
    soon = activity("Due soon", 14)
    overdue_recent = activity("Overdue recently", -1)
    overdue_old = activity("Overdue long ago", -20)
    activity("Not started", 5, started=False)
    ready = activity("Ready to send", 3, answered=True)
    closed = activity("Closed", -5, answered=True)
    make.sent_letter(closed, sent_on=today - 6 * ONE_DAY)
    make.activity(personas.council_b, title="Another council's", feedback_due_on=today)

    rows = list(selectors.dashboard_for(user=personas.alice, today=today))
    assert [r.title for r in rows] == [
        "Overdue long ago",
        "Overdue recently",
        "Ready to send",
        "Due soon",
        "Open later",
    ]
    assert [r.urgency for r in rows] == [
        Urgency.OVERDUE,
        Urgency.OVERDUE,
        Urgency.DUE_SOON,
        Urgency.DUE_SOON,
        Urgency.OPEN,
    ]
    assert [r.without_response for r in rows] == [2, 2, 0, 2, 2]
    assert {r.pk for r in rows} == {
        overdue_old.pk,
        overdue_recent.pk,
        ready.pk,
        soon.pk,
        open_later.pk,
    }
    counts = selectors.dashboard_counts_for(user=personas.alice, today=today)
    assert counts == {"overdue": 2, "due_soon": 2, "open": 1, "without_response": 8}
    assert not list(
        selectors.dashboard_for(user=personas.charlie, today=today).filter(organisation=a)
    )
