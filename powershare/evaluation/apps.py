from django.apps import AppConfig


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
        auditlog.register(models.LearningSummary, exclude_fields=["pdf"])
        # Responses and answers are anonymous and never go into the change log: a log entry
        # carries a time and an actor, which could tie an answer to a person.
