from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "powershare.learning"
    label = "learning"
    verbose_name = "Learning"

    def ready(self):
        from auditlog.registry import auditlog

        # tasks: its scheduled jobs (offers expiring, reminders, purges) register on import.
        from . import models, privacy_registration, receivers, tasks  # noqa: F401

        auditlog.register(models.LearningProduct, exclude_fields=["aims"])
        auditlog.register(models.ProductVersion, exclude_fields=["changes"])
        auditlog.register(models.LearningOutcome)
        auditlog.register(
            models.Material, exclude_fields=["original_name", "needs_updating_reason"]
        )
        auditlog.register(models.MaterialQuote)
        auditlog.register(models.LearningSettings)
        auditlog.register(
            models.Delivery, exclude_fields=["booking_token", "no_lived_experience_reason"]
        )
        auditlog.register(models.DeliverySession)
        auditlog.register(models.Facilitator)
        auditlog.register(models.Trainer, exclude_fields=["topics"])
        auditlog.register(models.Commission)
        auditlog.register(models.CommissionSupport, exclude_fields=["plan"])
        # Learners' names and emails never go into the change log.
        auditlog.register(models.Booking, exclude_fields=["token"])
        auditlog.register(models.Attendance)
