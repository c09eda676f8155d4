"""The staff pages about responses: an activity's loop, answering contributions ("select, then
respond"), one response with its timeline, changing and removing it, progress, evidence files
and the list of responses, as alice (participation lead) and everyone who must not."""

import datetime
import html as html_lib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from powershare.accountability import services
from powershare.accountability.models import (
    EvidenceFile,
    Response,
    ResponseChange,
    ResponseContribution,
    ResponseProgress,
)
from powershare.audit.models import AccessEvent
from powershare.engagement.models import Contribution, ContributionKind, UseLevel
from powershare.engagement.tests import factories as make
from powershare.lib.uploads import download_name
from tests.personas import MARKER

LIST = reverse("accountability:response_list")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _text(response) -> str:
    """The page as a reader sees it (apostrophes and quotes unescaped)."""
    return html_lib.unescape(response.content.decode())


def _url(name, pk):
    return reverse(f"accountability:{name}", args=[pk])


@pytest.fixture
def world(personas):
    """A council A activity that has ended, with three contributions from a group."""
    activity = make.activity(personas.council_a, "Library opening hours", days_ago=10)
    contributions = [
        make.contribution(activity, text=f"Open later on {day}")
        for day in ("Monday", "Tuesday", "Wednesday")
    ]
    return {"activity": activity, "contributions": contributions}


def _answer(world, personas, contributions=None, **fields):
    values = {"decision": "will_do", "what_will_change": "We will open until 8pm.", **fields}
    return services.response_create(
        actor=personas.alice,
        activity=world["activity"],
        contributions=contributions or world["contributions"],
        **values,
    )


