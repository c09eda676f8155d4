"""A questionnaire's responses as a CSV file to download: one row per anonymous response, with
its number in the file, the day it was given, its site and how it came in, then one column per
question holding the answer as people chose it (a label, a number, or their own words).

Fast and in constant memory, whatever the number of responses (a million in a few seconds):

* One query gives the rows, streamed: a server-side cursor on PostgreSQL (inside a
  transaction, so rows come as the database makes them), the statement stepped a chunk at a
  time on SQLite. Memory stays the same however many rows there are.
* The database gathers each response's answers (one aggregate per question over the
  answers, grouped by response) and writes the row's CSV line itself: labels, site names and
  the like are constants worked out here first and passed in as parameters; people's own
  words are quoted and defused in SQL. Python only numbers the lines and passes them on, so
  no answer is ever loaded into Python as an object.
* An export runs the same few queries whatever the number of rows: the questions and their
  choices, the responses per site, the sites' names, and the rows.

Anonymous means anonymous here too (see models):

* Rows are in order of the day given and, within a day, in an order that looks random but
  is the same every time (a hash of the response id, keyed with a number kept secret with
  the questionnaire): never in the order they arrived, which could hint at who wrote what.
  The response number is the row's number in the file, never the database id.
* Sites follow the results page's rule for small groups (selectors.hide_small_groups): a
  site with fewer responses than the questionnaire's small-group threshold, and any bigger
  one hidden with it so the small one can't be worked out, are all named "Other sites".
* A cell that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a
  carriage return) gets an apostrophe first, as in every other download
  (powershare.lib.exports.safe_cell).
"""

import csv
import hashlib
import hmac
import io
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count

from powershare.accounts.models import Organisation
from powershare.lib.exports import safe_cell

from . import selectors
from .models import (
    LIKERT_LABELS,
    PREFER_NOT,
    PREFER_NOT_LABEL,
    YES_NO_LABELS,
    Answer,
    Question,
    Questionnaire,
    QuestionnaireResponse,
    QuestionType,
    ResponseSource,
    TextAnswer,
)

#: Rows fetched from the database at a time (each a few hundred bytes).
FETCH_ROWS = 5_000
HEADERS = ["Response", "Date", "Site", "How it came in"]
OTHER_SITES = "Other sites (fewer than {n} responses each, put together)"
#: Characters that make a spreadsheet read a cell as a formula (as lib.exports.safe_cell).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The order within a day: u = (id * K1 + K2) mod P, then ((u * u + K3) mod P) * u mod P,
#: with P prime and K1, K2, K3 secret, in 64-bit integers on both databases. The cube matters:
#: multiplying alone keeps ids that arrived one after another in an arithmetic progression,
#: which came out in arrival order about once in 200 days of 20 responses; the cube's order
#: is as often sorted as a shuffle's (1 in 120 for five rows, measured over 100,000 keys).
_PRIME = 2_147_483_629


@dataclass
class ResponsesExport:
    """An export ready to stream: the header line, the query giving every other line, and
    the number of responses (for the access log)."""

    questionnaire: Questionnaire
    header: str
    sql: str
    params: list
    responses: int
    threshold: int

    @property
    def filename(self) -> str:
        return f"responses-{self.questionnaire.code}"


# ---------------------------------------------------------------------------------------------
# CSV cells worked out in Python (constants)


def _csv(text: str) -> str:
    """A constant cell as CSV writes it: defused, quoted only when it has to be."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([safe_cell(text)])
    return buffer.getvalue()


def _in_quotes(text: str) -> str:
    """A defused label ready to go between the double quotes of a quoted cell."""
    return safe_cell(text).replace('"', '""')


def _labels(question: Question) -> dict[int, str]:
    if question.type == QuestionType.LIKERT:
        prefer_not = {PREFER_NOT: PREFER_NOT_LABEL} if question.allow_prefer_not else {}
        return {**LIKERT_LABELS, **prefer_not}
    if question.type == QuestionType.YES_NO:
        return dict(YES_NO_LABELS)
    return {c.value: c.label for c in question.choices.all()}


# ---------------------------------------------------------------------------------------------
# Sites


def _group(site_id, label) -> tuple:
    """The results' grouping of sites: by organisation, else by the imported name."""
    return (site_id, "" if site_id else (label or ""))


