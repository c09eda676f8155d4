"""python manage.py questionnaire_responses_export CODE [--output FILE]

Every response to a questionnaire as CSV (the file the results page's "Download every
response" gives), streamed to a file or to standard output. The download is written to the
access log, without a user (run on the server).
"""

from django.core.management.base import BaseCommand, CommandError

from powershare.audit.models import AccessEvent
from powershare.audit.services import access_event_record
from powershare.evaluation import selectors
from powershare.evaluation.models import QuestionnaireKind
from powershare.evaluation.responses_export import csv_chunks, responses_export


class Command(BaseCommand):
    help = "Write every response to a questionnaire as CSV (one row per response)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument(
            "--output", metavar="FILE", help="Write to this file (standard output unless given)."
        )

    def handle(self, *args, code, output, **options):
        questionnaire = selectors.questionnaire_by_code(code=code)
        if questionnaire is None:
            raise CommandError(f"There is no questionnaire with the code {code}.")
        if questionnaire.kind == QuestionnaireKind.NATIONAL:
            raise CommandError(
                f"{code} is a national survey round's questionnaire: its returns are named "
                "councils' answers, not anonymous responses. Use: python manage.py "
                "national_results"
            )
        export = responses_export(questionnaire=questionnaire)
        access_event_record(
            user=None,
            organisation_id=questionnaire.organisation_id,
            subject=questionnaire,
            description=(
                f"Responses to {questionnaire.title} written to "
                f"{output or 'standard output'} by manage.py ({export.responses} responses)"
            ),
            path=f"manage.py questionnaire_responses_export {code}",
            action=AccessEvent.Action.EXPORTED,
        )
        if output:
            # newline="": the CSV's own line endings are kept as written.
            with open(output, "w", encoding="utf-8", newline="") as file:
                for piece in csv_chunks(export):
                    file.write(piece)
            return
        for piece in csv_chunks(export):
            self.stdout.write(piece, ending="")
        self.stdout.flush()
