"""The quick pass of the benchmarks: run by `make test-bench` (a step of `make test`), never
collected by the suite's own lanes (pyproject's testpaths leave bench/ out). Every test here is
marked `bench`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(BENCH):
            item.add_marker(pytest.mark.bench)


@pytest.fixture(scope="session")
def small_database(tmp_path_factory):
    """One SQLite database at small scale for the whole session (migrated and generated
    once): the scripts only add to it."""
    import harness

    path = tmp_path_factory.mktemp("bench") / "small.sqlite3"
    url = f"sqlite:///{path}"
    harness.manage(url, "migrate", "--no-input", "-v0", capture=True)
    harness.manage(
        url, "bench_generate", "--scale", "small", "--seed", "1", "--force", capture=True
    )
    return url


@pytest.fixture
def bench_report(tmp_path):
    """bench_report("csv_export.py", "--database-url", url, "--quick") runs a bench script in
    a process of its own, as `make bench` does, and gives back the JSON report it wrote (to
    the file named after `output`, --json unless given); the test fails with the end of the
    script's errors if it exits with an error."""
    import harness

    def _run(script: str, *args: str, output: str = "--json", timeout: int = 300) -> dict:
        report = tmp_path / f"{Path(script).stem}.json"
        done = subprocess.run(
            [str(harness.PYTHON), str(BENCH / script), *args, output, str(report)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-4000:]
        return json.loads(report.read_text())

    return _run
