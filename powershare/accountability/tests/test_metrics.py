"""Loop metrics against a fixture worked out by hand. Date arithmetic differs between SQLite
and PostgreSQL, so run this file on both (scripts/test_postgres.py)."""

import datetime

import pytest
from django.utils import timezone

from powershare.accountability import selectors
from powershare.accountability.models import Decision
from powershare.engagement.models import Activity

from . import factories as make

day = make.day

# Council A's activities (ends_on, feedback_due_on, letters sent on, what is left open):
#
#  A1  ends 10 Jan, due  7 Feb, letter  1 Feb          closed, on time      22 days
#  A2  ends  1 Feb, due  1 Mar, letter 15 Mar          closed, late         42 days
#  A3  ends  1 Mar, due 29 Mar, letter 29 Mar          closed, on time (on the day) 28 days
#  A4  ends  1 Apr, due 29 Apr, no letter, unanswered  open (overdue)
#  A5  ends 10 Apr, due  8 May, letter  1 May, then a group's reply, unanswered:
#                                                       open again, has feedback  21 days
#  A9  ends 20 May, due 17 Jun, all answered, no letter ready, no feedback
#  A10 ends 10 Feb, due 10 Mar, letters 5 Mar and 20 Apr (after a second round)
#                                                       closed, on time (first letter) 23 days
#  Excluded: X1 cancelled (due 1 Mar, closed); X2 due 15 Jul (outside both periods, closed);
#            X3 council B's (due 1 Mar, closed).
#
# 1 January to 30 June: due = A1 A2 A3 A4 A5 A9 A10 = 7; closed = A1 A2 A3 A10 = 4;
#   on time = A1 A3 A10 = 3; with feedback = A1 A2 A3 A5 A10 = 5;
#   days sorted 21 22 23 28 42 -> median 23 (odd count).
# 7 February to 29 April (both ends included: A1's due date and A4's): due = A1 A2 A3 A4 A10
#   = 5; closed = 4; on time = 3; with feedback = A1 A2 A3 A10 = 4;
#   days sorted 22 23 28 42 -> median (23 + 28) / 2 = 25.5 (even count).


def _activity(organisation, title, ends, due, *, contributions=2):
    activity = make.activity(
        organisation,
        title=title,
        starts_on=day(ends) - datetime.timedelta(days=1),
        ends_on=day(ends),
        feedback_due_on=day(due),
    )
    for _ in range(contributions):
        make.contribution(activity)
    return activity


def _closed(organisation, title, ends, due, sent):
    activity = _activity(organisation, title, ends, due)
    make.answer_the_rest(activity, decision=Decision.DONE)
    make.sent_letter(activity, sent_on=day(sent))
    return activity


@pytest.fixture
def fixture(personas):
    a, b = personas.council_a, personas.council_b
    _closed(a, "A1", "2030-01-10", "2030-02-07", "2030-02-01")
    _closed(a, "A2", "2030-02-01", "2030-03-01", "2030-03-15")
    _closed(a, "A3", "2030-03-01", "2030-03-29", "2030-03-29")
    _activity(a, "A4", "2030-04-01", "2030-04-29")
    a5 = _closed(a, "A5", "2030-04-10", "2030-05-08", "2030-05-01")
    make.contribution(a5, group_label="A group", text="A reply to the letter")
    a9 = _activity(a, "A9", "2030-05-20", "2030-06-17")
    make.answer_the_rest(a9)
    a10 = _closed(a, "A10", "2030-02-10", "2030-03-10", "2030-03-05")
    make.contribution(a10, text="Said in the second round")
    make.answer_the_rest(a10)
    make.sent_letter(a10, sent_on=day("2030-04-20"))

    cancelled = _closed(a, "X1", "2030-02-01", "2030-03-01", "2030-02-20")
    Activity.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())
    _closed(a, "X2", "2030-06-20", "2030-07-15", "2030-07-01")
    _closed(b, "X3", "2030-02-01", "2030-03-01", "2030-02-20")
    return a


def test_the_loop_states_are_as_worked_out_by_hand(fixture):
    states = dict(
        selectors.with_loop_status(
            Activity.objects.filter(organisation=fixture), today=day("2030-07-01")
        ).values_list("title", "loop_state")
    )
    assert states == {
        "A1": "closed",
        "A2": "closed",
        "A3": "closed",
        "A4": "open",
        "A5": "open",
        "A9": "ready",
        "A10": "closed",
        "X1": "closed",
        "X2": "closed",
    }


def test_metrics_over_the_first_half_of_the_year_odd_count(fixture):
    metrics = selectors.loop_metrics(
        organisation=fixture, start=day("2030-01-01"), end=day("2030-06-30")
    )
    assert (metrics.due, metrics.closed, metrics.on_time, metrics.with_feedback) == (7, 4, 3, 5)
    assert metrics.closed_rate == pytest.approx(4 / 7)
    assert metrics.on_time_rate == pytest.approx(3 / 7)
    assert metrics.median_days == 23


def test_metrics_include_both_ends_of_the_period_even_count(fixture):
    metrics = selectors.loop_metrics(
        organisation=fixture, start=day("2030-02-07"), end=day("2030-04-29")
    )
    assert (metrics.due, metrics.closed, metrics.on_time, metrics.with_feedback) == (5, 4, 3, 4)
    assert metrics.closed_rate == pytest.approx(0.8)
    assert metrics.on_time_rate == pytest.approx(0.6)
    assert metrics.median_days == 25.5


def test_a_period_one_day_narrower_leaves_out_the_activities_due_on_its_ends(fixture):
    metrics = selectors.loop_metrics(
        organisation=fixture, start=day("2030-02-08"), end=day("2030-04-28")
    )
    # A2 A3 A10: all closed, A2 late; days 42 28 23 -> median 28.
    assert (metrics.due, metrics.closed, metrics.on_time, metrics.with_feedback) == (3, 3, 2, 3)
    assert metrics.median_days == 28


def test_metrics_without_activities_or_letters_have_no_rates(fixture, personas):
    empty = selectors.loop_metrics(
        organisation=fixture, start=day("2029-01-01"), end=day("2029-12-31")
    )
    assert (empty.due, empty.closed, empty.on_time, empty.with_feedback) == (0, 0, 0, 0)
    assert empty.closed_rate is None
    assert empty.on_time_rate is None
    assert empty.median_days is None
    # Only A4 (open, nothing sent) in this period: rates of zero, no median.
    unsent = selectors.loop_metrics(
        organisation=fixture, start=day("2030-04-20"), end=day("2030-04-30")
    )
    assert (unsent.due, unsent.closed, unsent.with_feedback) == (1, 0, 0)
    assert unsent.closed_rate == 0
    assert unsent.median_days is None


def test_another_council_sees_only_its_own(fixture, personas):
    metrics = selectors.loop_metrics(
        organisation=personas.council_b, start=day("2030-01-01"), end=day("2030-12-31")
    )
    assert (metrics.due, metrics.closed, metrics.on_time, metrics.median_days) == (1, 1, 1, 19)


def test_default_period_is_the_last_twelve_months():
    assert selectors.default_period(day("2031-03-10")) == (day("2030-03-11"), day("2031-03-10"))
    assert selectors.default_period(day("2032-02-29")) == (day("2031-03-01"), day("2032-02-29"))
