"""Likert results at 100,000 and 1,000,000 responses: PowerShare vs django-survey-and-report
1.5.0 (the peer) vs the raw SQL floor (issue 12).

    .venv/bin/python bench/results.py --database-url URL [--quick] --json FILE

On the database bench/run.py made (national data already there), `answers.big_questionnaire`
adds (once) a questionnaire like a product's post questionnaire with 100,000 and another with
1,000,000 anonymous responses (--quick: 1,000 and 5,000). For each it times, as the median of
several runs after a warm-up:

- PowerShare: `evaluation.selectors.questionnaire_results`, overall and by site, as the
  results page calls it (`?by=site` for the second);
- the floor: the one GROUP BY over evaluation_answer that does the counting, in raw SQL, the
  question ids given (`question_id, value` overall; with `site_id, site_label` by site);
- the peer, in its own virtualenv and process (bench/peer): the same answers loaded into its
  tables in a separate database of the same kind, its report of the nine Likert questions
  (Survey2Tex, which counts with Question.sorted_answers_cardinality) timed there.

Memory: the peak RSS of a fresh PowerShare process computing the results (by site) once, and
the tracemalloc peak of one call here; the peer's process's peak RSS (and tracemalloc at
100,000). The three must agree on every count (PowerShare's overall and by-site totals, the
floor's, the peer's): the script fails loudly if they don't.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

SIZES = [100_000, 1_000_000]
QUICK_SIZES = [1_000, 5_000]

# The floor: the one GROUP BY that does the counting, as issue 9's benchmark defines it.
from questionnaire_results import FLOOR_BY_SITE, FLOOR_OVERALL  # noqa: E402


def parse_args(argv=None):
    parser = harness.arguments(__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(n) for n in s.split(",")],
        help="Responses per questionnaire, comma-separated (100000,1000000; quick 1000,5000).",
    )
    parser.add_argument("--runs", type=int, help="PowerShare and floor runs (7; quick 3).")
    parser.add_argument(
        "--peer-runs",
        type=lambda s: [int(n) for n in s.split(",")],
        help="The peer's runs at each size (5,3; quick 1,1).",
    )
    parser.add_argument("--keep-peer", action="store_true", help="Keep the peer's database.")
    # A fresh process measuring its own peak memory (run by this script).
    parser.add_argument("--probe", type=int, metavar="QUESTIONNAIRE_ID", help="(internal)")
    args = parser.parse_args(argv)
    args.sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    args.runs = args.runs or (3 if args.quick else 7)
    default_peer = [1] * len(args.sizes) if args.quick else [5, 3]
    args.peer_runs = args.peer_runs or default_peer
    if len(args.peer_runs) < len(args.sizes):
        args.peer_runs += [args.peer_runs[-1]] * (len(args.sizes) - len(args.peer_runs))
    return args


# The fresh-process memory probe --------------------------------------------------------------


def process_peak_mib() -> float:
    """This process's own peak resident memory: VmHWM (Linux), which starts afresh at exec.
    (getrusage's ru_maxrss does not: a process started by a large one begins with the
    parent's peak, so it would report the benchmark's memory, not its own.)"""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return harness.peak_rss_mib()


def probe(args) -> int:
    """In a process of its own: set Django up, compute the results by site once (as the
    results page does), print the peak RSS before and after."""
    harness.django_setup(args.database_url)
    from powershare.evaluation import selectors
    from powershare.evaluation.models import Questionnaire

    questionnaire = Questionnaire.objects.get(pk=args.probe)
    selectors.questionnaire_results(questionnaire=questionnaire, by_site=False).as_dict()
    before = process_peak_mib()  # Django, the project, one connection, the first query
    results = selectors.questionnaire_results(questionnaire=questionnaire, by_site=True)
    json.dumps(results.as_dict())
    print(json.dumps({"before_mib": before, "peak_rss_mib": process_peak_mib()}))
    return 0


def fresh_process_rss(url: str, questionnaire_id: int) -> dict:
    done = subprocess.run(
        [str(harness.PYTHON), __file__, "--database-url", url, "--probe", str(questionnaire_id)],
        env=harness.django_environment(url),
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"results: the memory probe failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# Counting ------------------------------------------------------------------------------------


def raw(sql: str, params: list):
    from django.db import connection

    def run() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def floor_sql(sql: str, ids: list[int]) -> tuple[str, list[int]]:
    return sql.format(ids=", ".join(["%s"] * len(ids))), ids


def powershare_values(results, likert_ids: list[int]) -> list[dict[int, int]]:
    """PowerShare's overall counts of each Likert question as {value: n} (its results hold
    them by label), zeros left out."""
    from powershare.evaluation.models import LIKERT_LABELS, PREFER_NOT, PREFER_NOT_LABEL

    by_label = {label: value for value, label in LIKERT_LABELS.items()}
    by_label[PREFER_NOT_LABEL] = PREFER_NOT
    by_question = {r.question.pk: r for r in results.questions}
    return [
        {by_label[label]: n for label, n in by_question[pk].counts.items() if n}
        for pk in likert_ids
    ]


def floor_values(rows: list[tuple], likert_ids: list[int]) -> list[dict[int, int]]:
    out: dict[int, dict[int, int]] = {pk: {} for pk in likert_ids}
    for question_id, value, n in rows:
        out[question_id][value] = out[question_id].get(value, 0) + n
    return [out[pk] for pk in likert_ids]


def check_agree(size: int, ours, by_site, floor, floor_site, peer_counts, made) -> dict:
    """PowerShare (overall and by site), the floor (both) and the peer count the same."""
    from peer import counts_as_values

    likert = made["likert_question_ids"]
    problems = []
    ps = powershare_values(ours, likert)
    fl = floor_values(floor, likert)
    fl_site = floor_values([(q, v, n) for q, _, _, v, n in floor_site], likert)
    ps_site = powershare_values(by_site, likert)
    if ps != fl:
        problems.append(f"PowerShare overall {ps} != floor {fl}")
    if ps_site != fl_site:
        problems.append(f"PowerShare by site (all sites) {ps_site} != floor by site {fl_site}")
    if fl != fl_site:
        problems.append("the floor's two queries disagree")
    if peer_counts is not None:
        pe = counts_as_values(peer_counts, made["peer"]["likert_question_ids"])
        if pe != fl:
            problems.append(f"peer {pe} != floor {fl}")
    if ours.responses != size or by_site.responses != size:
        problems.append(f"PowerShare counts {ours.responses}/{by_site.responses} responses")
    if problems:
        raise SystemExit(
            f"results: the counts disagree at {size:,} responses: " + "; ".join(problems)
        )
    return {"answers_counted": sum(sum(d.values()) for d in fl), "agree": True}


# The benchmark -------------------------------------------------------------------------------


def measure(args, size: int, peer_runs: int, peer_url: str) -> dict:
    import answers
    import peer

    from powershare.evaluation import selectors
    from powershare.evaluation.models import Questionnaire

    made = answers.big_questionnaire(responses=size, seed=args.seed)
    questionnaire = Questionnaire.objects.get(pk=made["questionnaire_id"])
    likert = made["likert_question_ids"]

    def overall():
        return selectors.questionnaire_results(questionnaire=questionnaire)

    def by_site():
        return selectors.questionnaire_results(questionnaire=questionnaire, by_site=True)

    floor_overall = raw(*floor_sql(FLOOR_OVERALL, likert))
    floor_by_site = raw(*floor_sql(FLOOR_BY_SITE, likert))
    harness.say(f"{size:,}: timing PowerShare and the floor ({args.runs} runs each)")
    figures = {
        "responses": size,
        "answers": made["answers"],
        "load_seconds": made["load_seconds"],
        "powershare_overall": harness.timed(overall, args.runs),
        "powershare_by_site": harness.timed(by_site, args.runs),
        "floor_overall": harness.timed(floor_overall, args.runs),
        "floor_by_site": harness.timed(floor_by_site, args.runs),
        "powershare_python_peak_mib": {
            "overall": harness.python_peak_mib(overall),
            "by_site": harness.python_peak_mib(by_site),
        },
        "powershare_fresh_process": fresh_process_rss(args.database_url, questionnaire.pk),
    }

    harness.say(f"{size:,}: loading the same answers into the peer")
    started = time.perf_counter()
    peer_made = peer.setup(peer_url, name=f"PowerShare bench {size}")
    loaded = peer.load(peer_url, peer_made, answers.answer_rows(questionnaire.pk))
    figures["peer_load_seconds"] = round(time.perf_counter() - started, 1)
    figures["peer_rows"] = loaded
    made["peer"] = peer_made
    harness.say(f"{size:,}: timing the peer's report ({peer_runs} runs, in its own process)")
    # A warm-up run and a tracemalloc run at 100,000; at a million each run takes minutes (the
    # peak RSS is measured there). The quick pass: one run, traced at the first size only.
    peer_figures = peer.results(
        peer_url,
        peer_made["survey_id"],
        runs=peer_runs,
        warm_up=0 if args.quick or size > 100_000 else 1,
        trace=size <= 100_000 and (not args.quick or size == args.sizes[0]),
    )
    figures["peer"] = {k: v for k, v in peer_figures.items() if k != "counts"}
    figures["check"] = check_agree(
        size, overall(), by_site(), floor_overall(), floor_by_site(), peer_figures["counts"], made
    )
    return figures


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def build_report(args, measured: list[dict], peer_url_vendor: str) -> dict:
    rows = []
    for m in measured:
        n = f"{m['responses']:,}"
        ps, ps_site = m["powershare_overall"], m["powershare_by_site"]
        fresh = m["powershare_fresh_process"]
        peer_median = m["peer"]["median_ms"]
        for who, f, memory, vs_peer, vs_floor in [
            (
                "PowerShare, overall",
                ps,
                f"{m['powershare_python_peak_mib']['overall']} MiB traced",
                harness.fmt_ratio(ratio(peer_median, ps["median_ms"])) + " faster",
                harness.fmt_ratio(ratio(ps["median_ms"], m["floor_overall"]["median_ms"])),
            ),
            (
                "PowerShare, by site",
                ps_site,
                f"{fresh['peak_rss_mib']} MiB RSS (fresh process); "
                f"{m['powershare_python_peak_mib']['by_site']} MiB traced",
                harness.fmt_ratio(ratio(peer_median, ps_site["median_ms"])) + " faster",
                harness.fmt_ratio(ratio(ps_site["median_ms"], m["floor_by_site"]["median_ms"])),
            ),
            ("Floor (raw SQL GROUP BY), overall", m["floor_overall"], "", "", "1×"),
            ("Floor (raw SQL GROUP BY), by site", m["floor_by_site"], "", "", "1×"),
            (
                "django-survey-and-report 1.5.0 (its report)",
                m["peer"],
                f"{m['peer']['peak_rss_mib']} MiB RSS"
                + (
                    f"; {m['peer']['python_peak_mib']} MiB traced"
                    if m["peer"].get("python_peak_mib") is not None
                    else ""
                ),
                "1×",
                harness.fmt_ratio(ratio(peer_median, m["floor_overall"]["median_ms"])),
            ),
        ]:
            rows.append(
                [
                    n,
                    who,
                    harness.fmt_ms(f["median_ms"]),
                    f"{harness.fmt_ms(f.get('p95_ms', f['max_ms']))} / "
                    f"{harness.fmt_ms(f['min_ms'])} / {harness.fmt_ms(f['max_ms'])}",
                    str(f["runs"]),
                    memory,
                    vs_peer,
                    vs_floor,
                ]
            )
    small, large = measured[0], measured[-1]

    def at(m, nominal: int) -> str:
        """Which size the figure is really from, when not the target's own."""
        if m["responses"] == nominal:
            return ""
        return f" ({'quick pass: ' if args.quick else ''}measured at {m['responses']:,} responses)"

    ps_small = max(small["powershare_overall"]["median_ms"], 1e-9)
    vs_peer = ratio(small["peer"]["median_ms"], ps_small)
    vs_floor = max(
        ratio(small["powershare_overall"]["median_ms"], small["floor_overall"]["median_ms"]),
        ratio(small["powershare_by_site"]["median_ms"], small["floor_by_site"]["median_ms"]),
    )
    large_ms = max(
        large["powershare_overall"]["median_ms"], large["powershare_by_site"]["median_ms"]
    )
    large_rss = large["powershare_fresh_process"]["peak_rss_mib"]
    targets = [
        harness.target(
            "Likert results at 100,000 responses vs the peer" + at(small, 100_000),
            "≥ 75× faster than django-survey-and-report 1.5.0",
            f"{harness.fmt_ratio(vs_peer)} ({harness.fmt_ms(small['peer']['median_ms'])} vs "
            f"{harness.fmt_ms(small['powershare_overall']['median_ms'])})",
            vs_peer >= 75,
            ""
            if vs_peer >= 75
            else (
                "Too few responses for the goal: PowerShare's few fixed queries (the questions, "
                "the tallies) dominate while the peer's work grows with the answers."
                if small["responses"] < 100_000
                else "PowerShare is slower than the goal against the peer here: see the rows."
            ),
        ),
        harness.target(
            "Likert results at 100,000 responses vs the raw SQL floor" + at(small, 100_000),
            "≤ 2× the floor (overall and by site)",
            f"{vs_floor:.2f}× (overall {harness.fmt_ms(small['powershare_overall']['median_ms'])}"
            f" vs {harness.fmt_ms(small['floor_overall']['median_ms'])}; by site "
            f"{harness.fmt_ms(small['powershare_by_site']['median_ms'])} vs "
            f"{harness.fmt_ms(small['floor_by_site']['median_ms'])})",
            vs_floor <= 2,
            ""
            if vs_floor <= 2
            else (
                "Too few responses for the goal: the floor's one GROUP BY takes about a "
                "millisecond here and PowerShare's fixed queries (the questions, the tallies) "
                "dominate; with more answers the tallies keep PowerShare flat as the floor grows."
                if small["responses"] < 100_000
                else "The selector does more than the one GROUP BY: see its queries."
            ),
        ),
        harness.target(
            "Likert results at 1,000,000 responses: time" + at(large, 1_000_000),
            "≤ 250 ms",
            f"{harness.fmt_ms(large_ms)} (the slower of overall and by site, median)",
            large_ms <= 250,
            "" if large_ms <= 250 else "See the by-site and overall rows.",
        ),
        harness.target(
            "Likert results at 1,000,000 responses: memory" + at(large, 1_000_000),
            "≤ 150 MB",
            f"{large_rss} MiB peak RSS of a fresh process computing them by site "
            f"({large['powershare_fresh_process']['before_mib']} MiB before); "
            f"{large['powershare_python_peak_mib']['by_site']} MiB Python peak of one call",
            large_rss <= 150,
            "" if large_rss <= 150 else "The process is larger than the goal.",
        ),
    ]
    table = harness.table(
        f"Likert results (9 agree-or-disagree questions; PowerShare and the floor on "
        f"{peer_url_vendor}, the peer on a separate database of the same kind)",
        [
            "Responses",
            "Who",
            "Median",
            "p95 / fastest / slowest",
            "Runs",
            "Peak memory",
            "vs the peer",
            "vs the floor",
        ],
        rows,
        note=(
            "PowerShare: evaluation.selectors.questionnaire_results as the results page calls "
            "it, after one warm-up. Floor: the one GROUP BY over evaluation_answer that does "
            "the counting, question ids given. Peer: django-survey-and-report 1.5.0 "
            f"(Django {measured[0]['peer'].get('django', '?')}) in its own virtualenv and "
            "process, its LaTeX report of the same 9 questions (Survey2Tex.create_tex: "
            "Question.sorted_answers_cardinality per question) over the same answers loaded "
            "into its tables (a blank stored as an empty answer, as its form does). Every "
            "count agreed between the three. Memory: peak RSS of a fresh process; 'traced' is "
            "tracemalloc's peak of one call (Python's allocations only)."
        ),
    )
    return {"tables": [table], "targets": targets}


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.probe:
        return probe(args)
    import peer

    harness.django_setup(args.database_url)
    vendor = harness.vendor_of(args.database_url)
    harness.say("the peer's virtualenv")
    peer.ensure_venv()
    measured = []
    with harness.throwaway_database(vendor, keep=args.keep_peer, label="peer") as peer_url:
        for size, peer_runs in zip(args.sizes, args.peer_runs, strict=False):
            measured.append(measure(args, size, peer_runs, peer_url))
    built = build_report(args, measured, harness.database_version(args.database_url))
    body = harness.report(
        benchmark="results",
        args=args,
        tables=built["tables"],
        targets=built["targets"],
        figures={"sizes": measured, "peer_package": peer.PEER_PACKAGE},
    )
    for t in body["targets"]:
        harness.say(f"{'met' if t['met'] else 'MISSED'}: {t['what']}: {t['measured']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
