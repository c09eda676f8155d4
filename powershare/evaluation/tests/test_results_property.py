"""For random answer sets, `questionnaire_results` (SQL GROUP BY) equals a naive count in plain
Python, overall and by site, small groups hidden included; and `manage.py questionnaire_results
--format json` prints exactly the same.

Each example makes a questionnaire of its own: three agree-or-disagree questions (each with or
without "prefer not to say"), a yes/no, a choose-one, a choose-any and a free-text question,
and up to 40 responses with random blanks, spread over three organisations, an imported site
name that matched no organisation, and no site at all, with a random small-group threshold, so
groups below it turn up often. Everything is inserted with bulk_create.
"""

import itertools
import json
import math
from fractions import Fraction
from io import StringIO

from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powershare.evaluation import selectors
from powershare.evaluation.models import (
    LIKERT_LABELS,
    PREFER_NOT_LABEL,
    Answer,
    Choice,
    Question,
    Questionnaire,
    QuestionnaireResponse,
    QuestionType,
    TextAnswer,
)
from powershare.evaluation.tallies import tallies_rebuild

TODAY = "2025-03-04"
LABEL = "Harbour Hall"  # an imported site name that is no organisation
SITES = ["a", "b", "national", LABEL, None]
SINGLE = ["Team leader", "Service manager", "Another role"]
MULTIPLE = ["Children and families", "Justice", "Adults", "Older people"]
LIKERT_CODES = ["ilo-1", "ilo-2", "ilo-3"]

_codes = itertools.count()


def _likert(prefer_not: bool):
    return st.one_of(st.none(), st.integers(0 if prefer_not else 1, 5))


@st.composite
def answer_sets(draw):
    prefer_not = {code: draw(st.booleans()) for code in LIKERT_CODES}
    threshold = draw(st.sampled_from([3, 4, 5, 6]))
    response = st.fixed_dictionaries(
        {
            "site": st.sampled_from(SITES),
            **{code: _likert(prefer_not[code]) for code in LIKERT_CODES},
            "yes-no": st.sampled_from([None, 0, 1]),
            "role": st.sampled_from([None, 1, 2, 3]),
            "service": st.lists(st.integers(1, len(MULTIPLE)), unique=True, max_size=4),
            "words": st.sampled_from([None, "More time in small groups."]),
        }
    )
    return prefer_not, threshold, draw(st.lists(response, max_size=40))


# The naive count ------------------------------------------------------------------------------


def naive_percent(part: int, whole: int) -> int | None:
    return None if whole == 0 else math.floor(Fraction(100 * part, whole) + Fraction(1, 2))


def naive_question(question: Question, rows: list[dict]) -> dict:
    values = [row[question.code] for row in rows]
    out = {"code": question.code, "text": question.text, "type": question.type}
    if question.type == QuestionType.LIKERT:
        counts = {label: values.count(value) for value, label in LIKERT_LABELS.items()}
        answered = sum(1 for v in values if v is not None and 1 <= v <= 5)
        agree = sum(1 for v in values if v in (4, 5))
        if question.allow_prefer_not:
            counts[PREFER_NOT_LABEL] = values.count(0)
        out |= {
            "answered": answered,
            "counts": counts,
            "agree": agree,
            "agree_pct": naive_percent(agree, answered),
        }
        if question.allow_prefer_not:
            out["prefer_not_to_say"] = values.count(0)
    elif question.type == QuestionType.YES_NO:
        answered = sum(1 for v in values if v is not None)
        yes = values.count(1)
        out |= {
            "answered": answered,
            "counts": {"Yes": yes, "No": values.count(0)},
            "yes": yes,
            "yes_pct": naive_percent(yes, answered),
        }
    elif question.type == QuestionType.SINGLE:
        out |= {
            "answered": sum(1 for v in values if v is not None),
            "counts": {label: values.count(n) for n, label in enumerate(SINGLE, 1)},
        }
    elif question.type == QuestionType.MULTIPLE:
        out |= {
            "answered": sum(1 for ticks in values if ticks),
            "counts": {
                label: sum(1 for ticks in values if n in ticks)
                for n, label in enumerate(MULTIPLE, 1)
            },
        }
    else:
        out["answered"] = sum(1 for v in values if v)
    return out


