import datetime

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


def form_submission_once(*, user, token: str, create) -> tuple[str, bool]:
    """Run `create()` (which saves something and returns the address to go to next) once per
    form token. Returns (address, created). A repeat of the same form returns the first
    result's address and creates nothing; two copies arriving at once are settled by the
    database's unique constraint, and the loser's work is rolled back."""
    if not token:
        return create(), True
    earlier = (
        FormSubmission.objects.filter(user=user, token=token)
        .values_list("result_url", flat=True)
        .first()
    )
    if earlier:
        return earlier, False
    try:
        with transaction.atomic():
            url = create()
            FormSubmission.objects.create(user=user, token=token[:64], result_url=url)
            return url, True
    except IntegrityError:
        earlier = (
            FormSubmission.objects.filter(user=user, token=token[:64])
            .values_list("result_url", flat=True)
            .first()
        )
        if earlier is None:
            raise
        return earlier, False
