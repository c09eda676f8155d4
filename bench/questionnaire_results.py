"""How long a questionnaire's results take with many responses (issue 9: "results for a
questionnaire with 100,000 responses return in well under a second on SQLite and PostgreSQL").

    .venv/bin/python bench/questionnaire_results.py --responses 100000 [--database sqlite|postgres]

It makes a throwaway database of its own (an SQLite file under /tmp, or a PostgreSQL database
on 127.0.0.1:5432 as user `postgres` with trust authentication, like scripts/test_postgres.py;
POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER and POSTGRES_PASSWORD point it elsewhere), migrates
it, and makes two questionnaires like a product's post questionnaire: five agree-or-disagree
statements tied to outcomes (two offering "prefer not to say"), four reaction statements and a
free-text question. It inserts N anonymous responses to the one it times and (unless
--other-responses 0) as many to the other, in random order, so the answer table holds both
questionnaires' answers mixed as they would arrive, not only the one measured. Answers are
random, with random blanks, spread over four sites, an imported site name, no site, and a
site with only three responses (so a group is hidden by site). Rows go in with executemany on
SQLite and COPY on PostgreSQL, in chunks, with the ids given, which is much faster than
bulk_create; each answer is given its response's site and site label, as Answer.save and
Answer.objects.bulk_create do (models._copy_site), and the script checks that afterwards.

It times `evaluation.selectors.questionnaire_results`, overall and by site (the median,
fastest and slowest of --runs runs after one warm-up run), and, for comparison, the floor: the
single GROUP BY query over evaluation_answer alone that does the counting, in raw SQL. It
measures the Python memory one call allocates at its peak (tracemalloc), and each query's share
of one call. It prints a Markdown table, the query plans with --explain, and the figures and
the machine as JSON (also written to --json FILE). The database is dropped (or the file
deleted) afterwards, unless --keep.

This is not a test and pytest does not collect it (pyproject's testpaths are powershare and
tests). docs/benchmarks.md has the figures measured with it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 10_000
TODAY = datetime.date(2025, 3, 4)
SITE_NAMES = ["Bench Borders", "Bench Stirling", "Bench West Lothian", "Bench Fife"]
SMALL_SITE = "Bench Orkney"  # only three responses: hidden by site
IMPORTED = "Imported: Harbour Hall"  # a site name that matched no organisation


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=100_000, help="How many responses.")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--other-responses",
        type=int,
        default=None,
        metavar="N",
        help="Give another questionnaire in the same database N responses, mixed in with the "
        "timed one's (as many as --responses unless given; 0 for none).",
    )
    parser.add_argument("--runs", type=int, default=9, help="Timed runs after the warm-up.")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--explain",
        action="store_true",
        help="Print the query plans of the floor queries and of each query the selector makes "
        "(EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL).",
    )
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="Skip ANALYZE (VACUUM ANALYZE on PostgreSQL) after loading; PostgreSQL's "
        "autovacuum would run it soon anyway.",
    )
    parser.add_argument("--json", metavar="FILE", help="Also write the JSON figures here.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args(argv)
    if args.other_responses is None:
        args.other_responses = args.responses
    if args.responses < len(SITE_NAMES) + 3 or args.runs < 1 or args.other_responses < 0:
        parser.error(
            "--responses must be at least 7, --runs at least 1, --other-responses 0 or more"
        )
    return args


# The throwaway database ----------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_database(keep: bool) -> Iterator[str]:
    path = Path(tempfile.gettempdir()) / f"powershare-bench-{secrets.token_hex(4)}.sqlite3"
    say(f"SQLite file {path}")
    try:
        yield f"sqlite:///{path}"
    finally:
        if keep:
            say(f"kept {path}")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def postgres_database(keep: bool) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    host = os.environ.get("POSTGRES_HOST") or "127.0.0.1"
    port = int(os.environ.get("POSTGRES_PORT") or "5432")
    user = os.environ.get("POSTGRES_USER") or "postgres"
    password = os.environ.get("POSTGRES_PASSWORD") or None
    name = f"powershare_bench_{secrets.token_hex(4)}"

    def connect():
        return psycopg.connect(
            host=host,
            port=port,
            user=user,
            password=password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
            application_name="powershare-bench",
        )

    with connect() as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    say(f"PostgreSQL database {name} on {host}:{port}")
    credentials = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    try:
        yield f"postgres://{credentials}@{host}:{port}/{name}"
    finally:
        if keep:
            say(f"kept database {name}")
        else:
            with contextlib.suppress(Exception):  # Django may not be set up yet
                from django.db import connections

                connections.close_all()
            with connect() as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            say(f"dropped database {name}")


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_SECRET_KEY"] = "bench-" + secrets.token_hex(16)
    os.environ["DJANGO_DEBUG"] = "0"  # as in production: no query log kept in memory
    os.environ["POWERSHARE_READ_DOTENV"] = "0"  # never the developer's .env database
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# The questionnaire and its answers -----------------------------------------------------------


def make_sites() -> list:
    from powershare.accounts.models import Organisation, OrganisationKind

    return [
        Organisation.objects.create(
            name=name, slug=name.lower().replace(" ", "-"), kind=OrganisationKind.LOCAL_AUTHORITY
        )
        for name in [*SITE_NAMES, SMALL_SITE]
    ]


def make_questionnaire(sites: list, code: str):
    from powershare.evaluation.models import (
        Question,
        Questionnaire,
        QuestionnaireKind,
        QuestionPurpose,
        QuestionType,
    )

    questionnaire = Questionnaire.objects.create(
        organisation=sites[0],
        code=code,
        title=f"After the learning ({code})",
        kind=QuestionnaireKind.POST,
    )
    specs = [
        *(
            (f"ilo-{n}", QuestionType.LIKERT, QuestionPurpose.OUTCOME, n in (2, 4))
            for n in range(1, 6)
        ),
        *(
            (code, QuestionType.LIKERT, QuestionPurpose.REACTION, False)
            for code in ("useful", "recommend", "led-well", "supported")
        ),
        ("will-do-next", QuestionType.TEXT, QuestionPurpose.NEXT_STEPS, False),
    ]
    questions = [
        Question.objects.create(
            questionnaire=questionnaire,
            position=position,
            code=code,
            text=f"Statement {code}",
            type=type,
            purpose=purpose,
            allow_prefer_not=prefer_not,
        )
        for position, (code, type, purpose, prefer_not) in enumerate(specs, 1)
    ]
    return questionnaire, questions


def _rows(model, values: dict) -> tuple:
    """A row of the model's columns, in order. A column the model cannot leave empty must be
    given, so a new column fails here rather than at a confusing insert."""
    fields = model._meta.concrete_fields
    missing = [f.attname for f in fields if f.attname not in values and not f.null]
    if missing:
        raise ValueError(f"bench: {model.__name__} rows need {', '.join(missing)}")
    return tuple(values.get(f.attname) for f in fields)


def generate(batches: list[tuple], sites: list, rng: random.Random) -> Iterator[tuple[list, ...]]:
    """Chunks of (responses, answers, text answers) rows, with their ids given, for each
    (questionnaire, questions, n) batch: the batches' responses in random order, mixed as they
    would arrive. Each batch's first three responses are from the small site."""
    from powershare.evaluation.models import (
        Answer,
        QuestionnaireResponse,
        QuestionType,
        ResponseSource,
        TextAnswer,
    )

    main_sites, small_site = sites[:-1], sites[-1]
    kinds = [
        (
            questionnaire,
            [q for q in questions if q.type == QuestionType.LIKERT],
            [q for q in questions if q.type == QuestionType.TEXT],
        )
        for questionnaire, questions, _ in batches
    ]
    order = [index for index, (_, _, n) in enumerate(batches) for _ in range(n)]
    rng.shuffle(order)
    made = [0] * len(batches)
    answer_id = text_answer_id = 0
    for start in range(0, len(order), CHUNK):
        responses, answers, text_answers = [], [], []
        for response_id, index in enumerate(order[start : start + CHUNK], start + 1):
            questionnaire, likert, texts = kinds[index]
            made[index] += 1
            site, label, source = None, "", ResponseSource.ONLINE
            if made[index] <= 3:
                site = small_site
            else:
                draw = rng.random()
                if draw < 0.85:
                    site = main_sites[int(draw / 0.85 * len(main_sites))]
                elif draw < 0.95:
                    label, source = IMPORTED, ResponseSource.IMPORT
                else:
                    source = ResponseSource.IMPORT
            site_id = site.pk if site else None
            responses.append(
                _rows(
                    QuestionnaireResponse,
                    {
                        "id": response_id,
                        "questionnaire_id": questionnaire.pk,
                        "site_id": site_id,
                        "site_label": label,
                        "submitted_on": TODAY,
                        "source": source,
                        "pair_key": "",
                    },
                )
            )
            for question in likert:
                if rng.random() < 0.05:
                    continue  # left blank
                low = 0 if question.allow_prefer_not else 1
                answer_id += 1
                answers.append(
                    _rows(
                        Answer,
                        {
                            "id": answer_id,
                            "response_id": response_id,
                            "question_id": question.pk,
                            "value": rng.randint(low, 5),
                            # As models._copy_site does for save() and bulk_create().
                            "site_id": site_id,
                            "site_label": label,
                        },
                    )
                )
            for question in texts:
                if rng.random() < 0.3:
                    text_answer_id += 1
                    text_answers.append(
                        _rows(
                            TextAnswer,
                            {
                                "id": text_answer_id,
                                "response_id": response_id,
                                "question_id": question.pk,
                                "text": "Ask the people we work with before we change things.",
                                "shareable": False,
                            },
                        )
                    )
        yield responses, answers, text_answers


