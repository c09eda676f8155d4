from django.apps import AppConfig


class SystemConfig(AppConfig):
    name = "powershare.system"
    label = "system"
    verbose_name = "The service: home, public pages, health"

    def ready(self):
        from . import checks  # noqa: F401 - registers the checks
