"""The feedback dashboard ("feedback owed"), the figures and who may see them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accountability import services
from powershare.accountability.views import when_due
from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.engagement.models import (
    Activity,
    ActivityKind,
    ActivitySetting,
    Contribution,
    ContributionKind,
    Ladder,
    UseLevel,
)
from powershare.engagement.tests import factories as make
from tests.personas import MARKER, sign_in

DASHBOARD = reverse("accountability:dashboard")
METRICS = reverse("accountability:metrics")


def _days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def _titles(html: str) -> list[str]:
    """The activity titles in the dashboard's table, in order."""
    return re.findall(r'<a href="/feedback/activities/\d+/">([^<]+)</a>', html)


@pytest.fixture
def leader(personas):
    user = User.objects.create_user(
        email="lena@a.example", password="x" * 20, full_name="Lena Leader"
    )
    Membership.objects.create(user=user, organisation=personas.council_a, role=Role.LEADER)
    return user


@pytest.fixture
def loops(personas):
    """Four activities of council A that have started, each with a contribution waiting: one
    overdue, one due in 5 days, one due in 40 days, and one closed (answered and told)."""
    a = personas.council_a
    made = {}
    for name, due in (("Later", 40), ("Soon", 5), ("Overdue", -3), ("Closed", -1)):
        activity = make.activity(a, f"Loop {name}", days_ago=30, feedback_due_on=_days(due))
        made[name] = activity
        make.contribution(activity, text=f"What was said at {name}")
    closed = made["Closed"]
    services.response_create(
        actor=personas.alice,
        activity=closed,
        contributions=list(closed.contributions.all()),
        decision="done",
        what_will_change="We did it.",
    )
    letter = services.letter_draft_start(actor=personas.alice, activity=closed)
    services.letter_send(actor=personas.alice, letter=letter)
    return made


def test_overdue_comes_first_then_due_soon_then_the_rest(client_for, loops):
    html = client_for("alice").get(DASHBOARD).content.decode()
    titles = [t for t in _titles(html) if t.startswith("Loop ")]
    assert titles == ["Loop Overdue", "Loop Soon", "Loop Later"]
    assert "Loop Closed" not in html


