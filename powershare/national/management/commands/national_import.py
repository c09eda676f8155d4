"""python manage.py national_import --round YEAR [--create] [--replace] FILE.csv

Imports council returns to a national survey round from a CSV file, one row per council (see
powershare/national/importing.py for the file's columns and rules). All or nothing: every
problem is printed to stderr as "Row N, column X: ...", the command exits with status 1, and
nothing is stored (a bad file never ends in a traceback). Imported returns are stored as sent.
A file over 10 MB is refused before it is read.
"""

import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from powershare.national import importing

#: The biggest file read: 32 councils' returns fit many times over.
MAX_FILE_BYTES = 10_000_000


class Command(BaseCommand):
    help = "Import councils' returns to a national survey round from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A CSV file (UTF-8), one row per council.")
        parser.add_argument(
            "--round",
            dest="year",
            type=int,
            required=True,
            help="The round's year: the year its report is published (2025 covers 2024/25).",
        )
        parser.add_argument(
            "--create",
            action="store_true",
            help="Make the round if there is none, and a question for each unknown column.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the returns of councils that have already started or sent one.",
        )

    def handle(self, *args, file, year, create, replace, **options):
        path = Path(file)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise CommandError(
                    f"{file} is too big to import ({size / 1_000_000:.1f} MB): a file of "
                    f"returns is at most {MAX_FILE_BYTES // 1_000_000} MB. Check it is the "
                    "right file, one row per council.",
                    returncode=1,
                )
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Can't read {file}: {error.strerror or error}.") from None
        try:
            checked = importing.check_file(data, year=year, create=create, replace=replace)
        except (UnicodeDecodeError, csv.Error, ValueError) as error:
            # check_file reports these itself; a message, never a traceback, all the same.
            self._fail([f"The file can't be read: {error}."], 1)
        except ValidationError as error:
            self._fail(error.messages, len(error.messages))
        if not checked.ok:
            self._fail(checked.errors, checked.error_count)
        try:
            survey_round, count = importing.import_apply(checked)
        except ValidationError as error:
            # Checked above; a rule only the services know, or a return started since the
            # check (nothing was stored).
            self._fail(error.messages, len(error.messages))
        for note in checked.notes:
            self.stdout.write(note)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {count} return{'' if count == 1 else 's'} to round {survey_round.year}."
            )
        )

    def _fail(self, errors: list[str], count: int):
        for message in errors:
            self.stderr.write(message)
        raise CommandError(
            f"Nothing was imported: {count} problem{'s' if count != 1 else ''} (listed above). "
            "Fix the file and run the command again.",
            returncode=1,
        )
