import datetime
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import path, reverse
from django.utils import timezone

from powershare.system import selectors
from powershare.system.management.commands import db_worker
from powershare.system.models import WorkerHeartbeat
from powershare.system.services import worker_heartbeat_prune, worker_heartbeat_record

ROOT = Path(__file__).resolve().parents[3]


def test_health_is_ok_with_a_live_worker(client, db):
    worker_heartbeat_record(worker_id="w1", hostname="h", started_at=timezone.now())
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"] == "ok"
    assert data["unapplied_migrations"] == 0
    assert data["worker_last_heartbeat"]


def test_health_is_503_with_the_reason_when_no_worker_reports(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert "no background worker has reported yet" in response.json()["problems"]


def test_health_is_503_when_the_worker_has_gone_quiet(client, db):
    worker_heartbeat_record(worker_id="w1", hostname="h", started_at=timezone.now())
    WorkerHeartbeat.objects.update(last_seen_at=timezone.now() - datetime.timedelta(minutes=10))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert "background worker last reported" in response.json()["problems"][0]


@pytest.fixture
def fresh_migration_check():
    """The health check remembers "all applied" for the process; start and end without that."""
    selectors.forget_migration_check()
    yield
    selectors.forget_migration_check()


def test_health_reports_unapplied_migrations(client, db, monkeypatch, fresh_migration_check):
    worker_heartbeat_record(worker_id="w1", hostname="h", started_at=timezone.now())
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["unapplied_migrations"] == 1


def test_health_checks_migrations_again_only_while_some_are_unapplied(
    client, db, monkeypatch, fresh_migration_check
):
    from django.db.migrations.executor import MigrationExecutor

    worker_heartbeat_record(worker_id="w1", hostname="h", started_at=timezone.now())
    plans = []

    def plan(self, targets):
        plans.append(targets)
        return [("x", False)] if len(plans) < 3 else []

    monkeypatch.setattr(MigrationExecutor, "migration_plan", plan)
    assert client.get(reverse("healthz")).json()["unapplied_migrations"] == 1
    assert client.get(reverse("healthz")).json()["unapplied_migrations"] == 1
    assert client.get(reverse("healthz")).status_code == 200  # now migrated: remembered
    assert len(plans) == 3

    def no_graph(self, *args, **kwargs):
        raise AssertionError("the migration graph was built again")

    monkeypatch.setattr(MigrationExecutor, "__init__", no_graph)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["unapplied_migrations"] == 0
    assert len(plans) == 3


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_worker_records_a_heartbeat():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "t1")
    assert WorkerHeartbeat.objects.filter(worker_id="t1").exists()


def _heartbeat(worker_id: str, seen_ago: datetime.timedelta) -> None:
    seen = timezone.now() - seen_ago
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, hostname="h", started_at=seen, last_seen_at=seen
    )


def test_pruning_removes_heartbeats_not_seen_for_a_day(db):
    _heartbeat("gone", datetime.timedelta(days=1, minutes=1))
    _heartbeat("long-gone", datetime.timedelta(days=30))
    _heartbeat("recent", datetime.timedelta(hours=23))
    _heartbeat("live", datetime.timedelta(seconds=5))
    assert worker_heartbeat_prune() == 2
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"recent", "live"}


def test_pruning_takes_another_age(db):
    _heartbeat("old", datetime.timedelta(hours=2))
    _heartbeat("new", datetime.timedelta(minutes=5))
    assert worker_heartbeat_prune(older_than=datetime.timedelta(hours=1)) == 1
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_a_starting_worker_removes_heartbeats_older_than_a_day():
    _heartbeat("yesterdays-worker", datetime.timedelta(days=2))
    _heartbeat("other-live-worker", datetime.timedelta(seconds=10))
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "t2")
    remaining = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    assert remaining == {"other-live-worker", "t2"}


@pytest.fixture
def no_worker_loop(monkeypatch):
    """db_worker with reloading on, but neither the reloader nor the loop really running."""
    from django_tasks_db.management.commands import db_worker as tasks_db_worker

    calls = []
    monkeypatch.setattr(tasks_db_worker, "run_with_reloader", lambda main: calls.append(main))
    monkeypatch.setattr(tasks_db_worker.Worker, "configure_signals", lambda self: None)
    return calls


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_autoreloaders_watching_process_does_not_beat(monkeypatch, no_worker_loop):
    monkeypatch.delenv(db_worker.DJANGO_AUTORELOAD_ENV, raising=False)
    call_command("db_worker", "--reload", "--no-startup-delay", "--worker-id", "parent")
    assert no_worker_loop  # it handed over to the reloader
    assert not WorkerHeartbeat.objects.filter(worker_id="parent").exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_autoreloaded_child_that_runs_the_loop_beats(monkeypatch, no_worker_loop):
    monkeypatch.setenv(db_worker.DJANGO_AUTORELOAD_ENV, "true")
    call_command("db_worker", "--reload", "--no-startup-delay", "--worker-id", "child")
    assert no_worker_loop
    assert WorkerHeartbeat.objects.filter(worker_id="child").exists()


