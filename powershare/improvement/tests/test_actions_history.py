"""An action's dated history decides each meeting's matters arising, so nothing done to an
action later changes what an earlier meeting carried; the history stays in order (no update
before the action was raised, no change of status before one already recorded, nothing dated
on or before a meeting whose minutes are agreed); agreed minutes keep the actions as they were
when agreed, on the page and in the Word and PDF minutes; and a closed plan takes no new or
reopened actions."""

import datetime
import io

import docx
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.improvement import selectors, services
from powershare.improvement.models import Action, ActionStatus, ActionUpdate
from tests.pdf_text import pdf_text

TODAY = timezone.localdate


def _days_ago(n: int) -> datetime.date:
    return TODAY() - datetime.timedelta(days=n)


@pytest.fixture
def group(personas):
    alice = personas.alice
    group = services.group_create(
        actor=alice, organisation=personas.council_a, name="History group"
    )
    services.member_add(actor=alice, group=group, organisation=personas.national)
    return group


def _meeting(personas, group, days_ago):
    return services.meeting_create(
        actor=personas.alice, group=group, met_on=_days_ago(days_ago), format="online"
    )


def _action(personas, meeting, title, **kwargs):
    return services.meeting_action_add(
        actor=personas.alice,
        meeting=meeting,
        title=title,
        owner_organisation=personas.national,
        owner_name="Adviser",
        **kwargs,
    )


def _progress(personas, action, days_ago, status="", note="Progress"):
    action.refresh_from_db()
    return services.action_progress_record(
        actor=personas.alice,
        action=action,
        status=status,
        note=note,
        written_on=_days_ago(days_ago),
    )


def _arising(meeting) -> list[str]:
    return [action.title for action in selectors.matters_arising(meeting=meeting)]


def _meeting_arising(meeting) -> list[str]:
    return [action.title for action in selectors.meeting_arising(meeting=meeting)]


# ---------------------------------------------------------------------------------------------
# Matters arising come from the history


def test_reopening_an_action_after_a_later_meeting_does_not_bring_it_back_to_that_meeting(
    personas, group
):
    first = _meeting(personas, group, 90)
    second = _meeting(personas, group, 60)
    third = _meeting(personas, group, 30)
    action = _action(personas, first, "Share the training dates")
    _progress(personas, action, 75, status=ActionStatus.DONE)  # before the second meeting
    assert _arising(second) == []
    assert _arising(third) == []
    # Reopened today: the meetings before today still didn't carry it.
    _progress(personas, action, 0, status=ActionStatus.IN_PROGRESS, note="More to do")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.closed_on is None
    assert _arising(second) == []
    assert _arising(third) == []
    assert _meeting_arising(second) == []
    # A meeting still to come carries it again.
    coming = services.meeting_create(
        actor=personas.alice,
        group=group,
        met_on=TODAY() + datetime.timedelta(days=7),
        format="online",
    )
    assert _arising(coming) == ["Share the training dates"]


def test_an_action_finished_on_the_day_of_a_meeting_stays_to_be_reported(personas, group):
    first = _meeting(personas, group, 90)
    second = _meeting(personas, group, 60)
    action = _action(personas, first, "Send the report")
    _progress(personas, action, 60, status=ActionStatus.DONE)
    assert _arising(second) == ["Send the report"]


def test_a_change_of_status_dated_before_one_already_recorded_is_refused(personas, group):
    first = _meeting(personas, group, 90)
    action = _action(personas, first, "Book the venue")
    _progress(personas, action, 45, status=ActionStatus.DONE)
    with pytest.raises(ValidationError, match="A later update already changed its status on"):
        _progress(personas, action, 60, status=ActionStatus.IN_PROGRESS)
    # A note without a change of status may still be dated earlier; the same day is fine.
    _progress(personas, action, 60, note="Venue shortlisted")
    _progress(personas, action, 45, status=ActionStatus.IN_PROGRESS, note="Venue fell through")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    assert action.closed_on is None


