"""Results counted ahead (ResultTally), kept right by the services that store or take out
anonymous answers.

Counting a questionnaire's answers afresh reads every answer: about 0.1 s per 100,000
responses, so a second or more for a national questionnaire with a million (issue 12). The
tallies hold the same counts, by site and value, and are changed in the same transaction as
the answers they count:

- `tallies_add(...)` after responses and their answers are stored (response_submit,
  import_commit, a council's national return, bulk loads);
- `tallies_remove(...)` before they are deleted or replaced (import_undo, a return saved
  again);
- `tallies_rebuild(...)` counts everything afresh (a migration, after a bulk load, or by
  `manage.py questionnaire_tallies --rebuild`), and `tallies_check(...)` compares the tallies
  with a fresh count (`--check`, and the tests).

Each change is one `INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE SET n = n + ...`
(PostgreSQL and SQLite 3.24+ both have it), so two submissions at once add up rather than
overwrite each other. Reading (`tallies_read`) gives the counts in the shapes the results
selector builds from a live count. Results narrowed to some deliveries are still counted live:
they are small.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from .models import (
    Answer,
    Question,
    QuestionnaireResponse,
    QuestionType,
    ResultTally,
    TallyKind,
    TextAnswer,
)

#: A group's key, as the results selector makes it: (site id, "") for a site, (None, label)
#: for an imported site name (or no site at all: (None, "")).
GroupKey = tuple[int | None, str]


def _counted(where: str, sign: int) -> str:
    """The SELECT giving every tally row of the responses `where` picks (on `r`), each
    count multiplied by `sign`. Responses' site and label are the answers' (copied when
    stored), so grouping on the response's is the same."""
    qn = connection.ops.quote_name
    responses = qn(QuestionnaireResponse._meta.db_table)
    answers = qn(Answer._meta.db_table)
    texts = qn(TextAnswer._meta.db_table)
    questions = qn(Question._meta.db_table)
    site = "COALESCE(r.site_id, 0)"
    return f"""
        SELECT r.questionnaire_id, 0, {TallyKind.RESPONSES.value}, {site}, r.site_label, 0,
               {sign} * COUNT(*)
        FROM {responses} r
        WHERE {where}
        GROUP BY r.questionnaire_id, {site}, r.site_label
        UNION ALL
        SELECT r.questionnaire_id, a.question_id, {TallyKind.VALUE.value}, {site},
               r.site_label, a.value, {sign} * COUNT(*)
        FROM {answers} a JOIN {responses} r ON r.id = a.response_id
        WHERE {where}
        GROUP BY r.questionnaire_id, a.question_id, {site}, r.site_label, a.value
        UNION ALL
        SELECT r.questionnaire_id, a.question_id, {TallyKind.ANSWERED.value}, {site},
               r.site_label, 0, {sign} * COUNT(DISTINCT a.response_id)
        FROM {answers} a JOIN {responses} r ON r.id = a.response_id
        JOIN {questions} q ON q.id = a.question_id
        WHERE ({where}) AND q.type = '{QuestionType.MULTIPLE.value}'
        GROUP BY r.questionnaire_id, a.question_id, {site}, r.site_label
        UNION ALL
        SELECT r.questionnaire_id, t.question_id, {TallyKind.ANSWERED.value}, {site},
               r.site_label, 0, {sign} * COUNT(*)
        FROM {texts} t JOIN {responses} r ON r.id = t.response_id
        WHERE {where}
        GROUP BY r.questionnaire_id, t.question_id, {site}, r.site_label
    """  # noqa: S608 - table names are the models' own, quoted; values are parameters


_COLUMNS = "questionnaire_id, question_key, kind, site_key, site_label, value, n"
_KEY = "questionnaire_id, question_key, kind, site_key, site_label, value"


def _where(
    *,
    response_id: int | None,
    import_batch_id: int | None,
    questionnaire_ids: Iterable[int] | None,
) -> tuple[str, list]:
    if response_id is not None:
        return "r.id = %s", [response_id]
    if import_batch_id is not None:
        return "r.import_batch_id = %s", [import_batch_id]
    if questionnaire_ids is not None:
        ids = sorted(set(questionnaire_ids))
        if not ids:
            return "1 = 0", []
        return f"r.questionnaire_id IN ({', '.join(['%s'] * len(ids))})", ids
    return "1 = 1", []


def _apply(sign: int, where: str, params: list) -> None:
    table = connection.ops.quote_name(ResultTally._meta.db_table)
    # The SELECT is wrapped so SQLite can't read ON CONFLICT as part of a join. `params`
    # repeats once for each of the four parts of the union. The rows go in in key order, so
    # two transactions changing the same tallies lock them in the same order and can't
    # deadlock (an import touches many sites' rows; a submission its own site's).
    sql = f"""
        INSERT INTO {table} ({_COLUMNS})
        SELECT * FROM ({_counted(where, sign)}) AS counted WHERE 1 = 1
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT ({_KEY}) DO UPDATE SET n = {table}.n + excluded.n
    """  # noqa: S608 - as above
    with connection.cursor() as cursor:
        cursor.execute(sql, params * 4)


