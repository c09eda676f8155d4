"""The peer: django-survey-and-report 1.5.0, installed from the package registry into a
virtualenv of its own (.bench/peer-venv), with a minimal project (peer_site) and the tasks the
benchmarks ask of it (peer_tasks.py), always run in that virtualenv as a subprocess.

Importable from PowerShare's python without Django. Used by bench/results.py (Likert results)
and the HTTP benchmark (anonymous submissions):

    from peer import ensure_venv, environment, setup, load, results, count
    python = ensure_venv()                  # the peer venv's python (made once)
    made = setup(url)                       # migrate the peer's database, make the survey
    load(url, made, rows)                   # the same answers as PowerShare's, in bulk
    results(url, made["survey_id"], runs=5) # the peer's report, timed in its own process

    # HTTP: <python> -m gunicorn peer_site.wsgi -w 2 -b 127.0.0.1:PORT  with env=environment(url)
    # GET made["path"] (sets the csrftoken cookie; the page holds csrfmiddlewaretoken), then
    # POST made["post"] + csrfmiddlewaretoken with the cookie: 302 to the confirmation page,
    # one Response and 10 Answers stored (count(url, survey_id) says so).

The peer's database must be its own (harness.throwaway_database(vendor, label="peer")).
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VENV = ROOT / ".bench" / "peer-venv"
#: What the peer venv holds, pinned. django-survey-and-report 1.5.0 asks for Django >=2.2,<7;
#: 5.2 is the long-term-support release in that range.
REQUIREMENTS = [
    "django-survey-and-report==1.5.0",
    "Django==5.2.19",
    "psycopg[binary]==3.3.9",
    "gunicorn==27.0.1",
]
PEER_PACKAGE = "django-survey-and-report 1.5.0"

#: The five-point agree scale as the peer stores a chosen option (its form posts the
#: slugified label and saves it as the answer's body); 0 is "prefer not to say".
SLUGS = {
    0: "prefer-not-to-say",
    1: "strongly-disagree",
    2: "disagree",
    3: "neither-agree-nor-disagree",
    4: "agree",
    5: "strongly-agree",
}
VALUES = {slug: value for value, slug in SLUGS.items()}
CREATED = datetime.datetime(2025, 3, 4, 10, 0, tzinfo=datetime.UTC)


def _base_python() -> str:
    """The python PowerShare's venv was made from (3.12), not the venv's own."""
    base = getattr(sys, "_base_executable", None)
    if base and Path(base).exists():
        return base
    return str(
        Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    )


def ensure_venv() -> Path:
    """Make .bench/peer-venv (once) with the pinned peer, Django, psycopg and gunicorn; the
    path of its python. Quiet unless something fails."""
    python = VENV / "bin" / "python"
    stamp = VENV / "peer-requirements.txt"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python

    def run(*command: str) -> None:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(
                f"bench/peer: {' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
            )

    VENV.parent.mkdir(parents=True, exist_ok=True)
    run(_base_python(), "-m", "venv", "--clear", str(VENV))
    run(
        str(python),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        *REQUIREMENTS,
    )
    stamp.write_text(wanted)
    return python


def environment(database_url: str) -> dict:
    """The environment a peer process (peer_tasks.py, gunicorn) runs with."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV"}
    }
    env.update(
        PYTHONPATH=str(HERE),
        DJANGO_SETTINGS_MODULE="peer_site.settings",
        PEER_DATABASE_URL=database_url,
        PEER_DEBUG="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _task(database_url: str, *args: str) -> dict:
    python = ensure_venv()
    done = subprocess.run(
        [str(python), str(HERE / "peer_tasks.py"), *args],
        env=environment(database_url),
        cwd=HERE,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"bench/peer: peer_tasks.py {' '.join(args)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def setup(database_url: str, name: str = "PowerShare bench") -> dict:
    """Migrate the peer's database and make (once) a survey like PowerShare's bench
    questionnaire: 9 "radio" questions on a five-point agree scale (the 2nd and 4th also offer
    "Prefer not to say"), one free-text question, none required, anonymous answers allowed
    (need_logged_user False), published until 2099, all on one page. Returns survey_id,
    question_ids (in order), likert_question_ids, choices (the slugs each accepts), path (the
    answer page), post (a valid complete body for one submission, without the CSRF token) and
    csrf (how the page expects it: the csrftoken cookie and the csrfmiddlewaretoken field)."""
    return _task(database_url, "setup", "--name", name)


def count(database_url: str, survey_id: int) -> dict:
    """Responses and answers the peer has stored for the survey."""
    return _task(database_url, "count", "--survey", str(survey_id))


def submit_check(database_url: str, made: dict, times: int = 2) -> dict:
    """POST `made["post"]` to the survey's page `times` times through the peer's whole
    middleware stack (Django's test client, CSRF checks on): the statuses (200 for the page,
    302 after a stored submission) and the responses and answers added."""
    return _task(
        database_url,
        "submit-check",
        "--survey",
        str(made["survey_id"]),
        "--post",
        json.dumps(made["post"]),
        "--times",
        str(times),
    )


def results(
    database_url: str, survey_id: int, runs: int, warm_up: int = 0, trace: bool = False
) -> dict:
    """Time the peer's own report of the Likert questions (Survey2Tex.create_tex, which counts
    each question's answers with Question.sorted_answers_cardinality) in a process of its
    own: median of `runs`, each run, peak RSS of that process, tracemalloc peak of one more
    run (with `trace`), and the counts its report used ({question id: {slug: n}})."""
    args = ["results", "--survey", str(survey_id), "--runs", str(runs), "--warm-up", str(warm_up)]
    if trace:
        args.append("--tracemalloc")
    return _task(database_url, *args)


# Loading the same answers --------------------------------------------------------------------


def _connect(database_url: str):
    parts = urlsplit(database_url)
    if parts.scheme == "sqlite":
        import sqlite3

        return sqlite3.connect(unquote(parts.path[1:] or parts.netloc))
    import psycopg

    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or "") or None,
        dbname=unquote(parts.path.lstrip("/")),
    )


