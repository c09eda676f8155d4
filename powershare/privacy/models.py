"""Consent statements, subject access requests and erasure requests.

Statements are versioned: publishing new wording adds a version, and every consent record keeps
the exact version the person agreed to. PowerShare ships default wording (organisation empty);
an organisation's administrator can publish its own, which then applies to its people.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from powershare.lib.dates import months_after
from powershare.people.models import ConsentPurpose


def one_calendar_month_after(day: datetime.date) -> datetime.date:
    """The same day next month, or that month's last day when it is shorter (31 January →
    28 or 29 February), as the UK GDPR's one-month clock is counted."""
    return months_after(day, 1)


class ConsentStatement(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for PowerShare's default wording, used until an organisation publishes its own.",
    )
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=120, help_text="A short name, like “Contact me”.")
    text = models.TextField(help_text="What the person agrees to, in plain words.")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "purpose", "version"],
                name="one_consent_statement_per_version",
            ),
            models.UniqueConstraint(
                fields=["purpose", "version"],
                condition=Q(organisation__isnull=True),
                name="one_default_consent_statement_per_version",
            ),
        ]

    def __str__(self):
        return f"{self.title} (version {self.version})"

    def get_additional_data(self):
        return {"organisation_id": self.organisation_id}


class SubjectAccessRequest(models.Model):
    """A person asked for everything we hold about them. The clock runs one calendar month from
    the day the request was received."""

    class Source(models.TextChoices):
        STAFF = "staff", "Logged by staff"
        PORTAL = "portal", "Downloaded by the person from their portal"

    class ExportStatus(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        PREPARING = "preparing", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="subject_access_requests"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    received_on = models.DateField()
    due_on = models.DateField()
    how_received = models.CharField(max_length=200, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    export_status = models.CharField(
        max_length=20, choices=ExportStatus.choices, default=ExportStatus.NOT_STARTED
    )
    export_file = models.CharField(max_length=300, blank=True)
    export_size = models.PositiveBigIntegerField(null=True, blank=True)
    export_started_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    completed_on = models.DateField(
        null=True, blank=True, help_text="The day the export was sent or handed to the person."
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["organisation", "completed_on", "due_on"])]

    def __str__(self):
        return f"Subject access request {self.pk} ({self.person})"

    def save(self, *args, **kwargs):
        if self.received_on and not self.due_on:
            self.due_on = one_calendar_month_after(self.received_on)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.completed_on is None

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.is_open and day > self.due_on

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())

    def get_additional_data(self):
        return {"organisation_id": self.organisation_id}


class ErasureRequest(models.Model):
    """A participation lead asks for a person's record to be erased; an administrator (another
    person) approves or turns it down."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved and erased"
        REJECTED = "rejected", "Turned down"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="erasure_requests"
    )
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="pending"),
                name="one_pending_erasure_request_per_person",
            )
        ]

    def __str__(self):
        return f"Erasure request {self.pk} ({self.person})"

    def get_additional_data(self):
        return {"organisation_id": self.organisation_id}
