from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "powershare.audit"
    label = "audit"
    verbose_name = "Audit"
