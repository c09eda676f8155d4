from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "powershare.payments"
    label = "payments"
    verbose_name = "Payments and expenses"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, privacy_registration  # noqa: F401

        auditlog.register(models.RateCard)
        auditlog.register(models.PaymentSettings)
        auditlog.register(
            models.PaymentChoice,
            mask_fields=["charity", "weekly_limit", "monthly_limit", "yearly_limit"],
        )
        # Never free text in the change log; the person's totals and chosen charity are masked.
        auditlog.register(
            models.Payment,
            exclude_fields=["description", "note", "reason"],
            mask_fields=["charity", "warning_at_approval"],
        )
        auditlog.register(models.ExpenseClaim, exclude_fields=["note", "returned_reason"])
        auditlog.register(models.ExpenseLine, exclude_fields=["description"])
        auditlog.register(models.Receipt, exclude_fields=["original_name"])
