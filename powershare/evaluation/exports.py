"""Results as rows, for CSV, XLSX and the command line's table."""

from .models import QuestionType
from .selectors import Results

HEADER = ["site", "code", "question", "type", "answered", "agree or yes", "percent", "counts"]


def _row(site: str, result) -> list:
    q = result.question
    if q.type == QuestionType.LIKERT:
        hit, pct = result.agree, result.agree_pct
    elif q.type == QuestionType.YES_NO:
        hit, pct = result.yes, result.yes_pct
    else:
        hit = pct = ""
    counts = "; ".join(f"{label} {n}" for label, n in result.counts.items())
    if q.type == QuestionType.NUMBER and result.answered:
        counts = f"mean {result.mean}; min {result.minimum}; max {result.maximum}"
    return [site, q.code, q.text, q.type, result.answered, hit, "" if pct is None else pct, counts]


def results_rows(results: Results) -> tuple[list[str], list[list]]:
    rows = [_row("All", r) for r in results.questions]
    for group in results.by_site or []:
        if group.suppressed:
            rows.append(
                [
                    group.site,
                    "",
                    f"fewer than {results.threshold} responses: not shown"
                    if group.responses < results.threshold
                    else "not shown either, so a smaller group's answers can't be worked out",
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
            continue
        rows.extend(_row(group.site, r) for r in group.questions)
    return HEADER, rows
