from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "powershare.privacy"
    label = "privacy"
    verbose_name = "Privacy: consent statements, subject access and erasure"

    def ready(self):
        from auditlog.registry import auditlog

        from . import privacy_registration  # noqa: F401
        from .models import ConsentStatement, ErasureRequest, SubjectAccessRequest

        auditlog.register(ConsentStatement)
        auditlog.register(SubjectAccessRequest, exclude_fields=["export_file"])
        auditlog.register(ErasureRequest, mask_fields=["reason", "decision_note"])
