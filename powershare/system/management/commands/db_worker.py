"""django-tasks-db's worker, plus a heartbeat that /healthz reads.

Listed before django_tasks_db in INSTALLED_APPS, this command replaces `manage.py db_worker`.
The heartbeat runs in a daemon thread so it keeps beating while a long task runs.
"""

import logging
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from powershare.system.services import worker_heartbeat_record

logger = logging.getLogger(__name__)


def _beat_forever(
    worker_id: str, started_at, stop: threading.Event, first: threading.Event
) -> None:
    hostname = socket.gethostname()
    while not stop.is_set():
        try:
            close_old_connections()
            worker_heartbeat_record(worker_id=worker_id, hostname=hostname, started_at=started_at)
        except Exception:  # a missed beat must never stop the worker
            logger.warning("Could not record the worker heartbeat", exc_info=True)
        finally:
            connection.close()
            first.set()
        stop.wait(settings.WORKER_HEARTBEAT_SECONDS)


class Command(DbWorkerCommand):
    help = DbWorkerCommand.help + " Records a heartbeat for /healthz."

    def handle(self, *args, **options):
        worker_id = options.get("worker_id") or f"{socket.gethostname()}-{id(self)}"
        options["worker_id"] = worker_id
        stop, first = threading.Event(), threading.Event()
        thread = threading.Thread(
            target=_beat_forever, args=(worker_id, timezone.now(), stop, first), daemon=True
        )
        thread.start()
        first.wait(timeout=10)  # report alive before taking the first task
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
