from django.conf import settings
from django.db import models


class AccessEvent(models.Model):
    """Someone looked at personal data: who, what, when, and whose data it was."""

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        EXPORTED = "exported", "Exported"
        DOWNLOADED = "downloaded", "Downloaded"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The organisation whose records were read.",
    )
    action = models.CharField(max_length=20, choices=Action.choices, default=Action.VIEWED)
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=300)
    path = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-occurred_at"])]

    def __str__(self):
        return f"{self.user} {self.get_action_display().lower()} {self.description}"
