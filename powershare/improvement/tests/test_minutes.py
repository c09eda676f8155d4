"""A meeting's minutes download as Word (.docx, read back here with python-docx) and as PDF
(read back with pdftotext): both carry who attended and who sent apologies, the agenda, partner
updates, decisions, the actions agreed with their owner and due date, and matters arising."""

import io
import re

import docx
from django.urls import reverse

from powershare.improvement import services
from powershare.improvement.minutes import DOCX_TYPE
from tests.pdf_text import pdf_info, pdf_text
from tests.personas import MARKER


def _docx(response):
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    return docx.Document(io.BytesIO(response.content))


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _section(document, heading: str, next_heading: str) -> list[str]:
    texts = [p.text for p in document.paragraphs]
    return texts[texts.index(heading) + 1 : texts.index(next_heading)]


def test_the_minutes_open_as_a_word_document_with_attendees_actions_and_decisions(
    client_for, samples
):
    meeting = samples["meeting"]
    response = client_for("alice").get(reverse("improvement:minutes_docx", args=[meeting.pk]))
    disposition = response["Content-Disposition"]
    assert re.fullmatch(
        rf'attachment; filename="minutes-partnership-group-{MARKER}-'
        rf'{meeting.met_on:%Y-%m-%d}\.docx"',
        disposition,
    )
    document = _docx(response)
    assert document.core_properties.title == (
        f"Partnership group {MARKER}: minutes of {meeting.met_on:%-d %B %Y}"
    )
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == document.core_properties.title
    for heading in (
        "Attendance and apologies",
        "Agenda",
        "Matters arising",
        "Updates from partners",
        "Decisions",
        "Actions",
    ):
        assert heading in headings

    attended = _section(document, "Attended", "Apologies")
    assert attended == ["Aberdeen City Council"]
    apologies = _section(document, "Apologies", "Agenda")
    assert apologies == ["Resilience Learning Partnership"]
    assert f"1. Agenda {MARKER}" in headings
    text = _all_text(document)
    assert f"Notes {MARKER}" in text
    assert f"Partner update {MARKER}" in text
    decisions = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert decisions == [f"Decision {MARKER}"]
    # The action agreed, with its owner and due date, in the actions table.
    actions = document.tables[-1]
    assert [c.text for c in actions.rows[0].cells] == ["Action", "Owner", "Due", "Status"]
    action = samples["group_action"]
    assert [c.text for c in actions.rows[1].cells] == [
        action.title,
        f"Representative {MARKER} (Resilience Learning Partnership)",
        f"{action.due_on:%-d %B %Y}",
        "Not started",
    ]
    assert "Chair: " + f"Chair {MARKER}" in text


def test_the_next_meetings_word_minutes_carry_the_open_action_as_a_matter_arising(
    client_for, samples
):
    meeting = samples["next_meeting"]
    document = _docx(client_for("bob").get(reverse("improvement:minutes_docx", args=[meeting.pk])))
    arising = document.tables[0]
    assert [c.text for c in arising.rows[0].cells][:2] == ["Action", "Owner"]
    row = [c.text for c in arising.rows[1].cells]
    assert row[0] == samples["group_action"].title
    assert row[3].startswith(f"Raised at the meeting of {samples['meeting'].met_on:%-d %B %Y}")
    assert row[4] == "Not started (overdue)"


def test_the_minutes_open_as_a_pdf_with_their_text(client_for, personas, samples):
    meeting = samples["meeting"]
    services.partner_update_record(
        actor=personas.alice,
        meeting=meeting,
        member=samples["group_member"],
        text="Reviewing course content for trauma themes",
    )
    response = client_for("alice").get(reverse("improvement:minutes_pdf", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'-{meeting.met_on:%Y-%m-%d}.pdf"')
    pdf = response.content
    info = pdf_info(pdf)
    assert info["Title"] == f"Partnership group {MARKER}: minutes of {meeting.met_on:%-d %B %Y}"
    assert info["Tagged"] == "yes"
    text = " ".join(pdf_text(pdf).split())
    assert re.search(r"Attended\W+Aberdeen City Council Apologies\W+Resilience Learning", text)
    assert f"1. Agenda {MARKER}" in text
    assert "Reviewing course content for trauma themes" in text
    assert f"Decision {MARKER}" in text
    action = samples["group_action"]
    assert re.search(
        rf"Partners send\s+Representative {MARKER}\s+{action.due_on:%-d %B %Y}\s+Not", text
    )


def test_only_those_who_may_read_the_group_download_its_minutes(client_for, samples):
    for name in ("improvement:minutes_docx", "improvement:minutes_pdf"):
        url = reverse(name, args=[samples["meeting"].pk])
        assert client_for("charlie").get(url).status_code == 404
        assert client_for("nina").get(url).status_code == 404
    assert (
        client_for("bob")
        .get(reverse("improvement:minutes_pdf", args=[samples["meeting"].pk]))
        .status_code
        == 200
    )


def test_text_a_word_document_cannot_hold_is_left_out_not_a_failure(client_for, personas, samples):
    services.decision_add(
        actor=personas.alice, meeting=samples["meeting"], text="Agreed\x0b to meet \x01again"
    )
    document = _docx(
        client_for("alice").get(reverse("improvement:minutes_docx", args=[samples["meeting"].pk]))
    )
    decisions = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert decisions[-1] == "Agreed to meet again"
