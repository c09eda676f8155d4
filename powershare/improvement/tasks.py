"""Background work for improvement: action reminders join accountability's daily digest.

Nobody gets a second email for their actions: accountability's one digest a day
(ReminderDigest) gains a section listing the improvement actions each person owns that are due
within 7 days or overdue (see selectors.action_reminders_due for who and how often)."""

import datetime

from django.urls import reverse

from powershare.accountability import reminders

REMINDER_KEY = "improvement_actions"


def action_reminders_collect(today: datetime.date) -> dict[int, list[reminders.ReminderItem]]:
    from . import selectors

    return {
        user_id: [
            reminders.ReminderItem(
                title=action.title,
                path=reverse("improvement:action_detail", args=[action.pk]),
                due_on=action.due_on,
                overdue=action.overdue,
                note=(
                    f"plan: {action.plan.title}"
                    if action.plan_id
                    else (f"group: {action.group.name}" if action.group_id else "")
                ),
                pk=action.pk,
            )
            for action in actions
        ]
        for user_id, actions in selectors.action_reminders_due(today=today).items()
    }


def action_reminders_record(*, user_id: int, items, today: datetime.date) -> None:
    from . import services

    services.action_reminders_record(
        user_id=user_id, action_ids=[item.pk for item in items], today=today
    )


reminders.register(
    REMINDER_KEY,
    "Improvement actions you own",
    action_reminders_collect,
    noun=("improvement action", "improvement actions"),
    record=action_reminders_record,
)
