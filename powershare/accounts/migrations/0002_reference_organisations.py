from django.db import migrations
from django.utils.text import slugify

from powershare.accounts.reference_data import COUNCILS, NATIONAL_BODIES, short_name_for_council


def load(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    rows = [(name, short_name_for_council(name), "local_authority") for name in COUNCILS]
    rows += NATIONAL_BODIES
    for name, short_name, kind in rows:
        Organisation.objects.update_or_create(
            slug=slugify(name),
            defaults={"name": name, "short_name": short_name, "kind": kind, "is_reference": True},
        )


def unload(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    Organisation.objects.filter(is_reference=True, memberships__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