def test_an_update_dated_before_the_action_was_raised_is_refused(personas, group):
    meeting = _meeting(personas, group, 60)
    action = _action(personas, meeting, "Write the briefing")
    with pytest.raises(ValidationError, match="The action was raised on"):
        _progress(personas, action, 70, note="Started early")
    with pytest.raises(ValidationError, match="The action was raised on"):
        _progress(personas, action, 61, status=ActionStatus.DONE)
    assert not ActionUpdate.objects.filter(action=action).exists()
    _progress(personas, action, 60, note="Started on the day")


def test_a_backdated_close_is_refused_once_a_later_meetings_minutes_are_agreed(personas, group):
    first = _meeting(personas, group, 90)
    second = _meeting(personas, group, 60)
    action = _action(personas, first, "Send comments on the work plan")
    services.minutes_agree(actor=personas.alice, meeting=second)
    assert _arising(second) == ["Send comments on the work plan"]
    for days_ago in (70, 60):
        with pytest.raises(ValidationError, match="are agreed: date this update after"):
            _progress(personas, action, days_ago, status=ActionStatus.DONE)
    assert _arising(second) == ["Send comments on the work plan"]
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED
    # After that meeting it is fine.
    _progress(personas, action, 59, status=ActionStatus.DONE)
    assert _arising(second) == ["Send comments on the work plan"]


def test_adding_an_action_at_an_older_meeting_when_a_later_one_is_agreed_is_refused(
    personas, group
):
    first = _meeting(personas, group, 90)
    second = _meeting(personas, group, 60)
    services.minutes_agree(actor=personas.alice, meeting=second)
    with pytest.raises(ValidationError, match="are already agreed"):
        _action(personas, first, "Forgotten action")
    assert not Action.objects.filter(title="Forgotten action").exists()
    assert _arising(second) == []
    # A meeting after the agreed one is fine.
    third = _meeting(personas, group, 30)
    _action(personas, third, "New action")


def test_the_meetings_form_says_why_an_action_cannot_be_added_at_an_older_meeting(
    client_for, personas, group
):
    first = _meeting(personas, group, 90)
    second = _meeting(personas, group, 60)
    services.minutes_agree(actor=personas.alice, meeting=second)
    response = client_for("alice").post(
        reverse("improvement:meeting_detail", args=[first.pk]),
        {
            "action-title": "Forgotten action",
            "action-owner_organisation": personas.national.pk,
            "form_token": "f1",
        },
    )
    assert response.status_code == 200
    assert "are already agreed" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Agreed minutes keep the actions as they were


def _docx_rows(client, meeting) -> list[list[str]]:
    response = client.get(reverse("improvement:minutes_docx", args=[meeting.pk]))
    document = docx.Document(io.BytesIO(response.content))
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def test_editing_an_action_after_the_minutes_are_agreed_leaves_them_unchanged(
    client_for, personas, group
):
    first = _meeting(personas, group, 90)
    second = _meeting(personas, group, 60)
    action = _action(personas, first, "Share the evaluation plan", due_on=_days_ago(80))
    services.arising_progress_record(
        actor=personas.alice, meeting=second, action=action, note="Half done"
    )
    services.minutes_agree(actor=personas.alice, meeting=first, agreed_on=_days_ago(60))
    services.minutes_agree(actor=personas.alice, meeting=second)
    client = client_for("alice")
    before_docx = _docx_rows(client, second)

    action.refresh_from_db()
    services.action_update(
        actor=personas.alice,
        action=action,
        title="Rewritten title",
        owner_name="Someone else",
        due_on=_days_ago(10),
    )
    _progress(personas, action, 0, status=ActionStatus.DONE, note="Finished")

    page = client.get(reverse("improvement:meeting_detail", args=[second.pk])).content.decode()
    arising = page[page.index('id="arising"') : page.index('id="updates"')]
    assert "Share the evaluation plan" in arising
    assert "Rewritten title" not in arising
    assert "Adviser (" in arising
    assert "Someone else" not in arising
    assert f"{_days_ago(80):%-d %B %Y}" in arising
    assert "Not started" in arising
    assert "Done" not in arising
    assert "Reported here: Half done" in arising
    assert _docx_rows(client, second) == before_docx
    assert any(row[0] == "Share the evaluation plan" for row in before_docx)
    # The meeting where it was raised lists it as agreed too, in the page and the PDF.
    raised = client.get(reverse("improvement:meeting_detail", args=[first.pk])).content.decode()
    agreed_actions = raised[raised.index('id="actions"') :]
    assert "Share the evaluation plan" in agreed_actions
    assert "Rewritten title" not in agreed_actions
    pdf = pdf_text(client.get(reverse("improvement:minutes_pdf", args=[first.pk])).content)
    pdf = " ".join(pdf.split())
    assert "evaluation" in pdf
    assert "Rewritten" not in pdf
    # A draft meeting shows the action as it is now.
    third = _meeting(personas, group, 30)
    live = client.get(reverse("improvement:meeting_detail", args=[third.pk])).content.decode()
    assert "Rewritten title" in live


