"""Actions: made from their source (which must be the organisation's own), updated with dated
progress and evidence, and finished or dropped with the day it happened."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from powershare.accounts.models import Membership, Organisation, User

from ..models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionPlan,
    ActionSource,
    ActionStatus,
    ActionUpdate,
    DriverRating,
    Meeting,
    MinutesStatus,
    Observation,
    PartnershipGroup,
    SelfAssessment,
    Walkthrough,
)
from ._common import check_manages, text

ACTION_FIELDS = ("title", "description", "owner", "owner_name", "owner_organisation", "due_on")


def _check_owner(action: Action) -> None:
    if action.owner_id is None:
        return
    if not Membership.objects.filter(
        user_id=action.owner_id, organisation_id=action.organisation_id, ended_at__isnull=True
    ).exists() and not (
        action.group_id is not None
        and Membership.objects.filter(
            user_id=action.owner_id,
            organisation__partnership_memberships__group_id=action.group_id,
            ended_at__isnull=True,
        ).exists()
    ):
        raise ValidationError({"owner": "Choose someone who works in the organisation."})


def _clean(action: Action) -> None:
    errors = {}
    if not action.title.strip():
        errors["title"] = "Say what will be done."
    if (
        action.owner_id is None
        and not action.owner_name.strip()
        and action.owner_organisation_id is None
    ):
        errors["owner"] = "Say who will do it: a member of staff, a name or an organisation."
    if errors:
        raise ValidationError(errors)
    _check_owner(action)


def _check_source(action: Action) -> None:
    """Each source must be the action's own organisation's (or its group's) record."""
    org = action.organisation_id
    wrong = ValidationError({"source": "That is not one of this organisation's records."})
    if (
        action.plan_id
        and ActionPlan.objects.filter(pk=action.plan_id)
        .values_list("organisation_id", flat=True)
        .first()
        != org
    ):
        raise wrong
    if action.priority_id:
        rating = DriverRating.objects.select_related("assessment").get(pk=action.priority_id)
        if rating.assessment.organisation_id != org:
            raise wrong
        if action.plan_id and action.plan.assessment_id not in (None, rating.assessment_id):
            raise ValidationError({"priority": "Choose one of this plan's priorities."})
        action.assessment_id = rating.assessment_id
    if (
        action.assessment_id
        and SelfAssessment.objects.filter(pk=action.assessment_id)
        .values_list("organisation_id", flat=True)
        .first()
        != org
    ):
        raise wrong
    if action.observation_id:
        observation = Observation.objects.select_related("walkthrough").get(
            pk=action.observation_id
        )
        action.walkthrough_id = observation.walkthrough_id
    if (
        action.walkthrough_id
        and Walkthrough.objects.filter(pk=action.walkthrough_id)
        .values_list("organisation_id", flat=True)
        .first()
        != org
    ):
        raise wrong
    if action.meeting_id:
        group_id = (
            Meeting.objects.filter(pk=action.meeting_id).values_list("group_id", flat=True).first()
        )
        if action.group_id is None:
            action.group_id = group_id
        elif action.group_id != group_id:
            raise wrong
    if (
        action.group_id
        and PartnershipGroup.objects.filter(pk=action.group_id)
        .values_list("organisation_id", flat=True)
        .first()
        != org
    ):
        raise wrong
    if action.response_id and action.response.organisation_id != org:
        raise wrong
    if action.question_id and action.question.questionnaire.organisation_id != org:
        raise wrong
    if action.group_id and (action.plan_id or action.priority_id):
        # A group's action belongs to the group, whose members see it: never in a private plan.
        raise ValidationError(
            {
                "plan": "An action of a partnership group sits in the group's action log, not in a plan."
            }
        )
    needs = {
        ActionSource.SELF_ASSESSMENT: action.assessment_id,
        ActionSource.WALKTHROUGH: action.walkthrough_id,
        ActionSource.PARTNERSHIP_MEETING: action.group_id,
        ActionSource.RESPONSE: action.response_id,
        ActionSource.LEARNING_INTENTIONS: action.question_id,
        ActionSource.OTHER: True,
    }
    if action.source not in needs:
        raise ValidationError({"source": "Choose where the action came from."})
    if not needs[action.source]:
        raise ValidationError({"source": "Say which record the action came from."})


@transaction.atomic
def action_create(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    source: str,
    description: str = "",
    plan: ActionPlan | None = None,
    priority: DriverRating | None = None,
    group: PartnershipGroup | None = None,
    meeting: Meeting | None = None,
    assessment: SelfAssessment | None = None,
    walkthrough: Walkthrough | None = None,
    observation: Observation | None = None,
    response=None,
    question=None,
    source_note: str = "",
    owner: User | None = None,
    owner_name: str = "",
    owner_organisation: Organisation | None = None,
    due_on: datetime.date | None = None,
) -> Action:
    """A new action, linked back to where it came from."""
    check_manages(actor, organisation.pk)
    if plan is not None and plan.closed_at is not None:
        raise ValidationError(
            {
                "plan": f"“{plan.title}” was closed on {timezone.localtime(plan.closed_at):%-d %B %Y}, "
                "so no new actions can be added to it. Add the action to a current plan."
            }
        )
    action = Action(
        organisation=organisation,
        created_by=actor,
        title=text(title, 300),
        description=text(description, 5000),
        source=source,
        plan=plan,
        priority=priority,
        group=group,
        meeting=meeting,
        assessment=assessment,
        walkthrough=walkthrough,
        observation=observation,
        response=response,
        question=question,
        source_note=text(source_note, 2000),
        owner=owner,
        owner_name=text(owner_name, 200),
        owner_organisation=owner_organisation,
        due_on=due_on,
    )
    _clean(action)
    _check_source(action)
    action.save()
    return action


@transaction.atomic
def action_update(*, actor: User, action: Action, **changes) -> Action:
    """Change what the action is, who owns it or when it is due (not its source)."""
    check_manages(actor, action.organisation_id)
    unknown = set(changes) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"Not an action field: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        if name in ("title", "owner_name"):
            value = text(value, 300 if name == "title" else 200)
        elif name == "description":
            value = text(value, 5000)
        setattr(action, name, value)
    _clean(action)
    action.save()
    return action


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def _raised_on(action: Action) -> datetime.date | None:
    """The day a partnership action was raised: its meeting's, or the day it was added to the
    group's log. None for other actions, whose work may well have begun before they were
    written down here."""
    if action.meeting_id is not None:
        return Meeting.objects.filter(pk=action.meeting_id).values_list("met_on", flat=True).first()
    if action.group_id is not None and action.created_at is not None:
        return timezone.localtime(action.created_at).date()
    return None


def _check_history(action: Action, *, written_on: datetime.date, status: str, meeting) -> None:
    """An update keeps the action's history in order, so what each meeting's minutes said
    stays true: not dated before the action was raised; a change of status not dated before
    an earlier recorded change; and, for a group's action, nothing dated on or before a
    meeting whose minutes are agreed."""
    raised = _raised_on(action)
    if raised is not None and written_on < raised:
        raise ValidationError(
            {
                "written_on": f"The action was raised on {_day(raised)}: date the update on "
                "or after that day."
            }
        )
    if status:
        latest = (
            ActionUpdate.objects.filter(action=action)
            .exclude(status="")
            .order_by("-written_on", "-pk")
            .values_list("written_on", flat=True)
            .first()
        )
        if latest is not None and written_on < latest:
            raise ValidationError(
                {
                    "written_on": "A later update already changed its status on "
                    f"{_day(latest)}: date this one on or after it."
                }
            )
        if (
            status in OPEN_ACTION_STATUSES
            and action.status not in OPEN_ACTION_STATUSES
            and action.plan_id is not None
            and ActionPlan.objects.filter(pk=action.plan_id, closed_at__isnull=False).exists()
        ):
            raise ValidationError(
                {
                    "status": "The action's plan is closed, so the action can't be reopened. "
                    "If there is more to do, add a new action to a current plan."
                }
            )
    if action.group_id is not None:
        agreed = (
            Meeting.objects.filter(
                group_id=action.group_id,
                minutes_status=MinutesStatus.AGREED,
                met_on__gte=written_on,
            )
            .order_by("-met_on", "-pk")
            .only("pk", "met_on")
            .first()
        )
        if agreed is not None and not (meeting is not None and meeting.pk == agreed.pk):
            raise ValidationError(
                {
                    "written_on": f"The minutes of the meeting on {_day(agreed.met_on)} are "
                    "agreed: date this update after that meeting."
                }
            )


@transaction.atomic
def action_progress_record(
    *,
    actor: User,
    action: Action,
    note: str = "",
    evidence: str = "",
    status: str = "",
    written_on: datetime.date | None = None,
    meeting: Meeting | None = None,
) -> ActionUpdate:
    """A dated update: what happened, what shows it, and the status it moved to (if any).
    Done or dropped records the day; reopening clears it.

    The dated updates are the action's history, from which each meeting's matters arising
    are worked out (selectors.matters_arising), so an update may not be dated before the
    action was raised, a change of status may not be dated before one already recorded, and
    a group's action takes no update dated on or before a meeting whose minutes are agreed.
    So the latest change of status is always the one the action shows."""
    check_manages(actor, action.organisation_id)
    words = text(note, 5000)
    if status and status not in ActionStatus.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if not words and not status:
        raise ValidationError({"text": "Say what has happened, or change the status."})
    if meeting is not None and meeting.group_id != action.group_id:
        raise ValidationError({"meeting": "That meeting is not this action's group's."})
    today = timezone.localdate()
    written_on = written_on or (meeting.met_on if meeting else today)
    if written_on > today:
        raise ValidationError({"written_on": "The update's date can't be in the future."})
    if status == action.status:
        status = ""
    _check_history(action, written_on=written_on, status=status, meeting=meeting)
    update = ActionUpdate.objects.create(
        action=action,
        written_on=written_on,
        text=words or f"Status changed to {ActionStatus(status).label.lower()}.",
        evidence=text(evidence, 2000),
        status=status,
        meeting=meeting,
        written_by=actor,
    )
    if status:
        action.status = status
        action.closed_on = None if status in OPEN_ACTION_STATUSES else written_on
        action.save(update_fields=["status", "closed_on", "updated_at"])
    return update
