"""The national learning report of a survey round: its figures, its charts and its PDF.

`report_context` gathers what the page and the PDF both show, from the selectors: "N of M
councils responded", the share of councils seeing early signs of each outcome with last year's
share beside it (questions matched by code), the multi-agency steering groups, activity per
Roadmap driver, enablers and barriers, the examples councils agreed may be quoted (grouped by
the section and question they answer, never with a council's name) and the coordinator's
narrative. Every figure is counted from sent returns; one resting on fewer than SMALL_GROUP
councils is never shown (the selectors give None and the templates say so).

`chart` draws one of CHARTS as SVG (matplotlib, through powershare.lib.charts); the page
embeds them with <img> and the same figures in a table, the PDF inline. Each image is its own
request, so it is drawn from `chart_context`: only the figures that chart needs.
"""

import logging
import re
import textwrap
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import capfirst

from powershare.evaluation.models import QuestionType
from powershare.lib import charts

from . import selectors
from .models import SurveyRound
from .selectors import SMALL_GROUP, QuestionResult, RoundResults

STEERING_GROUP = "steering-group"
DRIVERS = "driver-activity"
ENABLERS = "enablers"
BARRIERS = "barriers"
#: The charts a report has, by the slug in their address.
CHARTS = ("early-signs", "year-on-year", "drivers", "enablers", "barriers")
SUPPRESSED = f"fewer than {SMALL_GROUP} councils answered"

_EARLY_SIGNS = re.compile(
    r"^(have you seen |has your area seen )?(any )?early signs( or evidence)?( of it)? that ",
    re.IGNORECASE,
)


def outcome_label(text: str) -> str:
    """An early-signs question as its outcome: "Have you seen early signs that staff know
    more …?" becomes "Staff know more …"."""
    return capfirst(_EARLY_SIGNS.sub("", text.strip()).rstrip("?").strip())


def paragraphs(text: str) -> list[str]:
    """The coordinator's words as paragraphs (split on blank lines)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def signed(points: int | None) -> str:
    if points is None:
        return ""
    if points == 0:
        return "no change"
    return f"+{points}" if points > 0 else f"\u2212{-points}"


@dataclass
class YesNoRow:
    """One yes/no question this year, with last year's share where it was asked."""

    code: str
    label: str
    this: QuestionResult
    last: QuestionResult | None

    @property
    def short_label(self) -> str:
        """For charts: the steering group's question as what it counts."""
        return "A multi-agency steering group" if self.code == STEERING_GROUP else self.label

    @property
    def last_pct(self) -> int | None:
        return self.last.yes_pct if self.last is not None else None

    @property
    def change(self) -> int | None:
        if self.this.yes_pct is None or self.last_pct is None:
            return None
        return self.this.yes_pct - self.last_pct

    @property
    def change_text(self) -> str:
        return signed(self.change)

    @property
    def figure(self) -> str:
        """ "28 of 29 (97%)", or why there is no figure."""
        if self.this.yes_pct is None:
            return SUPPRESSED if self.this.suppressed else "not asked"
        return f"{self.this.yes} of {self.this.answered} ({self.this.yes_pct}%)"


@dataclass
class ChoiceRow:
    label: str
    councils: int | None
    pct: int | None


@dataclass
class ChoiceBlock:
    """A choose-any question's options with how many councils chose each."""

    code: str
    result: QuestionResult | None

    @property
    def asked(self) -> bool:
        return self.result is not None

    @property
    def suppressed(self) -> bool:
        return self.result is None or self.result.suppressed

    @property
    def answered(self) -> int:
        return self.result.answered if self.result is not None else 0

    @property
    def rows(self) -> list[ChoiceRow]:
        if self.result is None:
            return []
        return [ChoiceRow(label, n, pct) for label, n, pct in self.result.choices]

    def summary(self) -> str:
        return "; ".join(f"{r.label}: {r.councils} ({r.pct}%)" for r in self.rows)


def _themes(examples: list[tuple[str, str, list[str]]]) -> list[dict]:
    """Shareable examples under their section, then their question."""
    themes: list[dict] = []
    for section, question, words in examples:
        if not themes or themes[-1]["section"] != section:
            themes.append({"section": section, "questions": []})
        themes[-1]["questions"].append({"question": question, "examples": words})
    return themes


