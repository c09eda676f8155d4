"""`bench/run.py --quick` runs every benchmark script at small scale, on each database, and
gathers their reports: the code behind `make bench` keeps working."""

import harness
import pytest
import run


@pytest.mark.parametrize("vendor", ["sqlite", "postgres"])
def test_every_benchmark_runs_quickly_and_reports(vendor, request, bench_report):
    if vendor == "postgres" and not harness.postgres_reachable():
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    # On SQLite, the session's small database (generated once for every bench test); on
    # PostgreSQL, run.py makes, migrates and fills its own, as make bench does.
    where = (
        ["--use-database", request.getfixturevalue("small_database")]
        if vendor == "sqlite"
        else ["--database", vendor]
    )
    body = bench_report("run.py", "--quick", *where, output="--output", timeout=600)
    (result,) = body["databases"]
    assert result["database"] == vendor
    assert result["generator"]["scale"] == ("given" if vendor == "sqlite" else "small")
    assert result["generator"]["counts"]["questionnaire_responses"] > 0
    assert set(result["benchmarks"]) == set(run.BENCHMARKS)
    for name, report in result["benchmarks"].items():
        assert not report.get("failed") and not report.get("missing"), name
        assert report["quick"] is True
        assert report["tables"], f"{name} reported no table"
        assert all(row for table in report["tables"] for row in table["rows"]), name
        for target in report["targets"]:
            assert {"what", "goal", "measured", "met"} <= set(target), name
    if vendor == "postgres":
        # Not speed but correctness: no task twice, no error, results consistent.
        missed = [t for t in result["benchmarks"]["scale_out"]["targets"] if not t["met"]]
        assert not missed, missed
    text = run.markdown(body)
    assert text.startswith(run.BEGIN) and text.rstrip().endswith(run.END)
    assert "### Targets" in text


def test_markdown_goes_between_the_markers_and_keeps_the_rest(tmp_path, monkeypatch):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\nBefore.\n\n{run.BEGIN}\nold\n{run.END}\n\nAfter.\n")
    monkeypatch.setattr(run, "DOC", doc)
    run.write_doc(f"{run.BEGIN}\nnew\n{run.END}\n")
    text = doc.read_text()
    assert "old" not in text and "new" in text
    assert text.startswith("# Benchmarks\n\nBefore.") and text.endswith("After.\n")
