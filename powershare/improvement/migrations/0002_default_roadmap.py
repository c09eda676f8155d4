from django.db import migrations


def install(apps, schema_editor):
    from powershare.improvement.default_frameworks import default_frameworks_install

    default_frameworks_install(
        apps.get_model("improvement", "Framework"),
        apps.get_model("improvement", "FrameworkVersion"),
        apps.get_model("improvement", "Stage"),
        apps.get_model("improvement", "Driver"),
        apps.get_model("improvement", "Principle"),
    )


class Migration(migrations.Migration):
    dependencies = [("improvement", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