def _figures(
    survey_round: SurveyRound,
    results: RoundResults,
    previous: SurveyRound | None = None,
    previous_results: RoundResults | None = None,
) -> dict:
    """The report's figures from the round's results (and the previous round's, for the
    year-on-year comparison): no query of its own."""
    last = previous_results.by_code() if previous_results is not None else {}
    this = results.by_code()
    yes_no = [
        YesNoRow(code=q.code, label=outcome_label(q.text), this=q, last=last.get(q.code))
        for q in results.questions
        if q.type == QuestionType.YES_NO
    ]
    outcomes = [row for row in yes_no if row.code != STEERING_GROUP]
    steering = next((row for row in yes_no if row.code == STEERING_GROUP), None)
    enough = results.returns >= SMALL_GROUP
    return {
        "survey_round": survey_round,
        "results": results,
        "enough": enough,
        "small_group": SMALL_GROUP,
        "suppressed_text": SUPPRESSED,
        "returns_pct": results.returns_pct if enough else None,
        "previous": previous,
        "previous_results": previous_results,
        "outcomes": outcomes,
        "outcomes_shown": any(row.this.yes_pct is not None for row in outcomes),
        "year_on_year_shown": previous is not None
        and any(row.this.yes_pct is not None and row.last_pct is not None for row in yes_no),
        "steering": steering,
        "drivers": ChoiceBlock(DRIVERS, this.get(DRIVERS)),
        "enablers": ChoiceBlock(ENABLERS, this.get(ENABLERS)),
        "barriers": ChoiceBlock(BARRIERS, this.get(BARRIERS)),
    }


def _with_previous(survey_round: SurveyRound) -> tuple[SurveyRound | None, RoundResults | None]:
    previous = selectors.previous_round(survey_round=survey_round)
    previous_results = (
        selectors.round_results(survey_round=previous) if previous is not None else None
    )
    return previous, previous_results


def report_context(*, survey_round: SurveyRound) -> dict:
    """Everything the report shows (the page and the PDF): a fixed number of queries."""
    results = selectors.round_results(survey_round=survey_round)
    previous, previous_results = _with_previous(survey_round)
    return {
        **_figures(survey_round, results, previous, previous_results),
        "themes": _themes(selectors.shareable_examples(survey_round=survey_round)),
        "key_messages": paragraphs(survey_round.key_messages),
        "recommendations": paragraphs(survey_round.recommendations),
        "made_on": timezone.localdate(),
    }


def chart_context(*, survey_round: SurveyRound, slug: str) -> dict:
    """What one chart needs, and no more: the round's results, and the previous round's only
    for the year-on-year chart (never the examples or the narrative). `chart` draws from it
    as from report_context."""
    results = selectors.round_results(survey_round=survey_round)
    previous, previous_results = (
        _with_previous(survey_round) if slug == "year-on-year" else (None, None)
    )
    return _figures(survey_round, results, previous, previous_results)


# ---------------------------------------------------------------------------------------------
# Charts


def _wrapped(label: str, width: int = 48, lines: int = 2) -> str:
    """A category's label on at most `lines` lines (one bar per category leaves room for two;
    two bars, for three): the table beside the chart has it in full."""
    return "\n".join(textwrap.wrap(label, width=width, max_lines=lines, placeholder=" …"))


def _pct_label(pct: int | None) -> str:
    return f"{pct}%" if pct is not None else SUPPRESSED


def outcomes_summary(context: dict) -> str:
    return "; ".join(f"{row.label}: {row.figure}" for row in context["outcomes"])


def year_on_year_summary(context: dict) -> str:
    rows = [*context["outcomes"], *([context["steering"]] if context["steering"] else [])]
    parts = []
    for row in rows:
        last = _pct_label(row.last_pct) if row.last is not None else "not asked"
        parts.append(
            f"{row.short_label}: {_pct_label(row.this.yes_pct)} this year, {last} last year"
        )
    return "; ".join(parts)


def _early_signs_chart(context: dict) -> str:
    survey_round = context["survey_round"]
    rows = context["outcomes"]
    return charts.horizontal_grouped_bar_chart(
        title=f"Councils seeing early signs of each outcome, {survey_round.period}",
        description="The share of the councils that answered who said they had seen early "
        f"signs of each short-term outcome. {outcomes_summary(context)}.",
        categories=[_wrapped(row.label) for row in rows],
        series=[
            charts.Series(
                name=f"Councils seeing early signs, {survey_round.period}",
                values=[row.this.yes_pct or 0 for row in rows],
                labels=[_pct_label(row.this.yes_pct) for row in rows],
            )
        ],
        value_axis_label="Share of the councils that answered",
        value_max=100,
        value_suffix="%",
    )


