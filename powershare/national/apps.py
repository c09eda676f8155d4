from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "powershare.national"
    label = "national"
    verbose_name = "National survey"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        for model in (models.SurveyRound, models.CouncilReturn):
            auditlog.register(model)
