"""The national learning report: on the demo database the page and its PDF (read back with
pdftotext) carry round 2025's figures (29 of 32 councils, 100/97/97/93/90% early signs, 79%
steering groups) with last year's beside them, all computed; only words councils agreed may be
quoted appear; no figure rests on fewer than 5 councils; only the national coordinator opens
any of it; and the page runs a fixed number of queries whatever the number of returns."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from powershare.accounts.models import Organisation, User
from powershare.evaluation.models import YES, TextAnswer
from powershare.national import demo as national_demo
from powershare.national import report, selectors, services
from powershare.national.models import ReturnStatus, SurveyRound
from tests.html_tables import Tables
from tests.pdf_text import pdf_info, pdf_text

COORDINATOR = national_demo.COORDINATOR
#: The early-signs outcomes of round 2025 in question order, then the steering groups.
EARLY_SIGNS_2025 = [100, 97, 97, 93, 90]
STEERING_2025 = 79


@pytest.fixture
def demo(demo_database, db):
    return SurveyRound.objects.get(year=2025)


@pytest.fixture
def ruth(demo):
    client = Client()
    client.force_login(User.objects.get(email=COORDINATOR))
    return client


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return {table["caption"]: table["rows"] for table in parser.tables}


def _main(html: str) -> str:
    """The page's own content (between <main> and </main>), tags removed."""
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _squeezed(text: str) -> str:
    """Text without its spaces and line breaks (the PDF wraps lines, breaking at hyphens)."""
    return re.sub(r"\s+", "", text)


def _expected(survey_round: SurveyRound) -> dict:
    """Round figures counted here from the answers, independently of the report code."""
    results = selectors.round_results(survey_round=survey_round).by_code()
    return {code: r for code, r in results.items() if r.type == "yes_no"}


# The demo: round 2025's figures --------------------------------------------------------------