def _site_names(questionnaire: Questionnaire, threshold: int) -> tuple[dict[tuple, str], int]:
    """The groups shown under their own name -> that name (small groups and those hidden
    with them are left out: they are "Other sites"), and the number of responses. Two
    queries."""
    stored = list(
        QuestionnaireResponse.objects.filter(questionnaire=questionnaire)
        .values_list("site_id", "site_label")
        .annotate(n=Count("*"))
        .order_by()
    )
    names = dict(
        Organisation.objects.filter(
            pk__in={site_id for site_id, _, _ in stored if site_id}
        ).values_list("pk", "name")
    )
    groups: dict[tuple, selectors.SiteResults] = {}
    for site_id, label, n in stored:
        key = _group(site_id, label)
        if key not in groups:
            name = names.get(site_id, "") if site_id else (label or selectors.NO_SITE)
            groups[key] = selectors.SiteResults(
                site=name, site_id=site_id, responses=0, suppressed=False
            )
        groups[key].responses += n
    selectors.hide_small_groups(list(groups.values()), threshold)
    shown = {key: group.site for key, group in groups.items() if not group.suppressed}
    return shown, sum(n for _, _, n in stored)


# ---------------------------------------------------------------------------------------------
# The query


def _order_keys(questionnaire: Questionnaire) -> tuple[int, int, int]:
    """Three numbers kept secret with the questionnaire (derived from its pairing secret,
    which is never shown), so nobody can put the rows back in the order they arrived."""
    digest = hmac.new(
        questionnaire.pairing_secret.encode(), b"responses export order", hashlib.sha256
    ).digest()
    first = int.from_bytes(digest[:8], "big") % (_PRIME - 2) + 2
    second = int.from_bytes(digest[8:16], "big") % _PRIME
    third = int.from_bytes(digest[16:24], "big") % _PRIME
    return first, second, third


class _Sql:
    """SQL text with its parameters, in the order they appear."""

    def __init__(self):
        self.params: list = []

    def value(self, value) -> str:
        self.params.append(value)
        return "%s"


def _cell(q: Question, sql: _Sql) -> tuple[list[str], str, str]:
    """A question's aggregates (columns of the inner query, one row per response), its cell
    in the CSV line (SQL over those columns giving text, or NULL for an empty cell), and the
    join it needs (free text only). Each aggregate is computed once, in the inner query:
    SQLite would otherwise compute it again wherever the line refers to it."""
    pk = int(q.pk)
    if q.type == QuestionType.TEXT:
        words = f"s.t{pk}"
        formula = ", ".join(sql.value(c) for c in FORMULA_STARTS)
        # Always quoted, quotes doubled, a formula defused; NULL when not answered (|| with
        # NULL gives NULL).
        cell = (
            f"'\"' || CASE WHEN SUBSTR({words}, 1, 1) IN ({formula}) THEN '''' ELSE '' END || "
            f"REPLACE({words}, '\"', '\"\"') || '\"'"
        )
        join = (
            f"LEFT JOIN {_table(TextAnswer)} t{pk} "
            f"ON t{pk}.response_id = r.id AND t{pk}.question_id = {pk}"
        )
        return [f"MAX(t{pk}.text) AS t{pk}"], cell, join
    column = f"MAX(a.value) FILTER (WHERE a.question_id = {pk}) AS q{pk}"
    value = f"s.q{pk}"
    if q.type == QuestionType.NUMBER:
        return [column], f"CAST({value} AS TEXT)", ""
    labels = _labels(q)
    if q.type == QuestionType.MULTIPLE:
        # Each choice ticked, in order, as "; label"; the first "; " is cut off.
        quoted = any(c in safe_cell(label) for label in labels.values() for c in ',"\r\n')
        columns, ticked = [], []
        for v, label in sorted(labels.items()):
            name = f"m{pk}_{int(v)}"
            columns.append(
                f"MAX(1) FILTER (WHERE a.question_id = {pk} AND a.value = {int(v)}) AS {name}"
            )
            text = sql.value("; " + (_in_quotes(label) if quoted else _csv(label)))
            ticked.append(f"CASE WHEN s.{name} = 1 THEN {text} ELSE '' END")
        cell = f"SUBSTR({' || '.join(ticked) or "''"}, 3)"
        return columns, (f"'\"' || {cell} || '\"'" if quoted else cell), ""
    branches = " ".join(
        f"WHEN {int(v)} THEN {sql.value(_csv(label))}" for v, label in labels.items()
    )
    # A value with no label (a choice since removed) reads as its number.
    return [column], f"CASE {value} {branches} ELSE CAST({value} AS TEXT) END", ""