def insert(model, rows: list[tuple]) -> None:
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(model._meta.concrete_fields))
            # The table and column names are the model's own, quoted; the values are parameters.
            statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(statement, rows)


def load(batches: list[tuple], sites: list, seed: int, analyze: bool) -> dict:
    """Insert each (questionnaire, questions, n) batch's responses; the rows inserted in all."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from powershare.evaluation import tallies
    from powershare.evaluation.models import Answer, QuestionnaireResponse, TextAnswer

    started = time.perf_counter()
    inserted = {"responses": 0, "answers": 0, "text_answers": 0}
    for responses, answers, text_answers in generate(batches, sites, random.Random(seed)):
        with transaction.atomic():
            insert(QuestionnaireResponse, responses)
            insert(Answer, answers)
            insert(TextAnswer, text_answers)
        inserted["responses"] += len(responses)
        inserted["answers"] += len(answers)
        inserted["text_answers"] += len(text_answers)
    models = [QuestionnaireResponse, Answer, TextAnswer]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    # The results read the tallies the services keep as answers are stored (ADR 17): rows
    # inserted here went past the services, so they are counted afresh, as bench/answers.py does.
    tallies.tallies_rebuild(questionnaire_ids=sorted({q.pk for q, _, _ in batches}))
    load_seconds = time.perf_counter() - started
    if analyze:
        statistics_update()
    return {
        **inserted,
        "load_seconds": round(load_seconds, 1),
        "analyze_seconds": round(time.perf_counter() - started - load_seconds, 1),
    }


#: Answers whose site or site label is not their response's (there must be none).
SITE_MISMATCHES = """
    SELECT COUNT(*) FROM evaluation_answer a
    JOIN evaluation_questionnaireresponse r ON r.id = a.response_id
    WHERE a.site_id IS DISTINCT FROM r.site_id OR a.site_label <> r.site_label