def test_an_agreed_meetings_page_runs_a_fixed_number_of_queries(client_for, personas, group):
    first = _meeting(personas, group, 90)
    second = _meeting(personas, group, 60)
    client = client_for("alice")
    url = reverse("improvement:meeting_detail", args=[second.pk])

    def carry(numbers):
        for n in numbers:
            action = _action(personas, first, f"Carried {n}")
            services.arising_progress_record(
                actor=personas.alice, meeting=second, action=action, note=f"Going {n}"
            )
            _action(personas, second, f"Raised {n}")

    carry(range(1))
    services.minutes_agree(actor=personas.alice, meeting=second)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    second.minutes_status = "draft"
    second.save(update_fields=["minutes_status"])
    carry(range(1, 10))
    second.agreed_record = {}
    second.save(update_fields=["agreed_record"])
    services.minutes_agree(actor=personas.alice, meeting=second)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert "Carried 9" in body
    assert "Going 9" in body
    assert "Raised 9" in body
    assert len(many.captured_queries) == len(few.captured_queries)


def test_matters_arising_run_one_query_however_many_actions(personas, group):
    first = _meeting(personas, group, 90)
    second = _meeting(personas, group, 60)
    for n in range(12):
        action = _action(personas, first, f"Action {n}")
        if n % 3 == 0:
            _progress(personas, action, 70, status=ActionStatus.DONE)
    with CaptureQueriesContext(connection) as queries:
        titles = _arising(second)
    assert len(titles) == 8
    assert len(queries.captured_queries) == 1


# ---------------------------------------------------------------------------------------------
# Closed plans


def test_a_closed_plan_takes_no_new_action_and_none_of_its_actions_reopens(personas):
    alice = personas.alice
    plan = services.plan_create(actor=alice, organisation=personas.council_a, title="Finished plan")
    action = services.action_create(
        actor=alice,
        organisation=personas.council_a,
        title="Done thing",
        source="other",
        plan=plan,
        owner_name="Lead",
    )
    services.action_progress_record(actor=alice, action=action, status=ActionStatus.DONE)
    services.plan_close(actor=alice, plan=plan)
    plan.refresh_from_db()
    with pytest.raises(ValidationError, match="so no new actions can be added to it"):
        services.action_create(
            actor=alice,
            organisation=personas.council_a,
            title="Late thing",
            source="other",
            plan=plan,
            owner_name="Lead",
        )
    action.refresh_from_db()
    with pytest.raises(ValidationError, match="plan is closed, so the action can't be reopened"):
        services.action_progress_record(actor=alice, action=action, status=ActionStatus.IN_PROGRESS)
    # Notes, and moving between done and no longer needed, are still fine.
    services.action_progress_record(actor=alice, action=action, note="Checked a month on")
    services.action_progress_record(actor=alice, action=action, status=ActionStatus.DROPPED)