def load(database_url: str, made: dict, rows: Iterable[list[tuple]]) -> dict:
    """Store responses in the peer's tables, in bulk, as its form would have stored them:
    one survey_response each (anonymous) and one survey_answer per question, the body being
    the chosen option's slug, the free text, or "" when left blank (the peer's form saves a
    blank field as an empty answer). `rows` are chunks of
    (response id, site id, site label, {position: value}, [(position, text)]) as
    bench/answers.answer_rows gives them (positions 1-9 the Likert questions, 10 the text).
    Any earlier responses to the survey are deleted first. COPY on PostgreSQL, executemany on
    SQLite; ANALYZE afterwards."""
    survey_id = made["survey_id"]
    question_ids = made["question_ids"]
    likert_ids = set(made["likert_question_ids"])
    sqlite = urlsplit(database_url).scheme == "sqlite"
    connection = _connect(database_url)
    stamp = CREATED.isoformat(sep=" ")
    responses = answers = 0
    try:
        cursor = connection.cursor()
        mark = "?" if sqlite else "%s"
        of_survey = f"(SELECT id FROM survey_response WHERE survey_id = {mark})"  # noqa: S608
        cursor.execute(f"DELETE FROM survey_answer WHERE response_id IN {of_survey}", [survey_id])  # noqa: S608
        cursor.execute(f"DELETE FROM survey_response WHERE survey_id = {mark}", [survey_id])  # noqa: S608
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM survey_response")
        response_id = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM survey_answer")
        answer_id = cursor.fetchone()[0]
        for chunk in rows:
            response_rows, answer_rows = [], []
            for _, _, _, values, texts in chunk:
                response_id += 1
                response_rows.append(
                    (response_id, stamp, stamp, survey_id, None, f"{response_id:032x}")
                )
                text_by_position = dict(texts)
                for position, question_id in enumerate(question_ids, 1):
                    answer_id += 1
                    if question_id in likert_ids:
                        value = values.get(position)
                        body = "" if value is None else SLUGS[value]
                    else:
                        body = text_by_position.get(position, "")
                    answer_rows.append((answer_id, stamp, stamp, body, question_id, response_id))
            _insert(
                cursor,
                sqlite,
                "survey_response",
                ("id", "created", "updated", "survey_id", "user_id", "interview_uuid"),
                response_rows,
            )
            _insert(
                cursor,
                sqlite,
                "survey_answer",
                ("id", "created", "updated", "body", "question_id", "response_id"),
                answer_rows,
            )
            responses += len(response_rows)
            answers += len(answer_rows)
        if not sqlite:
            for table in ("survey_response", "survey_answer"):
                # The peer's own table names.
                largest = f"(SELECT GREATEST(MAX(id), 1) FROM {table})"  # noqa: S608
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), {largest})", [table]
                )
        connection.commit()
        if sqlite:
            connection.execute("ANALYZE")
        else:
            connection.autocommit = True
            connection.execute("VACUUM ANALYZE survey_response, survey_answer")
    finally:
        connection.close()
    return {"responses": responses, "answers": answers}


def _insert(cursor, sqlite: bool, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    names = ", ".join(columns)
    if sqlite:
        marks = ", ".join(["?"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        return
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def counts_as_values(counts: dict, likert_question_ids: list[int]) -> list[dict[int, int]]:
    """The peer's counts ({question id: {slug: n}}) as PowerShare's values ({value: n}) for
    each Likert question in order, blanks ("") left out as PowerShare stores none."""
    out = []
    for question_id in likert_question_ids:
        by_slug = counts.get(str(question_id), {})
        out.append({VALUES[slug]: n for slug, n in by_slug.items() if slug})
    return out
