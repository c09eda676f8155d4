"""Actions: due and overdue, matters arising, and where each came from."""

import datetime

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from ..models import OPEN_ACTION_STATUSES, Action, ActionStatus, Meeting


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


def matters_arising(*, meeting: Meeting) -> QuerySet[Action]:
    """Actions raised at the group's earlier meetings that were still open when this one met:
    an unfinished action is carried to every following meeting until it is done (or dropped);
    one finished before this meeting is not. Those finished on the day stay, to be reported."""
    return (
        Action.objects.filter(group_id=meeting.group_id)
        .filter(
            Q(meeting__met_on__lt=meeting.met_on)
            # Added to the action log between meetings.
            | Q(meeting__isnull=True, created_at__date__lt=meeting.met_on)
        )
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=meeting.met_on))
        .select_related("meeting", "owner", "owner_organisation")
        .order_by("meeting__met_on", "pk")
    )


def action_is_overdue(action: Action, *, today: datetime.date) -> bool:
    return (
        action.status in OPEN_ACTION_STATUSES
        and action.due_on is not None
        and (action.due_on < today)
    )


__all__ = ["ActionStatus", "action_is_overdue", "matters_arising", "overdue", "with_urgency"]