def test_overdue_is_impossible_to_miss(client_for, loops):
    html = client_for("alice").get(DASHBOARD).content.decode()
    warning = html.split('id="overdue-warning"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "1 activity has passed its feedback date" in warning
    assert html.index('id="overdue-warning"') < html.index("<table")
    assert "3 days overdue" in html
    assert "Due in 5 days" in html


def test_no_warning_when_nothing_is_overdue(client_for, personas):
    make.activity(personas.council_a, "Fine", days_ago=3, feedback_due_on=_days(20))
    html = client_for("alice").get(DASHBOARD).content.decode()
    assert 'id="overdue-warning"' not in html


def test_each_row_counts_contributions_without_a_response(client_for, personas):
    activity = make.activity(personas.council_a, "Counted", days_ago=5)
    for i in range(3):
        make.contribution(activity, text=f"Point {i}")
    services.response_create(
        actor=personas.alice,
        activity=activity,
        contributions=[activity.contributions.first()],
        decision="will_do",
        what_will_change="Something.",
    )
    html = client_for("alice").get(DASHBOARD, {"q": "Counted"}).content.decode()
    assert "2 of 3" in html
    assert "Ready to send feedback" not in html
    assert "Waiting for responses" in html


def test_search_narrows_the_list(client_for, loops):
    html = client_for("alice").get(DASHBOARD, {"q": "soon"}).content.decode()
    assert [t for t in _titles(html) if t.startswith("Loop ")] == ["Loop Soon"]
    assert "Show every activity" in html


def test_the_participation_lead_gets_respond_links(client_for, loops):
    html = client_for("alice").get(DASHBOARD).content.decode()
    assert reverse("accountability:respond", args=[loops["Overdue"].pk]) in html


def test_a_leader_sees_the_dashboard_without_buttons(client, leader, loops):
    sign_in(client, leader)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert [t for t in _titles(html) if t.startswith("Loop ")] == [
        "Loop Overdue",
        "Loop Soon",
        "Loop Later",
    ]
    assert "/respond/" not in html
    assert client.get(reverse("accountability:respond", args=[loops["Soon"].pk])).status_code == 404
    assert client.get(METRICS).status_code == 200


def test_a_facilitator_sees_it_read_only(client_for, loops):
    html = client_for("bob").get(DASHBOARD).content.decode()
    assert "Loop Overdue" in html
    assert "/respond/" not in html


@pytest.mark.parametrize("persona", ["erin", "nina"])
def test_people_without_a_view_of_activities_get_404(client_for, persona):
    client = client_for(persona)
    for url in (DASHBOARD, METRICS, reverse("accountability:response_list")):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_sign_in(client_for):
    response = client_for(None).get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_council_sees_none_of_council_a(client_for, samples, loops):
    html = client_for("charlie").get(DASHBOARD).content.decode()
    assert MARKER not in html
    assert "Loop Overdue" not in html


def test_several_organisations_are_named(client_for, personas, loops):
    Membership.objects.create(
        user=personas.alice, organisation=personas.council_b, role=Role.PARTICIPATION_LEAD
    )
    make.activity(personas.council_b, "Council B loop", days_ago=3)
    html = client_for("alice").get(DASHBOARD).content.decode()
    assert "Council B loop" in html
    assert personas.council_b.display_name in html


def test_when_due_reads_plainly():
    today = datetime.date(2026, 3, 14)
    assert when_due(datetime.date(2026, 3, 11), today) == "3 days overdue"
    assert when_due(datetime.date(2026, 3, 13), today) == "1 day overdue"
    assert when_due(today, today) == "due today"
    assert when_due(datetime.date(2026, 3, 15), today) == "due in 1 day"


def test_it_survives_any_query_string(client_for):
    client = client_for("alice")
    for params in ({"q": "x" * 5000}, {"q": "\x00"}, {"page": "999"}, {"page": "abc"}):
        assert client.get(DASHBOARD, params).status_code == 200


# ---------------------------------------------------------------------------------------------
# A fixed number of queries


def _many(organisation, count, start=0):
    ladder = Ladder.objects.get(organisation=None, slug="arnstein")
    rung = ladder.rungs.get(position=4)
    today = timezone.localdate()
    activities = Activity.objects.bulk_create(
        Activity(
            organisation=organisation,
            title=f"Bulk activity {start + i:04}",
            purpose="Bulk",
            kind=ActivityKind.FOCUS_GROUP,
            starts_on=today - datetime.timedelta(days=30 + i % 300),
            ends_on=today - datetime.timedelta(days=30 + i % 300),
            setting=ActivitySetting.ONLINE,
            feedback_due_on=today + datetime.timedelta(days=i % 60 - 20),
            ladder=ladder,
            rung=rung,
        )
        for i in range(count)
    )
    Contribution.objects.bulk_create(
        Contribution(
            organisation=organisation,
            activity=activity,
            group_label="Group",
            group_consent_held_by="Partner",
            kind=ContributionKind.VIEW,
            text="Said",
            use_level=UseLevel.INTERNAL,
        )
        for activity in activities[::2]
    )


def test_the_dashboard_runs_a_fixed_number_of_queries(client_for, personas):
    _many(personas.council_a, 10)
    client = client_for("alice")
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as few:
        assert client.get(DASHBOARD).status_code == 200
    _many(personas.council_a, 990, start=10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(DASHBOARD, {"page": 3})
    html = response.content.decode()
    assert "1000 activities waiting for feedback" in html
    assert len(_titles(html)) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


# ---------------------------------------------------------------------------------------------
# The figures


def test_the_figures_show_their_counts(client_for, personas, loops):
    html = client_for("alice").get(METRICS).content.decode()
    section = html.split(personas.council_a.display_name, 1)[1]
    # Due in the last 12 months: "Overdue" (3 days ago) and "Closed" (yesterday).
    assert "1 of 2 (50%) activities" in section
    assert "Median days" in section


def test_a_period_that_ends_before_it_starts_is_explained_not_an_error(client_for, loops):
    response = client_for("alice").get(METRICS, {"from": "2026-03-01", "to": "2025-03-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "The end of the period must be on or after its start" in html
    assert "There is a problem" in html


@pytest.mark.parametrize(
    "params",
    [
        {"from": "not a date", "to": ""},
        {"from": "1800-01-01"},
        {"to": "99999-01-01"},
        {"from": "31/02/2026"},
        {"from": "\x00"},
    ],
)
def test_odd_dates_are_explained(client_for, params):
    response = client_for("alice").get(METRICS, params)
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_a_chosen_period_is_used(client_for, personas, loops):
    start = _days(-2).isoformat()
    end = _days(60).isoformat()
    html = client_for("alice").get(METRICS, {"from": start, "to": end}).content.decode()
    section = html.split(personas.council_a.display_name, 1)[1]
    # Due in the period: "Closed" (yesterday), "Soon" (5 days) and "Later" (40 days).
    assert "1 of 3 (33%) activities" in section