"""


# Timing --------------------------------------------------------------------------------------


def timed(function: Callable[[], object], runs: int) -> dict:
    """Wall-clock time (what a user waits), and the CPU time of this process: with SQLite,
    which runs inside it, that is nearly all the work and is less disturbed by other programs
    on the machine."""
    function()  # warm-up: caches, and the query plans
    seconds, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 1),
        "min_ms": round(min(seconds) * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
        "cpu_median_ms": round(statistics.median(cpu) * 1000, 1),
    }


#: The floor: the one GROUP BY over evaluation_answer alone that does the counting, given this
#: questionnaire's question ids (the selector has them already), in raw SQL. The selector's
#: own counting query is this one, written by the ORM; by site, it reads the
#: (question, site, site_label, value) index alone, as answers carry their response's site.
FLOOR_OVERALL = """
    SELECT question_id, value, COUNT(*)
    FROM evaluation_answer
    WHERE question_id IN ({ids})
    GROUP BY question_id, value
"""
FLOOR_BY_SITE = """
    SELECT question_id, site_id, site_label, value, COUNT(*)
    FROM evaluation_answer
    WHERE question_id IN ({ids})
    GROUP BY question_id, site_id, site_label, value
"""


def floor(sql: str, question_ids: list[int]) -> tuple[str, list[int]]:
    return sql.format(ids=", ".join(["%s"] * len(question_ids))), question_ids


def raw(sql: str, params: list) -> Callable[[], list]:
    from django.db import connection

    def run() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def statistics_update() -> None:
    """ANALYZE; on PostgreSQL VACUUM ANALYZE, as autovacuum would soon after a bulk load (it
    also marks the pages all-visible, so index-only scans need not visit the table)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def explain(sql: str, params: list | None) -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        prefix = "EXPLAIN QUERY PLAN "
    else:
        prefix = "EXPLAIN (ANALYZE, BUFFERS) "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def queries_of(function: Callable[[], object], runs: int) -> list[dict]:
    """The queries one call makes, in order: each one's SQL (parameters filled in, as the
    database driver sent them) and the median time to run it again alone and fetch all its
    rows, in milliseconds. (Django's own query log times only `execute`, and SQLite does most
    of a GROUP BY's work while the rows are fetched.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    return [
        {"ms": timed(raw(q["sql"], None), runs)["median_ms"], "sql": q["sql"]}
        for q in captured.captured_queries
    ]


def peak_memory_kib(function: Callable[[], object]) -> int:
    """The most Python memory one call held at once, above what was held before (tracemalloc:
    Python's own allocations, not the database's; SQLite's page cache is not counted)."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 1024)


def machine(vendor: str) -> dict:
    """The machine (as bench/harness.py describes it for every benchmark), Django's version and
    the database's, asked over this run's own connection."""
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            database = f"SQLite {cursor.fetchone()[0]}"
        else:
            import psycopg

            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]} (psycopg {psycopg.__version__})"
    return {**harness.machine(), "django": django.get_version(), "database": database}


