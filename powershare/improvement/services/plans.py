"""Action plans: made (optionally from one of the organisation's self-assessments), changed and
closed. Closing a plan needs every action in it finished or dropped, so nothing slips quietly
out of sight with it."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from powershare.accounts.models import Organisation, User

from ..models import OPEN_ACTION_STATUSES, ActionPlan, ActionReminder, SelfAssessment
from ._common import check_manages, text

__all__ = [
    "PLAN_FIELDS",
    "action_reminders_record",
    "plan_close",
    "plan_create",
    "plan_reopen",
    "plan_update",
]

PLAN_FIELDS = ("title", "assessment", "starts_on", "ends_on", "summary")


def _clean_plan(plan: ActionPlan) -> None:
    errors = {}
    if not plan.title:
        errors["title"] = "Give the plan a title, like “Trauma-informed practice 2026/27”."
    if plan.starts_on and plan.ends_on and plan.ends_on < plan.starts_on:
        errors["ends_on"] = "The end date must be on or after the start date."
    if plan.assessment_id is not None and (
        SelfAssessment.objects.filter(pk=plan.assessment_id)
        .values_list("organisation_id", flat=True)
        .first()
        != plan.organisation_id
    ):
        errors["assessment"] = "Choose one of your organisation's self-assessments."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_create(
    *,
    actor: User,
    organisation: Organisation,
    title: str,
    assessment: SelfAssessment | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    summary: str = "",
) -> ActionPlan:
    """A new plan. Made from a self-assessment, its actions sit under that assessment's
    priorities; the assessment must be the plan's own organisation's."""
    check_manages(actor, organisation.pk)
    plan = ActionPlan(
        organisation=organisation,
        created_by=actor,
        title=text(title, 200),
        assessment=assessment,
        starts_on=starts_on,
        ends_on=ends_on,
        summary=text(summary, 5000),
    )
    _clean_plan(plan)
    plan.save()
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: ActionPlan, **changes) -> ActionPlan:
    """Change a plan's title, dates, summary or assessment. Its assessment can't change while
    any of its actions sits under one of that assessment's priorities."""
    check_manages(actor, plan.organisation_id)
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"Not a plan field: {', '.join(sorted(unknown))}")
    new_assessment = changes.get("assessment", plan.assessment)
    new_assessment_id = new_assessment.pk if new_assessment is not None else None
    if new_assessment_id != plan.assessment_id:
        tied = plan.actions.filter(priority__isnull=False).exclude(
            priority__assessment_id=new_assessment_id
        )
        if tied.exists():
            raise ValidationError(
                {
                    "assessment": "Some actions sit under this assessment's priorities. Keep "
                    "the assessment, or make a new plan for the other one."
                }
            )
    for name, value in changes.items():
        if name == "title":
            value = text(value, 200)
        elif name == "summary":
            value = text(value, 5000)
        setattr(plan, name, value)
    _clean_plan(plan)
    plan.save()
    return plan


@transaction.atomic
def plan_close(*, actor: User, plan: ActionPlan) -> ActionPlan:
    """Mark the plan finished. Every action in it must be done or dropped first."""
    check_manages(actor, plan.organisation_id)
    still_open = plan.actions.filter(status__in=OPEN_ACTION_STATUSES).count()
    if still_open:
        raise ValidationError(
            {
                "__all__": f"{still_open} action{'s are' if still_open != 1 else ' is'} still "
                "open. Record each as done or no longer needed before closing the plan."
            }
        )
    if plan.closed_at is None:
        plan.closed_at = timezone.now()
        plan.save(update_fields=["closed_at", "updated_at"])
    return plan


@transaction.atomic
def plan_reopen(*, actor: User, plan: ActionPlan) -> ActionPlan:
    check_manages(actor, plan.organisation_id)
    if plan.closed_at is not None:
        plan.closed_at = None
        plan.save(update_fields=["closed_at", "updated_at"])
    return plan


def action_reminders_record(*, user_id: int, action_ids: list[int], today: datetime.date) -> None:
    """Remember which actions went into someone's digest today (so the next reminder of each
    waits: see selectors.action_reminders_due). Runs inside the digest's own transaction."""
    ActionReminder.objects.bulk_create(
        [ActionReminder(action_id=pk, user_id=user_id, sent_on=today) for pk in action_ids],
        ignore_conflicts=True,
    )
