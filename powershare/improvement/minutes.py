"""A meeting's minutes as a Word document (python-docx) and as a PDF (WeasyPrint, through the
`improvement/pdf_minutes.html` template). Both are made from the same record
(selectors.meeting_record), so they say the same things in the same order: attendance and
apologies, the agenda with its notes, matters arising, partner updates, decisions and the
actions agreed. Agreed minutes show the actions as they stood when the minutes were agreed. Partners work in Word, so the .docx uses real headings, lists and a table
with a header row, which Word's accessibility checker and screen readers understand.
"""

import datetime
import io
import re
import unicodedata

from .models import Action
from .selectors.partnership import MeetingRecord, owner_text

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _day(value: datetime.date | None) -> str:
    return f"{value:%-d %B %Y}" if value else ""


def action_owner(action: Action) -> str:
    """Who will do it, as the minutes say it: "Programme lead (Improvement Service)"."""
    return owner_text(action)


def minutes_title(record: MeetingRecord) -> str:
    return f"{record.meeting.group.name}: minutes of {_day(record.meeting.met_on)}"


def minutes_filename(record: MeetingRecord, extension: str) -> str:
    """An ASCII file name, safe inside a quoted Content-Disposition value."""
    base = f"minutes-{record.meeting.group.name}-{record.meeting.met_on:%Y-%m-%d}"
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", base.lower())
    base = re.sub(r"-{2,}", "-", base).strip("-.")[:100] or "minutes"
    return f"{base}.{extension}"


def _clean(value: str) -> str:
    """Text that XML (and so Word) can hold: control characters other than tab and newline
    are dropped, since python-docx refuses them."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value or "")


def minutes_facts(record: MeetingRecord) -> list[tuple[str, str]]:
    meeting = record.meeting
    facts = [
        ("Date", _day(meeting.met_on)),
        (
            "How it met",
            meeting.get_format_display() + (f", {meeting.place}" if meeting.place else ""),
        ),
    ]
    if meeting.chair:
        facts.append(("Chair", meeting.chair))
    facts.append(
        (
            "Status of these minutes",
            f"Agreed on {_day(meeting.minutes_agreed_on)}"
            if meeting.minutes_status == "agreed"
            else "Draft, not yet agreed",
        )
    )
    return facts


def pdf_context(record: MeetingRecord, *, made_on: datetime.date) -> dict:
    return {
        "record": record,
        "meeting": record.meeting,
        "group": record.meeting.group,
        "title": minutes_title(record),
        "facts": minutes_facts(record),
        "made_on": made_on,
        "actions": record.actions,
        "arising": record.arising,
    }


def _attendee(row) -> str:
    name = row.member.organisation.name
    who = row.attendance.attended_by if row.attendance else ""
    who = who or row.member.representatives
    return f"{name} ({who})" if who else name


def minutes_docx(record: MeetingRecord, *, made_on: datetime.date) -> bytes:
    """The minutes as a .docx file's bytes."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Pt

    meeting = record.meeting
    document = Document()
    properties = document.core_properties
    properties.title = _clean(minutes_title(record))
    properties.subject = _clean(meeting.group.name)
    properties.author = _clean(meeting.group.organisation.name)
    properties.language = "en-GB"
    document.styles["Normal"].font.size = Pt(11)

    def heading(words: str, level: int = 2):
        document.add_heading(_clean(words), level=level)

    def paragraph(words: str, style: str | None = None):
        return document.add_paragraph(_clean(words), style=style)

    def paragraphs(words: str):
        for block in re.split(r"\n\s*\n", _clean(words).strip()):
            if block.strip():
                paragraph(block.strip())

    def bullets(items: list[str]):
        for item in items:
            paragraph(item, style="List Bullet")

    def table(headers: list[str], rows: list[list[str]]):
        grid = document.add_table(rows=1, cols=len(headers))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.LEFT
        for cell, words in zip(grid.rows[0].cells, headers, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(_clean(words)).bold = True
        # Repeat the header row on each page, and mark it as the header for screen readers.
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        header_properties = grid.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header_properties.append(repeat)
        for row in rows:
            cells = grid.add_row().cells
            for cell, words in zip(cells, row, strict=True):
                cell.text = _clean(words)

    heading(minutes_title(record), level=1)
    for label, value in minutes_facts(record):
        line = document.add_paragraph()
        line.add_run(f"{label}: ").bold = True
        line.add_run(_clean(value))
    if meeting.purpose:
        heading("Purpose of the meeting")
        paragraphs(meeting.purpose)

    heading("Attendance and apologies")
    if record.attendance_recorded:
        heading("Attended", level=3)
        bullets([_attendee(row) for row in record.present] or ["Nobody recorded"])
        heading("Apologies", level=3)
        bullets([row.member.organisation.name for row in record.apologies] or ["None"])
        if record.absent:
            heading("Did not attend", level=3)
            bullets([row.member.organisation.name for row in record.absent])
    else:
        paragraph("Attendance has not been recorded yet.")

    heading("Agenda")
    if record.agenda:
        for item in record.agenda:
            heading(f"{item.order}. {item.title}", level=3)
            if item.notes:
                paragraphs(item.notes)
    else:
        paragraph("No agenda items were recorded.")

    heading("Matters arising")
    if record.arising:
        rows = []
        for row in record.arising:
            status = row.status_label
            if row.overdue:
                status += " (overdue)"
            reported = " ".join(row.updates)
            rows.append(
                [
                    row.title,
                    row.owner_text,
                    _day(row.due_on) or "No date",
                    f"{'Raised at the meeting of' if row.raised_at_meeting else 'Added on'} "
                    f"{_day(row.raised_on)}; carried {row.times_carried} "
                    f"time{'s' if row.times_carried != 1 else ''}",
                    status + (f". Reported: {reported}" if reported else ""),
                ]
            )
        table(["Action", "Owner", "Due", "Carried forward", "Status"], rows)
    else:
        paragraph("No actions were carried forward to this meeting.")

    heading("Updates from partners")
    if record.partner_updates:
        for row in record.partner_updates:
            heading(row.member.organisation.name, level=3)
            paragraphs(row.update.text)
    else:
        paragraph("No partner updates were recorded.")

    if meeting.minutes:
        heading("Discussion")
        paragraphs(meeting.minutes)

    heading("Decisions")
    if record.decisions:
        for decision in record.decisions:
            paragraph(decision.text, style="List Number")
    else:
        paragraph("No decisions were recorded.")

    heading("Actions")
    if record.actions:
        table(
            ["Action", "Owner", "Due", "Status"],
            [
                [row.title, row.owner_text, _day(row.due_on) or "No date", row.status_label]
                for row in record.actions
            ],
        )
    else:
        paragraph("No new actions were agreed.")

    paragraph(f"Made by PowerShare on {_day(made_on)}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
