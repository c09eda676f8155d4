"""The summary of learning of a product, as a page and as a PDF.

`summary_context` gathers what both show, every figure computed from the records by
selectors.product_evaluation (attendance from the registers, responses and agreement from the
anonymous answers) and the narrative the learning lead wrote (LearningSummary). Nothing typed
is a figure. `summary_pdf` renders templates/evaluation/pdf_summary.html (tagged PDF/UA, the
chart inline as SVG with the same figures in a table beside it); the background task in
tasks.py calls it and shows its progress on the page.

Words people wrote are quoted only from questions that told them they might be (quotable),
and the co-design record's words only through the consent rule
(learning.selectors.co_design_record).
"""

import itertools
import logging

from django.utils import timezone

from powershare.engagement.models import UseLevel
from powershare.learning import selectors as learning_selectors
from powershare.lib import charts

from . import selectors
from .models import LIKERT_LABELS, LearningSummary, QuestionnaireKind, QuestionPurpose, QuestionType

#: Different quotes shown for one question (the page and the PDF say how many more).
QUOTES_SHOWN = 25
#: Answers read to find them (the same words said by many people are shown once).
QUOTES_READ = 500
NARRATIVE_FIELDS = (
    "background",
    "evaluation_method",
    "key_learning",
    "feedback_loop",
    "next_steps",
    "plain_summary",
)
KIND_HEADINGS = {
    QuestionnaireKind.PRE: "Before",
    QuestionnaireKind.POST: "After",
    QuestionnaireKind.REACTION: "Reaction",
}


def of(part, whole, pct) -> str:
    """A number with its base: "16 of 28 (57%)"."""
    if not whole:
        return "no answers"
    return f"{part} of {whole} ({pct}%)"


def likert_segments(result) -> list[float]:
    """Each point of the scale as a percentage of those who answered (for the chart)."""
    pct = result.percentages
    return [pct.get(label) or 0 for label in LIKERT_LABELS.values()]


def likert_chart(*, title: str, rows: list[tuple[str, object]], group_size: int = 1) -> str:
    """The diverging chart of agree-or-disagree results: rows are (label, QuestionResult)."""
    described = "; ".join(
        f"{label.replace(chr(10), ' ')}: {result.agree_pct}% agree "
        f"({result.agree} of {result.answered})"
        if result.answered
        else f"{label.replace(chr(10), ' ')}: no answers"
        for label, result in rows
    )
    return charts.diverging_stacked_bar_chart(
        title=title,
        description="How strongly people agreed or disagreed, as a share of those who "
        f"answered. {described}.",
        categories=[label for label, _ in rows],
        segments=list(LIKERT_LABELS.values()),
        values=[likert_segments(result) for _, result in rows],
        row_labels=[
            f"{result.agree_pct}% agree" if result.answered else "No answers" for _, result in rows
        ],
        group_size=group_size,
    )


def _quotes(question) -> dict:
    """A quotable question's different answers, alphabetical, each with how many wrote it."""
    texts = selectors.free_text_answers(question=question, quotable_only=True, limit=QUOTES_READ)
    grouped = [
        (text, len(list(same))) for text, same in itertools.groupby(t.strip() for t in texts)
    ]
    grouped = [(text, n) for text, n in grouped if text]
    return {
        "question": question,
        "quotes": grouped[:QUOTES_SHOWN],
        "more": max(0, len(grouped) - QUOTES_SHOWN),
    }


def _rates_table(evaluation) -> dict:
    """Response rates: one row per site, one column per questionnaire, and a total row."""
    columns = [e for e in evaluation.questionnaires if e.rate.attended or e.results.responses]
    sites: dict[str, dict[int, object]] = {}
    for index, e in enumerate(columns):
        for rate in e.rate.by_site:
            sites.setdefault(rate.site, {})[index] = rate
    headings = [KIND_HEADINGS.get(e.questionnaire.kind, e.questionnaire.title) for e in columns]
    rows = []
    for site in sorted(sites, key=str.casefold):
        cells = []
        for index, e in enumerate(columns):
            rate = sites[site].get(index)
            if rate is None:
                text = "–"
            elif rate.suppressed:
                text = f"fewer than {e.results.threshold} answered"
            else:
                text = of(rate.responses, rate.attended, rate.rate_pct)
            cells.append((headings[index], text))
        rows.append({"site": site, "cells": cells})
    return {
        "headings": headings,
        "questionnaires": columns,
        "rows": rows,
        "totals": [of(e.rate.responses, e.rate.attended, e.rate.rate_pct) for e in columns],
    }


