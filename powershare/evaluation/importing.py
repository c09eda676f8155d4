"""Reading a file of answers (CSV or XLSX) into a checked import plan.

One row is one person's answers. Columns match question codes, or their exact wording. With
`create`, every column except the site column becomes a new question whose code is the
column's header (made into a code), its type worked out from the values:

* Likert when every value given is a Likert label (any case, spaces around ignored) or 1-5
  (1 = Strongly disagree);
* yes/no when every value given is Yes or No;
* otherwise free text.

A blank cell is "not answered". Any value that isn't allowed is reported with its row number
(as a spreadsheet numbers it: the header is row 1), column, value and the allowed values, and
nothing is imported. Sites are matched to organisation names ("Stirling" and "Stirling
Council" both match Stirling Council) or kept as written.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from powershare.accounts.models import Organisation
from powershare.accounts.selectors import organisation_name_key, organisations_by_name_key

from .models import (
    LIKERT_LABELS,
    NUMBER_MAX,
    NUMBER_MIN,
    PREFER_NOT,
    PREFER_NOT_LABEL,
    YES_NO_LABELS,
    Question,
    Questionnaire,
    QuestionnaireKind,
    QuestionType,
)
from .services import MAX_QUESTIONS

MAX_ROWS = 200_000
MAX_COLUMNS = 200
#: Column headings that name or date a person: never imported as questions (see
#: _identifying_column).
IDENTIFYING_HEADINGS = {
    "timestamp", "time", "date", "start-time", "completion-time", "end-time", "submitted",
    "submitted-at", "email", "e-mail", "email-address", "name", "full-name", "first-name",
    "last-name", "surname", "forename", "ip", "ip-address", "user", "username", "user-id",
    "respondent", "respondent-id", "id", "phone", "telephone", "mobile", "address", "postcode",
}  # fmt: skip
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE_TIME = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}[ T]\d{1,2}:\d{2}")
MAX_ERRORS_SHOWN = 50
LIKERT_BY_WORD = {label.casefold(): value for value, label in LIKERT_LABELS.items()}
LIKERT_ALLOWED = ", ".join(LIKERT_LABELS.values()) + ", or 1 to 5 (1 = Strongly disagree)"
YES_NO_BY_WORD = {label.casefold(): value for value, label in YES_NO_LABELS.items()}
YES_NO_ALLOWED = "Yes or No"


@dataclass
class Column:
    index: int  # position in the file
    header: str
    code: str
    type: str
    question: Question | None = None
    choices: dict[str, int] = field(default_factory=dict)  # casefolded label -> value


@dataclass
class Row:
    number: int  # the spreadsheet's row number
    site: Organisation | None
    site_label: str
    values: list[tuple[int, object]]  # (column position in plan.columns, stored value)
    day: object = None


@dataclass
class Problem:
    """A value that is not allowed, for the import page's table of problems."""

    row: int  # the spreadsheet's row number
    column: str
    value: str
    allowed: str
    message: str


@dataclass
class ImportPlan:
    file_name: str
    code: str
    questionnaire: Questionnaire | None
    organisation_id: int | None = None
    title: str = ""
    kind: str = QuestionnaireKind.CUSTOM
    product: object = None
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: The values that are not allowed (the first MAX_ERRORS_SHOWN), each also in `errors`.
    problems: list[Problem] = field(default_factory=list)
    site_column: str = ""
    unmatched_sites: dict[str, int] = field(default_factory=dict)
    matched_sites: dict[str, int] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    #: Left out because they could identify people (names, emails, times): never imported.
    identifying_columns: list[str] = field(default_factory=list)

    @property
    def unmatched_columns(self) -> list[str]:
        return [c for c in self.ignored_columns if c not in self.identifying_columns]

    @property
    def create(self) -> bool:
        return self.questionnaire is None

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(upload, file_name: str = "") -> tuple[list[str], list[list[str]]]:
    """The header and rows of a CSV (UTF-8, with or without BOM) or XLSX file, as text."""
    name = (file_name or getattr(upload, "name", "") or "").lower()
    data = upload.read() if hasattr(upload, "read") else upload
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that isn't a workbook
            raise ValueError(
                "The file can't be read as an Excel workbook (.xlsx). Save it again as .xlsx "
                "or as 'CSV UTF-8', then try again."
            ) from None
        sheet = book.worksheets[0]
        table = []
        # Stops reading past the limit: a small compressed workbook can hold millions of rows.
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            cells = [_cell_text(cell) for cell in row]
            while cells and not cells[-1]:
                cells.pop()  # read-only sheets pad every row to max_col
            table.append(cells)
            if len(table) > MAX_ROWS + 1:
                break
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(
                "The file isn't saved as UTF-8 text. In your spreadsheet, choose Save As and "
                "pick 'CSV UTF-8', then try again."
            ) from None
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        table = []
        try:
            for row in csv.reader(io.StringIO(text), dialect):
                table.append(row[: MAX_COLUMNS + 1])
                if len(table) > MAX_ROWS + 1:
                    break
        except csv.Error as error:
            raise ValueError(
                f"Line {len(table) + 1} of the file can't be read as CSV ({error}). Check it "
                "in a spreadsheet and save it again as 'CSV UTF-8'."
            ) from None
    # Blank lines at the end go; blank lines in between stay (and are skipped), so row numbers
    # in messages are the spreadsheet's own.
    while table and not any((cell or "").strip() for cell in table[-1]):
        table.pop()
    if not table or not any((cell or "").strip() for cell in table[0]):
        raise ValueError(
            "The first row must hold the column headings, and a row for each person follows."
            if table
            else "The file is empty: it needs a row of headings and one row per person."
        )
    if len(table[0]) > MAX_COLUMNS:
        raise ValueError(f"The file has more than {MAX_COLUMNS} columns: that is too many.")
    header = [(cell or "").strip() for cell in table[0]]
    return header, [list(row) + [""] * (len(header) - len(row)) for row in table[1:]]


