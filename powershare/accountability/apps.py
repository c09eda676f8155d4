from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "powershare.accountability"
    label = "accountability"
    verbose_name = "Accountability"

    def ready(self):
        from auditlog.registry import auditlog

        from . import privacy_registration, tasks  # noqa: F401
        from .models import (
            EvidenceFile,
            FeedbackLetter,
            PublicPage,
            Response,
            ResponseProgress,
        )

        auditlog.register(Response, m2m_fields={"contributions"})
        auditlog.register(ResponseProgress)
        auditlog.register(EvidenceFile, exclude_fields=["original_name"])
        auditlog.register(FeedbackLetter, exclude_fields=["contributions", "responses"])
        auditlog.register(PublicPage)