def _outcome_rows(evaluation) -> list[dict]:
    rows = []
    for change in evaluation.outcomes:
        cells = []
        for result in (change.pre, change.post):
            cells.append(
                of(result.agree, result.answered, result.agree_pct)
                if result is not None
                else "not asked"
            )
        rows.append(
            {"number": change.number, "text": change.text, "before": cells[0], "after": cells[1]}
        )
    return rows


def outcome_chart(evaluation, *, title: str) -> str:
    """The diverging chart of agreement with each outcome, before and after."""
    rows = []
    for change in evaluation.outcomes:
        for result, when in ((change.pre, "before"), (change.post, "after")):
            if result is not None:
                rows.append((f"Outcome {change.number}, {when}", result))
    if not any(result.answered for _, result in rows):
        return ""
    return likert_chart(title=title, rows=rows, group_size=2)


def outcome_chart_summary(evaluation) -> str:
    parts = []
    for change in evaluation.outcomes:
        before = f"{change.pre.agree_pct}%" if change.pre and change.pre.answered else "none"
        after = f"{change.post.agree_pct}%" if change.post and change.post.answered else "none"
        parts.append(f"outcome {change.number}: {before} agreed before, {after} after")
    return "; ".join(parts)


def summary_context(*, product, summary: LearningSummary | None) -> dict:
    """Everything the summary of learning shows (the page and the PDF)."""
    evaluation = selectors.product_evaluation(product=product)
    narrative = {name: getattr(summary, name, "") if summary else "" for name in NARRATIVE_FIELDS}
    reaction = [
        {"question": r.question, "agree": of(r.agree, r.answered, r.agree_pct)}
        for r in evaluation.by_purpose(QuestionPurpose.REACTION)
        if r.question.type == QuestionType.LIKERT
    ]
    texts = [
        r.question
        for e in evaluation.questionnaires
        for r in e.results.questions
        if r.question.type == QuestionType.TEXT and r.question.quotable and r.answered
    ]
    plans = [_quotes(q) for q in texts if q.purpose == QuestionPurpose.NEXT_STEPS]
    comments = [_quotes(q) for q in texts if q.purpose != QuestionPurpose.NEXT_STEPS]
    paired = [
        {"questionnaire": e.questionnaire, "matched": e.paired.matched}
        for e in evaluation.questionnaires
        if e.paired is not None and e.paired.matched
    ]
    sites = evaluation.attendance_sites
    co_design = learning_selectors.co_design_record(product=product)
    # A report goes beyond the organisation: only words people agreed may be quoted
    # anonymously in reports and training (the record's page shows the internal level).
    reportable = (
        learning_selectors.contributions_usable(
            product.shaped_by_contributions.all(), use=UseLevel.ANONYMISED
        )
        .select_related("activity")
        .order_by("activity__starts_on", "pk")
    )
    said = [
        {
            "text": c.text,
            # Anonymous in the report: a group's own label, never a person's name.
            "credit": c.group_label if c.is_from_group else "a person with lived experience",
            "activity": c.activity.title if c.activity_id else "",
        }
        for c in reportable
    ]
    return {
        "product": product,
        "summary": summary,
        "narrative": narrative,
        "evaluation": evaluation,
        "co_design": co_design,
        "co_design_said": said,
        "team": selectors.team_mix(product=product),
        "attendance": {
            "headings": [f"Session {n}" for n in evaluation.session_numbers],
            "rows": sites,
            "totals": evaluation.attendance_totals,
        },
        "site_count": len(sites),
        "rates": _rates_table(evaluation),
        "outcomes": _outcome_rows(evaluation),
        "outcome_chart_summary": outcome_chart_summary(evaluation),
        "reaction": reaction,
        "plans": plans,
        "comments": comments,
        "paired": paired,
        "made_on": timezone.localdate(),
    }


def _svg_style_warnings(record: logging.LogRecord) -> bool:
    message = record.getMessage()
    return not (message.startswith("Ignored `") and "unknown property" in message)


def summary_pdf(*, summary: LearningSummary, progress=lambda pct: None) -> bytes:
    """The summary of learning as a tagged PDF, calling progress(percent) along the way."""
    from powershare.lib.pdf import render_pdf

    product = summary.product
    context = summary_context(product=product, summary=summary)
    progress(30)
    context["chart_svg"] = outcome_chart(
        context["evaluation"],
        title=f"Agreement with each intended learning outcome: {product.title}",
    )
    progress(50)
    # WeasyPrint reads the chart's style attributes itself, but first warns about each one
    # as if it were CSS: those warnings alone are left out of the log.
    weasyprint_log = logging.getLogger("weasyprint")
    weasyprint_log.addFilter(_svg_style_warnings)
    try:
        pdf = render_pdf(template="evaluation/pdf_summary.html", context=context)
    finally:
        weasyprint_log.removeFilter(_svg_style_warnings)
    progress(95)
    return pdf
