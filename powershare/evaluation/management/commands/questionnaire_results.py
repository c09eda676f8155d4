"""python manage.py questionnaire_results CODE --format json|csv|table [--by site]"""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from powershare.evaluation import selectors
from powershare.evaluation.exports import results_rows
from powershare.evaluation.models import QuestionnaireKind


def _short(text: str, width: int = 50) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class Command(BaseCommand):
    help = "Print a questionnaire's results (counted in the database)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--format", choices=["json", "csv", "table"], default="table")
        parser.add_argument("--by", choices=["site"], default=None)
        parser.add_argument(
            "--threshold", type=int, default=None, help="Smallest group shown by site (3 or more)."
        )

    def handle(self, *args, code, format, by, threshold, **options):
        questionnaire = selectors.questionnaire_by_code(code=code)
        if questionnaire is None:
            raise CommandError(f"There is no questionnaire with the code {code}.")
        if questionnaire.kind == QuestionnaireKind.NATIONAL:
            year = getattr(getattr(questionnaire, "survey_round", None), "year", "YEAR")
            raise CommandError(
                f"{code} is a national survey round's questionnaire: its results count sent "
                f"returns only. Use: python manage.py national_results --round {year}"
            )
        if threshold is not None and threshold < selectors.MIN_THRESHOLD:
            raise CommandError("The smallest group shown must be 3 or more.")
        results = selectors.questionnaire_results(
            questionnaire=questionnaire, by_site=by == "site", threshold=threshold
        )
        if format == "json":
            self.stdout.write(json.dumps(results.as_dict(), indent=2, ensure_ascii=False))
            return
        header, rows = results_rows(results)
        if format == "table":
            rows = [[*row[:2], _short(row[2]), *row[3:]] for row in rows]
        if format == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(header)
            writer.writerows(rows)
            return
        widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
        self.stdout.write(f"{questionnaire.code}: {results.responses} responses")
        for line in [header, *rows]:
            self.stdout.write(
                "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=False)).rstrip()
            )