def _cell_text(cell) -> str:
    """A workbook cell as the text a person would have typed."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "Yes" if cell else "No"
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time() else cell.isoformat(" ")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def likert_value(text: str, *, allow_prefer_not: bool = False) -> int | None:
    word = " ".join(text.split()).casefold()
    if word in LIKERT_BY_WORD:
        return LIKERT_BY_WORD[word]
    if word in {"1", "2", "3", "4", "5"}:
        return int(word)
    if allow_prefer_not and word == PREFER_NOT_LABEL.casefold():
        return PREFER_NOT
    return None


def yes_no_value(text: str) -> int | None:
    return YES_NO_BY_WORD.get(" ".join(text.split()).casefold())


def _identifying_column(heading: str, values: list[str]) -> bool:
    """A column that names, contacts or times a person (as survey tools add): its heading says
    so, or most of its values are email addresses or dates with times."""
    key = slugify(heading)
    if key in IDENTIFYING_HEADINGS or "email" in key or key.endswith("-name"):
        return True
    given = [v.strip() for v in values if v and v.strip()]
    if not given:
        return False
    looks = sum(1 for v in given if EMAIL.match(v) or DATE_TIME.match(v))
    return looks * 2 > len(given)


def infer_type(values: list[str]) -> str:
    given = [v for v in (" ".join(v.split()) for v in values) if v]
    if given and all(likert_value(v) is not None for v in given):
        return QuestionType.LIKERT
    if given and all(yes_no_value(v) is not None for v in given):
        return QuestionType.YES_NO
    return QuestionType.TEXT


def _allowed(column: Column) -> str:
    question = column.question
    if column.type == QuestionType.LIKERT:
        extra = f", or {PREFER_NOT_LABEL}" if question and question.allow_prefer_not else ""
        return LIKERT_ALLOWED + extra
    if column.type == QuestionType.YES_NO:
        return YES_NO_ALLOWED
    if column.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        labels = [c.label for c in column.question.choices.all()] if column.question else []
        joiner = " (several separated by ;)" if column.type == QuestionType.MULTIPLE else ""
        return ", ".join(labels) + joiner
    if column.type == QuestionType.NUMBER:
        return f"a whole number from {NUMBER_MIN} to {NUMBER_MAX}"
    return "any text"


def _value(column: Column, text: str):
    """The stored value of a cell, or None when it isn't allowed (blank is handled before)."""
    if column.type == QuestionType.LIKERT:
        allow = bool(column.question and column.question.allow_prefer_not)
        return likert_value(text, allow_prefer_not=allow)
    if column.type == QuestionType.YES_NO:
        return yes_no_value(text)
    if column.type == QuestionType.SINGLE:
        return column.choices.get(" ".join(text.split()).casefold())
    if column.type == QuestionType.MULTIPLE:
        parts = [p for p in text.split(";") if p.strip()]
        picked = [column.choices.get(" ".join(p.split()).casefold()) for p in parts]
        if not parts or any(p is None for p in picked):
            return None
        return sorted(set(picked))
    if column.type == QuestionType.NUMBER:
        try:
            number = int(text.strip())
        except ValueError:
            return None
        return number if NUMBER_MIN <= number <= NUMBER_MAX else None
    return text.strip()


def _site(text: str, index: dict[str, Organisation]) -> tuple[Organisation | None, str]:
    label = " ".join(text.split())
    if not label:
        return None, ""
    return index.get(organisation_name_key(label)), label


