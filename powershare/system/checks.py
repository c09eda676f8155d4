"""System checks of PowerShare's own, run by `manage.py check --deploy`."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def local_dotenv_not_used_in_production(app_configs, **kwargs):
    if settings.SETTINGS_FROM_DOTENV:
        return [
            checks.Warning(
                "Settings were read from the local .env file that `make run` writes for "
                f"development ({', '.join(settings.SETTINGS_FROM_DOTENV)}).",
                hint="Delete .env on servers and set the environment variables in docs/deploy.md.",
                id="powershare.W001",
            )
        ]
    return []