def _respond_data(chosen, **overrides):
    data = {
        "form_token": "token-" + "-".join(str(c.pk) for c in chosen),
        "contributions": [str(c.pk) for c in chosen],
        "decision": "will_do",
        "reason": "",
        "what_will_change": "We will open the library until 8pm on weekdays.",
        "owner": "",
        "due_on": "",
        "status": "not_started",
        "evidence": "",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------------------------
# Select, then respond


def test_alice_answers_three_contributions_with_one_response(client_for, personas, world):
    client = client_for("alice")
    url = _url("respond", world["activity"].pk)
    page = client.get(url).content.decode()
    for contribution in world["contributions"]:
        assert contribution.text in page
    assert "A group" in page  # the contributor's credit, never a name

    response = client.post(
        url,
        _respond_data(
            world["contributions"],
            owner=str(personas.alice.pk),
            due_on="2030-03-14",
            status="in_progress",
        ),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _url("activity_loop", world["activity"].pk)
    assert "It answers 3 contributions." in response.content.decode()
    saved = Response.objects.get(activity=world["activity"])
    assert {c.pk for c in saved.contributions.all()} == {c.pk for c in world["contributions"]}
    assert saved.owner == personas.alice
    assert saved.due_on == datetime.date(2030, 3, 14)
    assert saved.status == "in_progress"
    assert saved.created_by == personas.alice


def test_a_double_submit_saves_one_response(client_for, world):
    client = client_for("alice")
    url = _url("respond", world["activity"].pk)
    data = _respond_data(world["contributions"][:1])
    client.post(url, data)
    client.post(url, data)
    assert Response.objects.filter(activity=world["activity"]).count() == 1


def test_will_not_do_needs_a_reason_and_nothing_typed_is_lost(client_for, world):
    client = client_for("alice")
    chosen = world["contributions"][:2]
    response = client.post(
        _url("respond", world["activity"].pk),
        _respond_data(
            chosen,
            decision="will_not_do",
            what_will_change="Opening later is not possible zqtyped",
            evidence="Budget paper zqevidence",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Say why we will not do this" in html
    assert "zqtyped" in html
    assert "zqevidence" in html
    checked = set(re.findall(r'name="contributions" value="(\d+)"[^>]*checked', html))
    assert checked == {str(c.pk) for c in chosen}
    assert re.search(r'value="will_not_do"[^>]*checked', html)
    assert not Response.objects.filter(activity=world["activity"]).exists()


def test_a_response_must_answer_something(client_for, world):
    response = client_for("alice").post(_url("respond", world["activity"].pk), _respond_data([]))
    assert "Choose at least one contribution this response answers." in response.content.decode()
    assert not Response.objects.filter(activity=world["activity"]).exists()


def test_a_contribution_of_another_activity_is_refused(client_for, personas, world):
    other = make.activity(personas.council_a, "Other")
    stranger = make.contribution(other, text="Not from here")
    response = client_for("alice").post(
        _url("respond", world["activity"].pk), _respond_data([stranger])
    )
    assert response.status_code == 200
    assert "Choose contributions from the list" in response.content.decode()
    assert not ResponseContribution.objects.filter(contribution=stranger).exists()


def test_the_owner_must_be_staff_of_the_organisation(client_for, personas, world):
    response = client_for("alice").post(
        _url("respond", world["activity"].pk),
        _respond_data(world["contributions"], owner=str(personas.charlie.pk)),
    )
    assert "Choose a member of staff from the list" in response.content.decode()
    assert "Charlie" not in response.content.decode()


def test_odd_input_is_explained(client_for, world):
    client = client_for("alice")
    url = _url("respond", world["activity"].pk)
    for overrides in (
        {"decision": "maybe"},
        {"status": "lost"},
        {"due_on": "31/02/2026"},
        {"due_on": "1800-01-01"},
        {"contributions": ["abc", "99999999999999999999999"]},
        {"what_will_change": ""},
        {"what_will_change": "x" * 10_001},
    ):
        response = client.post(url, _respond_data(world["contributions"], **overrides))
        assert response.status_code == 200, overrides
        assert "There is a problem" in response.content.decode(), overrides
    assert not Response.objects.filter(activity=world["activity"]).exists()


def test_a_link_from_the_loop_page_ticks_that_contribution(client_for, world):
    chosen = world["contributions"][1]
    html = (
        client_for("alice")
        .get(_url("respond", world["activity"].pk), {"contribution": chosen.pk})
        .content.decode()
    )
    checked = set(re.findall(r'name="contributions" value="(\d+)"[^>]*checked', html))
    assert checked == {str(chosen.pk)}


def test_contributions_without_a_response_come_first(client_for, personas, world):
    _answer(world, personas, contributions=world["contributions"][:1])
    html = client_for("alice").get(_url("respond", world["activity"].pk)).content.decode()
    order = re.findall(r'name="contributions" value="(\d+)"', html)
    assert order[-1] == str(world["contributions"][0].pk)
    assert "Already has 1 response" in html


def test_contributions_staff_cannot_read_can_still_be_answered(client_for, personas, world):
    person = make.person(personas.council_a)  # no consent to be quoted, even inside
    hidden = make.contribution(world["activity"], person=person, text="zqhiddenwords")
    client = client_for("alice")
    loop = client.get(_url("activity_loop", world["activity"].pk)).content.decode()
    assert "zqhiddenwords" not in loop
    assert "1 contribution is not shown here" in loop
    url = _url("respond", world["activity"].pk)
    page = _text(client.get(url))
    assert "zqhiddenwords" not in page
    assert "Also answer the 1 contribution you can't read" in page
    response = client.post(url, _respond_data([], include_hidden="on"), follow=True)
    assert "It answers 1 contribution." in response.content.decode()
    assert ResponseContribution.objects.filter(contribution=hidden).exists()


# ---------------------------------------------------------------------------------------------
# The activity's loop


def test_the_loop_page_shows_state_responses_and_letters(client_for, personas, samples):
    html = client_for("alice").get(_url("activity_loop", samples["activity"].pk)).content.decode()
    assert "Loop closed" in html
    assert f"We will change {MARKER}" in html
    assert f"Said {MARKER}" in html
    assert reverse("accountability:letter_detail", args=[samples["letter"].pk]) in html
    assert _url("response_edit", samples["response"].pk) in html


def test_the_loop_page_lists_contributions_waiting_and_counts(client_for, personas, world):
    _answer(world, personas, contributions=world["contributions"][:1])
    html = client_for("alice").get(_url("activity_loop", world["activity"].pk)).content.decode()
    assert "Waiting for responses" in html
    assert "2 contributions are waiting" in html
    assert _url("respond", world["activity"].pk) in html
    assert reverse("accountability:letter_compose", args=[world["activity"].pk]) in html


def test_the_loop_page_warns_when_overdue(client_for, personas):
    activity = make.activity(
        personas.council_a,
        "Late",
        days_ago=40,
        feedback_due_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    make.contribution(activity)
    html = client_for("alice").get(_url("activity_loop", activity.pk)).content.decode()
    assert "ds_warning-text" in html
    assert "It is now 2 days overdue" in html


def test_a_withdrawn_contribution_is_counted_not_shown(client_for, personas, world):
    _answer(world, personas)
    from powershare.engagement.services import contribution_withdraw

    contribution_withdraw(
        user=personas.alice, contribution=world["contributions"][0], by_person=False
    )
    html = client_for("alice").get(_url("activity_loop", world["activity"].pk)).content.decode()
    assert world["contributions"][0].text not in html
    assert world["contributions"][1].text in html
    assert "And 1 contribution not shown" in html


def test_bob_sees_the_loop_without_buttons(client_for, samples):
    html = client_for("bob").get(_url("activity_loop", samples["activity"].pk)).content.decode()
    assert f"We will change {MARKER}" in html
    assert "/respond/" not in html
    assert "/change/" not in html
    assert "/letter/" not in html


# ---------------------------------------------------------------------------------------------
# One response, changing and removing it


def test_the_detail_shows_everything_and_a_timeline_in_date_order(client_for, personas, samples):
    response = samples["response"]
    ResponseProgress.objects.create(
        response=response,
        text="zqearlier",
        happened_on=timezone.localdate() - datetime.timedelta(days=5),
        written_by=personas.alice,
    )
    client = client_for("alice")
    client.post(
        _url("response_edit", response.pk),
        {
            "decision": "done",
            "reason": "",
            "what_will_change": f"We will change {MARKER}",
            "owner": str(personas.alice.pk),
            "due_on": "",
            "status": "complete",
            "evidence": "",
        },
    )
    html = client.get(_url("response_detail", response.pk)).content.decode()
    assert "Decision changed from We will do this to We have done this" in html
    assert "Progress changed from Not started to Complete" in html
    assert html.index("zqearlier") < html.index(f"Progress {MARKER}")
    assert html.index(f"Progress {MARKER}") < html.index("Decision changed")
    assert f"Said {MARKER}" in html
    assert f"Evidence {MARKER}.txt" in html
    assert _url("evidence_download", samples["evidence_file"].pk) in html
    for name in ("response_edit", "response_delete", "response_progress", "evidence_add"):
        assert _url(name, response.pk) in html


def test_alice_changes_a_response(client_for, personas, world):
    saved = _answer(world, personas)
    response = client_for("alice").post(
        _url("response_edit", saved.pk),
        {
            "decision": "will_not_do",
            "reason": "The budget was cut.",
            "what_will_change": "Opening hours stay the same.",
            "owner": str(personas.bob.pk),
            "due_on": "2030-01-31",
            "status": "on_hold",
            "evidence": "",
        },
    )
    assert response.status_code == 302
    saved.refresh_from_db()
    assert saved.decision == "will_not_do"
    assert saved.reason == "The budget was cut."
    assert saved.owner == personas.bob
    assert saved.contributions.count() == 3  # the edit keeps what it answers


def test_a_change_form_shows_kind_errors(client_for, personas, world):
    saved = _answer(world, personas)
    response = client_for("alice").post(
        _url("response_edit", saved.pk),
        {"decision": "will_not_do", "what_will_change": "zqkept", "status": "not_started"},
    )
    html = response.content.decode()
    assert "Say why we will not do this" in html
    assert "zqkept" in html
    saved.refresh_from_db()
    assert saved.decision == "will_do"


def test_removing_a_response_that_was_sent_is_refused_kindly(client_for, samples):
    response = client_for("alice").post(_url("response_delete", samples["response"].pk))
    assert response.status_code == 200
    assert "already sent to the people who took part" in response.content.decode()
    assert Response.objects.filter(pk=samples["response"].pk).exists()


def test_removing_a_response_made_in_error(client_for, personas, world):
    saved = _answer(world, personas)
    client = client_for("alice")
    assert client.get(_url("response_delete", saved.pk)).status_code == 200
    response = client.post(_url("response_delete", saved.pk))
    assert response["Location"] == _url("activity_loop", world["activity"].pk)
    assert not Response.objects.filter(pk=saved.pk).exists()


# ---------------------------------------------------------------------------------------------
# Progress


def test_progress_moves_the_status_on(client_for, personas, world):
    saved = _answer(world, personas)
    response = client_for("alice").post(
        _url("response_progress", saved.pk),
        {
            "form_token": "progress-1",
            "text": "The new hours start next month.",
            "happened_on": timezone.localdate().isoformat(),
            "status": "in_progress",
        },
    )
    assert response["Location"] == _url("response_detail", saved.pk)
    saved.refresh_from_db()
    assert saved.status == "in_progress"
    assert saved.progress.get().text == "The new hours start next month."


def test_progress_in_the_future_is_explained(client_for, personas, world):
    saved = _answer(world, personas)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for("alice").post(
        _url("response_progress", saved.pk),
        {"form_token": "p", "text": "zqsoon", "happened_on": tomorrow.isoformat(), "status": ""},
    )
    html = _text(response)
    assert "can't be recorded for a date in the future" in html
    assert "zqsoon" in html
    assert not saved.progress.exists()


def test_a_facilitator_who_owns_a_response_may_add_progress_and_evidence(
    client_for, personas, world
):
    saved = _answer(world, personas, owner=personas.bob)
    client = client_for("bob")
    assert client.get(_url("response_progress", saved.pk)).status_code == 200
    response = client.post(
        _url("response_progress", saved.pk),
        {"form_token": "bob-1", "text": "Done my part.", "happened_on": "", "status": ""},
    )
    assert response.status_code == 302
    assert saved.progress.filter(written_by=personas.bob).exists()
    assert client.get(_url("evidence_add", saved.pk)).status_code == 200
    assert client.get(_url("response_edit", saved.pk)).status_code == 404
    assert client.get(_url("response_delete", saved.pk)).status_code == 404


# ---------------------------------------------------------------------------------------------
# Evidence files


def _upload(client, response, name, content):
    return client.post(
        _url("evidence_add", response.pk),
        {"form_token": f"upload-{name}", "file": SimpleUploadedFile(name, content)},
    )


def test_a_small_pdf_is_accepted_and_downloads(client_for, personas, world):
    saved = _answer(world, personas)
    client = client_for("alice")
    response = _upload(client, saved, "Minutes of 3 March.pdf", PDF)
    assert response["Location"] == _url("response_detail", saved.pk)
    evidence = EvidenceFile.objects.get(response=saved)
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "Minutes of 3 March.pdf"

    download = client.get(_url("evidence_download", evidence.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "Minutes of 3 March.pdf" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download["Cache-Control"]
    assert "private" in download["Cache-Control"]
    assert AccessEvent.objects.filter(
        user=personas.alice, action=AccessEvent.Action.DOWNLOADED, subject_id=str(evidence.pk)
    ).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "is not one of those"),
        ("report.pdf", b"MZ\x90\x00 not a pdf at all", "don't match its name"),
        ("photo.png", PDF, "don't match its name"),
        ("huge.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), "The limit is 10 MB"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_unsafe_or_wrong_files_are_refused_kindly(
    client_for, personas, world, name, content, message
):
    saved = _answer(world, personas)
    response = _upload(client_for("alice"), saved, name, content)
    assert response.status_code == 200
    html = _text(response)
    assert "There is a problem" in html
    assert message in html
    assert not EvidenceFile.objects.filter(response=saved).exists()


def test_no_file_chosen_is_explained(client_for, personas, world):
    saved = _answer(world, personas)
    response = client_for("alice").post(_url("evidence_add", saved.pk), {"form_token": "x"})
    assert "Choose a file to upload" in response.content.decode()


def test_removing_a_file(client_for, samples):
    evidence = samples["evidence_file"]
    client = client_for("alice")
    assert client.get(_url("evidence_remove", evidence.pk)).status_code == 200
    response = client.post(_url("evidence_remove", evidence.pk))
    assert response["Location"] == _url("response_detail", samples["response"].pk)
    assert not EvidenceFile.objects.filter(pk=evidence.pk).exists()


def test_download_names_are_safe():
    assert download_name("Minutes.pdf") == "Minutes.pdf"
    assert download_name('../../etc/"passwd".txt') == "_passwd_.txt"
    assert download_name("C:\\Users\\me\\notes.docx") == "notes.docx"
    assert download_name("rapport\r\nX-Evil: 1.pdf") == "rapport__X-Evil_ 1.pdf"
    assert download_name("...") == "evidence"
    assert download_name("café.png") == "caf_.png"


# ---------------------------------------------------------------------------------------------
# Who may do what


def _pages(samples):
    response = samples["response"]
    evidence = samples["evidence_file"]
    activity = samples["activity"]
    return {
        "activity_loop": activity.pk,
        "respond": activity.pk,
        "response_detail": response.pk,
        "response_edit": response.pk,
        "response_delete": response.pk,
        "response_progress": response.pk,
        "evidence_add": response.pk,
        "evidence_download": evidence.pk,
        "evidence_remove": evidence.pk,
    }


READ_PAGES = {"activity_loop", "response_detail", "evidence_download"}
WRITE_PAGES = {
    "respond",
    "response_edit",
    "response_delete",
    "response_progress",
    "evidence_add",
    "evidence_remove",
}


def _unchanged(samples):
    response = Response.objects.get(pk=samples["response"].pk)
    assert response.decision == "will_do"
    assert response.what_will_change == f"We will change {MARKER}"
    assert EvidenceFile.objects.filter(pk=samples["evidence_file"].pk).exists()
    assert Response.objects.filter(activity=samples["activity"]).count() == 1
    assert not ResponseChange.objects.exists()


def _write_attempts(client, samples):
    pages = _pages(samples)
    contribution = samples["contribution"]
    posts = {
        "respond": _respond_data([contribution]),
        "response_edit": {
            "decision": "will_not_do",
            "reason": "Taken over",
            "what_will_change": "Taken over",
            "status": "complete",
        },
        "response_delete": {},
        "response_progress": {"text": "Taken over", "status": "complete"},
        "evidence_add": {"file": SimpleUploadedFile("x.pdf", PDF)},
        "evidence_remove": {},
    }
    for name, data in posts.items():
        response = client.post(_url(name, pages[name]), data)
        assert response.status_code == 404, f"{name} answered {response.status_code}"


def test_alice_can_open_every_page(client_for, samples):
    client = client_for("alice")
    for name, pk in _pages(samples).items():
        assert client.get(_url(name, pk)).status_code == 200, name
    for url in (LIST, reverse("accountability:dashboard"), reverse("accountability:metrics")):
        assert client.get(url).status_code == 200, url


def test_bob_can_read_but_gets_404_for_every_change(client_for, samples):
    client = client_for("bob")
    for name, pk in _pages(samples).items():
        expected = 200 if name in READ_PAGES else 404
        assert client.get(_url(name, pk)).status_code == expected, name
    detail = client.get(_url("response_detail", samples["response"].pk)).content.decode()
    assert "/change/" not in detail
    assert "/progress/" not in detail
    assert "/remove/" not in detail
    _write_attempts(client, samples)
    _unchanged(samples)


@pytest.mark.parametrize("persona", ["charlie", "dora", "nina", "erin"])
def test_outsiders_get_404_for_everything_of_council_a(client_for, samples, persona):
    client = client_for(persona)
    for name, pk in _pages(samples).items():
        response = client.get(_url(name, pk))
        assert response.status_code == 404, f"{name} answered {response.status_code}"
    for url in (LIST, reverse("accountability:dashboard"), reverse("accountability:metrics")):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert MARKER not in response.content.decode(), url
    _write_attempts(client, samples)
    _unchanged(samples)


def test_anonymous_visitors_are_sent_to_sign_in(client_for, samples):
    client = client_for(None)
    for name, pk in _pages(samples).items():
        response = client.get(_url(name, pk))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


def test_pages_survive_odd_ids(client_for):
    client = client_for("alice")
    for name in READ_PAGES | WRITE_PAGES:
        assert client.get(_url(name, 99999999)).status_code == 404, name


# ---------------------------------------------------------------------------------------------
# The list of responses


def test_the_list_filters_by_owner_status_and_decision(client_for, personas, world):
    mine = _answer(world, personas, [world["contributions"][0]], owner=personas.alice)
    bobs = _answer(
        world,
        personas,
        [world["contributions"][1]],
        owner=personas.bob,
        decision="will_not_do",
        reason="No money.",
        status="complete",
    )
    client = client_for("alice")

    def refs(params):
        html = client.get(LIST, params).content.decode()
        return set(re.findall(r">(R\d{6})</a>", html))

    assert {mine.reference, bobs.reference} <= refs({})
    assert refs({"mine": "1"}) == {mine.reference}
    assert refs({"status": "complete"}) == {bobs.reference}
    assert refs({"decision": "will_not_do"}) == {bobs.reference}
    assert client.get(LIST, {"status": "nonsense", "page": "x"}).status_code == 200


def test_the_list_marks_overdue_responses(client_for, personas, world):
    _answer(world, personas, due_on=timezone.localdate() - datetime.timedelta(days=1))
    html = client_for("alice").get(LIST).content.decode()
    assert "Overdue" in html


def test_the_list_runs_a_fixed_number_of_queries(client_for, personas, world):
    activity = world["activity"]
    owners = [personas.alice, personas.bob, None]

    def add(count):
        contributions = Contribution.objects.bulk_create(
            Contribution(
                organisation=personas.council_a,
                activity=activity,
                group_label="Group",
                group_consent_held_by="Partner",
                kind=ContributionKind.VIEW,
                text="Said",
                use_level=UseLevel.INTERNAL,
            )
            for _ in range(count)
        )
        responses = Response.objects.bulk_create(
            Response(
                organisation=personas.council_a,
                activity=activity,
                decision="will_do",
                what_will_change=f"Change {i}",
                owner=owners[i % 3],
                due_on=timezone.localdate() + datetime.timedelta(days=i % 50 - 10),
            )
            for i in range(count)
        )
        ResponseContribution.objects.bulk_create(
            ResponseContribution(response=r, contribution=c)
            for r, c in zip(responses, contributions, strict=True)
        )

    add(10)
    client = client_for("alice")
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    add(990)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST, {"page": 3})
    assert "1000 responses" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
