from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "powershare.engagement"
    label = "engagement"
    verbose_name = "Engagement"

    def ready(self):
        from auditlog.registry import auditlog

        from . import privacy_registration, tasks  # noqa: F401
        from .models import (
            Activity,
            ActivityQuestion,
            Contribution,
            EngagementSettings,
            Invitation,
            Ladder,
            LadderRung,
            Redaction,
        )

        auditlog.register(Activity, m2m_fields={"partners"})
        auditlog.register(ActivityQuestion)
        auditlog.register(EngagementSettings)
        auditlog.register(Ladder)
        auditlog.register(LadderRung)
        # Which personal fields changed and who changed them, never their values.
        auditlog.register(
            Invitation,
            mask_fields=list(Invitation.personal_data_fields),
            # Drawn from the person's safe-involvement profile (topics to avoid, rest dates).
            exclude_fields=["warnings_at_invitation"],
        )
        # A contribution's words never go into the change log: redacted words must not survive
        # anywhere, and the log outlives withdrawal and erasure.
        auditlog.register(Contribution, exclude_fields=["text"])
        auditlog.register(Redaction, exclude_fields=["reason"])
