"""`python manage.py send_reminders`: the daily reminder digests, safe to run from cron (a
second run on the same day sends nothing twice)."""

from django.core.management.base import BaseCommand

from powershare.accountability.services import reminders_send


class Command(BaseCommand):
    help = "Email staff a digest of responses and feedback due within 7 days or overdue."

    def handle(self, *args, **options):
        sent = reminders_send()
        self.stdout.write(f"Reminder digests sent: {sent}")