def check(results, overall, responses: int) -> None:
    """The figures must be right before their speed matters."""
    from django.db import connection
    from django.db.models import Count

    from powershare.evaluation.models import Answer

    with connection.cursor() as cursor:
        cursor.execute(SITE_MISMATCHES)
        mismatched = cursor.fetchone()[0]
    assert mismatched == 0, f"{mismatched} answers do not carry their response's site"
    assert results.responses == responses, results.responses
    # The small site is hidden, and with it as many of the next smallest groups as the
    # selector needs to hide so the hidden ones cannot be worked out from the overall figures.
    hidden = [s for s in results.by_site if s.suppressed]
    assert SMALL_SITE in [s.site for s in hidden], hidden
    assert sum(s.responses for s in hidden) >= results.threshold, hidden
    assert sum(not s.suppressed for s in results.by_site) >= len(SITE_NAMES), results.by_site
    first = results.questions[0]
    assert sum(first.counts.values()) == Answer.objects.filter(question=first.question).count()
    assert overall.as_dict()["questions"] == results.as_dict()["questions"]
    # One site's counts, counted the old way (through the responses), agree with the answers'
    # own copy of the site.
    site = next(s for s in results.by_site if s.site_id and not s.suppressed)
    through_responses = dict(
        Answer.objects.filter(question=first.question, response__site_id=site.site_id)
        .values_list("value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_site_counts = sorted(n for n in site.questions[0].counts.values() if n)
    assert by_site_counts == sorted(through_responses.values()), (site, through_responses)


def benchmark(args: argparse.Namespace) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from powershare.evaluation import selectors
    from powershare.evaluation.models import Answer, TextAnswer

    say("migrating")
    call_command("migrate", verbosity=0)
    sites = make_sites()
    other, other_questions = make_questionnaire(sites, "bench-other")
    questionnaire, questions = make_questionnaire(sites, "bench-post")
    say(
        f"inserting {args.responses:,} responses to the timed questionnaire and "
        f"{args.other_responses:,} to another, mixed"
    )
    loaded = load(
        [
            (questionnaire, questions, args.responses),
            (other, other_questions, args.other_responses),
        ],
        sites,
        args.seed,
        analyze=not args.no_analyze,
    )
    loaded |= {
        "answers_timed": Answer.objects.filter(question__in=questions).count(),
        "text_answers_timed": TextAnswer.objects.filter(question__in=questions).count(),
    }
    say(
        f"inserted {loaded['responses']:,} responses, {loaded['answers']:,} answers and "
        f"{loaded['text_answers']:,} free-text answers in all, in {loaded['load_seconds']} s"
    )

    def overall():
        return selectors.questionnaire_results(questionnaire=questionnaire)

    def by_site():
        return selectors.questionnaire_results(questionnaire=questionnaire, by_site=True)

    check(by_site(), overall(), args.responses)

    ids = [q.pk for q in questions]
    floors = {"overall": floor(FLOOR_OVERALL, ids), "by site": floor(FLOOR_BY_SITE, ids)}
    measurements = {
        "questionnaire_results (overall)": timed(overall, args.runs),
        "questionnaire_results (by site)": timed(by_site, args.runs),
        "results as JSON (by site, as the API and command give them)": timed(
            lambda: json.dumps(by_site().as_dict()), args.runs
        ),
        "floor: counting query alone, overall": timed(raw(*floors["overall"]), args.runs),
        "floor: counting query alone, by site": timed(raw(*floors["by site"]), args.runs),
    }
    memory = {"overall": peak_memory_kib(overall), "by site": peak_memory_kib(by_site)}
    queries = {"overall": queries_of(overall, args.runs), "by site": queries_of(by_site, args.runs)}
    plans: dict[str, str] = {}
    if args.explain:
        for name, (sql, params) in floors.items():
            plans[f"floor, {name}"] = explain(sql, params)
        for name, captured in queries.items():
            for number, query in enumerate(captured, 1):
                plans[f"questionnaire_results {name}, query {number}"] = (
                    query["sql"] + "\n" + explain(query["sql"], None)
                )
    return {
        "database": args.database,
        "responses": args.responses,
        "answers": loaded["answers_timed"],
        "text_answers": loaded["text_answers_timed"],
        "other_responses": args.other_responses,
        "rows_in_all": {k: loaded[k] for k in ("responses", "answers", "text_answers")},
        "load_seconds": loaded["load_seconds"],
        "analyze_seconds": loaded["analyze_seconds"],
        "analyzed": not args.no_analyze,
        "runs": args.runs,
        "measurements": measurements,
        "peak_python_memory_kib": memory,
        "queries": queries,
        "plans": plans,
        "machine": machine(connection.vendor),
        "command": "bench/questionnaire_results.py " + " ".join(sys.argv[1:]),
    }


def short(sql: str, width: int = 110) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"{report['responses']:,} responses ({report['answers']:,} answers, "
        f"{report['text_answers']:,} free-text answers)"
        + (
            f", in a database with another questionnaire of {report['other_responses']:,} "
            f"({report['rows_in_all']['answers']:,} answers in all)"
            if report["other_responses"]
            else ", the only questionnaire in the database"
        )
        + f", on {m['database']}; median of "
        f"{report['runs']} runs after a warm-up; {m['nproc']} CPUs ({m['cpu']}), load "
        f"average {m['load_average'][0]} at the end.",
        "",
        "| Measurement | Median (ms) | Fastest (ms) | Slowest (ms) | CPU here, median (ms) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, f in report["measurements"].items():
        lines.append(
            f"| {name} | {f['median_ms']} | {f['min_ms']} | {f['max_ms']} | {f['cpu_median_ms']} |"
        )
    memory = report["peak_python_memory_kib"]
    lines += [
        "",
        f"Peak Python memory of one call: {memory['overall']:,} KiB overall, "
        f"{memory['by site']:,} KiB by site.",
    ]
    for name, captured in report["queries"].items():
        lines += [
            "",
            f"The {len(captured)} queries of one call, {name}, each run again alone (median ms):",
            "",
        ]
        lines += [f"- {q['ms']}: `{short(q['sql'])}`" for q in captured]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    database = sqlite_database if args.database == "sqlite" else postgres_database
    with database(args.keep) as url:
        django_setup(url)
        report = benchmark(args)
    print(markdown(report))
    for name, plan in report["plans"].items():
        print(f"\nQuery plan ({name}):\n{plan}")
    print("\n" + json.dumps({k: v for k, v in report.items() if k != "plans"}, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