def naive_results(code, questions, rows, names, threshold, by_site) -> dict:
    expected = {
        "questionnaire": code,
        "responses": len(rows),
        "questions": [naive_question(q, rows) for q in questions],
    }
    if not by_site:
        return expected
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(names[row["site"]], []).append(row)
    expected["threshold"] = threshold
    # Groups under the threshold are hidden, then the next smallest too while the hidden ones
    # add up to fewer than the threshold (or the overall figures would give them away).
    hidden = {name for name, group in groups.items() if len(group) < threshold}
    while 0 < sum(len(groups[n]) for n in hidden) < threshold and len(hidden) < len(groups):
        hidden.add(
            min(
                (n for n in groups if n not in hidden),
                key=lambda n: (len(groups[n]), n.casefold()),
            )
        )
    expected["by_site"] = [
        {
            "site": name,
            "responses": len(group) if len(group) >= threshold else f"fewer than {threshold}",
            "suppressed": name in hidden,
            "questions": [] if name in hidden else [naive_question(q, group) for q in questions],
        }
        for name, group in sorted(
            groups.items(), key=lambda item: (item[0] == selectors.NO_SITE, item[0].casefold())
        )
    ]
    return expected


# Building the data ----------------------------------------------------------------------------


def build(organisation, prefer_not, threshold, rows, sites) -> tuple[Questionnaire, list]:
    questionnaire = Questionnaire.objects.create(
        organisation=organisation,
        code=f"random-{next(_codes)}",
        title="Random answers",
        small_group_threshold=threshold,
    )
    specs = [
        *((code, QuestionType.LIKERT, prefer_not[code]) for code in LIKERT_CODES),
        ("yes-no", QuestionType.YES_NO, False),
        ("role", QuestionType.SINGLE, False),
        ("service", QuestionType.MULTIPLE, False),
        ("words", QuestionType.TEXT, False),
    ]
    questions = Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            position=position,
            code=code,
            text=f"Statement {code}",
            type=type,
            allow_prefer_not=allow,
        )
        for position, (code, type, allow) in enumerate(specs, 1)
    )
    by_code = {q.code: q for q in questions}
    Choice.objects.bulk_create(
        [Choice(question=by_code["role"], value=n, label=t) for n, t in enumerate(SINGLE, 1)]
        + [Choice(question=by_code["service"], value=n, label=t) for n, t in enumerate(MULTIPLE, 1)]
    )
    responses = QuestionnaireResponse.objects.bulk_create(
        QuestionnaireResponse(
            questionnaire=questionnaire,
            site=sites.get(row["site"]),
            site_label=row["site"] if row["site"] == LABEL else "",
            submitted_on=TODAY,
        )
        for row in rows
    )
    answers, texts = [], []
    for response, row in zip(responses, rows, strict=True):
        for question in questions:
            value = row[question.code]
            if question.type == QuestionType.TEXT:
                if value:
                    texts.append(TextAnswer(response=response, question=question, text=value))
            elif question.type == QuestionType.MULTIPLE:
                answers.extend(Answer(response=response, question=question, value=v) for v in value)
            elif value is not None:
                answers.append(Answer(response=response, question=question, value=value))
    Answer.objects.bulk_create(answers, batch_size=500)
    TextAnswer.objects.bulk_create(texts)
    tallies_rebuild(questionnaire_ids=[questionnaire.pk])  # a bulk load counts in what it stored
    return questionnaire, questions


def _command(code: str, *extra: str) -> dict:
    out = StringIO()
    call_command("questionnaire_results", code, "--format", "json", *extra, stdout=out)
    return json.loads(out.getvalue())


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answer_sets())
def test_results_equal_a_naive_count(personas, answers):
    prefer_not, threshold, rows = answers
    sites = {"a": personas.council_a, "b": personas.council_b, "national": personas.national}
    names = {key: org.name for key, org in sites.items()} | {
        LABEL: LABEL,
        None: selectors.NO_SITE,
    }
    questionnaire, questions = build(personas.council_a, prefer_not, threshold, rows, sites)
    code = questionnaire.code

    overall = selectors.questionnaire_results(questionnaire=questionnaire).as_dict()
    assert overall == naive_results(code, questions, rows, names, threshold, by_site=False)

    by_site = selectors.questionnaire_results(questionnaire=questionnaire, by_site=True).as_dict()
    assert by_site == naive_results(code, questions, rows, names, threshold, by_site=True)

    # The command line prints the selector's figures, exactly.
    assert _command(code) == overall
    assert _command(code, "--by", "site") == by_site
