from django.apps import AppConfig


def services_fields() -> list[str]:
    from .services import SUMMARY_FIELDS

    return list(SUMMARY_FIELDS)


class EvaluationConfig(AppConfig):
    name = "powershare.evaluation"
    label = "evaluation"
    verbose_name = "Evaluation"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, receivers, tasks  # noqa: F401

        auditlog.register(models.Questionnaire, exclude_fields=["pairing_secret", "intro"])
        auditlog.register(models.Section)
        auditlog.register(models.Question)
        auditlog.register(models.Choice)
        auditlog.register(models.AnswerLink, exclude_fields=["token"])
        auditlog.register(models.ImportBatch)
        # Only the words people write: when a PDF was remade is no one's business, and could
        # date an answer's arrival.
        auditlog.register(models.LearningSummary, include_fields=services_fields())
        # Responses and answers are anonymous and never go into the change log: a log entry
        # carries a time and an actor, which could tie an answer to a person.
