import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import FormSubmission, WorkerHeartbeat

#: How long the heartbeat of a worker that has stopped is kept before a starting worker removes it.
HEARTBEAT_KEEP = datetime.timedelta(days=1)


def worker_heartbeat_record(*, worker_id: str, hostname: str, started_at) -> None:
    """Called by the worker every WORKER_HEARTBEAT_SECONDS; idempotent."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": hostname, "started_at": started_at, "last_seen_at": timezone.now()},
    )


def worker_heartbeat_prune(*, older_than: datetime.timedelta = HEARTBEAT_KEEP) -> int:
    """Delete the heartbeats of workers not seen for `older_than`; returns how many went.

    Each worker start (and each autoreload restart) beats under a new worker id, so a worker
    calls this when it starts to keep the table to the workers of about the last day.
    """
    deleted, _ = WorkerHeartbeat.objects.filter(
        last_seen_at__lt=timezone.now() - older_than
    ).delete()
    return deleted


FORM_SUBMISSION_KEEP = datetime.timedelta(days=1)


def form_submission_fingerprint(*, path: str, data) -> str:
    """What a submission sent, and where: its path and fields, without the one-time tokens."""
    fields = sorted(
        (key, value)
        for key, values in data.lists()
        if key not in {"csrfmiddlewaretoken", "form_token"}
        for value in values
    )
    return hashlib.sha256(repr((path, fields)).encode()).hexdigest()


def form_submission_once(*, user, token: str, fingerprint: str, create) -> tuple[str, bool]:
    """Run `create()` (which saves something and returns the address to go to next) once per
    form. Returns (address, created). Sending the same form again (same token, same content,
    same place) returns the first result's address and creates nothing; two copies arriving at
    once are settled by the database's unique constraint, and the loser's work is rolled back.
    The same token with different content is treated as a new form."""
    token = token[:64]
    if not token:
        return create(), True
    earlier = FormSubmission.objects.filter(user=user, token=token, fingerprint=fingerprint)
    if url := earlier.values_list("result_url", flat=True).first():
        return url, False
    try:
        with transaction.atomic():
            url = create()
            FormSubmission.objects.create(
                user=user, token=token, fingerprint=fingerprint, result_url=url
            )
    except IntegrityError:
        url = earlier.values_list("result_url", flat=True).first()
        if url is None:
            raise
        return url, False
    FormSubmission.objects.filter(
        user=user, created_at__lt=timezone.now() - FORM_SUBMISSION_KEEP
    ).delete()
    return url, True
