"""A big anonymous questionnaire for the benchmarks, added to a database that may already hold
national data (`manage.py bench_generate`).

    import harness, answers
    harness.django_setup(url)
    made = answers.big_questionnaire(responses=1_000_000)

`big_questionnaire` makes (once) a questionnaire like a learning product's post questionnaire:
five agree-or-disagree outcome statements (the 2nd and 4th offer "prefer not to say", stored as
0), four reaction statements and one free-text question, and gives it exactly `responses`
anonymous responses. The answers are random with the same seed, with about 5% left blank;
responses are spread over four sites (85%), an imported site name that matched no
organisation (10%) and no site (5%); the first three are from a fifth, tiny site, so it is
hidden in the results by site. Each answer carries its response's site and site label, as
`evaluation.models._copy_site` gives every answer stored by `save` or `bulk_create`.

Rows are written in chunks of 10,000 responses, each chunk in its own transaction: COPY on
PostgreSQL, executemany on SQLite. Ids follow the largest already used (on PostgreSQL the
block is reserved by moving the sequence first, so a process inserting at the same time gets
ids after it), and the sequences are reset afterwards. Then the results' tallies
(evaluation.tallies, kept by the services as answers are stored) are counted afresh for the
questionnaire, and ANALYZE (VACUUM ANALYZE of the three tables on PostgreSQL) runs. Calling it again with the same code and count returns at once;
with another count, the questionnaire's responses are deleted and made again.

Django must be set up (harness.django_setup) before any function here is called.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Iterator

CHUNK = 10_000
TODAY = datetime.date(2025, 3, 4)
SITE_NAMES = ["Bench Borders", "Bench Stirling", "Bench West Lothian", "Bench Fife"]
SMALL_SITE = "Bench Orkney"  # only three responses: hidden by site
IMPORTED = "Imported: Harbour Hall"  # a site name that matched no organisation
TEXT = "Ask the people we work with before we change things."

#: (code, type, purpose, allow "prefer not to say"), in order: 5 outcome statements, 4
#: reaction statements, 1 free-text question.
QUESTIONS = [
    *((f"ilo-{n}", "likert", "outcome", n in (2, 4)) for n in range(1, 6)),
    *((c, "likert", "reaction", False) for c in ("useful", "recommend", "led-well", "supported")),
    ("will-do-next", "text", "next_steps", False),
]

RESPONSE_COLUMNS = (
    "id",
    "questionnaire_id",
    "site_id",
    "site_label",
    "submitted_on",
    "source",
    "pair_key",
)
ANSWER_COLUMNS = ("id", "response_id", "question_id", "value", "site_id", "site_label")
TEXT_COLUMNS = ("id", "response_id", "question_id", "text", "shareable")


def say(message: str) -> None:
    import sys

    print(f"bench: {message}", file=sys.stderr, flush=True)


# Sites, owner, questionnaire -----------------------------------------------------------------


def sites() -> list:
    """The four bench sites and the tiny one (last), made once and reused."""
    from powershare.accounts.models import Organisation, OrganisationKind

    out = []
    for name in [*SITE_NAMES, SMALL_SITE]:
        site, _ = Organisation.objects.get_or_create(
            slug=name.lower().replace(" ", "-"),
            defaults={"name": name, "kind": OrganisationKind.LOCAL_AUTHORITY},
        )
        out.append(site)
    return out


def owner(fallback):
    """The organisation the questionnaire belongs to: the first council that has a bench
    participation lead (bench_generate's `bench.lead.<slug>@bench.example`), so a benchmark can
    open its pages as that lead; else `fallback`."""
    from powershare.accounts.models import Organisation

    council = (
        Organisation.objects.filter(
            memberships__user__email__startswith="bench.lead.",
            memberships__ended_at=None,
        )
        .order_by("name", "pk")
        .first()
    )
    return council or fallback


def _questionnaire(code: str, organisation):
    from powershare.evaluation.models import (
        Question,
        Questionnaire,
        QuestionnaireKind,
    )

    questionnaire, _ = Questionnaire.objects.get_or_create(
        code=code,
        defaults={
            "organisation": organisation,
            "title": f"After the learning ({code})",
            "kind": QuestionnaireKind.POST,
        },
    )
    have = {q.code: q for q in questionnaire.questions.all()}
    questions = []
    for position, (qcode, qtype, purpose, prefer_not) in enumerate(QUESTIONS, 1):
        question = have.get(qcode) or Question.objects.create(
            questionnaire=questionnaire,
            position=position,
            code=qcode,
            text=f"Statement {qcode}",
            type=qtype,
            purpose=purpose,
            allow_prefer_not=prefer_not,
        )
        questions.append(question)
    return questionnaire, questions


# Rows ----------------------------------------------------------------------------------------


def _check_columns(model, given: tuple[str, ...]) -> None:
    """A column the model cannot leave empty must be given, so a new column fails here."""
    from django.db.models.fields import NOT_PROVIDED

    missing = [
        f.column
        for f in model._meta.concrete_fields
        if f.column not in given
        and not f.null
        and getattr(f, "db_default", NOT_PROVIDED) is NOT_PROVIDED
    ]
    if missing:
        raise ValueError(f"bench: {model.__name__} rows need {', '.join(missing)}")


def _generate(
    first_response: int,
    first_answer: int,
    first_text: int,
    n: int,
    questionnaire_id: int,
    likert: list,
    texts: list,
    site_ids: list[int],
    small_site_id: int,
    seed: int,
) -> Iterator[tuple[list, list, list]]:
    """Chunks of (responses, answers, text answers) rows with their ids given."""
    rng = random.Random(seed)
    rand = rng.random
    main = len(site_ids)
    answer_id, text_id = first_answer, first_text
    response_id = first_response
    likert_specs = [(q.pk, 0 if q.allow_prefer_not else 1) for q in likert]
    text_ids = [q.pk for q in texts]
    for start in range(0, n, CHUNK):
        responses, answers, text_answers = [], [], []
        for index in range(start, min(n, start + CHUNK)):
            source = "online"
            if index < 3:
                site, label = small_site_id, ""
            else:
                draw = rand()
                if draw < 0.85:
                    site, label = site_ids[int(draw / 0.85 * main)], ""
                elif draw < 0.95:
                    site, label, source = None, IMPORTED, "import"
                else:
                    site, label, source = None, "", "import"
            responses.append((response_id, questionnaire_id, site, label, TODAY, source, ""))
            for question_id, low in likert_specs:
                if rand() < 0.05:
                    continue  # left blank
                value = low + int(rand() * (6 - low))
                answers.append((answer_id, response_id, question_id, value, site, label))
                answer_id += 1
            for question_id in text_ids:
                if rand() < 0.3:
                    text_answers.append((text_id, response_id, question_id, TEXT, False))
                    text_id += 1
            response_id += 1
        yield responses, answers, text_answers


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    from django.db import connection

    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY's text format. Nothing made here holds a tab, newline, backslash or the
            # word None, so None is written as None and then turned into \N; PostgreSQL reads
            # True/False and ISO dates as they print.
            line = "\t".join(["%s"] * len(columns)) + "\n"
            data = "".join([line % row for row in rows]).replace("None", "\\N")
            with cursor.cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                copy.write(data.encode())
        else:
            marks = ", ".join(["%s"] * len(columns))
            # Table and column names are the models' own, quoted; the values are parameters.
            cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", rows)  # noqa: S608


def _reserve(model, n: int) -> int:
    """The first of `n` consecutive free ids of `model`'s table (after the largest used)."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        largest = cursor.fetchone()[0]
        if connection.vendor != "postgresql":
            return largest + 1
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        # Move the sequence past the block first: ids handed out meanwhile come after it.
        cursor.execute(
            "SELECT setval(%s, GREATEST(%s, nextval(%s)) + %s)", [sequence, largest, sequence, n]
        )
        end = cursor.fetchone()[0]
        return end - n + 1


def _reset_sequences(models: list) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def analyse() -> None:
    """ANALYZE the three tables (VACUUM ANALYZE on PostgreSQL, as autovacuum would soon after
    a bulk load: it also marks pages all-visible so index-only scans skip the table)."""
    from django.db import connection

    tables = ["evaluation_questionnaireresponse", "evaluation_answer", "evaluation_textanswer"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE " + ", ".join(tables))
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _delete_responses(questionnaire, questions) -> None:
    from django.db import connection, transaction

    ids = [q.pk for q in questions]
    marks = ", ".join(["%s"] * len(ids))
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("evaluation_answer", "evaluation_textanswer"):
            cursor.execute(f"DELETE FROM {table} WHERE question_id IN ({marks})", ids)  # noqa: S608
        cursor.execute(
            "DELETE FROM evaluation_questionnaireresponse WHERE questionnaire_id = %s",
            [questionnaire.pk],
        )


def _counts(questionnaire, questions) -> dict:
    from powershare.evaluation.models import Answer, QuestionnaireResponse, TextAnswer

    ids = [q.pk for q in questions]
    return {
        "responses": QuestionnaireResponse.objects.filter(questionnaire=questionnaire).count(),
        "answers": Answer.objects.filter(question_id__in=ids).count(),
        "text_answers": TextAnswer.objects.filter(question_id__in=ids).count(),
    }


def _tally(questionnaire_id: int, responses: int, rebuild: bool) -> None:
    """Keep the results' tallies (evaluation.tallies, when the project has them) right for the
    questionnaire: the services count each response in as they store it; a bulk load counts
    them all at once afterwards. Without `rebuild`, only when the tallies don't hold
    `responses` responses (a database loaded before the tallies existed)."""
    from django.db import transaction
    from django.db.models import Sum

    try:
        from powershare.evaluation import tallies
        from powershare.evaluation.models import ResultTally, TallyKind
    except ImportError:
        return
    if not rebuild:
        held = ResultTally.objects.filter(
            questionnaire_id=questionnaire_id, kind=TallyKind.RESPONSES
        ).aggregate(n=Sum("n"))["n"]
        if held == responses:
            return
    with transaction.atomic():
        tallies.tallies_rebuild(questionnaire_ids=[questionnaire_id])


def big_questionnaire(*, responses: int, seed: int = 1, code: str | None = None) -> dict:
    """Make sure the questionnaire `code` (f"bench-{responses}" unless given) exists with
    exactly `responses` anonymous responses; see the module's notes. Returns its id, its
    question ids (all, and the Likert ones), the counts and the seconds loading took (0 when
    it was there already)."""
    from django.db import connection, transaction

    from powershare.evaluation.models import Answer, QuestionnaireResponse, TextAnswer

    if responses < 7:
        raise ValueError("big_questionnaire needs at least 7 responses")
    code = code or f"bench-{responses}"
    with transaction.atomic():
        bench_sites = sites()
        questionnaire, questions = _questionnaire(code, owner(bench_sites[0]))
    likert = [q for q in questions if q.type == "likert"]
    texts = [q for q in questions if q.type == "text"]
    result = {
        "questionnaire_id": questionnaire.pk,
        "organisation_id": questionnaire.organisation_id,
        "question_ids": [q.pk for q in questions],
        "likert_question_ids": [q.pk for q in likert],
        "text_question_ids": [q.pk for q in texts],
        "site_ids": [s.pk for s in bench_sites],
        "code": code,
    }
    have = QuestionnaireResponse.objects.filter(questionnaire=questionnaire).count()
    if have == responses:
        _tally(questionnaire.pk, responses, rebuild=False)
        return result | _counts(questionnaire, questions) | {"load_seconds": 0.0}
    if have:
        say(f"{code} has {have:,} responses, not {responses:,}: making them again")
        _delete_responses(questionnaire, questions)
        _tally(questionnaire.pk, 0, rebuild=True)

    for model, columns in (
        (QuestionnaireResponse, RESPONSE_COLUMNS),
        (Answer, ANSWER_COLUMNS),
        (TextAnswer, TEXT_COLUMNS),
    ):
        _check_columns(model, columns)
    say(f"loading {responses:,} responses to {code}")
    started = time.perf_counter()
    first_response = _reserve(QuestionnaireResponse, responses)
    # At most one answer per Likert question and one text answer per response.
    first_answer = _reserve(Answer, responses * len(likert))
    first_text = _reserve(TextAnswer, responses * len(texts))
    chunks = _generate(
        first_response,
        first_answer,
        first_text,
        responses,
        questionnaire.pk,
        likert,
        texts,
        [s.pk for s in bench_sites[:-1]],
        bench_sites[-1].pk,
        seed,
    )
    superuser = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser')")
            superuser = cursor.fetchone()[0] == "on"
    for response_rows, answer_rows_, text_rows in chunks:
        with transaction.atomic(), connection.cursor() as cursor:
            if superuser:
                # The rows point at rows known to exist (made above, in this order): skip the
                # foreign-key triggers, which would double the load time at a million.
                cursor.execute("SET LOCAL session_replication_role = replica")
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL synchronous_commit = off")
            _insert("evaluation_questionnaireresponse", RESPONSE_COLUMNS, response_rows)
            _insert("evaluation_answer", ANSWER_COLUMNS, answer_rows_)
            _insert("evaluation_textanswer", TEXT_COLUMNS, text_rows)
    _reset_sequences([QuestionnaireResponse, Answer, TextAnswer])
    _tally(questionnaire.pk, responses, rebuild=True)
    load_seconds = time.perf_counter() - started
    analyse()
    counts = _counts(questionnaire, questions)
    if counts["responses"] != responses:
        raise RuntimeError(f"bench: {code} has {counts['responses']:,} responses after loading")
    say(
        f"loaded {counts['responses']:,} responses, {counts['answers']:,} answers and "
        f"{counts['text_answers']:,} free-text answers in {load_seconds:.1f} s "
        f"(+{time.perf_counter() - started - load_seconds:.1f} s ANALYZE)"
    )
    return result | counts | {"load_seconds": round(load_seconds, 1)}


def _fetched(cursor, size: int = 10_000) -> Iterator[tuple]:
    """A cursor's rows, fetched `size` at a time (a server-side cursor's own iteration
    fetches 100 at a time)."""
    while batch := cursor.fetchmany(size):
        yield from batch


def answer_rows(questionnaire_id: int, chunk: int = 50_000) -> Iterator[list[tuple]]:
    """The questionnaire's responses in id order, in chunks: lists of
    (response_id, site_id, site_label, {question position: value}, [(position, text)]) — what
    a peer needs to store the same answers. Read with server-side cursors on PostgreSQL."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, position FROM evaluation_question WHERE questionnaire_id = %s",
            [questionnaire_id],
        )
        positions = dict(cursor.fetchall())
    answers_sql = """
        SELECT r.id, r.site_id, r.site_label, a.question_id, a.value
        FROM evaluation_questionnaireresponse r
        LEFT JOIN evaluation_answer a ON a.response_id = r.id
        WHERE r.questionnaire_id = %s
        ORDER BY r.id, a.question_id
    """
    texts_sql = """
        SELECT t.response_id, t.question_id, t.text
        FROM evaluation_textanswer t
        JOIN evaluation_questionnaireresponse r ON r.id = t.response_id
        WHERE r.questionnaire_id = %s
        ORDER BY t.response_id, t.id
    """
    with (
        transaction.atomic(),
        connection.chunked_cursor() as answers,
        connection.chunked_cursor() as texts,
    ):
        answers.execute(answers_sql, [questionnaire_id])
        texts.execute(texts_sql, [questionnaire_id])
        text_rows = _fetched(texts)
        text = next(text_rows, None)
        out: list[tuple] = []
        current = None
        for response_id, site_id, site_label, question_id, value in _fetched(answers):
            if current is None or current[0] != response_id:
                if current is not None:
                    out.append(current)
                    if len(out) >= chunk:
                        yield out
                        out = []
                current = (response_id, site_id, site_label, {}, [])
                while text is not None and text[0] <= response_id:
                    if text[0] == response_id:
                        current[4].append((positions[text[1]], text[2]))
                    text = next(text_rows, None)
            if question_id is not None:
                current[3][positions[question_id]] = value
        if current is not None:
            out.append(current)
        if out:
            yield out
