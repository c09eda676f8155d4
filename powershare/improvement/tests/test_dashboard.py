"""The leader's dashboard: actions overdue first, then due in the next 30 days; progress per
driver against the previous agreed self-assessment; the closed-loop rate; a helpful page for
someone whose organisation keeps no improvement work."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accountability import selectors as accountability_selectors
from powershare.accountability.tests import factories as make
from powershare.accounts.services import share_create
from powershare.improvement import selectors, services
from powershare.improvement.models import (
    ActionSource,
    AssessmentStatus,
    DriverRating,
    Rating,
    SelfAssessment,
)
from tests.personas import MARKER

HOME = reverse("improvement:home")
DAY = datetime.timedelta(days=1)


def _html(response) -> str:
    return response.content.decode()


@pytest.fixture
def agreed(personas, samples):
    """The sample assessment agreed, and an earlier agreed one rating the priority lower and
    another driver higher."""
    today = timezone.localdate()
    latest = samples["assessment"]
    SelfAssessment.objects.filter(pk=latest.pk).update(status=AssessmentStatus.AGREED)
    latest.ratings.filter(driver__key="power-sharing").update(rating=Rating.DEVELOPING)
    latest.ratings.filter(driver__key="budget").update(rating=Rating.EMERGING)
    earlier = SelfAssessment.objects.create(
        organisation=personas.council_a,
        version=latest.version,
        period="2025/26",
        assessed_on=today - 400 * DAY,
        status=AssessmentStatus.AGREED,
    )
    for rating in latest.ratings.select_related("driver"):
        before = rating.rating
        if rating.driver.key == "power-sharing":
            before = Rating.NOT_STARTED
        elif rating.driver.key == "budget":
            before = Rating.EMBEDDED
        DriverRating.objects.create(assessment=earlier, driver=rating.driver, rating=before)
    return latest, earlier


def test_alice_sees_overdue_actions_first_then_those_due_within_30_days(client_for, samples):
    html = _html(client_for("alice").get(HOME))
    overdue = html.index(samples["action"].title)  # 3 days overdue
    assert overdue < html.index(samples["group_action"].title)  # 1 day overdue
    assert html.index(samples["group_action"].title) < html.index(
        samples["walkthrough_action"].title
    )  # due in 14 days
    assert samples["response_action"].title in html  # due in 30 days
    assert samples["intention_action"].title not in html  # due in 60 days
    assert "2 actions are overdue" in html


def test_progress_per_driver_compares_with_the_previous_agreed_assessment(
    client_for, samples, agreed
):
    latest, earlier = agreed
    dashboard = selectors.dashboard_for(
        user=samples["action"].created_by, today=timezone.localdate()
    )
    (entry,) = dashboard.organisations
    assert (entry.latest.pk, entry.previous.pk) == (latest.pk, earlier.pk)
    drivers = {d.key: d for d in entry.drivers}
    power = drivers["power-sharing"]
    assert power.is_priority
    assert power.previous == Rating.NOT_STARTED
    assert (power.rating, power.change) == (Rating.DEVELOPING, "up")
    assert (drivers["budget"].previous, drivers["budget"].change) == (Rating.EMBEDDED, "down")
    # The overdue sample action sits under the power-sharing priority.
    assert (power.open_actions, power.done_actions) == (1, 0)
    html = _html(client_for("alice").get(HOME))
    assert "Progress per driver" in html
    assert 'Developing <span class="ps-meta">(up)</span>' in html
    assert f"Budget {MARKER}" in html  # council A's own name for the driver
    assert reverse("improvement:assessment_detail", args=[latest.pk]) in html


def test_the_dashboard_counts_done_actions_under_their_driver(personas, samples, agreed):
    services.action_progress_record(actor=personas.alice, action=samples["action"], status="done")
    dashboard = selectors.dashboard_for(user=personas.alice, today=timezone.localdate())
    power = {d.key: d for d in dashboard.organisations[0].drivers}["power-sharing"]
    assert (power.open_actions, power.done_actions) == (0, 1)


def test_the_closed_loop_rate_is_accountability_s(client_for, personas, samples):
    today = timezone.localdate()
    activity = make.activity(
        personas.council_a,
        title="Waiting for feedback",
        starts_on=today - 20 * DAY,
        ends_on=today - 20 * DAY,
        feedback_due_on=today - 5 * DAY,
        created_by=personas.alice,
    )
    make.contribution(activity)
    start, end = accountability_selectors.default_period(today)
    expected = accountability_selectors.loop_metrics(
        organisation=personas.council_a, start=start, end=end, today=today
    )
    dashboard = selectors.dashboard_for(user=personas.alice, today=today)
    assert (dashboard.organisations[0].loop.due, dashboard.organisations[0].loop.closed) == (
        expected.due,
        expected.closed,
    )
    assert expected.due >= 1
    html = _html(client_for("alice").get(HOME))
    assert f"{expected.closed} of {expected.due}" in html


def test_bob_reads_the_dashboard_without_being_offered_changes(client_for, samples):
    html = _html(client_for("bob").get(HOME))
    assert samples["action"].title in html
    assert reverse("improvement:plan_create") not in html


def test_charlie_sees_nothing_of_council_a(client_for, samples):
    response = client_for("charlie").get(HOME)
    assert response.status_code == 200
    assert MARKER not in _html(response)


def test_nina_gets_an_empty_state_then_plans_shared_with_her(client_for, personas, samples):
    html = _html(client_for("nina").get(HOME))
    assert "Your organisation has no self-assessments, action plans or walkthroughs" in html
    assert MARKER not in html
    share_create(actor=personas.alice, record=samples["plan"], partner=personas.national)
    html = _html(client_for("nina").get(HOME))
    assert "Plans shared with you" in html
    assert samples["plan"].title in html
    assert reverse("improvement:plan_detail", args=[samples["plan"].pk]) in html


def test_the_expert_by_experience_gets_404(client_for, samples):
    assert client_for("erin").get(HOME).status_code == 404


def test_the_dashboard_runs_a_fixed_number_of_queries(client_for, personas, samples, agreed):
    client = client_for("alice")
    client.get(HOME)
    today = timezone.localdate()

    def make_actions(n):
        for i in range(n):
            services.action_create(
                actor=personas.alice,
                organisation=personas.council_a,
                title=f"Dashboard {i}",
                source=ActionSource.SELF_ASSESSMENT,
                plan=samples["plan"],
                priority=samples["priority"],
                owner=personas.alice,
                due_on=today + (i % 40 - 10) * DAY,
            )

    make_actions(3)
    with CaptureQueriesContext(connection) as few:
        client.get(HOME)
    make_actions(27)
    with CaptureQueriesContext(connection) as many:
        client.get(HOME)
    assert len(few) == len(many)
