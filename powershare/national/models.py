"""National view: the annual survey of councils and the national learning report.

* A **survey round** is named by the year its report is published: round 2025 covers 2024/25.
  The national coordinator runs it for their national body: they choose the councils taking
  part (all 32 by default), the questions (a questionnaire of kind "national", built with the
  evaluation engine: sections, yes/no, choose-any and free-text questions with stable codes),
  the dates, and the report's narrative (key messages, recommendations).
* A **return** is one council's answers: there is exactly one per council taking part, and the
  respondent is the council, not a person. The council's nominated member of staff (role
  *survey respondent*) drafts, saves and sends it. A sent return is locked; the coordinator can
  reopen it (with a reason) so the council can change it. Its answers are the evaluation
  engine's: a `QuestionnaireResponse` whose site is the council, with small-integer `Answer`s
  and `TextAnswer`s (each marked shareable or not by the council). So results are counted in
  SQL over sent returns only.
* Anonymity (issue 8's rule) applies to anonymous questionnaires only: a return is named by
  its council. It still holds no personal data of anyone the council works with, and the
  national team never sees who at a council sent it (only that the council did).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from powershare.lib.models import OrganisationOwnedModel, TimestampedModel


class SurveyRound(OrganisationOwnedModel):
    """One year's survey. `organisation` is the national body that runs it."""

    year = models.PositiveSmallIntegerField(
        unique=True,
        help_text="The year the national report is published: round 2025 covers 2024/25.",
    )
    title = models.CharField(max_length=200)
    questionnaire = models.OneToOneField(
        "evaluation.Questionnaire", on_delete=models.PROTECT, related_name="survey_round"
    )
    opens_on = models.DateField(help_text="The first day councils can send their return.")
    closes_on = models.DateField(help_text="The day returns are due.")
    #: The report's narrative, written by the coordinator.
    key_messages = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="round_closes_after_opening"
            )
        ]

    def __str__(self):
        return self.title or f"National survey {self.year}"

    @property
    def period(self) -> str:
        """The year the round covers, as people say it: round 2025 covers "2024/25"."""
        return f"{self.year - 1}/{str(self.year)[-2:]}"


class ReturnStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Sent"


class ReturnSource(models.TextChoices):
    ONLINE = "online", "Filled in online"
    IMPORT = "import", "Imported from a file"


class CouncilReturn(TimestampedModel):
    """One council's return to one round: exists from the moment the council is invited."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="returns")
    council = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="national_returns"
    )
    status = models.CharField(
        max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.NOT_STARTED
    )
    source = models.CharField(
        max_length=10, choices=ReturnSource.choices, default=ReturnSource.ONLINE
    )
    #: The answers (evaluation engine). Made when the return is first saved.
    response = models.OneToOneField(
        "evaluation.QuestionnaireResponse",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_return",
    )
    #: The council's own self-assessment this return speaks to, where the council agrees to
    #: link them (the national team sees it only if the council shares it with them).
    self_assessment = models.ForeignKey(
        "improvement.SelfAssessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="national_returns",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    #: Who sent it (a council's member of staff: shown to the council, never to the national
    #: team, who see only that the council sent it).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.CharField(max_length=300, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "council__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "council"], name="one_return_per_council"),
            models.CheckConstraint(
                condition=~Q(status="submitted") | Q(submitted_at__isnull=False),
                name="sent_return_has_date",
            ),
        ]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self):
        return f"{self.council} return to {self.round}"

    @property
    def is_locked(self) -> bool:
        return self.status == ReturnStatus.SUBMITTED

    def get_additional_data(self):
        return {"organisation_id": self.council_id}
