from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "powershare.improvement"
    label = "improvement"
    verbose_name = "Improvement"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, privacy_registration, tasks  # noqa: F401

        for model in (
            models.FrameworkVersion,
            models.Stage,
            models.Driver,
            models.Principle,
            models.SelfAssessment,
            models.AssessmentParticipant,
            models.DriverRating,
            models.ActionPlan,
            models.Action,
            models.ActionUpdate,
            models.Walkthrough,
            models.WalkthroughSite,
            models.WalkthroughTeamMember,
            models.Observation,
            models.PartnershipGroup,
            models.GroupMember,
            models.Meeting,
            models.MeetingAttendance,
            models.AgendaItem,
            models.PartnerUpdate,
            models.Decision,
        ):
            auditlog.register(model)
