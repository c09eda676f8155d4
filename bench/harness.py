"""What every benchmark script shares: throwaway databases, Django set-up, timing, memory, the
machine, and the report each script writes for `bench/run.py` (`make bench`) to gather.

A benchmark script is `bench/<name>.py`, run with PowerShare's `.venv/bin/python`:

    .venv/bin/python bench/<name>.py --database-url URL [--quick] --json FILE

`--database-url` is a database `bench/run.py` made, migrated and filled with
`manage.py bench_generate` (national scale, or small with `--quick`). The script may add what
it needs to it (through services, or in bulk like the generator), never drop it. `--quick` is
the short pass `make test` runs so the code keeps working: small numbers, a few seconds. It
writes a report (see `report()`): tables to print in docs/benchmarks.md and the targets of
issue 12, each met or not, with the figure measured.

This module is imported before Django is set up: keep Django imports inside functions.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def arguments(description: str) -> argparse.ArgumentParser:
    """The options every benchmark script takes; add your own to the parser it returns."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", required=True, help="A database bench/run.py made.")
    parser.add_argument("--quick", action="store_true", help="The short pass make test runs.")
    parser.add_argument("--json", metavar="FILE", help="Write the report here as JSON.")
    parser.add_argument("--seed", type=int, default=1)
    return parser


# Throwaway databases -------------------------------------------------------------------------


def _postgres_settings() -> dict:
    return {
        "host": os.environ.get("POSTGRES_HOST") or "127.0.0.1",
        "port": int(os.environ.get("POSTGRES_PORT") or "5432"),
        "user": os.environ.get("POSTGRES_USER") or "postgres",
        "password": os.environ.get("POSTGRES_PASSWORD") or None,
    }


def _postgres_admin():
    import psycopg

    s = _postgres_settings()
    return psycopg.connect(
        host=s["host"],
        port=s["port"],
        user=s["user"],
        password=s["password"],
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
        application_name="powershare-bench",
    )


@contextlib.contextmanager
def sqlite_database(keep: bool = False, label: str = "bench") -> Iterator[str]:
    path = Path(tempfile.gettempdir()) / f"powershare-{label}-{secrets.token_hex(4)}.sqlite3"
    say(f"SQLite file {path}")
    try:
        yield f"sqlite:///{path}"
    finally:
        if keep:
            say(f"kept {path}")
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def postgres_database(keep: bool = False, label: str = "bench") -> Iterator[str]:
    from psycopg import sql

    s = _postgres_settings()
    name = f"powershare_{label}_{secrets.token_hex(4)}"
    with _postgres_admin() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    say(f"PostgreSQL database {name} on {s['host']}:{s['port']}")
    credentials = quote(s["user"], safe="") + (
        ":" + quote(s["password"], safe="") if s["password"] else ""
    )
    try:
        yield f"postgres://{credentials}@{s['host']}:{s['port']}/{name}"
    finally:
        if keep:
            say(f"kept database {name}")
        else:
            with contextlib.suppress(Exception):  # Django may not be set up in this process
                from django.db import connections

                connections.close_all()
            with _postgres_admin() as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            say(f"dropped database {name}")


def postgres_reachable() -> bool:
    """Whether the PostgreSQL server the bench uses answers (see _postgres_settings)."""
    try:
        with _postgres_admin():
            return True
    except Exception:  # noqa: BLE001 - any failure means: not here
        return False


def throwaway_database(vendor: str, keep: bool = False, label: str = "bench"):
    """A context manager yielding the URL of a new empty database ('postgres' or 'sqlite')."""
    if vendor == "postgres":
        return postgres_database(keep, label)
    return sqlite_database(keep, label)


def vendor_of(url: str) -> str:
    return "sqlite" if urlsplit(url).scheme == "sqlite" else "postgres"


def django_environment(url: str) -> dict:
    """The environment a PowerShare process (manage.py, gunicorn, a worker) needs to use `url`
    as in production: debug off, so no query log is kept in memory; never the developer's .env."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or "bench-" + secrets.token_hex(16),
        DJANGO_DEBUG="0",
        POWERSHARE_READ_DOTENV="0",
        DJANGO_LOG_LEVEL=os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    )
    return env


def django_setup(url: str) -> None:
    """Set Django up in this process against `url` (see django_environment)."""
    os.environ.update(django_environment(url))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(url: str, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
    """Run `manage.py <args>` against `url` in its own process; fails loudly."""
    return subprocess.run(
        [str(PYTHON), str(ROOT / "manage.py"), *args],
        env=django_environment(url),
        cwd=ROOT,
        check=True,
        text=True,
        capture_output=capture,
    )


# Timing and memory ---------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def timed(function: Callable[[], object], runs: int, warm_up: int = 1) -> dict:
    """Wall-clock milliseconds over `runs` calls after `warm_up` untimed calls: the median,
    p95, fastest and slowest, and the median CPU time of this process."""
    for _ in range(warm_up):
        function()
    seconds, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {
        "runs": runs,
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(percentile(seconds, 95) * 1000, 1),
        "min_ms": round(min(seconds) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
        "cpu_median_ms": round(statistics.median(cpu) * 1000, 1),
    }


def python_peak_mib(function: Callable[[], object]) -> float:
    """The most Python memory one call held at once above what was held before (tracemalloc:
    Python's own allocations; a database's memory is not counted)."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 1024 / 1024, 1)


def peak_rss_mib() -> float:
    """This process's own peak resident memory so far (VmHWM). getrusage's ru_maxrss is not
    used: a process started from another carries over its parent's peak."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def children_peak_rss_mib() -> float:
    """The largest peak resident memory of any child process waited for so far."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


# The machine ---------------------------------------------------------------------------------


def database_version(url: str) -> str:
    if vendor_of(url) == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg

    with _postgres_admin() as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
    return f"PostgreSQL {version} (psycopg {psycopg.__version__})"


def machine() -> dict:
    cpu, memory = "", ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average": [round(n, 2) for n in os.getloadavg()],
    }


# The report ----------------------------------------------------------------------------------


def table(title: str, columns: list[str], rows: list[list], note: str = "") -> dict:
    """A table for docs/benchmarks.md: cells are printed as given (format numbers yourself)."""
    return {"title": title, "columns": columns, "rows": rows, "note": note}


def target(what: str, goal: str, measured: str, met: bool, why: str = "") -> dict:
    """One of issue 12's targets: what is measured, the goal, the figure, and whether it was
    met; when it was not, `why` says the cause and the next step."""
    return {"what": what, "goal": goal, "measured": measured, "met": bool(met), "why": why}


def report(
    *,
    benchmark: str,
    args: argparse.Namespace,
    tables: list[dict],
    targets: list[dict],
    figures: dict,
    commands: list[str] | None = None,
) -> dict:
    """Write (with --json) and return a script's report. `figures` holds every number measured,
    for the JSON file; `commands` the commands that produced them."""
    body = {
        "benchmark": benchmark,
        "database": vendor_of(args.database_url),
        "database_version": database_version(args.database_url),
        "quick": bool(args.quick),
        "machine": machine(),
        "commands": commands or [" ".join([Path(sys.executable).name, *sys.argv])],
        "tables": tables,
        "targets": targets,
        "figures": figures,
    }
    if args.json:
        Path(args.json).write_text(json.dumps(body, indent=2, default=str) + "\n")
    return body


def fmt_ms(ms: float) -> str:
    return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:,.1f} ms"


def fmt_ratio(x: float) -> str:
    return f"{x:,.0f}×" if x >= 10 else f"{x:,.1f}×"
