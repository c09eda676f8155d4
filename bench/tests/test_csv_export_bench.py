"""bench/csv_export.py keeps working: its quick pass (2,000 responses) on a small-scale SQLite
database made here (migrate + bench_generate --scale small), and how it counts a file's rows."""

import csv_export


def test_the_last_rows_number_is_read_even_when_words_hold_line_breaks():
    piece = '1,2025-03-04,Fife,Answered online,Agree,"a\r\nb"\r\n2,2025-03-04,Fife,x,,"c,d"\r\n'
    assert csv_export._rows_in(piece, header_only=False) == 2
    assert csv_export._rows_in("\ufeffResponse,Date\r\n", header_only=True) == 0


def test_the_quick_pass_exports_every_response_and_reports(small_database, bench_report):
    body = bench_report("csv_export.py", "--database-url", small_database, "--quick")
    assert body["benchmark"] == "csv_export" and body["quick"] is True
    measured = body["figures"]["measured"]
    assert set(measured) == {"http", "command"}
    # One row per response, read to the end of the download.
    assert [run["rows"] for run in measured["http"]["runs"]] == [2_000]
    assert measured["http"]["runs"][0]["bytes"] > 2_000 * 50
    (table,) = body["tables"]
    assert len(table["rows"]) == 2
    assert [t["goal"] for t in body["targets"]] == ["≤ 10 s", "≤ 200 MB, constant"]
    # A quick pass at 2,000 responses is far inside both goals.
    assert all(t["met"] for t in body["targets"]), body["targets"]
