"""Queue every scheduled task that is due (for servers that run cron instead of a worker)."""

from django.core.management.base import BaseCommand

from powershare.system.schedule import scheduled_tasks_enqueue_due


class Command(BaseCommand):
    help = "Queue the scheduled tasks that are due (the worker also does this on its own)."

    def handle(self, *args, **options):
        queued = scheduled_tasks_enqueue_due()
        self.stdout.write(f"Queued: {', '.join(queued)}" if queued else "Nothing is due.")
