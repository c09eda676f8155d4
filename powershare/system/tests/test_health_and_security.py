import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import path, reverse
from django.utils import timezone

from powershare.system.models import WorkerHeartbeat
from powershare.system.services import worker_heartbeat_record

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


def test_health_reports_unapplied_migrations(client, db, monkeypatch):
    worker_heartbeat_record(worker_id="w1", hostname="h", started_at=timezone.now())
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["unapplied_migrations"] == 1


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_worker_records_a_heartbeat():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "t1")
    assert WorkerHeartbeat.objects.filter(worker_id="t1").exists()


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
        text = template.read_text()
        assert "<style" not in text, template
        assert " style=" not in text, template
        for line in text.splitlines():
            if "<script" in line:
                assert "src=" in line or 'type="application/json"' in line, (template, line)


def test_check_deploy_passes_with_debug_off_and_the_required_variables():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-value-1234567890",
            "DJANGO_ALLOWED_HOSTS": "powershare.example.org",
            "POWERSHARE_READ_DOTENV": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
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