def build_plan(
    *,
    header: list[str],
    rows: list[list[str]],
    file_name: str,
    code: str,
    questionnaire: Questionnaire | None,
    create: bool = False,
    site_column: str = "",
    organisation_id: int | None = None,
    product=None,
    kind: str = QuestionnaireKind.CUSTOM,
    title: str = "",
) -> ImportPlan:
    plan = ImportPlan(
        file_name=file_name,
        code=code,
        questionnaire=questionnaire,
        organisation_id=organisation_id,
        product=product,
        kind=kind,
        title=title,
        site_column=site_column,
    )
    errors = plan.errors
    if len(rows) > MAX_ROWS:
        errors.append(f"The file has {len(rows):,} rows; import at most {MAX_ROWS:,} at a time.")
        return plan
    if not rows:
        errors.append("The file has a header row but no answers under it.")
    duplicates = {h for h in header if h and header.count(h) > 1}
    if duplicates:
        errors.append(
            "Two columns have the same heading: "
            + ", ".join(sorted(duplicates))
            + ". Give each column its own heading."
        )
    site_index = None
    if site_column:
        matches = [i for i, h in enumerate(header) if h.casefold() == site_column.casefold()]
        if not matches:
            errors.append(
                f'There is no column called "{site_column}". The columns are: '
                + ", ".join(h for h in header if h)
                + "."
            )
        else:
            site_index = matches[0]
    if questionnaire is None and not create:
        errors.append(f"There is no questionnaire with the code {code}.")
        return plan
    if questionnaire is not None and create:
        errors.append(
            f"A questionnaire with the code {code} already exists: import into it without "
            "--create, or choose a new code."
        )
        return plan
    if errors:
        return plan

    # The columns, and the question each one answers.
    if create:
        used = set()
        for index, heading in enumerate(header):
            if index == site_index:
                continue
            if not heading:
                errors.append(f"Column {index + 1} has no heading: give it one (the question).")
                continue
            if _identifying_column(heading, [row[index] for row in rows]):
                plan.ignored_columns.append(heading)
                plan.identifying_columns.append(heading)
                continue
            question_code = slugify(heading)[:60] or f"q{index + 1}"
            while question_code in used:
                question_code = f"{question_code[:55]}-{index + 1}"
            used.add(question_code)
            values = [row[index] for row in rows]
            plan.columns.append(
                Column(
                    index=index, header=heading[:500], code=question_code, type=infer_type(values)
                )
            )
        if len(plan.columns) > MAX_QUESTIONS:
            errors.append(
                f"The file has {len(plan.columns)} columns of answers; a questionnaire can have "
                f"at most {MAX_QUESTIONS} questions."
            )
            return plan
    else:
        questions = list(questionnaire.questions.prefetch_related("choices"))
        by_code = {q.code.casefold(): q for q in questions}
        by_text = {" ".join(q.text.split()).casefold(): q for q in questions}
        seen = set()
        for index, heading in enumerate(header):
            if index == site_index:
                continue
            key = " ".join(heading.split()).casefold()
            question = by_code.get(key) or by_text.get(key)
            if question is None:
                if heading:
                    plan.ignored_columns.append(heading)
                continue
            if question.pk in seen:
                errors.append(f'Two columns answer the same question ("{question.code}").')
                continue
            seen.add(question.pk)
            plan.columns.append(
                Column(
                    index=index,
                    header=heading,
                    code=question.code,
                    type=question.type,
                    question=question,
                    choices={
                        " ".join(c.label.split()).casefold(): c.value
                        for c in question.choices.all()
                    },
                )
            )
        if not plan.columns:
            errors.append(
                "No column matches a question of this questionnaire. Use the question codes ("
                + ", ".join(q.code for q in questions[:12])
                + ("…" if len(questions) > 12 else "")
                + ") or the questions' exact wording as the column headings."
            )
            return plan

    # The rows, all checked before anything is stored.
    organisations = organisations_by_name_key() if site_index is not None else {}
    problems = 0
    for offset, cells in enumerate(rows):
        number = offset + 2
        if not any((cell or "").strip() for cell in cells):
            continue  # a blank line in the file: nobody's answers
        site, label = (
            _site(cells[site_index], organisations) if site_index is not None else (None, "")
        )
        if label:
            bucket = plan.matched_sites if site else plan.unmatched_sites
            name = site.name if site else label
            bucket[name] = bucket.get(name, 0) + 1
        values = []
        for position, column in enumerate(plan.columns):
            text = cells[column.index] if column.index < len(cells) else ""
            if not (text or "").strip():
                continue
            value = _value(column, text)
            if value is None:
                problems += 1
                if len(errors) < MAX_ERRORS_SHOWN:
                    allowed = _allowed(column)
                    message = (
                        f'Row {number}, column "{column.header}": "{text.strip()[:60]}" is not '
                        f"an allowed answer. Allowed: {allowed}; or leave it blank."
                    )
                    errors.append(message)
                    plan.problems.append(
                        Problem(number, column.header, text.strip()[:60], allowed, message)
                    )
                continue
            if column.type == QuestionType.MULTIPLE:
                values.extend((position, one) for one in value)
            else:
                values.append((position, value))
        plan.rows.append(Row(number=number, site=site, site_label=label[:200], values=values))
    if rows and not plan.rows and not errors:
        errors.append("The file has a header row but no answers under it.")
    if problems > MAX_ERRORS_SHOWN:
        errors.append(f"… and {problems - MAX_ERRORS_SHOWN} more values that are not allowed.")
    return plan
