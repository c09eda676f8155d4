from django.db import migrations


def install(apps, schema_editor):
    from powershare.engagement.default_ladders import default_ladders_install

    default_ladders_install(apps.get_model("engagement", "Ladder"), apps.get_model("engagement", "LadderRung"))


class Migration(migrations.Migration):
    dependencies = [("engagement", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
