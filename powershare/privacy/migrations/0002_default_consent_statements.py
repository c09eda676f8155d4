from django.db import migrations


def add_defaults(apps, schema_editor):
    from powershare.privacy.default_statements import default_statements_install

    default_statements_install(apps.get_model("privacy", "ConsentStatement"))


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
