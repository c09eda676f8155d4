"""CSV export of a questionnaire's 1,000,000 responses, streamed: time and peak memory (issue 12:
"CSV of 1,000,000 responses ≤ 10 s in constant memory (≤ 200 MB)").

    .venv/bin/python bench/csv_export.py --database-url URL [--quick] --json FILE

On the database bench/run.py made, `answers.big_questionnaire` gives (once) a questionnaire
like a product's post questionnaire with 1,000,000 anonymous responses (--quick: 2,000):
nine agree-or-disagree statements and a free-text question, over four sites, an imported
site name, no site and a tiny site. Its organisation's bench participation lead
(`bench.lead.<slug>@bench.example`, made by bench_generate) downloads it.

Each run is a fresh process (so its peak RSS is the export's, not an earlier run's) that sets
Django up, then exports the whole file once, timed from the request to the last byte:

- **http**: the download as the results page links to it (`evaluation:responses_download`),
  through Django's test client signed in as the lead: the view, the access log, and every
  piece of the StreamingHttpResponse read;
- **command**: `manage.py questionnaire_responses_export CODE --output /dev/null`, called in
  the process.

The median of --runs runs of each (3; 1 with --quick) after one untimed warm-up run (the
database's cache). The http runs check that the file has one row per response.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

RESPONSES, QUICK_RESPONSES = 1_000_000, 2_000
GOAL_SECONDS, GOAL_MIB = 10, 200
METHODS = ("http", "command")


def parse_args(argv=None):
    parser = harness.arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, help="Responses (1,000,000; quick 2,000).")
    parser.add_argument("--runs", type=int, help="Timed runs of each way (3; quick 1).")
    # One export in a fresh process (how the script runs each timed run).
    parser.add_argument("--probe", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--code", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.responses = args.responses or (QUICK_RESPONSES if args.quick else RESPONSES)
    args.runs = args.runs or (1 if args.quick else 3)
    return args


# One export in a fresh process ---------------------------------------------------------------


def _rows_in(last_piece: str, header_only: bool) -> int:
    """The number of the last row (each piece holds whole lines, numbered from 1)."""
    if header_only:
        return 0
    text = last_piece.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return int(rows[-1][0])


def probe(args) -> int:
    """Export the questionnaire `args.code` once, the way `args.probe` says; print the
    seconds, bytes, rows and peak RSS as JSON."""
    harness.django_setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from powershare.accounts.models import User
    from powershare.evaluation.models import Questionnaire

    questionnaire = Questionnaire.objects.select_related("organisation").get(code=args.code)
    lead = User.objects.get(email=f"bench.lead.{questionnaire.organisation.slug}@bench.example")
    client = Client()
    client.force_login(lead)
    # A first request loads the URLs, views and middleware, as a running server has.
    client.get(reverse("healthz"), secure=True)
    connection.ensure_connection()
    before = harness.peak_rss_mib()  # Django, the project loaded, a connection, a session
    size, rows = 0, None
    started = time.perf_counter()
    if args.probe == "http":
        response = client.get(
            reverse("evaluation:responses_download", args=[questionnaire.pk]), secure=True
        )
        if response.status_code != 200 or not response.streaming:
            raise RuntimeError(f"csv_export: the download answered {response.status_code}")
        last, pieces = b"", 0
        for piece in response.streaming_content:
            size += len(piece)
            last = piece
            pieces += 1
        response.close()
        seconds = time.perf_counter() - started
        rows = _rows_in(last.decode("utf-8"), header_only=pieces == 1)
    else:
        call_command("questionnaire_responses_export", args.code, output="/dev/null")
        seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "bytes": size,
                "rows": rows,
                "before_mib": before,
                "peak_rss_mib": harness.peak_rss_mib(),
            }
        )
    )
    return 0


def fresh_process(args, method: str, code: str) -> dict:
    command = [str(harness.PYTHON), __file__, "--database-url", args.database_url]
    done = subprocess.run(
        [*command, "--probe", method, "--code", code],
        env=harness.django_environment(args.database_url),
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"csv_export: the {method} run failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# Measuring -----------------------------------------------------------------------------------


def measure(args, made: dict) -> dict:
    code = made["code"]
    harness.say(f"warm-up: one download of {made['responses']:,} responses")
    fresh_process(args, "http", code)
    measured = {}
    for method in METHODS:
        runs = []
        for n in range(args.runs):
            harness.say(f"{method} run {n + 1} of {args.runs}")
            runs.append(fresh_process(args, method, code))
        seconds = [r["seconds"] for r in runs]
        measured[method] = {
            "runs": runs,
            "median_s": round(statistics.median(seconds), 2),
            "min_s": round(min(seconds), 2),
            "max_s": round(max(seconds), 2),
            "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
            "before_mib": max(r["before_mib"] for r in runs),
        }
    for run in measured["http"]["runs"]:
        if run["rows"] != made["responses"]:
            raise RuntimeError(
                f"csv_export: the file has {run['rows']:,} rows, not {made['responses']:,}"
            )
    return measured


def build_report(args, made: dict, measured: dict) -> dict:
    n = made["responses"]
    http = measured["http"]
    mb = http["runs"][0]["bytes"] / 1_000_000
    rows = []
    for method, label in (
        ("http", "Download (view, streamed, read to the end)"),
        ("command", "manage.py questionnaire_responses_export to /dev/null"),
    ):
        m = measured[method]
        rows.append(
            [
                f"{n:,}",
                label,
                f"{m['median_s']:.2f} s",
                f"{m['min_s']:.2f} s / {m['max_s']:.2f} s",
                str(len(m["runs"])),
                f"{n / m['median_s']:,.0f}" if m["median_s"] else "",
                f"{m['peak_rss_mib']} MiB ({m['before_mib']} MiB before)",
            ]
        )
    slowest = max(measured[m]["median_s"] for m in METHODS)
    memory = max(measured[m]["peak_rss_mib"] for m in METHODS)
    at = f" (quick pass: {n:,} responses)" if args.quick else ""
    targets = [
        harness.target(
            "CSV export of 1,000,000 responses: time" + at,
            f"≤ {GOAL_SECONDS} s",
            f"{slowest:.2f} s (median, the slower of the download and the command)",
            slowest <= GOAL_SECONDS,
            ""
            if slowest <= GOAL_SECONDS
            else (
                "SQLite gathers the answers by response (one aggregate per question over "
                "every answer: about 12 s of CPU at 1,000,000 responses on the bench machine) "
                "inside the exporting process; the CSV writing itself is under a second. "
                "Next step: a cheaper one-pass pivot on SQLite, or PostgreSQL for national use."
                if harness.vendor_of(args.database_url) == "sqlite"
                else "PostgreSQL's aggregation of every answer by response and the sort into "
                "the export's order take most of it (the export keeps PostgreSQL to its "
                "streaming plan: responses_export._PLANNER). Next: EXPLAIN ANALYZE the "
                "export's query on this database, and compare the machine's load average "
                "in the report."
            ),
        ),
        harness.target(
            "CSV export of 1,000,000 responses: memory" + at,
            f"≤ {GOAL_MIB} MB, constant",
            f"{memory} MiB peak RSS of a fresh process "
            f"({http['before_mib']} MiB before the export)",
            memory <= GOAL_MIB,
            "" if memory <= GOAL_MIB else "The exporting process grew past the goal.",
        ),
    ]
    table = harness.table(
        "CSV export of a questionnaire's responses, streamed",
        ["Responses", "How", "Median", "Fastest / slowest", "Runs", "Rows a second", "Peak RSS"],
        rows,
        note=(
            f"One row per response ({mb:,.0f} MB): number, day, site (small groups put "
            "together), how it came in, 9 agree-or-disagree answers and the free text. Each "
            "run is a fresh process, timed from the request to the last byte, after one "
            "untimed warm-up; the download is read through Django's test client as the "
            "questionnaire's participation lead. One query streams the rows (a server-side "
            "cursor on PostgreSQL); the database writes each CSV line."
        ),
    )
    return {"tables": [table], "targets": targets}


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.probe:
        return probe(args)
    import answers

    harness.django_setup(args.database_url)
    made = answers.big_questionnaire(responses=args.responses, seed=args.seed)
    measured = measure(args, made)
    built = build_report(args, made, measured)
    body = harness.report(
        benchmark="csv_export",
        args=args,
        tables=built["tables"],
        targets=built["targets"],
        figures={"questionnaire": made, "measured": measured},
    )
    for t in body["targets"]:
        harness.say(f"{'met' if t['met'] else 'MISSED'}: {t['what']}: {t['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
