"""Actions: due and overdue, matters arising, and where each came from."""

import datetime

from django.db.models import (
    Case,
    CharField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from ..models import OPEN_ACTION_STATUSES, Action, ActionStatus, ActionUpdate, Meeting


def with_urgency(actions: QuerySet[Action], *, today: datetime.date) -> QuerySet[Action]:
    """Overdue first, then due soonest, then no date; finished last."""
    return actions.annotate(
        urgency=Case(
            When(Q(status__in=OPEN_ACTION_STATUSES, due_on__lt=today), then=Value(0)),
            When(Q(status__in=OPEN_ACTION_STATUSES, due_on__isnull=False), then=Value(1)),
            When(status__in=OPEN_ACTION_STATUSES, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    ).order_by("urgency", "due_on", "pk")


def overdue(actions: QuerySet[Action], *, today: datetime.date) -> QuerySet[Action]:
    return actions.filter(status__in=OPEN_ACTION_STATUSES, due_on__lt=today)


def status_on(day: datetime.date, *, inclusive: bool = False) -> Coalesce:
    """An action's status as its history tells it on `day`: that of the last update that
    changed its status dated before the day (or on it, with `inclusive`), ties by the order
    they were recorded; "not started" when none did. Status only changes through
    services.action_progress_record, so this holds however the action changed since."""
    dated = {"written_on__lte" if inclusive else "written_on__lt": day}
    return Coalesce(
        Subquery(
            ActionUpdate.objects.filter(action=OuterRef("pk"), **dated)
            .exclude(status="")
            .order_by("-written_on", "-pk")
            .values("status")[:1]
        ),
        Value(ActionStatus.NOT_STARTED),
        output_field=CharField(),
    )


def raised_before(day: datetime.date) -> Q:
    """Raised at a meeting before `day`, or added to the log between meetings before it."""
    return Q(meeting__met_on__lt=day) | Q(meeting__isnull=True, created_at__date__lt=day)


def matters_arising(*, meeting: Meeting) -> QuerySet[Action]:
    """Actions raised at the group's earlier meetings (or added to its log before this one)
    that were still open when this one met: an unfinished action is carried to every following
    meeting until it is done (or dropped); one finished before this meeting is not. Those
    finished on the day stay, to be reported.

    "Open when it met" comes from the actions' dated history, not their status today, so
    reopening, editing or finishing an action later never changes an earlier meeting's list.
    One query."""
    return (
        Action.objects.filter(group_id=meeting.group_id)
        .filter(raised_before(meeting.met_on))
        .annotate(status_then=status_on(meeting.met_on))
        .filter(status_then__in=OPEN_ACTION_STATUSES)
        .select_related("meeting", "owner", "owner_organisation")
        .order_by("meeting__met_on", "pk")
    )


def action_is_overdue(action: Action, *, today: datetime.date) -> bool:
    return (
        action.status in OPEN_ACTION_STATUSES
        and action.due_on is not None
        and (action.due_on < today)
    )


__all__ = [
    "ActionStatus",
    "action_is_overdue",
    "matters_arising",
    "overdue",
    "raised_before",
    "status_on",
    "with_urgency",
]
