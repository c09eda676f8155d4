"""`make bench`: every benchmark of issue 12 on PostgreSQL and on SQLite, side by side, and the
tables in docs/benchmarks.md and docs/benchmarks.json.

    .venv/bin/python bench/run.py                         # make bench: national scale, both databases
    .venv/bin/python bench/run.py --quick                 # the short pass make test runs (small scale)
    .venv/bin/python bench/run.py --database postgres --only results,pages

For each database it makes a throwaway database (harness.throwaway_database), migrates it,
fills it with `manage.py bench_generate --scale national --seed 1` (small with --quick), and
runs each benchmark script in its own process, one after another (they must not share the
two cores), each writing a JSON report. The reports, the generator's counts and times, the
machine, the versions and the commands go into one JSON file; the tables and the targets go
into docs/benchmarks.md between the `make bench` markers (the text around them is kept).
Nothing is written to docs/ with --quick or --only (see --output).

A script that fails is reported and the others still run; the exit status is then 1. A
target missed is not a failure: the table says so, with the cause the script gives.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

#: The benchmark scripts, in the order they run: pages first, on the freshly generated data;
#: results adds the questionnaires of 100,000 and 1,000,000 responses that csv_export reads;
#: http_submit and scale_out write.
BENCHMARKS = {
    "pages": "Each role's main pages, the summary-of-learning PDF and learning_summary",
    "results": "Likert results: PowerShare, the peer and the raw SQL floor",
    "csv_export": "CSV export of a questionnaire's responses, streamed",
    "http_submit": "Anonymous submission over HTTP",
    "scale_out": "Two app instances and two task workers on one database",
}
DATABASES = {"postgres": "PostgreSQL", "sqlite": "SQLite"}
DOC = harness.ROOT / "docs" / "benchmarks.md"
DOC_JSON = harness.ROOT / "docs" / "benchmarks.json"
BEGIN = (
    "<!-- make bench: begin (written by bench/run.py from docs/benchmarks.json; edit outside) -->"
)
END = "<!-- make bench: end -->"
#: A generous limit per script: a hung server must not hang make bench.
SCRIPT_TIMEOUT = {"quick": 240, "full": 3600}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        action="append",
        choices=sorted(DATABASES),
        help="Which database (repeat for both; both unless given).",
    )
    parser.add_argument("--quick", action="store_true", help="Small scale, short runs.")
    parser.add_argument(
        "--only", help=f"Comma-separated benchmarks to run (of: {', '.join(BENCHMARKS)})."
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="Write the JSON here (default: docs/benchmarks.json and the tables into "
        "docs/benchmarks.md for a full run of everything; bench/results/<when>.json otherwise).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the databases afterwards.")
    parser.add_argument(
        "--use-database",
        metavar="URL",
        help="Run the benchmarks on this database, already migrated and filled by "
        "bench_generate, instead of making one (its kind is the only database).",
    )
    args = parser.parse_args(argv)
    args.database = args.database or list(DATABASES)
    if args.use_database:
        args.database = [harness.vendor_of(args.use_database)]
    args.only = [name.strip() for name in args.only.split(",")] if args.only else list(BENCHMARKS)
    unknown = [name for name in args.only if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})")
    return args


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=harness.ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def versions() -> dict:
    found = {"python": sys.version.split()[0]}
    for package in ("django", "psycopg", "gunicorn", "weasyprint", "django-tasks-db"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    try:
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
        found["wrk"] = (wrk.stdout or wrk.stderr).split("\n")[0].strip() or None
    except OSError:
        found["wrk"] = None
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    found["powershare"] = f"{commit}{' (with uncommitted changes)' if dirty else ''}"
    return found


def generate(url: str, args: argparse.Namespace) -> dict:
    scale = "small" if args.quick else "national"
    harness.say(f"migrating and generating {scale} data")
    started = time.perf_counter()
    harness.manage(url, "migrate", "--no-input", "-v0")
    # With debug off (as in production) pages need the static files' manifest.
    harness.manage(url, "collectstatic", "--no-input", "-v0")
    migrated = time.perf_counter()
    out = harness.manage(
        url,
        "bench_generate",
        "--scale",
        scale,
        "--seed",
        str(args.seed),
        "--force",
        "--json",
        capture=True,
    )
    finished = time.perf_counter()
    report = json.loads(out.stdout)
    report.update(
        scale=scale,
        migrate_seconds=round(migrated - started, 1),
        wall_seconds=round(finished - migrated, 1),
        command=f"manage.py bench_generate --scale {scale} --seed {args.seed} --force",
    )
    return report


def _given(url: str) -> dict:
    """What a database given with --use-database holds (it was generated before)."""
    harness.manage(url, "collectstatic", "--no-input", "-v0")
    out = harness.manage(
        url,
        "shell",
        "-c",
        "import json; from powershare.people.models import Person; "
        "from powershare.evaluation.models import QuestionnaireResponse as R; "
        "print(json.dumps({'people': Person.objects.count(), "
        "'questionnaire_responses': R.objects.count()}))",
        capture=True,
    )
    return {
        "scale": "given",
        "counts": json.loads(out.stdout.strip().splitlines()[-1]),
        "migrate_seconds": 0,
        "wall_seconds": 0,
        "command": "(a database given with --use-database)",
    }


def run_script(name: str, url: str, args: argparse.Namespace, folder: Path) -> dict:
    """Run bench/<name>.py in its own process; its report, or what went wrong."""
    out = folder / f"{name}.json"
    command = [str(harness.PYTHON), str(harness.ROOT / "bench" / f"{name}.py"), "--database-url"]
    command += [url, "--json", str(out), "--seed", str(args.seed)]
    if args.quick:
        command.append("--quick")
    shown = " ".join(["bench/" + f"{name}.py", "--database-url", "<throwaway>"])
    shown += " --quick" if args.quick else ""
    harness.say(f"running {shown}")
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command,
            cwd=harness.ROOT,
            env=harness.django_environment(url),
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT["quick" if args.quick else "full"],
            check=False,
        )
        status, stderr = done.returncode, done.stderr
    except subprocess.TimeoutExpired as expired:
        status = "timeout"
        stderr = (expired.stderr or b"").decode(errors="replace") if expired.stderr else ""
    seconds = round(time.perf_counter() - started, 1)
    if status == 0 and out.exists():
        report = json.loads(out.read_text())
        report["seconds"] = seconds
        report["command"] = shown
        harness.say(f"{name}: done in {seconds} s")
        return report
    tail = "\n".join(stderr.strip().splitlines()[-25:])
    harness.say(f"{name}: FAILED ({status}) after {seconds} s\n{tail}")
    return {
        "benchmark": name,
        "failed": True,
        "status": str(status),
        "stderr_tail": tail,
        "seconds": seconds,
        "command": shown,
    }


def run_database(vendor: str, args: argparse.Namespace) -> dict:
    given = contextlib.nullcontext(args.use_database) if args.use_database else None
    with (
        given or harness.throwaway_database(vendor, keep=args.keep, label="bench") as url,
        tempfile.TemporaryDirectory(prefix="powershare-bench-") as folder,
    ):
        result = {
            "database": vendor,
            "database_version": harness.database_version(url),
            "generator": _given(url) if args.use_database else generate(url, args),
            "benchmarks": {},
        }
        for name in args.only:
            if not (harness.ROOT / "bench" / f"{name}.py").exists():
                result["benchmarks"][name] = {"benchmark": name, "missing": True}
                continue
            result["benchmarks"][name] = run_script(name, url, args, Path(folder))
        return result


# Markdown ------------------------------------------------------------------------------------


def _cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(columns: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |"]
    lines.append("| " + " | ".join("---" for _ in columns) + " |")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _mark(target: dict | None) -> str:
    if target is None:
        return "not run"
    return f"{target['measured']} ({'met' if target['met'] else 'missed'})"


def markdown(body: dict) -> str:
    m, v = body["machine"], body["versions"]
    lines = [
        BEGIN,
        "",
        "## Issue 12: national scale, measured by `make bench`",
        "",
        f"Measured on {body['started'][:10]} with `{body['command']}` "
        f"({'quick pass, small scale' if body['quick'] else 'national scale'}), "
        f"in {body['seconds'] / 60:.0f} minutes; commit {v['powershare']}.",
        "",
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} memory, {m['system']}; "
        f"load average {', '.join(str(n) for n in m['load_average'])} at the start.",
        f"- Versions: Python {v['python']}, Django {v['django']}, psycopg {v['psycopg']}, "
        f"gunicorn {v['gunicorn']}, WeasyPrint {v['weasyprint']}, {v['wrk'] or 'wrk not found'}; "
        + "; ".join(r["database_version"] for r in body["databases"])
        + ".",
        "- Every figure below comes from docs/benchmarks.json, written by the same run.",
        "",
        "### Targets",
        "",
    ]
    vendors = [r["database"] for r in body["databases"]]
    keys: list[tuple[str, str]] = []
    found: dict[tuple[str, str, str], dict] = {}
    for r in body["databases"]:
        for name, report in r["benchmarks"].items():
            for t in report.get("targets", []):
                key = (name, t["what"])
                if key not in keys:
                    keys.append(key)
                found[(r["database"], *key)] = t
    rows = []
    for name, what in keys:
        goal = next(found[(vd, name, what)]["goal"] for vd in vendors if (vd, name, what) in found)
        rows.append([what, goal, *(_mark(found.get((vd, name, what))) for vd in vendors)])
    lines += _table(["What", "Target", *(DATABASES[vd] for vd in vendors)], rows)
    missed = [(vd, t) for (vd, *_), t in found.items() if not t["met"] and t.get("why")]
    if missed:
        lines += ["", "Where a target is missed, the cause and the next step:", ""]
        lines += [f"- **{t['what']}** ({DATABASES[vd]}): {t['why']}" for vd, t in missed]
    for r in body["databases"]:
        g = r["generator"]
        lines += [
            "",
            f"### {DATABASES[r['database']]} ({r['database_version']})",
            "",
            f"**Data**: `{g['command']}` made {sum(g['counts'].values()):,} rows in "
            f"{g['wall_seconds']:,.0f} s (migrations {g['migrate_seconds']:,.0f} s before it): "
            + ", ".join(
                f"{n:,} {k.replace('_', ' ')}"
                for k, n in g["counts"].items()
                if k in GENERATOR_SHOWN
            )
            + ".",
        ]
        for name, report in r["benchmarks"].items():
            lines += ["", f"#### {BENCHMARKS[name]}", ""]
            if report.get("missing"):
                lines.append(f"Not run: bench/{name}.py is not there.")
                continue
            if report.get("failed"):
                lines.append(f"**Failed** ({report['status']}) after {report['seconds']} s:")
                lines += ["", "```", report["stderr_tail"], "```"]
                continue
            lines.append(f"`{report['command']}` ({report['seconds']:,.0f} s).")
            for t in report.get("tables", []):
                lines += ["", f"*{t['title']}*", ""]
                lines += _table(t["columns"], t["rows"])
                if t.get("note"):
                    lines += ["", t["note"]]
    lines += ["", END]
    return "\n".join(lines) + "\n"


GENERATOR_SHOWN = {
    "people",
    "activities",
    "contributions",
    "responses",
    "payments",
    "deliveries",
    "bookings",
    "questionnaire_responses",
    "answers",
}


def write_doc(text: str) -> None:
    current = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if BEGIN in current and END in current:
        before, rest = current.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        DOC.write_text(before + text.rstrip("\n") + after)
    else:
        DOC.write_text(current.rstrip("\n") + "\n\n" + text)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    body = {
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": "make bench"
        if argv is None and len(sys.argv) == 1
        else " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "quick": args.quick,
        "machine": harness.machine(),
        "versions": versions(),
        "databases": [],
    }
    for vendor in args.database:
        body["databases"].append(run_database(vendor, args))
    body["seconds"] = round(time.perf_counter() - started, 1)
    failed = [
        f"{r['database']}: {name}"
        for r in body["databases"]
        for name, report in r["benchmarks"].items()
        if report.get("failed") or report.get("missing")
    ]
    body["failed"] = failed
    everything = not args.quick and args.only == list(BENCHMARKS)
    if args.output:
        output = Path(args.output)
    elif everything:
        output = DOC_JSON
    else:
        folder = harness.ROOT / "bench" / "results"
        folder.mkdir(exist_ok=True)
        output = folder / f"{'quick' if args.quick else 'run'}-{body['started'][:19]}.json"
    output.write_text(json.dumps(body, indent=2, default=str) + "\n")
    text = markdown(body)
    if everything and not args.output:
        write_doc(text)
        harness.say(f"wrote {DOC.relative_to(harness.ROOT)} and {output.relative_to(harness.ROOT)}")
    else:
        print(text)
        harness.say(f"wrote {output}")
    if failed:
        harness.say("failed: " + "; ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    os.chdir(harness.ROOT)
    sys.exit(main())
