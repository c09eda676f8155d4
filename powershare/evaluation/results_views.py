"""A questionnaire's results: each question's counts and percentages (of the people who
answered), a diverging chart of the agree-or-disagree questions, the same by site (small groups
left out so nobody can be recognised), downloads as CSV or XLSX, and a text question's answers.

Anyone who may see learning in the questionnaire's organisation (VIEW_LEARNING) may see them:
answers are anonymous, so they are not personal data and reading them is not audited. Every
figure comes from selectors.questionnaire_results (SQL aggregation): each page runs the same
few queries whatever the number of questions, answers or sites.
"""

import textwrap

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP
from django.utils.http import urlencode
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from powershare.accounts.roles import Capability
from powershare.learning import selectors as learning_selectors
from powershare.lib.exports import FORMATS, table_response

from . import exports, selectors
from .models import LIKERT_LABELS, PREFER_NOT_LABEL, QuestionType
from .report import likert_chart, of
from .selectors import percent

#: Free-text answers shown on one page.
ANSWERS_PER_PAGE = 50
#: How a group too small to show reads.
SUPPRESSED = "fewer than {n} responses: not shown so nobody can be recognised"
#: A bigger group hidden as well, or the totals minus the groups shown would give away a
#: small group's answers.
ALSO_HIDDEN = "not shown either, so a smaller group's answers can't be worked out from the totals"


# ---------------------------------------------------------------------------------------------
# Helpers shared with the summary of learning


def crumbs(questionnaire, *items):
    return [
        {"label": "Home", "url": reverse("home")},
        {"label": "Learning", "url": reverse("learning:home")},
        {"label": "Evaluation", "url": reverse("evaluation:questionnaire_list")},
        {
            "label": questionnaire.title,
            "url": reverse("evaluation:questionnaire_detail", args=[questionnaire.pk]),
        },
        *items,
    ]


def headline(result) -> str:
    """One line for a question: how many agreed, said yes, or answered."""
    q = result.question
    if not result.answered:
        return "Nobody has answered yet."
    if q.type == QuestionType.LIKERT:
        return f"{of(result.agree, result.answered, result.agree_pct)} agree or strongly agree."
    if q.type == QuestionType.YES_NO:
        return f"{of(result.yes, result.answered, result.yes_pct)} said yes."
    if q.type == QuestionType.NUMBER:
        return (
            f"{result.answered} answered: on average {result.mean} "
            f"(from {result.minimum} to {result.maximum})."
        )
    if q.type == QuestionType.TEXT:
        return f"{result.answered} answer{'' if result.answered == 1 else 's'} in their own words."
    return ""


def choice_rows(result) -> list[dict]:
    """Each label's count and percentage of those who answered ("prefer not to say" is
    counted but not in the denominator, so it has no percentage)."""
    return [
        {
            "label": label,
            "count": n,
            "pct": None if label == PREFER_NOT_LABEL else percent(n, result.answered),
        }
        for label, n in result.counts.items()
    ]


def _short(text: str, width: int = 34, lines: int = 2) -> str:
    shortened = textwrap.shorten(text, width=width * lines, placeholder="…")
    return "\n".join(textwrap.wrap(shortened, width=width)[:lines])


