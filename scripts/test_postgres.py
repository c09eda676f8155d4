"""Run the pytest suite against PostgreSQL, in a throwaway database made for this run.

    .venv/bin/python scripts/test_postgres.py -- <pytest arguments>

`make test-postgres` runs this. The PostgreSQL run is mandatory in CI (CI=true) and optional
locally: set TEST_POSTGRES=1 to run it. Both take 1, true, yes or on, in any case. Without
either, it is skipped with a one-line note.

It connects to the `postgres` maintenance database at POSTGRES_HOST:POSTGRES_PORT as
POSTGRES_USER (default 127.0.0.1:5432, user `postgres`, no password: trust authentication; a
password can come from POSTGRES_PASSWORD or libpq's PGPASSWORD), creates a database with a name
unique to this run, and runs pytest with DATABASE_URL pointing at it. pytest-django then makes
and destroys its own `test_<name>` database beside it; Django's test runner can reach the server
through the `postgres` database or, failing that, through ours. Afterwards this script drops its
database and any `test_<name>…` database left behind, even when pytest fails or is interrupted,
and exits with pytest's exit code. Ctrl+C and SIGTERM are ignored while it drops them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
CONNECT_TIMEOUT = 5
START_HINT = (
    "start it with `sudo service postgresql start` (or `pg_ctlcluster <version> main start`), "
    "or run one in a container: `docker run --rm -d -p 5432:5432 "
    "-e POSTGRES_HOST_AUTH_METHOD=trust postgres:17`; POSTGRES_HOST, POSTGRES_PORT and "
    "POSTGRES_USER point this script at another server"
)


def say(message: str) -> None:
    print(f"test-postgres: {message}", file=sys.stderr, flush=True)


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


class Server:
    def __init__(self) -> None:
        self.host = os.environ.get("POSTGRES_HOST") or "127.0.0.1"
        self.port = int(os.environ.get("POSTGRES_PORT") or "5432")
        self.user = os.environ.get("POSTGRES_USER") or "postgres"
        self.password = os.environ.get("POSTGRES_PASSWORD") or None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def connect(self, timeout: int = CONNECT_TIMEOUT):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=timeout,
            application_name="powershare-test-postgres",
        )

    def url(self, database: str) -> str:
        credentials = quote(self.user, safe="")
        if self.password:
            credentials += ":" + quote(self.password, safe="")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgres://{credentials}@{host}:{self.port}/{database}"


def create_database(server: Server, name: str) -> None:
    from psycopg import sql

    with server.connect() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_databases(server: Server, name: str) -> None:
    """Drop our database and any test database pytest-django left behind (test_<name>, …_gw0)."""
    from psycopg import sql

    with server.connect() as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE datname = %s OR left(datname, %s) = %s",
            [name, len(name) + 5, f"test_{name}"],
        ).fetchall()
        force = connection.info.server_version >= 130000
        for (database,) in rows:
            if not force:
                connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [database],
                )
            statement = "DROP DATABASE IF EXISTS {} WITH (FORCE)" if force else "DROP DATABASE {}"
            connection.execute(sql.SQL(statement).format(sql.Identifier(database)))


def pytest_command(args: list[str]) -> list[str]:
    pytest = ROOT / ".venv" / "bin" / "pytest"
    if pytest.exists():
        return [str(pytest), *args]
    return [sys.executable, "-m", "pytest", *args]


def run_pytest(command: list[str], env: dict[str, str]) -> int:
    """Run pytest, passing SIGTERM on to it; Ctrl+C reaches it through the terminal."""
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603

    def forward(signum, _frame):
        process.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while True:
            try:
                code = process.wait()
                break
            except KeyboardInterrupt:
                # pytest got the same SIGINT and is stopping; wait for it, then clean up.
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)
    # Killed by a signal: exit as a shell would report it (128 + the signal number).
    return 128 - code if code < 0 else code


def main(argv: list[str]) -> int:
    pytest_args = argv[argv.index("--") + 1 :] if "--" in argv else argv
    in_ci = truthy(os.environ.get("CI"))
    asked = truthy(os.environ.get("TEST_POSTGRES"))
    server = Server()

    if not (in_ci or asked):
        say(
            f"skipped the PostgreSQL run (optional outside CI): set TEST_POSTGRES=1 to run the "
            f"suite against PostgreSQL at {server.address}; CI=true makes it mandatory."
        )
        return 0

    why = "in CI" if in_ci else f"with TEST_POSTGRES={os.environ['TEST_POSTGRES'].strip()}"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        say(f"psycopg is not installed for {sys.executable}: run this with .venv/bin/python.")
        return 2
    try:
        with server.connect() as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        say(
            f"PostgreSQL is required {why} but {server.address} did not answer as user "
            f"{server.user!r}: {detail}; {START_HINT}."
        )
        return 2

    name = f"powershare_ci_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        create_database(server, name)
    except Exception as exc:
        say(f"could not create the throwaway database {name} on {server.address}: {exc}")
        return 2

    env = {**os.environ, "DATABASE_URL": server.url(name)}
    command = pytest_command(pytest_args)
    say(f"PostgreSQL {version} at {server.address}: running the suite in database {name}.")
    started = time.monotonic()
    code = 1
    try:
        code = run_pytest(command, env)
    finally:
        elapsed = time.monotonic() - started
        with signals_held_off():
            try:
                drop_databases(server, name)
            except Exception as exc:
                say(f"warning: could not drop database {name} (or test_{name}): {exc}")
            else:
                say(
                    f"dropped {name} and its test databases; "
                    f"pytest exited {code} in {elapsed:.1f}s."
                )
    return code


@contextlib.contextmanager
def signals_held_off():
    """Ignore Ctrl+C and SIGTERM while the throwaway databases are dropped.

    Dropping takes a moment; another Ctrl+C then (people press it twice) would stop the script
    half way and leave databases behind. Connecting has a timeout, and the drop forces other
    sessions off, so this holds Ctrl+C off only briefly.
    """
    held = [signal.SIGINT, signal.SIGTERM]
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in held}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