#: Cells per function call: PostgreSQL takes at most 100 arguments to a function (CONCAT has
#: two for each cell, with its comma) and SQLite 127, and a questionnaire may have 80 questions.
_CELLS_PER_CALL = 40


def _concat(cells: list[str], sql: _Sql) -> str:
    """The cells joined by commas, ending the line, NULL read as empty: PostgreSQL's CONCAT,
    SQLite's printf (before 3.44 SQLite has no CONCAT, and joining every cell with || copies
    the line again for each: 0.8 s more at 1,000,000 lines), 40 cells to a call. SQLite's
    format is written in the SQL (%% is a % to the driver): a parameter would come after the
    cells' own."""
    parts = [cells[i : i + _CELLS_PER_CALL] for i in range(0, len(cells), _CELLS_PER_CALL)]
    if connection.vendor == "postgresql":
        pieces = [f"CONCAT({", ',', ".join(part)})" for part in parts]
        return " || ',' || ".join(pieces) + f" || {sql.value('\r\n')}"
    pieces = [f"printf('{','.join(['%%s'] * len(part))}', {', '.join(part)})" for part in parts]
    return " || ',' || ".join(pieces) + " || char(13, 10)"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rows_sql(questionnaire, questions, site_names, threshold) -> tuple[str, list]:
    sql = _Sql()
    if connection.vendor == "postgresql":
        day = "TO_CHAR(s.submitted_on, 'YYYY-MM-DD')"
    else:
        day = "CAST(s.submitted_on AS TEXT)"
    sites = []
    for (site_id, label), name in site_names.items():
        if site_id:
            sites.append(f"WHEN s.site_id = {int(site_id)} THEN {sql.value(_csv(name))}")
        else:
            sites.append(
                f"WHEN s.site_id IS NULL AND s.site_label = {sql.value(label)} "
                f"THEN {sql.value(_csv(name))}"
            )
    other = sql.value(_csv(OTHER_SITES.format(n=threshold)))
    site = f"CASE {' '.join(sites)} ELSE {other} END" if sites else other
    sources = " ".join(
        f"WHEN {sql.value(v)} THEN {sql.value(_csv(label))}" for v, label in ResponseSource.choices
    )
    columns, cells, joins = [], [], []
    for q in questions:
        more, cell, join = _cell(q, sql)
        columns += more
        cells.append(cell)
        if join:
            joins.append(join)
    line = _concat([day, site, f"CASE s.source {sources} ELSE s.source END", *cells], sql)
    first, second, third = _order_keys(questionnaire)
    aggregates = "".join(f", {c}" for c in columns)
    joins_sql = "\n".join(joins)
    where = sql.value(questionnaire.pk)
    # The inner query gives one row per response, with its aggregates and its place in the
    # order; the outer one writes the line.
    text = f"""
        SELECT {line}
        FROM (
            SELECT r.id, r.submitted_on, r.site_id, r.site_label, r.source{aggregates},
                   (r.id %% {_PRIME} * {first} + {second}) %% {_PRIME} AS u
            FROM {_table(QuestionnaireResponse)} r
            LEFT JOIN {_table(Answer)} a ON a.response_id = r.id
            {joins_sql}
            WHERE r.questionnaire_id = {where}
            GROUP BY r.id
        ) s
        ORDER BY s.submitted_on, (s.u * s.u + {third}) %% {_PRIME} * s.u %% {_PRIME}, s.id
    """  # noqa: S608 (names and numbers made here; every text is a parameter)
    return text, sql.params


