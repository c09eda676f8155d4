"""The pieces of bench/http_submit.py that can be checked in a few seconds: the bare floor
site, the wrk script's counts, and how stored rows and queries are judged. The whole script
runs in bench/run.py's quick pass (test_make_bench_quick.py)."""

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import http_submit
import pytest

BENCH = Path(__file__).resolve().parent.parent

TOKEN = "c" * 32


def test_the_bare_site_reads_a_post_behind_the_csrf_check():
    code = f"""
import bare_site
from django.test import Client
client = Client(enforce_csrf_checks=True)
client.cookies["csrftoken"] = {TOKEN!r}
good = client.post("/answer/", {{"csrfmiddlewaretoken": {TOKEN!r}, "q1": "4", "q2": "5"}})
print(good.status_code, good.content.decode())
print(Client(enforce_csrf_checks=True).post("/answer/", {{"q1": "4"}}).status_code)
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BENCH / "bare",
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    good, refused = done.stdout.strip().splitlines()
    assert good.startswith("200 ") and "2 answers" in good
    assert refused == "403"


def test_queries_are_counted_apart_from_transaction_control():
    sql = ["SELECT 1", "BEGIN IMMEDIATE", "INSERT INTO x VALUES (1)", "SAVEPOINT s1", "COMMIT"]
    summary = http_submit._query_summary(sql)
    assert summary["statements"] == 2
    assert summary["transaction"] == 3
    assert summary["captured"] == 5
    assert http_submit._statement_kinds(sql) == ["SELECT ?", "INSERT x"]


@pytest.mark.parametrize(
    ("ok", "stored", "in_flight", "matches"),
    [(100, 100, 0, True), (100, 104, 8, True), (100, 109, 8, False), (100, 99, 8, False)],
)
def test_stored_rows_must_equal_the_answered_plus_at_most_those_in_flight(
    ok, stored, in_flight, matches
):
    result = {
        "statuses": {"302": ok},
        "socket_errors": 0,
        "in_flight": in_flight,
    }
    check = http_submit.Target().check(result, before=1000, after=1000 + stored)
    assert check["stored_matches"] is matches
    assert check["wrong_status"] == {}


def test_any_other_status_is_counted_as_wrong():
    check = http_submit.Target().check(
        {"statuses": {"302": 5, "500": 2, "200": 1}, "socket_errors": 0, "in_flight": 0},
        before=None,
        after=None,
    )
    assert check["wrong_status"] == {"500": 2, "200": 1}
    assert "stored" not in check


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_posts_and_the_script_counts_every_response(tmp_path):
    class Args:
        threads, connections = 1, 2

    bare = http_submit.Bare({"q1": "4"})
    bare.start()
    bare.server.ready()
    try:
        body = tmp_path / "body"
        body.write_text(bare.body)
        result = http_submit.wrk_run(Args, bare.server, body, bare.cookie, 1)
        body.write_text(urlencode({"csrfmiddlewaretoken": "d" * 32, "q1": "4"}))
        refused = http_submit.wrk_run(Args, bare.server, body, bare.cookie, 1)
    finally:
        bare.server.stop()
    assert set(result["statuses"]) == {"200"}
    assert result["statuses"]["200"] == result["requests"] > 0
    assert result["rps"] > 0 and result["socket_errors"] == 0
    assert result["latency_us"]["p50"] <= result["latency_us"]["p99"]
    assert result["started"] >= result["requests"]
    assert set(refused["statuses"]) == {"403"}
