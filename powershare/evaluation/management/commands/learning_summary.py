"""python manage.py learning_summary PRODUCT_SLUG --format json|text"""

import json

from django.core.management.base import BaseCommand, CommandError

from powershare.evaluation import selectors
from powershare.learning.models import LearningProduct


class Command(BaseCommand):
    help = "Print a learning product's evaluation: attendance, response rates and results."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument(
            "--organisation", default="", help="When two organisations use the slug."
        )

    def handle(self, *args, slug, format, organisation, **options):
        products = LearningProduct.objects.filter(slug=slug)
        if organisation:
            products = products.filter(organisation__name__iexact=organisation)
        found = list(products[:2])
        if not found:
            raise CommandError(f"There is no learning product {slug}.")
        if len(found) > 1:
            raise CommandError(f"Two organisations have a product {slug}: add --organisation NAME.")
        evaluation = selectors.product_evaluation(product=found[0])
        data = evaluation.as_dict()
        if format == "json":
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        self.stdout.write(found[0].title)
        for site in data["attendance"]["sites"]:
            self.stdout.write(f"  {site['site']}: " + " | ".join(map(str, site["sessions"])))
        self.stdout.write("  Total: " + " | ".join(map(str, data["attendance"]["totals"])))
        for q in data["questionnaires"]:
            self.stdout.write(
                f"{q['code']} ({q['kind']}): {q['responses']} responses, {q['response_rate_pct']}%"
            )
        for o in data["outcomes"]:
            self.stdout.write(f"  ILO {o['ilo']}: {o['pre_agree_pct']}% -> {o['post_agree_pct']}%")
