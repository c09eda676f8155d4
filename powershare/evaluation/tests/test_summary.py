"""The summary of learning: on the demo database its PDF (read back with pdftotext) and its
page carry the source document's attendance, response rates and agreement before and after,
all computed; its words are saved; its PDF is made in the background with progress shown; and
only the product's own organisation sees any of it."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from powershare.accounts.models import User
from powershare.evaluation import report
from powershare.evaluation.models import LearningSummary, SummaryStatus
from powershare.learning.models import LearningProduct
from tests.html_tables import Tables
from tests.pdf_text import pdf_info, pdf_text
from tests.personas import MARKER

HEATHER = "heather.lindsay@sg.example"
SLUG = "power-sharing-with-experts-by-experience"
#: The source document's tables.
ATTENDANCE = [
    ("Scottish Borders Council", 11, 9),
    ("Stirling Council", 11, 10),
    ("West Lothian Council", 16, 14),
    ("Total", 38, 33),
]
OUTCOMES = [(57, 100), (68, 100), (46, 100), (14, 96), (21, 93)]


@pytest.fixture
def demo(demo_database, db):
    return LearningProduct.objects.get(slug=SLUG, organisation__name="Scottish Government")


@pytest.fixture
def heather(demo):
    client = Client()
    client.force_login(User.objects.get(email=HEATHER))
    return client


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return {table["caption"]: table["rows"] for table in parser.tables}


def _make_pdf(client, product, django_capture_on_commit_callbacks) -> bytes:
    """Ask for the PDF as the page's button does (the task runs at once in tests) and
    download it."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation:summary_make", args=[product.pk]))
    assert response.status_code == 302
    summary = LearningSummary.objects.get(product=product)
    assert summary.status == SummaryStatus.READY, summary.error
    assert summary.progress == 100
    response = client.get(reverse("evaluation:summary_pdf", args=[product.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "summary-of-learning-" in response["Content-Disposition"]
    return response.content


# The demo: the source document's figures, computed ---------------------------------------------


def test_the_demo_pdf_carries_the_attendance_response_rates_and_outcome_tables(
    demo, heather, django_capture_on_commit_callbacks
):
    pdf = _make_pdf(heather, demo, django_capture_on_commit_callbacks)
    text = pdf_text(pdf)
    for site, first, last in ATTENDANCE:
        assert re.search(rf"{site}\s+{first}\s+{last}\b", text), site
    # Response rates: overall 74% before and 82% after, West Lothian's 62.5% as 63%.
    assert re.search(r"All sites\s+28 of 38 \(74%\)\s+27 of 33 \(82%\)", text)
    assert re.search(r"West Lothian Council\s+10 of 16 \(63%\)\s+10 of 14 \(71%\)", text)
    assert re.search(r"Scottish Borders Council\s+8 of 11 \(73%\)\s+7 of 9 \(78%\)", text)
    assert re.search(r"Stirling Council\s+10 of 11 \(91%\)\s+10 of 10 \(100%\)", text)
    # Each outcome: agreement before -> after, on the outcome's own row.
    for number, (before, after) in enumerate(OUTCOMES, start=1):
        assert re.search(
            rf"^\s*{number}\s+.*\({before}%\)\s+\d+ of 27 \({after}%\)", text, re.MULTILINE
        ), (number, before, after)
    # The four reaction statements: everyone agreed.
    assert text.count("27 of 27 (100%)") >= 3 + 4
    for heading in (
        "Background",
        "Who shaped it",
        "Delivery and attendance",
        "How it was evaluated",
        "Response rates",
        "Intended learning outcomes, before and after",
        "How the sessions went",
        "What people plan to do",
        "Feedback loop",
        "Next steps",
    ):
        assert heading in text, heading
    # The chart is drawn as text too, and the PDF is tagged with its title.
    assert "57% agree" in text
    info = pdf_info(pdf)
    assert info["Tagged"] == "yes"
    assert info["Title"] == f"Summary of learning: {demo.title}"


def test_the_demo_summary_page_shows_the_same_tables(demo, heather):
    response = heather.get(reverse("evaluation:summary", args=[demo.pk]))
    assert response.status_code == 200
    tables = _tables(response.content.decode())
    attendance = tables["People there at each session, by site, from the registers"]
    assert attendance[0] == ["Site", "Session 1", "Session 2"]
    assert attendance[1:] == [[site, str(first), str(last)] for site, first, last in ATTENDANCE]
    rates = tables["Responses and response rates, by site"]
    assert rates[1:] == [
        ["Scottish Borders Council", "8 of 11 (73%)", "7 of 9 (78%)"],
        ["Stirling Council", "10 of 11 (91%)", "10 of 10 (100%)"],
        ["West Lothian Council", "10 of 16 (63%)", "10 of 14 (71%)"],
        ["All sites", "28 of 38 (74%)", "27 of 33 (82%)"],
    ]
    outcomes = tables["Agreement with each intended learning outcome"][1:]
    assert [
        (re.search(r"\((\d+)%\)", row[1]).group(1), re.search(r"\((\d+)%\)", row[2]).group(1))
        for row in outcomes
    ] == [(str(before), str(after)) for before, after in OUTCOMES]
    reaction = tables["Agreement with each statement about the sessions"][1:]
    assert len(reaction) == 4
    assert all(row[1] == "27 of 27 (100%)" for row in reaction)
    # The chart of the same figures, drawn by the page's own address.
    chart = heather.get(reverse("evaluation:summary", args=[demo.pk]) + "?chart=svg")
    assert chart["Content-Type"].startswith("image/svg+xml")
    assert b"Outcome 5, after" in chart.content


def test_making_the_pdf_reports_its_progress(demo):
    summary = LearningSummary.objects.get(product=demo)
    steps = []
    pdf = report.summary_pdf(summary=summary, progress=steps.append)
    assert pdf.startswith(b"%PDF-")
    assert steps
    assert steps == sorted(steps)
    assert all(0 < step < 100 for step in steps)


# Who may see and change it ---------------------------------------------------------------------


def _url(name, samples):
    return reverse(f"evaluation:{name}", args=[samples["product"].pk])


@pytest.mark.parametrize(
    ("persona", "status"), [("alice", 200), ("bob", 200), ("charlie", 404), ("nina", 404)]
)
def test_the_summary_page_is_for_staff_who_see_learning(client_for, samples, persona, status):
    response = client_for(persona).get(_url("summary", samples))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert f"Background {MARKER}" in body
        assert 'role="status"' in body
        # Only learning leads are offered the buttons that change it.
        can_change = persona == "alice"
        assert ("Make the PDF" in body) is can_change
        assert (_url("summary_edit", samples) in body) is can_change


@pytest.mark.parametrize(("persona", "status"), [("alice", 200), ("bob", 404), ("charlie", 404)])
def test_only_learning_leads_change_its_words(client_for, samples, persona, status):
    client = client_for(persona)
    assert client.get(_url("summary_edit", samples)).status_code == status
    response = client.post(_url("summary_edit", samples), {"background": "Taken over"})
    assert response.status_code == (302 if status == 200 else 404)
    summary = LearningSummary.objects.get(product=samples["product"])
    assert (summary.background == "Taken over") is (status == 200)


@pytest.mark.parametrize(("persona", "status"), [("alice", 302), ("bob", 404), ("charlie", 404)])
def test_only_learning_leads_ask_for_the_pdf(
    client_for, samples, persona, status, django_capture_on_commit_callbacks
):
    client = client_for(persona)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("summary_make", samples))
    assert response.status_code == status
    summary = LearningSummary.objects.get(product=samples["product"])
    assert (summary.status == SummaryStatus.READY) is (status == 302)


@pytest.mark.parametrize("persona", ["charlie", "nina"])
def test_another_organisation_gets_404_for_progress_and_pdf(client_for, samples, persona):
    client = client_for(persona)
    assert client.get(_url("summary_progress", samples), HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(_url("summary_pdf", samples)).status_code == 404
    assert client.get(_url("summary_make", samples)).status_code == 404


# Its words -------------------------------------------------------------------------------------


def test_the_words_are_saved_and_shown(client_for, samples):
    client = client_for("alice")
    words = {
        "background": "Why we made it.",
        "evaluation_method": "Two short questionnaires.",
        "key_learning": "Mixed teams worked.",
        "feedback_loop": "We wrote back to the young people.",
        "next_steps": "Offer it to more councils.",
        "plain_summary": "Thank you for your help.",
    }
    response = client.post(_url("summary_edit", samples), words)
    assert response.status_code == 302
    assert response["Location"] == _url("summary", samples)
    summary = LearningSummary.objects.get(product=samples["product"])
    for name, text in words.items():
        assert getattr(summary, name) == text
    body = client.get(_url("summary", samples)).content.decode()
    for text in words.values():
        assert text in body
    # The form opens with them.
    assert "Mixed teams worked." in client.get(_url("summary_edit", samples)).content.decode()


def test_too_long_words_are_refused_with_a_message_and_nothing_typed_is_lost(client_for, samples):
    client = client_for("alice")
    long = "x" * 20001
    response = client.post(
        _url("summary_edit", samples), {"background": long, "next_steps": "Keep this."}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Background can be at most 20,000 characters long" in body
    assert "Keep this." in body
    assert LearningSummary.objects.get(product=samples["product"]).background == (
        f"Background {MARKER}"
    )


# Its PDF ---------------------------------------------------------------------------------------


def _progress(client, samples):
    return client.get(_url("summary_progress", samples), HTTP_HX_REQUEST="true")


def test_the_progress_part_says_how_the_pdf_is_going(client_for, samples):
    client = client_for("alice")
    summary = samples["summary"]

    body = _progress(client, samples).content.decode()
    assert "There is no PDF of this summary yet." in body
    assert "hx-trigger" not in body

    LearningSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.QUEUED)
    response = _progress(client, samples)
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "waiting to be made" in body
    assert 'hx-trigger="every 2s"' in body
    assert "<progress" in body

    LearningSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.MAKING, progress=40)
    body = _progress(client, samples).content.decode()
    assert "being made: 40% done" in body
    assert 'value="40"' in body
    assert 'hx-trigger="every 2s"' in body

    LearningSummary.objects.filter(pk=summary.pk).update(status=SummaryStatus.FAILED, progress=0)
    body = _progress(client, samples).content.decode()
    assert "could not be made" in body
    assert "Try again" in body
    assert "hx-trigger" not in body

    # Without htmx, the page itself, where the same part sits in a role="status" region.
    response = client.get(_url("summary_progress", samples))
    assert response.status_code == 302
    assert response["Location"] == _url("summary", samples) + "#pdf"


def test_a_ready_pdf_is_offered_and_still_served_while_a_new_one_is_made(
    client_for, samples, django_capture_on_commit_callbacks
):
    client = client_for("alice")
    # None yet: back to the page, which says so.
    response = client.get(_url("summary_pdf", samples), follow=True)
    assert response.redirect_chain[-1][0] == _url("summary", samples) + "#pdf"
    assert "There is no PDF of this summary yet." in response.content.decode()

    pdf = _make_pdf(client, samples["product"], django_capture_on_commit_callbacks)
    assert MARKER in pdf_text(pdf)
    body = _progress(client, samples).content.decode()
    assert _url("summary_pdf", samples) in body
    assert "hx-trigger" not in body
    assert "Make the PDF again now" in body

    # Its words change: the PDF is out of date, still served, and the page says a new one
    # is on its way.
    client.post(_url("summary_edit", samples), {"background": "New words"})
    assert LearningSummary.objects.get(product=samples["product"]).needs_remaking is True
    assert client.get(_url("summary_pdf", samples)).content == pdf
    body = client.get(_url("summary", samples)).content.decode()
    assert "have changed since then" in body

    # bob (a facilitator) may download it too, but not remake it.
    bob = client_for("bob")
    assert bob.get(_url("summary_pdf", samples)).content == pdf
    assert "Make the PDF again now" not in _progress(bob, samples).content.decode()


def test_asking_for_the_pdf_by_get_goes_to_the_page(client_for, samples):
    response = client_for("alice").get(_url("summary_make", samples))
    assert response.status_code == 302
    assert response["Location"] == _url("summary", samples)
    summary = LearningSummary.objects.get(product=samples["product"])
    assert summary.status == SummaryStatus.NOT_MADE
