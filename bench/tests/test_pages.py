"""The pieces of bench/pages.py that can be checked without a generated database: every page it
asks for is a real named URL, each role's list names only known pages, and the table and target
are built from the figures as measured. The whole script runs in bench/run.py's quick pass
(test_make_bench_quick.py)."""

import subprocess
import sys
from pathlib import Path

import pages

BENCH = Path(__file__).resolve().parent.parent


def test_every_role_asks_only_for_known_pages():
    assert set(pages.ROLE_PAGES) == set(pages.ROLE_LABELS)
    for role, names in pages.ROLE_PAGES.items():
        assert names, role
        assert len(names) == len(set(names)), role
        assert set(names) <= set(pages.PAGES), role


def test_every_page_is_a_named_url_of_the_app():
    # In a process of its own: Django is set up there against a throwaway SQLite path (no
    # database is opened to reverse a URL).
    code = """
import sys
from pathlib import Path
sys.path.insert(0, ".")
import harness
harness.django_setup("sqlite:////tmp/powershare-bench-pages-never-opened.sqlite3")
import pages
for page in pages.PAGES:
    print(page, pages._url(page, product_id=1, questionnaire_id=2))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=BENCH, capture_output=True, text=True, check=True
    )
    urls = dict(line.split(" ", 1) for line in done.stdout.strip().splitlines())
    assert set(urls) == set(pages.PAGES)
    assert urls["results"].endswith("/questionnaires/2/results/")
    assert urls["summary"].endswith("/products/1/")
    assert all(url.startswith("/my/") for page, url in urls.items() if page.startswith("portal"))
