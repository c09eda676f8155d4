from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "powershare.support"
    label = "support"
    verbose_name = "Support directory"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import SupportService

        auditlog.register(SupportService)