@csp_override(
    {
        "default-src": [CSP.NONE],
        # matplotlib styles the drawing with style attributes; the file carries no script.
        "style-src": [CSP.UNSAFE_INLINE],
        "frame-ancestors": [CSP.SELF],
    }
)
def svg_response(request, svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    patch_cache_control(response, private=True)
    return response


# ---------------------------------------------------------------------------------------------
# The results page


#: By site, an agree-or-disagree question's five points are shown as three (so the table fits
#: a page): the points each column counts, by stored value.
LIKERT_GROUPS = {"Disagree": (1, 2), "Neither": (3,), "Agree": (4, 5)}


def _question_view(result, index, sites, threshold) -> dict:
    q = result.question
    kind = (
        "choices"
        if q.type
        in (QuestionType.LIKERT, QuestionType.YES_NO, QuestionType.SINGLE, QuestionType.MULTIPLE)
        else q.type
    )
    view = {
        "question": q,
        "result": result,
        "kind": kind,
        "headline": headline(result),
        "rows": choice_rows(result) if kind == "choices" else [],
        "has_hit": q.type in (QuestionType.LIKERT, QuestionType.YES_NO),
        "hit_label": "Agree" if q.type == QuestionType.LIKERT else "Yes",
    }
    if sites is not None:
        view["labels"] = (
            list(LIKERT_GROUPS)
            if q.type == QuestionType.LIKERT
            else [row["label"] for row in view["rows"]]
        )
        # A site left out fills every column after its name with one sentence.
        view["colspan"] = {"choices": len(view["labels"]) + 1, "number": 4}.get(kind, 1)
        view["sites"] = [
            _site_cells("All sites", result, kind, False, threshold),
            *(
                _site_cells(
                    group.site,
                    None if group.suppressed else group.questions[index],
                    kind,
                    group.suppressed,
                    threshold,
                    also_hidden=group.responses >= threshold,
                )
                for group in sites
            ),
        ]
    return view


def _count_cell(count: int, pct: int | None) -> str:
    return f"{count} ({pct}%)" if pct is not None else str(count)


def _site_cells(site, result, kind, suppressed, threshold, also_hidden=False) -> dict:
    if suppressed:
        text = ALSO_HIDDEN if also_hidden else SUPPRESSED.format(n=threshold)
        return {"site": site, "suppressed": text[0].upper() + text[1:]}
    cells = {"site": site, "suppressed": "", "answered": result.answered}
    if kind == "choices" and result.question.type == QuestionType.LIKERT:
        labels = list(LIKERT_LABELS.values())
        cells["counts"] = []
        for name, values in LIKERT_GROUPS.items():
            n = sum(result.counts.get(labels[value - 1], 0) for value in values)
            cells["counts"].append((name, _count_cell(n, percent(n, result.answered))))
    elif kind == "choices":
        cells["counts"] = [
            (row["label"], _count_cell(row["count"], row["pct"])) for row in choice_rows(result)
        ]
    elif kind == QuestionType.NUMBER:
        cells["numbers"] = [result.mean, result.minimum, result.maximum]
    return cells


def _delivery_choices(user, questionnaire) -> list[tuple[int, str]]:
    """The questionnaire's product's deliveries the user may see, for the filter."""
    if not questionnaire.product_id:
        return []
    deliveries = learning_selectors.delivery_list_for(
        user=user, product=questionnaire.product, include_cancelled=True
    )
    return [
        (d.pk, f"{d.site.name}: {d.cohort}" if d.cohort else d.site.name)
        for d in deliveries.order_by("site__name", "cohort", "pk")
    ]


def _chosen_delivery(request, choices) -> int | None:
    value = request.GET.get("delivery", "")
    if value.isdigit() and len(value) < 19 and int(value) in dict(choices):
        return int(value)
    return None


@login_required
@require_GET
def results(request, pk):
    """Results of one questionnaire: everyone together, or by site (`?by=site`), for all its
    deliveries or one (`?delivery=<id>`). `?chart=svg` draws the agree-or-disagree questions."""
    user = request.user
    questionnaire = selectors.questionnaire_get_for(user=user, pk=pk)
    by_site = request.GET.get("by") == "site"
    choices = _delivery_choices(user, questionnaire)
    delivery_id = _chosen_delivery(request, choices)
    outcome = selectors.questionnaire_results(
        questionnaire=questionnaire,
        by_site=by_site,
        delivery_ids=[delivery_id] if delivery_id else None,
    )
    # One delivery's answers alone can be few: the same rule as the sites' breakdown.
    too_few = outcome.suppressed
    likert = [
        r for r in outcome.questions if r.question.type == QuestionType.LIKERT and not too_few
    ]
    if request.GET.get("chart") == "svg":
        if not any(r.answered for r in likert):
            raise Http404("No chart yet")
        svg = likert_chart(
            title=f"How much people agreed: {questionnaire.title}",
            rows=[(_short(r.question.text), r) for r in likert],
        )
        return svg_response(request, svg)
    questions = (
        []
        if too_few
        else [
            _question_view(r, index, outcome.by_site, outcome.threshold)
            for index, r in enumerate(outcome.questions)
        ]
    )
    sections = []
    for view in questions:
        section = view["question"].section
        if not sections or sections[-1]["section"] != section:
            sections.append({"section": section, "questions": []})
        sections[-1]["questions"].append(view)
    query = {"by": "site"} if by_site else {}
    if delivery_id:
        query["delivery"] = delivery_id
    here = reverse("evaluation:results", args=[questionnaire.pk])
    by = {"by": "site"} if by_site else {}
    other_view = {k: v for k, v in query.items() if k != "by"} | ({} if by_site else {"by": "site"})
    export = reverse("evaluation:results_export", args=[questionnaire.pk])
    return render(
        request,
        "evaluation/results.html",
        {
            "page_title": "Results",
            "page_caption": questionnaire.title,
            "breadcrumbs": crumbs(questionnaire, {"label": "Results"}),
            "questionnaire": questionnaire,
            "results": outcome,
            "sections": sections,
            "by_site": by_site,
            "too_few": too_few,
            "threshold": outcome.threshold,
            "suppressed_text": SUPPRESSED.format(n=outcome.threshold),
            "delivery_choices": choices,
            "delivery_id": delivery_id,
            "delivery_name": dict(choices).get(delivery_id, ""),
            "chart_url": f"{here}?{urlencode({**query, 'chart': 'svg'})}"
            if any(r.answered for r in likert)
            else "",
            "chart_summary": "; ".join(
                f"{r.question.text}: {of(r.agree, r.answered, r.agree_pct)} agree"
                for r in likert
                if r.answered
            ),
            "other_view_url": f"{here}?{urlencode(other_view)}",
            "export_urls": [
                (label, f"{export}?{urlencode({'format': key, **by})}")
                for key, label in FORMATS.items()
            ],
        },
    )


@login_required
@require_GET
def results_export(request, pk):
    """The results as a table to download (`?format=csv` or `xlsx`, CSV when not given), with
    each site's results after everyone's when `?by=site` (small groups left out)."""
    questionnaire = selectors.questionnaire_get_for(user=request.user, pk=pk)
    by_site = request.GET.get("by") == "site"
    file_format = request.GET.get("format", "csv")
    outcome = selectors.questionnaire_results(questionnaire=questionnaire, by_site=by_site)
    headers, rows = exports.results_rows(outcome)
    name = f"results-{questionnaire.code}{'-by-site' if by_site else ''}"
    return table_response(
        filename=f"{name}-{timezone.localdate():%Y-%m-%d}",
        headers=headers,
        rows=rows,
        file_format=file_format if file_format in FORMATS else "csv",
    )


@login_required
@require_GET
def free_text(request, pk):
    """A question's answers in people's own words, in alphabetical order (never the order they
    were given in, which could hint at who wrote what), a page at a time."""
    question = selectors.question_get_for(user=request.user, pk=pk, may=Capability.VIEW_LEARNING)
    if question.type != QuestionType.TEXT:
        raise Http404("Not a question answered in people's own words")
    questionnaire = question.questionnaire
    answers = selectors.free_text_answer_list(question=question, quotable_only=False)
    page = Paginator(answers, ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/free_text.html",
        {
            "page_title": "Answers in their own words",
            "page_caption": questionnaire.title,
            "breadcrumbs": crumbs(
                questionnaire,
                {
                    "label": "Results",
                    "url": reverse("evaluation:results", args=[questionnaire.pk]),
                },
                {"label": "Answers in their own words"},
            ),
            "questionnaire": questionnaire,
            "question": question,
            "page_obj": page,
            "first_number": page.start_index(),
        },
    )
