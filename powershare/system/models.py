from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time each background worker said it was alive (read by /healthz)."""

    worker_id = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.worker_id} (last seen {self.last_seen_at:%Y-%m-%d %H:%M:%S})"


class FormSubmission(models.Model):
    """A form that created something, by its one-time token: sending the same form again (a
    double click, or Back and resend) leads to what the first one made instead of a copy."""

    token = models.CharField(max_length=64)
    #: What was sent, where: the same token with other content is a new submission, not a repeat.
    fingerprint = models.CharField(max_length=64)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "token", "fingerprint"], name="one_result_per_form_submission"
            )
        ]

    def __str__(self):
        return f"{self.token} → {self.result_url}"


class ScheduledRun(models.Model):
    """When each piece of scheduled work (see powershare.system.schedule) was last queued, so
    every worker agrees on whether it is due and it is queued once per interval."""

    name = models.CharField(max_length=100, unique=True)
    last_queued_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} (last queued {self.last_queued_at:%Y-%m-%d %H:%M})"