def test_the_page_shows_29_of_32_and_each_outcome_with_last_year(demo, ruth):
    response = ruth.get(reverse("national:report", args=[demo.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    text = _main(html)
    assert "National learning report 2025" in html
    assert "Covering 2024/25" in html
    assert "29 of 32 councils responded (91%)" in text
    assert "Last year (2023/24), 27 of 32 councils responded." in text
    tables = _tables(html)
    rows = tables["Councils seeing early signs of each outcome, 2024/25"]
    body = rows[1:]
    assert [row[3] for row in body] == [f"{pct}%" for pct in EARLY_SIGNS_2025]
    assert all(row[1] == "29" for row in body)
    # Last year's share and the change, matched by question code.
    last = _expected(SurveyRound.objects.get(year=2024))
    this = _expected(demo)
    codes = [code for code in this if code != report.STEERING_GROUP]
    for row, code in zip(body, codes, strict=True):
        assert row[4] == f"{last[code].yes_pct}%"
        change = this[code].yes_pct - last[code].yes_pct
        assert row[5] == report.signed(change)
    assert last["early-signs-knowledge"].yes_pct == 96  # 26 of 27 in 2024
    assert body[0][5] == "+4"
    # The steering group: 23 of 29, and last year's 67% (18 of 27).
    assert "23 of the 29 councils that answered (79%)" in text
    assert f"Last year: {last['steering-group'].yes_pct}% (+12 points)" in text


def test_the_page_counts_councils_per_driver_enabler_and_barrier(demo, ruth):
    html = ruth.get(reverse("national:report", args=[demo.pk])).content.decode()
    tables = _tables(html)
    results = selectors.round_results(survey_round=demo).by_code()
    for caption, code in (
        ("Councils active in each Roadmap driver", "driver-activity"),
        ("What helped councils make progress", "enablers"),
        ("What got in the way", "barriers"),
    ):
        rows = tables[caption][1:]
        choices = results[code].choices
        assert len(rows) == len(choices) > 0
        for row, (label, n, pct) in zip(rows, choices, strict=True):
            assert row == [label, str(n), f"{pct}%"]
    # Leadership and learning (drivers 1 and 4) are chosen by every council in the demo.
    counts = [int(row[1]) for row in tables["Councils active in each Roadmap driver"][1:]]
    assert counts[0] == counts[3] == 29


def test_the_page_embeds_each_chart_and_the_charts_are_svg(demo, ruth):
    html = ruth.get(reverse("national:report", args=[demo.pk])).content.decode()
    for slug in report.CHARTS:
        url = reverse("national:chart_svg", args=[demo.pk, slug])
        assert f'src="{url}"' in html, slug
        response = ruth.get(url)
        assert response.status_code == 200, slug
        assert response["Content-Type"].startswith("image/svg+xml")
        svg = response.content.decode()
        assert "<title" in svg, slug
        assert "<desc" in svg, slug
    early = ruth.get(reverse("national:chart_svg", args=[demo.pk, "early-signs"])).content
    for pct in EARLY_SIGNS_2025:
        assert f"{pct}%" in early.decode()
    assert ruth.get(reverse("national:chart_svg", args=[demo.pk, "nonsense"])).status_code == 404
    # The page offers the PDF.
    assert reverse("national:report_pdf", args=[demo.pk]) in html


def test_the_pdf_carries_the_figures(demo, ruth):
    response = ruth.get(reverse("national:report_pdf", args=[demo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="national-learning-report-2025.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    flat = re.sub(r"\s+", " ", text)
    assert "29 of 32 councils responded (91%)" in flat
    for pct in [*EARLY_SIGNS_2025, STEERING_2025]:
        assert f"{pct}%" in flat, pct
    assert "23 of the 29 councils that answered (79%)" in flat
    assert re.search(r"Staff know more about\s+29\s+29\s+100%\s+96%\s+\+4", flat)
    assert pdf_info(response.content)["Title"] == "National learning report 2025"
    # The narrative, and the shareable examples under their questions.
    assert "Keep local leads in post" in flat
    assert "Councils are at different points on the journey" in flat


def test_only_words_councils_agreed_may_be_quoted_appear(demo, ruth):
    answers = TextAnswer.objects.filter(
        response__council_return__round=demo,
        response__council_return__status=ReturnStatus.SUBMITTED,
    )
    shared = set(answers.filter(shareable=True).values_list("text", flat=True))
    kept_back = set(answers.filter(shareable=False).values_list("text", flat=True)) - shared
    assert shared
    assert kept_back
    html = ruth.get(reverse("national:report", args=[demo.pk])).content.decode()
    pdf = _squeezed(pdf_text(ruth.get(reverse("national:report_pdf", args=[demo.pk])).content))
    text = _main(html)
    for words in shared:
        assert words in text, words
        assert _squeezed(words) in pdf, words
    for words in kept_back:
        assert words not in text, words
        assert _squeezed(words) not in pdf, words
    # Never a council's name in the examples (nor anywhere in the report's text).
    councils = Organisation.objects.filter(national_returns__round=demo).values_list(
        "name", flat=True
    )
    for name in councils:
        assert name not in text, name


def test_the_page_runs_a_fixed_number_of_queries_whatever_the_number_of_returns(demo, ruth):
    open_round = SurveyRound.objects.get(year=2026)
    url = reverse("national:report", args=[open_round.pk])
    ruth.get(url)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as few:
        assert ruth.get(url).status_code == 200
    sent_before = open_round.returns.filter(status=ReturnStatus.SUBMITTED).count()
    # Every council that has not sent sends a full return now.
    waiting = open_round.returns.exclude(status=ReturnStatus.SUBMITTED).select_related("council")
    rows = [
        national_demo._row(council_return.council, position, 2025)
        for position, council_return in enumerate(waiting.order_by("council__name"))
    ]
    services.returns_import(
        plan=services.ImportPlan(survey_round=open_round, rows=rows), replace=True
    )
    sent_after = open_round.returns.filter(status=ReturnStatus.SUBMITTED).count()
    assert sent_after > sent_before + 10
    with CaptureQueriesContext(connection) as many:
        response = ruth.get(url)
    assert f"{sent_after} of {sent_after} councils responded (100%)" in _main(
        response.content.decode()
    )
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_no_one_but_the_coordinator_opens_the_demo_report(demo):
    for email in ("gregor.watt@fife.example",):  # a council's survey respondent
        client = Client()
        client.force_login(User.objects.get(email=email))
        assert client.get(reverse("national:report", args=[demo.pk])).status_code == 404


# Small numbers and access, on the samples round (council A sent, council B not) ----------------


@pytest.fixture
def survey_round(samples):
    return samples["survey_round"]


def test_with_fewer_than_5_returns_no_figure_is_shown(client_for, survey_round):
    client = client_for("nina")
    response = client.get(reverse("national:report", args=[survey_round.pk]))
    assert response.status_code == 200
    text = _main(response.content.decode())
    assert "1 of 2 councils responded" in text
    assert not re.search(r"\d\s*%", text), re.findall(r".{40}\d\s*%.{10}", text)
    assert "fewer than 5 councils answered" in text.lower()
    # Council A's shareable example is not quoted: one council alone could be recognised.
    assert "Our panel rewrote the letters." not in text
    for slug in report.CHARTS:
        url = reverse("national:chart_svg", args=[survey_round.pk, slug])
        assert client.get(url).status_code == 404, slug
    pdf = client.get(reverse("national:report_pdf", args=[survey_round.pk]))
    assert pdf.status_code == 200
    flat = re.sub(r"\s+", " ", pdf_text(pdf.content))
    assert "1 of 2 councils responded" in flat
    assert not re.search(r"\d\s*%", flat)
    assert "Our panel rewrote the letters." not in flat


@pytest.mark.parametrize("persona", ["charlie", "rhona", "alice"])
def test_everyone_else_gets_404(client_for, survey_round, persona):
    client = client_for(persona)
    for url in (
        reverse("national:report", args=[survey_round.pk]),
        reverse("national:report_pdf", args=[survey_round.pk]),
        reverse("national:chart_svg", args=[survey_round.pk, "early-signs"]),
        reverse("national:chart_svg", args=[survey_round.pk, "drivers"]),
    ):
        assert client.get(url).status_code == 404, url


def test_signed_out_people_are_sent_to_sign_in(client, survey_round):
    response = client.get(reverse("national:report", args=[survey_round.pk]))
    assert response.status_code == 302


def test_the_query_count_is_the_same_with_one_return_or_two(client_for, personas, survey_round):
    client = client_for("nina")
    url = reverse("national:report", args=[survey_round.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    services.returns_import(
        plan=services.ImportPlan(
            survey_round=survey_round,
            rows=[
                services.ReturnRow(
                    council=personas.council_b,
                    answers=dict.fromkeys(_expected(survey_round), YES),
                    texts={"barriers-examples": "Funding is short."},
                    shareable={"barriers-examples"},
                )
            ],
        )
    )
    with CaptureQueriesContext(connection) as two:
        response = client.get(url)
    assert "2 of 2 councils responded" in _main(response.content.decode())
    assert len(two) == len(one)


def test_the_narrative_is_split_into_paragraphs_and_escaped(client_for, survey_round):
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        key_messages="First point.\n\n<script>alert(1)</script>\nSame paragraph.",
        recommendations="One.\n \nTwo.",
    )
    html = client_for("nina").get(reverse("national:report", args=[survey_round.pk])).content
    html = html.decode()
    assert "<p>First point.</p>" in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;<br>Same paragraph.</p>" in html
    assert "<p>One.</p>" in html
    assert "<p>Two.</p>" in html
    assert "<script>alert(1)" not in html


def test_outcome_labels_and_changes():
    assert report.outcome_label("Have you seen early signs that staff know more?") == (
        "Staff know more"
    )
    assert report.signed(4) == "+4"
    assert report.signed(0) == "no change"
    assert report.signed(-3) == "\u22123"
    assert report.paragraphs("a\n\n\nb\nc\n") == ["a", "b\nc"]
