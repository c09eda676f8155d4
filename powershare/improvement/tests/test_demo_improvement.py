"""The improvement demo: Fife's two self-assessments, plan and walkthrough, and the Scottish
Government's partnership group of 14 organisations with a running action log, all made through
the services; loading it again adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from powershare.accounts.models import User
from powershare.improvement import selectors
from powershare.improvement.demo import FIRST_ACTIONS, GROUP_NAME, SECOND_ACTIONS
from powershare.improvement.models import (
    Action,
    ActionPlan,
    ActionSource,
    AssessmentStatus,
    Meeting,
    PartnershipGroup,
    SelfAssessment,
    Walkthrough,
)


@pytest.fixture
def demo(demo_database, db):
    return None


def _user(email):
    return User.objects.get(email=email)


def test_the_partnership_group_has_14_member_organisations_and_three_meetings(demo):
    group = PartnershipGroup.objects.get(name=GROUP_NAME)
    assert group.members.filter(left_on__isnull=True).count() == 14
    meetings = list(group.meetings.order_by("met_on"))
    assert len(meetings) == 3
    first, second, third = meetings
    assert first.attendance.filter(status="apologies").count() == 2
    assert first.attendance.filter(status="present").count() == 12
    assert first.minutes_status == "agreed"


def test_unfinished_actions_are_carried_into_each_following_meeting(demo):
    group = PartnershipGroup.objects.get(name=GROUP_NAME)
    first, second, third = group.meetings.order_by("met_on")
    still_open = sum(1 for *_, outcome in FIRST_ACTIONS if outcome is None)
    closed_between = sum(1 for *_, outcome in FIRST_ACTIONS if isinstance(outcome, tuple))
    arising_second = selectors.matters_arising(meeting=second)
    # Everything from the first meeting except the one finished between meetings.
    assert arising_second.count() == len(FIRST_ACTIONS) - closed_between
    arising_third = list(selectors.matters_arising(meeting=third))
    assert len(arising_third) == still_open + len(SECOND_ACTIONS)
    assert all(a.is_open for a in arising_third)


def test_the_action_log_runs_across_meetings_with_overdue_first(demo):
    group = PartnershipGroup.objects.get(name=GROUP_NAME)
    actions = Action.objects.filter(group=group)
    assert actions.count() == len(FIRST_ACTIONS) + len(SECOND_ACTIONS)
    import datetime

    today = datetime.date.today()
    ordered = list(selectors.with_urgency(actions, today=today))
    overdue = [a for a in ordered if a.is_open and a.due_on and a.due_on < today]
    assert overdue, "the demo should show at least one overdue partnership action"
    assert ordered[: len(overdue)] == overdue


def test_fife_assessed_itself_twice_and_chose_three_priorities(demo):
    assessments = list(
        SelfAssessment.objects.filter(organisation__name="Fife Council").order_by("assessed_on")
    )
    assert [a.period for a in assessments] == ["2024/25", "2025/26"]
    assert all(a.status == AssessmentStatus.AGREED for a in assessments)
    latest = assessments[-1]
    assert latest.ratings.count() == 8
    assert sorted(
        latest.ratings.filter(is_priority=True).values_list("driver__key", flat=True)
    ) == [
        "policies-processes",
        "power-sharing",
        "staff-wellbeing",
    ]
    assert latest.participants.filter(kind="expert_by_experience").count() == 2


def test_fifes_plan_links_every_action_to_where_it_came_from(demo):
    plan = ActionPlan.objects.get(organisation__name="Fife Council")
    sources = set(plan.actions.values_list("source", flat=True))
    assert {
        ActionSource.SELF_ASSESSMENT,
        ActionSource.WALKTHROUGH,
        ActionSource.RESPONSE,
    } <= sources
    for action in plan.actions.all():
        if action.source == ActionSource.SELF_ASSESSMENT:
            assert action.priority is not None
            assert action.priority.is_priority
        if action.source == ActionSource.WALKTHROUGH:
            assert action.observation is not None
            assert action.walkthrough_id is not None
        if action.source == ActionSource.RESPONSE:
            assert action.response is not None
    assert plan.actions.filter(status="done").exists()


def test_the_walkthrough_covers_three_sites_with_paid_experts_by_experience(demo):
    walkthrough = Walkthrough.objects.get(organisation__name="Fife Council")
    assert walkthrough.sites.count() == 3
    assert walkthrough.team.filter(role="expert_by_experience").count() == 2
    assert walkthrough.activity is not None
    assert walkthrough.observations.count() == 6


def test_the_national_coordinator_sees_fifes_plan_only_because_it_was_shared(demo):
    ruth = _user("ruth.campbell@improvement.example")
    plans = selectors.plans_visible(user=ruth)
    assert list(plans.values_list("organisation__name", flat=True)) == ["Fife Council"]
    assert not selectors.assessments_visible(user=ruth).exists()


def test_learners_intentions_became_an_action(demo):
    assert Action.objects.filter(source=ActionSource.LEARNING_INTENTIONS).count() == 1


def test_loading_it_again_adds_nothing(demo):
    counts = (Action.objects.count(), Meeting.objects.count(), SelfAssessment.objects.count())
    out = StringIO()
    call_command("demo_data", "--force", stdout=out)
    assert (
        Action.objects.count(),
        Meeting.objects.count(),
        SelfAssessment.objects.count(),
    ) == counts
    assert "Improvement: 0 new records." in out.getvalue()
