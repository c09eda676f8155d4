"""Health of the service: the database, migrations and the background worker."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import WorkerHeartbeat


def health_report() -> tuple[bool, dict]:
    """(healthy, details). Unhealthy when the database is unreachable, migrations are waiting,
    or no worker has reported within WORKER_STALE_AFTER_SECONDS."""
    problems = []
    report: dict = {"database": "ok", "unapplied_migrations": None, "worker_last_heartbeat": None}
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure here means "unreachable"
        report["database"] = "unreachable"
        problems.append(f"database unreachable: {error.__class__.__name__}")
        report["status"] = "error"
        report["problems"] = problems
        return False, report

    executor = MigrationExecutor(connection)
    unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    report["unapplied_migrations"] = len(unapplied)
    if unapplied:
        problems.append(f"{len(unapplied)} migration(s) not applied")

    latest = WorkerHeartbeat.objects.order_by("-last_seen_at").first()
    if latest is None:
        problems.append("no background worker has reported yet")
    else:
        age = (timezone.now() - latest.last_seen_at).total_seconds()
        report["worker_last_heartbeat"] = latest.last_seen_at.isoformat()
        report["worker_heartbeat_age_seconds"] = round(age)
        if age > settings.WORKER_STALE_AFTER_SECONDS:
            problems.append(f"background worker last reported {round(age)} seconds ago")

    report["status"] = "error" if problems else "ok"
    if problems:
        report["problems"] = problems
    return not problems, report
