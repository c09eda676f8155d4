from django.db import migrations


def add_defaults(apps, schema_editor):
    from powershare.privacy.default_statements import DEFAULT_STATEMENTS

    ConsentStatement = apps.get_model("privacy", "ConsentStatement")
    for purpose, title, text in DEFAULT_STATEMENTS:
        if not ConsentStatement.objects.filter(organisation=None, purpose=purpose).exists():
            ConsentStatement.objects.create(
                organisation=None, purpose=purpose, version=1, title=title, text=text
            )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
