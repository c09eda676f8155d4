"""python manage.py questionnaire_import FILE.csv --questionnaire CODE [--create] [--site-column COLUMN]

Imports answers (one row per person) into a questionnaire, all or nothing. Any value that
isn't allowed is listed with its row, column and the allowed values; the command then exits
with status 1 and nothing is imported.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from powershare.accounts.models import Organisation, OrganisationKind
from powershare.accounts.selectors import organisation_name_key, organisations_by_name_key
from powershare.evaluation import importing, selectors, services
from powershare.evaluation.models import QuestionnaireKind
from powershare.learning.models import LearningProduct


class Command(BaseCommand):
    help = "Import answers from a CSV or XLSX file into a questionnaire (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV (UTF-8) or XLSX file: one row per person.")
        parser.add_argument("--questionnaire", required=True, metavar="CODE")
        parser.add_argument(
            "--create",
            action="store_true",
            help="Create the questionnaire: every column but the site column becomes a question.",
        )
        parser.add_argument("--site-column", default="", metavar="COLUMN")
        parser.add_argument(
            "--organisation",
            default="",
            help="With --create: the organisation that owns the questionnaire (needed when "
            "there is more than one).",
        )
        parser.add_argument("--product", default="", metavar="SLUG", help="With --create.")
        parser.add_argument(
            "--kind", default=QuestionnaireKind.CUSTOM, choices=QuestionnaireKind.values
        )
        parser.add_argument("--title", default="")

    def _organisation(self, name: str) -> Organisation:
        if name:
            found = organisations_by_name_key().get(organisation_name_key(name))
            if found is None:
                raise CommandError(f'No organisation is called "{name}".')
            return found
        national = list(Organisation.objects.filter(kind=OrganisationKind.NATIONAL_BODY)[:2])
        if Organisation.objects.count() == 1:
            return Organisation.objects.get()
        if len(national) == 1:
            return national[0]
        raise CommandError(
            "Say which organisation owns the new questionnaire: --organisation NAME."
        )

    def handle(
        self,
        *args,
        file,
        questionnaire,
        create,
        site_column,
        organisation,
        product,
        kind,
        title,
        **options,
    ):
        if kind == QuestionnaireKind.NATIONAL and create:
            raise CommandError(
                "National survey rounds hold one return per council, not answers per person: "
                "make the round with python manage.py national_import --round YEAR --create "
                "FILE.csv"
            )
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file at {file}.")
        try:
            header, rows = importing.read_table(path.read_bytes(), path.name)
        except ValueError as error:
            raise CommandError(str(error)) from None
        existing = selectors.questionnaire_by_code(code=questionnaire)
        if existing is not None and existing.kind == QuestionnaireKind.NATIONAL:
            year = getattr(getattr(existing, "survey_round", None), "year", "YEAR")
            raise CommandError(
                f"{questionnaire} is a national survey round's questionnaire: it takes one "
                "return per council. Import returns with: python manage.py national_import "
                f"--round {year} FILE.csv"
            )
        owner = the_product = None
        if create and existing is None:
            owner = self._organisation(organisation)
            if product:
                the_product = LearningProduct.objects.filter(
                    organisation=owner, slug=product
                ).first()
                if the_product is None:
                    raise CommandError(f"{owner} has no learning product {product}.")
        plan = importing.build_plan(
            header=header,
            rows=rows,
            file_name=path.name,
            code=questionnaire,
            questionnaire=existing,
            create=create,
            site_column=site_column,
            organisation_id=owner.pk if owner else None,
            product=the_product,
            kind=kind,
            title=title,
        )
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Nothing was imported from {path.name}: fix the file and run again."
            )
        try:
            batch = services.responses_import(actor=None, plan=plan)
        except ValidationError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(
                f"Nothing was imported from {path.name}: fix the file and run again."
            ) from None
        total = batch.questionnaire.responses.count()
        self.stdout.write(
            f"Imported {batch.rows} responses into {batch.questionnaire.code} ({total} in all)."
        )
        if plan.create:
            for column in plan.columns:
                self.stdout.write(f"  new question {column.code}: {column.type}")
        if plan.unmatched_sites:
            self.stdout.write(
                "Sites kept as written (no organisation has that name): "
                + ", ".join(sorted(plan.unmatched_sites))
            )
        if plan.identifying_columns:
            self.stdout.write(
                "Left out because they could identify people: "
                + ", ".join(plan.identifying_columns)
            )
        if plan.ignored_columns:
            self.stdout.write(
                "Columns left out (no question matches): " + ", ".join(plan.ignored_columns)
            )