def responses_export(*, questionnaire: Questionnaire) -> ResponsesExport:
    """Get the export of a questionnaire's responses ready (four queries); `csv_chunks`
    streams it. The caller has checked that the user may see the questionnaire's results
    (selectors.questionnaire_get_for)."""
    threshold = max(selectors.MIN_THRESHOLD, questionnaire.small_group_threshold)
    questions = list(selectors.question_list(questionnaire=questionnaire))
    site_names, responses = _site_names(questionnaire, threshold)
    text, params = _rows_sql(questionnaire, questions, site_names, threshold)
    buffer = io.StringIO()
    csv.writer(buffer).writerow([*HEADERS, *(safe_cell(q.text) for q in questions)])
    return ResponsesExport(
        questionnaire=questionnaire,
        header=buffer.getvalue(),
        sql=text,
        params=params,
        responses=responses,
        threshold=threshold,
    )


#: PostgreSQL's planner settings for the export's own transaction. Parallel workers would
#: each read every answer again (the merge join's inner side), and compiling the expressions
#: takes longer than it saves: with the web server and the download sharing a few cores, one
#: process is quicker. Hashing is off so the plan is always the streaming one (responses and
#: answers merged in response order, each response's answers gathered as they pass): left to
#: its estimates, PostgreSQL sometimes hashes every answer first, which took 14.8 s at
#: 1,000,000 responses against 9.0 s (EXPLAIN ANALYZE at national scale; the same or quicker
#: for questionnaires of 2,800 and 9,100 responses).
_PLANNER = {
    "max_parallel_workers_per_gather": "0",
    "jit": "off",
    "enable_hashagg": "off",
    "enable_hashjoin": "off",
}


def _planner_set(values: dict[str, str]) -> dict[str, str]:
    """Set PostgreSQL's planner settings for this transaction only (set_config(..., true) is
    SET LOCAL); the values they had before."""
    names = list(values)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("current_setting(%s), set_config(%s, %s, true)" for _ in names),
            [p for name in names for p in (name, name, values[name])],
        )
        row = cursor.fetchone()
    return dict(zip(names, row[0::2], strict=True))


def csv_chunks(export: ResponsesExport) -> Iterator[str]:
    """The CSV file in pieces of FETCH_ROWS lines (a byte-order mark first, so Excel reads it
    as UTF-8), each line numbered here."""
    yield "\ufeff" + export.header
    # On PostgreSQL the server-side cursor lives in a transaction, so rows come as the
    # database makes them (outside one, Django holds the cursor WITH HOLD and the whole
    # result is made first). Never on SQLite, where a transaction here takes the write lock.
    postgresql = connection.vendor == "postgresql"
    streaming = transaction.atomic() if postgresql else nullcontext()
    number = 0
    with streaming:
        previous = _planner_set(_PLANNER) if postgresql else None
        try:
            with connection.chunked_cursor() as cursor:
                cursor.execute(export.sql, export.params)
                while rows := cursor.fetchmany(FETCH_ROWS):
                    yield "".join([f"{n},{line}" for n, (line,) in enumerate(rows, number + 1)])
                    number += len(rows)
        finally:
            # SET LOCAL lasts to the end of the outermost transaction: put them back for
            # whatever else runs in it (when the export is called inside one).
            if previous is not None and not connection.needs_rollback:
                _planner_set(previous)