def _year_on_year_chart(context: dict) -> str:
    survey_round, previous = context["survey_round"], context["previous"]
    rows = [*context["outcomes"], *([context["steering"]] if context["steering"] else [])]
    return charts.horizontal_grouped_bar_chart(
        title=f"This year and last: {survey_round.period} and {previous.period}",
        description="The share of the councils that answered who said yes to each question, "
        f"this year and last year. {year_on_year_summary(context)}.",
        categories=[_wrapped(row.short_label, width=42, lines=3) for row in rows],
        series=[
            charts.Series(
                name=f"Last year ({previous.period})",
                values=[row.last_pct or 0 for row in rows],
                labels=[
                    _pct_label(row.last_pct) if row.last is not None else "not asked"
                    for row in rows
                ],
                colour=charts.GREY,
            ),
            charts.Series(
                name=f"This year ({survey_round.period})",
                values=[row.this.yes_pct or 0 for row in rows],
                labels=[_pct_label(row.this.yes_pct) for row in rows],
                colour=charts.BLUE,
            ),
        ],
        value_axis_label="Share of the councils that answered",
        value_max=100,
        value_suffix="%",
    )


CHOICE_TITLES = {
    "drivers": ("Councils active in each Roadmap driver", DRIVERS),
    "enablers": ("What helped councils make progress", ENABLERS),
    "barriers": ("What got in the way", BARRIERS),
}


def _choice_chart(context: dict, slug: str) -> str:
    title, _ = CHOICE_TITLES[slug]
    block: ChoiceBlock = context[slug]
    rows = block.rows
    labels = [f"{r.councils} ({r.pct}%)" if r.councils is not None else SUPPRESSED for r in rows]
    return charts.horizontal_grouped_bar_chart(
        title=f"{title}, {context['survey_round'].period}",
        description=f"How many of the {block.answered} councils that answered chose each "
        f"option. {block.summary() if not block.suppressed else SUPPRESSED}.",
        categories=[_wrapped(r.label) for r in rows],
        series=[
            charts.Series(
                name="Councils",
                values=[r.councils or 0 for r in rows],
                labels=labels,
            )
        ],
        value_axis_label="Number of councils",
        value_max=max(block.answered, 1),
    )


def chart_available(context: dict, slug: str) -> bool:
    """Whether the report has this chart (with figures to draw)."""
    if slug == "early-signs":
        return context["outcomes_shown"]
    if slug == "year-on-year":
        return context["year_on_year_shown"]
    if slug in CHOICE_TITLES:
        block = context[slug]
        return block.asked and not block.suppressed and bool(block.rows)
    return False


def chart(context: dict, slug: str) -> str:
    """One of CHARTS as SVG text, or "" when the report has no such chart."""
    if not chart_available(context, slug):
        return ""
    if slug == "early-signs":
        return _early_signs_chart(context)
    if slug == "year-on-year":
        return _year_on_year_chart(context)
    return _choice_chart(context, slug)


# ---------------------------------------------------------------------------------------------
# The PDF


def report_filename(survey_round: SurveyRound) -> str:
    return f"national-learning-report-{survey_round.year}.pdf"


def _svg_style_warnings(record: logging.LogRecord) -> bool:
    message = record.getMessage()
    return not (message.startswith("Ignored `") and "unknown property" in message)


_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^)"]+)')
_LABELLED_BY = re.compile(r'aria-labelledby="([^"]+)"')


def unique_ids(svg: str, prefix: str) -> str:
    """The chart's element ids (and the references to them) prefixed, so that several charts
    inline in one document never share an id: matplotlib numbers them the same way in each."""
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _REFERENCE.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    return _LABELLED_BY.sub(
        lambda m: 'aria-labelledby="{}"'.format(
            " ".join(f"{prefix}-{name}" for name in m.group(1).split())
        ),
        svg,
    )


def report_pdf(*, survey_round: SurveyRound, request=None) -> bytes:
    """The report as a tagged PDF, its charts inline."""
    from powershare.lib.pdf import render_pdf

    context = report_context(survey_round=survey_round)
    context["charts"] = {
        slug.replace("-", "_"): unique_ids(chart(context, slug), slug) for slug in CHARTS
    }
    # WeasyPrint reads the charts' style attributes itself, but first warns about each one as
    # if it were CSS: those warnings alone are left out of the log.
    weasyprint_log = logging.getLogger("weasyprint")
    weasyprint_log.addFilter(_svg_style_warnings)
    try:
        return render_pdf(template="national/pdf_report.html", context=context, request=request)
    finally:
        weasyprint_log.removeFilter(_svg_style_warnings)
