"""Summaries of learning record how many responses their PDF was made from (issue 12): a new
answer makes the PDF out of date by changing the count, so a submission writes nothing to the
summary. PDFs already made, and up to date, get today's count."""

from django.db import migrations, models
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

RESPONSES = 0  # TallyKind.RESPONSES, as of migration 0003


def record_counts(apps, schema_editor):
    LearningSummary = apps.get_model("evaluation", "LearningSummary")
    ResultTally = apps.get_model("evaluation", "ResultTally")
    total = (
        ResultTally.objects.filter(
            questionnaire__product_id=OuterRef("product_id"), kind=RESPONSES
        )
        .order_by()
        .values("questionnaire__product_id")
        .annotate(total=Sum("n"))
        .values("total")
    )
    LearningSummary.objects.filter(status="ready", needs_remaking=False).exclude(pdf="").update(
        responses_when_made=Coalesce(Subquery(total, output_field=IntegerField()), 0)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0003_result_tallies"),
    ]

    operations = [
        migrations.AddField(
            model_name="learningsummary",
            name="responses_when_made",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(record_counts, migrations.RunPython.noop),
    ]
