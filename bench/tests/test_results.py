"""bench/answers.py, bench/peer and bench/results.py keep working: a quick pass on a
small-scale SQLite database made here (migrate + bench_generate --scale small)."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import answers
import harness
import peer
import pytest

BENCH = Path(__file__).resolve().parent.parent


def run_python(url: str, code: str) -> dict:
    """Run `code` with Django set up against `url` in a process of its own; its last line of
    output, as JSON."""
    script = f"import sys\nsys.path.insert(0, {str(BENCH)!r})\nimport harness\n"
    script += f"harness.django_setup({url!r})\n" + textwrap.dedent(code)
    done = subprocess.run(
        [str(harness.PYTHON), "-c", script],
        env=harness.django_environment(url),
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_answers_big_questionnaire_adds_to_existing_data_once(small_database):
    out = run_python(
        small_database,
        """
        import json
        import answers
        from django.db import connection
        from powershare.evaluation import selectors, tallies
        from powershare.evaluation.models import Questionnaire, QuestionnaireResponse

        before = QuestionnaireResponse.objects.count()
        first = answers.big_questionnaire(responses=600, code="bench-test")
        again = answers.big_questionnaire(responses=600, code="bench-test")
        with connection.cursor() as cursor:
            cursor.execute('''
                SELECT COUNT(*) FROM evaluation_answer a
                JOIN evaluation_questionnaireresponse r ON r.id = a.response_id
                WHERE a.site_id IS NOT r.site_id OR a.site_label <> r.site_label''')
            mismatched = cursor.fetchone()[0]
        q = Questionnaire.objects.get(pk=first["questionnaire_id"])
        by_site = selectors.questionnaire_results(questionnaire=q, by_site=True)
        rows = sum(len(chunk) for chunk in answers.answer_rows(q.pk, chunk=100))
        print(json.dumps({
            "first": first, "again": again, "mismatched": mismatched,
            "added": QuestionnaireResponse.objects.count() - before,
            "responses": by_site.responses,
            "hidden": [s.site for s in by_site.by_site if s.suppressed],
            "tally_problems": tallies.tallies_check(questionnaire_ids=[q.pk]),
            "rows": rows,
        }))
        """,
    )
    first, again = out["first"], out["again"]
    assert first["responses"] == 600 and out["added"] == 600 and out["responses"] == 600
    assert first["load_seconds"] > 0 and again["load_seconds"] == 0
    assert again["questionnaire_id"] == first["questionnaire_id"]
    assert again["answers"] == first["answers"] > 600 * 9 * 0.9
    assert len(first["question_ids"]) == 10 and len(first["likert_question_ids"]) == 9
    assert out["mismatched"] == 0
    assert answers.SMALL_SITE in out["hidden"]
    assert out["tally_problems"] == []
    assert out["rows"] == 600


def test_peer_page_stores_one_response_and_its_answers_per_post():
    with harness.throwaway_database("sqlite", label="peer") as url:
        made = peer.setup(url)
        assert len(made["question_ids"]) == 10 and len(made["likert_question_ids"]) == 9
        assert made["path"] == f"/survey/{made['survey_id']}/"
        checked = peer.submit_check(url, made, times=2)
        assert checked["statuses"] == [[200, 302], [200, 302]]
        assert checked["responses_added"] == 2 and checked["answers_added"] == 20
        assert peer.count(url, made["survey_id"]) == {"responses": 2, "answers": 20}


def test_results_quick_pass_reports_targets_and_the_three_agree(small_database, bench_report):
    body = bench_report("results.py", "--database-url", small_database, "--quick")
    assert body["benchmark"] == "results" and body["quick"] is True
    assert len(body["targets"]) == 4
    for target in body["targets"]:
        assert {"what", "goal", "measured", "met", "why"} <= set(target)
    (table,) = body["tables"]
    assert len(table["rows"]) == 2 * 5
    for size in body["figures"]["sizes"]:
        # The script fails unless PowerShare's counts equal the floor's and the peer's.
        assert size["check"]["agree"] is True
        assert size["check"]["answers_counted"] == size["answers"]
        assert size["peer_rows"]["responses"] == size["responses"]
        assert size["peer_rows"]["answers"] == 10 * size["responses"]
        assert size["peer"]["peak_rss_mib"] > 0
        assert size["powershare_fresh_process"]["peak_rss_mib"] > 0


def test_the_issue_9_script_still_counts_every_response(bench_report):
    """bench/questionnaire_results.py (issue 9's measurement, run by hand) goes past the
    services to insert its rows, so it must count the tallies afresh and fill every column the
    models require; its own check fails unless the results count every response."""
    body = bench_report(
        "questionnaire_results.py",
        "--responses",
        "300",
        "--other-responses",
        "50",
        "--runs",
        "1",
        timeout=120,
    )
    assert (body["database"], body["responses"], body["other_responses"]) == ("sqlite", 300, 50)
    assert body["machine"]["database"].startswith("SQLite ")
    assert {"nproc", "cpu", "python", "django"} <= set(body["machine"])


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
