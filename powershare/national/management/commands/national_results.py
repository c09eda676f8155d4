"""python manage.py national_results --round YEAR [--format text|json]

A round's results, counted over the councils' sent returns: the same figures as the national
report and GET /api/national/rounds/{year}/results. JSON:
{"round": YEAR, "invited": M, "returns": N, "questions": [{"code", "text", "type", "answered",
"yes", "yes_pct"}]}, percentages rounded half up; a figure resting on fewer than 5 councils is
null.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from powershare.national import selectors


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class Command(BaseCommand):
    help = "Print a national survey round's results (sent returns only)."

    def add_arguments(self, parser):
        parser.add_argument("--round", dest="year", type=int, required=True)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, year, format, **options):
        survey_round = selectors.round_for_year(year=year)
        if survey_round is None:
            raise CommandError(f"There is no survey round {year}.", returncode=1)
        results = selectors.round_results(survey_round=survey_round).as_dict()
        if format == "json":
            self.stdout.write(json.dumps(results, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            f"Round {year} ({survey_round.period}): {results['returns']} of "
            f"{results['invited']} councils sent a return."
        )
        header = ["code", "type", "answered", "yes", "yes %", "question"]
        rows = [
            [
                q["code"],
                q["type"],
                str(q["answered"]),
                "" if q["yes"] is None else str(q["yes"]),
                "" if q["yes_pct"] is None else f"{q['yes_pct']}%",
                _short(q["text"]),
            ]
            for q in results["questions"]
        ]
        widths = [max(len(c) for c in column) for column in zip(header, *rows, strict=True)]
        for line in [header, *rows]:
            self.stdout.write(
                "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
            )
