"""Delete access-log records older than a date (run on the retention schedule)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from powershare.audit.services import access_event_prune


class Command(BaseCommand):
    help = "Delete records of who viewed personal data from before a date (YYYY-MM-DD)."

    def add_arguments(self, parser):
        parser.add_argument("--before-date", required=True, help="Keep records from this day on.")

    def handle(self, *args, before_date, **options):
        try:
            day = datetime.date.fromisoformat(before_date)
        except ValueError:
            raise CommandError(f"{before_date!r} is not a date like 2020-11-25.") from None
        deleted = access_event_prune(before=day)
        self.stdout.write(f"Deleted {deleted} access-log records from before {day:%d %B %Y}.")
