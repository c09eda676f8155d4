"""scripts/test_postgres.py (`make test-postgres`): when it runs, and that it always cleans up."""

import importlib.util
import os
import signal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def script():
    spec = importlib.util.spec_from_file_location(
        "powershare_test_postgres_script", ROOT / "scripts" / "test_postgres.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def unreachable_server(monkeypatch):
    """Point the script at a port nothing listens on, so a run it attempts fails fast."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("POSTGRES_HOST", "127.0.0.1")
    monkeypatch.setenv("POSTGRES_PORT", "1")


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", "on", " 1 "])
def test_test_postgres_takes_the_same_values_as_ci(
    script, unreachable_server, monkeypatch, capsys, value
):
    monkeypatch.setenv("TEST_POSTGRES", value)
    assert script.main(["--", "-q"]) == 2  # it tried, and says why it could not
    assert f"PostgreSQL is required with TEST_POSTGRES={value.strip()} " in capsys.readouterr().err


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off", "nonsense"])
def test_without_test_postgres_the_run_is_skipped(
    script, unreachable_server, monkeypatch, capsys, value
):
    monkeypatch.setenv("TEST_POSTGRES", value)
    assert script.main(["--", "-q"]) == 0
    assert "skipped the PostgreSQL run" in capsys.readouterr().err


class _FakeConnection:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, *args):
        return self

    def fetchone(self):
        return ["17.0"]


def test_a_second_ctrl_c_while_dropping_still_drops_the_databases(script, monkeypatch):
    monkeypatch.setenv("TEST_POSTGRES", "1")
    monkeypatch.setattr(script.Server, "connect", lambda self, timeout=5: _FakeConnection())
    monkeypatch.setattr(script, "create_database", lambda server, name: None)
    monkeypatch.setattr(script, "run_pytest", lambda command, env: 130)  # the first Ctrl+C
    dropped, delivered = [], []

    def drop_databases(server, name):
        os.kill(os.getpid(), signal.SIGINT)  # the second Ctrl+C, half way through the drop
        os.kill(os.getpid(), signal.SIGTERM)
        dropped.append(name)

    monkeypatch.setattr(script, "drop_databases", drop_databases)
    # Record, rather than act on, any signal that gets through (so a failure fails this test
    # instead of interrupting the whole run).
    previous = {
        signum: signal.signal(signum, lambda signum, frame: delivered.append(signum))
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        code = script.main(["--", "-q"])
        ours = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    assert code == 130
    assert len(dropped) == 1
    assert dropped[0].startswith("powershare_ci_")
    assert delivered == []  # both were ignored while dropping
    assert all(callable(handler) for handler in ours)  # and the handlers were put back
