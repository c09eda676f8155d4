"""Check or rebuild the results' tallies (evaluation.tallies).

    python manage.py questionnaire_tallies --check      # exit status 1 when any tally is wrong
    python manage.py questionnaire_tallies --rebuild    # count everything afresh

The services keep the tallies right as answers come and go; this is for after a bulk load done
some other way, and for peace of mind. Counts only: nothing about any one response is shown.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from powershare.evaluation.models import Questionnaire, ResultTally
from powershare.evaluation.tallies import tallies_check, tallies_rebuild


class Command(BaseCommand):
    help = "Check the results' tallies against a fresh count, or count them afresh."

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--check", action="store_true", help="Compare with a fresh count.")
        what.add_argument("--rebuild", action="store_true", help="Count everything afresh.")
        parser.add_argument(
            "--questionnaire", metavar="CODE", help="Only this questionnaire (its code)."
        )

    def handle(self, *args, check: bool, rebuild: bool, questionnaire: str | None, **options):
        ids = None
        if questionnaire:
            found = Questionnaire.objects.filter(code=questionnaire).values_list("pk", flat=True)
            if not found:
                raise CommandError(f"No questionnaire has the code {questionnaire!r}.")
            ids = list(found)
        if rebuild:
            with transaction.atomic():
                tallies_rebuild(questionnaire_ids=ids)
            rows = ResultTally.objects.exclude(n=0)
            if ids is not None:
                rows = rows.filter(questionnaire_id__in=ids)
            self.stdout.write(f"Counted afresh: {rows.count():,} tallies.")
            return
        problems = tallies_check(questionnaire_ids=ids)
        if problems:
            for problem in problems[:50]:
                self.stderr.write(problem)
            if len(problems) > 50:
                self.stderr.write(f"... and {len(problems) - 50:,} more.")
            noun = "tally differs" if len(problems) == 1 else "tallies differ"
            raise CommandError(
                f"{len(problems):,} {noun} from a fresh count. "
                "`manage.py questionnaire_tallies --rebuild` counts them afresh."
            )
        self.stdout.write("Every tally equals a fresh count.")
