from django.utils import timezone

from .models import WorkerHeartbeat


def worker_heartbeat_record(*, worker_id: str, hostname: str, started_at) -> None:
    """Called by the worker every WORKER_HEARTBEAT_SECONDS; idempotent."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": hostname, "started_at": started_at, "last_seen_at": timezone.now()},
    )
