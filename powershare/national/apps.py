from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "powershare.national"
    label = "national"
    verbose_name = "National survey"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, reminders

        for model in (models.SurveyRound, models.CouncilReturn):
            auditlog.register(model)
        # Survey respondents hear of returns due soon in the daily reminder digest.
        reminders.register()
