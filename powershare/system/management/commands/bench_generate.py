"""Fill the database with made-up records for the benchmarks (issue 12).

    python manage.py bench_generate --scale small|national --seed N

National scale: 32 councils, 6,000 experts by experience, 30,000 activities, 300,000
contributions with responses, 2,000 deliveries, 200,000 bookings and 1,000,000 anonymous
questionnaire responses. Meant for a throwaway database (`make bench` makes one): it refuses to
run with debug off unless --force, so it never lands in a live service by mistake.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from powershare.system.benchgen import SCALES
from powershare.system.benchgen.run import generate


class Command(BaseCommand):
    help = "Fill the database with made-up records at a stated scale, for the benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")
        parser.add_argument(
            "--force", action="store_true", help="Run even with debug off (never on live data)."
        )

    def handle(self, *args, scale, seed, force: bool = False, **options):
        if not (settings.DEBUG or force):
            raise CommandError(
                "bench_generate fills the database with made-up records. Debug is off, so this "
                "looks like a live service; nothing was made. Use --force on a throwaway "
                "database."
            )
        report = generate(scale=scale, seed=seed, say=lambda line: self.stderr.write(line))
        if report["problems"]:
            raise CommandError(
                "The made-up records break rules the services keep (they are in the database "
                "already: the checks run after the data is committed, so drop this throwaway "
                "database):\n- " + "\n- ".join(report["problems"])
            )
        if options["json"]:
            self.stdout.write(_json_dumps(report))
        else:
            self.stdout.write(
                f"Made {sum(report['counts'].values()):,} rows at {scale} scale in "
                f"{report['seconds']} s."
            )


def _json_dumps(report: dict) -> str:
    return json.dumps(report, indent=2)
