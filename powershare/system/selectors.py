"""Health of the service: the database, migrations and the background worker."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import WorkerHeartbeat

#: Set once a check finds every migration applied. New migrations only arrive with a new
#: deployment, which restarts the process, so there is no need to build the migration graph on
#: every probe after that. While some are unapplied, each probe checks again.
_all_migrations_applied = False


def unapplied_migration_count(connection) -> int:
    """How many migrations are not applied yet; 0 is remembered for the life of the process."""
    global _all_migrations_applied
    if _all_migrations_applied:
        return 0
    executor = MigrationExecutor(connection)
    count = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _all_migrations_applied = count == 0
    return count


def forget_migration_check() -> None:
    """Make the next health check look at the migrations again (for tests)."""
    global _all_migrations_applied
    _all_migrations_applied = False


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

    unapplied = unapplied_migration_count(connection)
    report["unapplied_migrations"] = unapplied
    if unapplied:
        problems.append(f"{unapplied} migration(s) not applied")

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