def tallies_add(
    *,
    response_id: int | None = None,
    import_batch_id: int | None = None,
    questionnaire_ids: Iterable[int] | None = None,
) -> None:
    """Count in one response, one import's responses, or whole questionnaires (give one),
    after their answers are stored."""
    _apply(
        +1,
        *_where(
            response_id=response_id,
            import_batch_id=import_batch_id,
            questionnaire_ids=questionnaire_ids,
        ),
    )


def tallies_remove(
    *,
    response_id: int | None = None,
    import_batch_id: int | None = None,
    questionnaire_ids: Iterable[int] | None = None,
) -> None:
    """Count out what tallies_add counted in, before the answers are deleted or replaced."""
    _apply(
        -1,
        *_where(
            response_id=response_id,
            import_batch_id=import_batch_id,
            questionnaire_ids=questionnaire_ids,
        ),
    )


def tallies_rebuild(*, questionnaire_ids: Iterable[int] | None = None) -> None:
    """Count these questionnaires (every one when None) afresh."""
    rows = ResultTally.objects.all()
    if questionnaire_ids is not None:
        questionnaire_ids = list(questionnaire_ids)
        rows = rows.filter(questionnaire_id__in=questionnaire_ids)
    rows.delete()
    _apply(
        +1,
        *_where(response_id=None, import_batch_id=None, questionnaire_ids=questionnaire_ids),
    )


def tallies_check(*, questionnaire_ids: Iterable[int] | None = None) -> list[str]:
    """How the stored tallies differ from a fresh count (nothing when they agree)."""
    where, params = _where(
        response_id=None, import_batch_id=None, questionnaire_ids=questionnaire_ids
    )
    with connection.cursor() as cursor:
        cursor.execute(_counted(where, 1), params * 4)
        fresh = {tuple(row[:6]): row[6] for row in cursor.fetchall()}
    stored_rows = ResultTally.objects.exclude(n=0)
    if questionnaire_ids is not None:
        stored_rows = stored_rows.filter(questionnaire_id__in=list(questionnaire_ids))
    stored = {
        tuple(row[:6]): row[6]
        for row in stored_rows.values_list(
            "questionnaire_id", "question_key", "kind", "site_key", "site_label", "value", "n"
        )
    }
    problems = []
    for key in sorted(set(fresh) | set(stored), key=repr):
        if fresh.get(key, 0) != stored.get(key, 0):
            questionnaire, question, kind, site, label, value = key
            problems.append(
                f"questionnaire {questionnaire}, question {question or '-'}, "
                f"{TallyKind(kind).label.lower()}, site {site or label or 'none'}, value {value}: "
                f"tallied {stored.get(key, 0)}, counted {fresh.get(key, 0)}"
            )
    return problems


@dataclass
class Tallies:
    """One questionnaire's tallies in the shapes the results selector uses, by group key (or
    under None, everything, when read without sites)."""

    responses: dict[GroupKey | None, int] = field(default_factory=dict)
    #: {key: {question id: {value: n}}}
    counts: dict[GroupKey | None, dict[int, dict[int, int]]] = field(default_factory=dict)
    #: {key: {question id: responses that answered}}: choose-any and free-text questions.
    answered: dict[GroupKey | None, dict[int, int]] = field(default_factory=dict)


def tallies_read(*, questionnaire_id: int, by_site: bool) -> Tallies:
    """The questionnaire's tallies, in one query. Without by_site, every site's counts are
    added up under the key None."""
    out = Tallies()
    rows = (
        ResultTally.objects.filter(questionnaire_id=questionnaire_id)
        .exclude(n=0)
        .values_list("question_key", "kind", "site_key", "site_label", "value", "n")
    )
    for question_id, kind, site_id, label, value, n in rows:
        key = ((site_id or None), "" if site_id else label) if by_site else None
        if kind == TallyKind.RESPONSES:
            out.responses[key] = out.responses.get(key, 0) + n
        elif kind == TallyKind.VALUE:
            values = out.counts.setdefault(key, {}).setdefault(question_id, {})
            values[value] = values.get(value, 0) + n
        else:
            answered = out.answered.setdefault(key, {})
            answered[question_id] = answered.get(question_id, 0) + n
    return out


def number_summary(values: dict[int, int]) -> dict:
    """How many answered, their mean, lowest and highest, from a number question's counts
    by value (the row the results selector's live count makes)."""
    given = {v: n for v, n in values.items() if n}
    total = sum(given.values())
    if not total:
        return {"n": 0, "mean": None, "min": None, "max": None}
    return {
        "n": total,
        "mean": sum(v * n for v, n in given.items()) / total,
        "min": min(given),
        "max": max(given),
    }


def product_responses() -> Coalesce:
    """How many responses a product's questionnaires hold, read from the tallies, as an
    expression on a summary of learning (its `product_id`). The summary of learning's PDF records this number when it is made; a PDF whose
    number differs is out of date (selectors.summaries_stale), so a submission need not write
    anything to the summary (issue 12: six queries per submission)."""
    total = (
        ResultTally.objects.filter(
            questionnaire__product_id=OuterRef("product_id"),
            kind=TallyKind.RESPONSES,
        )
        .order_by()
        .values("questionnaire__product_id")
        .annotate(total=Sum("n"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)
