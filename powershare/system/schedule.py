"""Work that runs on a timetable: purges, retention and (later) reminders.

Django's Tasks framework queues work but has no clock. Each app registers its timetabled tasks
here with `every`; the background worker (`manage.py db_worker`) calls `scheduled_tasks_enqueue_due`
on every heartbeat, and a server without a worker can run `manage.py run_scheduled` from cron
instead. A ScheduledRun row per task, locked while it is checked, means many workers queue each
task once per interval. Scheduled tasks must be idempotent: a late or repeated run is harmless.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scheduled:
    name: str
    interval: datetime.timedelta
    task: object  # a django.tasks Task taking no arguments


_SCHEDULE: dict[str, Scheduled] = {}


def every(interval: datetime.timedelta, *, name: str):
    """Register a task (decorated with @task, taking no arguments) to run every `interval`."""

    def register(task):
        _SCHEDULE[name] = Scheduled(name=name, interval=interval, task=task)
        return task

    return register


def scheduled() -> list[Scheduled]:
    return sorted(_SCHEDULE.values(), key=lambda item: item.name)


def scheduled_tasks_enqueue_due(*, now: datetime.datetime | None = None) -> list[str]:
    """Queue every scheduled task whose interval has passed since it was last queued; return
    their names."""
    from .models import ScheduledRun

    now = now or timezone.now()
    queued = []
    for item in scheduled():
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.select_for_update().filter(name=item.name).first()
                if run is None:
                    ScheduledRun.objects.create(name=item.name, last_queued_at=now)
                elif now - run.last_queued_at >= item.interval:
                    run.last_queued_at = now
                    run.save(update_fields=["last_queued_at"])
                else:
                    continue
                transaction.on_commit(item.task.enqueue)
                queued.append(item.name)
        except IntegrityError:  # another worker created the row first: it queued the task
            continue
    return queued