@pytest.mark.django_db(transaction=True)
@override_settings(WORKER_HEARTBEAT_SECONDS=0.01)
def test_the_heartbeat_stops_when_the_worker_loop_stops():
    answers = iter([True, True, False])
    stop, first = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=db_worker._beat_forever,
        args=("w-loop", timezone.now(), stop, first, lambda: next(answers)),
    )
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()  # it stopped by itself, without `stop`
    assert not stop.is_set()
    assert WorkerHeartbeat.objects.filter(worker_id="w-loop").exists()


def test_in_a_reloaded_child_the_loop_is_its_reloader_thread():
    alive = db_worker.reloaded_loop_alive()
    assert alive()  # not started yet: the worker is starting
    release = threading.Event()
    loop = threading.Thread(target=release.wait, name=db_worker.RELOADER_MAIN_THREAD)
    loop.start()
    try:
        assert alive()
    finally:
        release.set()
        loop.join()
    assert not alive()  # it ran and stopped (say, an error): the worker no longer works


def test_which_process_runs_the_worker_loop(monkeypatch):
    monkeypatch.delenv(db_worker.DJANGO_AUTORELOAD_ENV, raising=False)
    assert db_worker.runs_the_worker_loop(reload=False, batch=False)
    assert db_worker.runs_the_worker_loop(reload=True, batch=True)
    assert not db_worker.runs_the_worker_loop(reload=True, batch=False)
    monkeypatch.setenv(db_worker.DJANGO_AUTORELOAD_ENV, "true")
    assert db_worker.runs_the_worker_loop(reload=True, batch=False)


def test_every_page_sends_a_strict_content_security_policy(client, db):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_template_uses_inline_script_or_style():
    for template in (ROOT / "templates").rglob("*.html"):
        if "email" in template.parts:
            continue  # emails need inline styles; the web page CSP does not apply to them
        if template.name.startswith("pdf_"):
            continue  # only rendered to PDF by WeasyPrint, never served: the CSP does not apply
        if "offline" in template.parts:
            continue  # documents inside a download (a person's data): they must stand alone
        text = template.read_text()
        assert "<style" not in text, template
        assert " style=" not in text, template
        for line in text.splitlines():
            if "<script" in line:
                assert "src=" in line or 'type="application/json"' in line, (template, line)


def _check_deploy(**variables) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` as on a live service: debug off, no .env, only these set."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "EMAIL_"))
    }
    env.update(
        {
            "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-value-1234567890",
            "DJANGO_ALLOWED_HOSTS": "powershare.example.org",
            "POWERSHARE_READ_DOTENV": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **variables,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_debug_off_and_the_required_variables():
    result = _check_deploy(EMAIL_URL="smtp://powershare:secret@smtp.example.org:587")
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_secret_key_and_debug_off_start_up_stops_with_a_clear_message():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"POWERSHARE_READ_DOTENV": "0", "DJANGO_SETTINGS_MODULE": "config.settings"})
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def _boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [path("boom/", _boom)]
handler500 = "powershare.system.errors.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_shows_a_kind_page(client, db):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Sorry, something went wrong" in body
    assert "Nothing you have already saved has been lost" in body


def test_public_pages_have_real_text(client, db):
    for name, words in [
        ("pages:accessibility", "WCAG 2.2"),
        ("pages:privacy", "Your rights"),
        ("pages:cookies", "sessionid"),
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert words in response.content.decode()


def test_check_deploy_warns_when_settings_came_from_a_local_dotenv(tmp_path):
    from django.test import override_settings

    from powershare.system.checks import local_dotenv_not_used_in_production

    with override_settings(SETTINGS_FROM_DOTENV=["DJANGO_DEBUG", "DJANGO_SECRET_KEY"]):
        warnings = local_dotenv_not_used_in_production(None)
    assert [w.id for w in warnings] == ["powershare.W001"]
    with override_settings(SETTINGS_FROM_DOTENV=[]):
        assert local_dotenv_not_used_in_production(None) == []


def test_check_deploy_fails_while_emails_would_only_be_printed():
    result = _check_deploy()
    assert result.returncode != 0
    assert "mail.E001" in result.stdout + result.stderr
