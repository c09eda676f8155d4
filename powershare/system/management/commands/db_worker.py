"""django-tasks-db's worker, plus a heartbeat that /healthz reads.

Listed before django_tasks_db in INSTALLED_APPS, this command replaces `manage.py db_worker`.
The heartbeat runs in a daemon thread so it keeps beating while a long task runs; on each beat
it also queues any scheduled work that is due (powershare.system.schedule).

With `--reload` (the default when DEBUG is on, as under `make run`) Django's autoreloader runs
this command twice: a parent that only watches files and restarts a child, and the child that
runs the worker loop. Only the process that runs the loop beats, so /healthz reports a crashed
child as a stopped worker rather than trusting the watching parent. In the child the loop runs in
the reloader's "django-main-thread", and when it fails the child stays up, waiting for a code
change; the heartbeat stops with that thread.
"""

import logging
import os
import socket
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from powershare.system.schedule import scheduled_tasks_enqueue_due
from powershare.system.services import worker_heartbeat_prune, worker_heartbeat_record

logger = logging.getLogger(__name__)


#: The name Django's autoreloader gives the thread that runs the command's main function.
RELOADER_MAIN_THREAD = "django-main-thread"


def reloaded_loop_alive() -> Callable[[], bool]:
    """In an autoreloaded child: a check that is true until the loop's thread has started, then
    while it runs."""
    seen = False

    def alive() -> bool:
        nonlocal seen
        running = any(
            thread.name == RELOADER_MAIN_THREAD and thread.is_alive()
            for thread in threading.enumerate()
        )
        seen = seen or running
        return running or not seen

    return alive


def _always() -> bool:
    return True


def _beat_forever(
    worker_id: str,
    started_at,
    stop: threading.Event,
    first: threading.Event,
    loop_alive: Callable[[], bool] = _always,
) -> None:
    hostname = socket.gethostname()
    try:
        close_old_connections()
        worker_heartbeat_prune()
    except Exception:  # tidying up must never stop the worker either
        logger.warning("Could not remove old worker heartbeats", exc_info=True)
    while not stop.is_set():
        if not loop_alive():
            logger.warning("The worker loop has stopped, so the heartbeat stops too.")
            break
        try:
            close_old_connections()
            worker_heartbeat_record(worker_id=worker_id, hostname=hostname, started_at=started_at)
            scheduled_tasks_enqueue_due()
        except Exception:  # a missed beat must never stop the worker
            logger.warning("Could not record the worker heartbeat", exc_info=True)
        finally:
            connection.close()
            first.set()
        stop.wait(settings.WORKER_HEARTBEAT_SECONDS)
    first.set()


def runs_the_worker_loop(*, reload: bool, batch: bool) -> bool:
    """Whether this process runs the worker loop, rather than only watching files for it."""
    if not reload or batch:  # django-tasks-db turns reloading off for --batch
        return True
    return os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"


class Command(DbWorkerCommand):
    help = DbWorkerCommand.help + " Records a heartbeat for /healthz."

    def handle(self, *args, **options):
        reload = options["reload"] and not options["batch"]
        if not runs_the_worker_loop(reload=reload, batch=options["batch"]):
            return super().handle(*args, **options)
        # django-tasks-db always supplies a worker id: --worker-id, or a random one per process.
        worker_id = options["worker_id"]
        stop, first = threading.Event(), threading.Event()
        # Without reloading the loop runs in this thread, and `stop` is set when it ends.
        loop_alive = reloaded_loop_alive() if reload else _always
        thread = threading.Thread(
            target=_beat_forever,
            args=(worker_id, timezone.now(), stop, first, loop_alive),
            daemon=True,
        )
        thread.start()
        first.wait(timeout=10)  # report alive before taking the first task
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
