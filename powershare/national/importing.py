"""Reading a file of council returns (CSV) into a checked import plan for a survey round.

Used by `python manage.py national_import --round YEAR [--create] [--replace] FILE.csv`, and
meant for a page or the API too: `check_file` reads and checks everything and stores nothing;
`import_apply` stores a clean check in one transaction.

The file (UTF-8, with or without a byte order mark; comma, semicolon or tab separated) has one
row per council:

* the column `local_area` names the council. Names are matched as the evaluation import
  matches sites ("aberdeen city", "Aberdeen City Council" and "The Highland Council" all
  match), and only local authorities count;
* every other column answers the round's question whose code is its heading:
  yes/no questions take yes, no, y, n, 1, 0, true or false (any case); choose-any questions
  take option labels separated by ";" (or the options' numbers); choose-one questions one
  label (or its number); agree-or-disagree questions a label or 1-5; number questions a whole
  number; text questions the words;
* a column `<code>-shareable` (yes/no) says whether the words in column `<code>` may be quoted
  in the national report (blank is no). Such a heading always marks another column (unless a
  question has exactly that code), so a file needs the column `<code>` too.

A blank cell is "not answered"; a row with nothing in it is skipped. Imported returns are
sent, so each row answers every required question the round still asks (a column left out of
the file counts as blank). No cell may hold a NUL character (no database can store one).

With `create`:

* the round is made when there is none for the year: run by the first national body that has
  a national coordinator (else the "Improvement Service"), titled "National learning survey
  YEAR", open from 1 April to 30 June of YEAR (a report published in YEAR gathers returns in
  the spring after the year it covers ends), with no standard questions, and inviting every
  one of the 32 councils (so "N of M" counts them all);
* a heading that is no question's code becomes a new question with that code (small letters,
  numbers and hyphens, else an error naming the column) and the heading made readable as its
  wording: yes/no when every value in its column is yes/no-like, otherwise text (a column
  with a `-shareable` companion is always text).

Without `create`, an unknown column or a missing round is an error.

All or nothing: every problem is collected, each as "Row N, column X: ..." with the row
numbered as a spreadsheet shows it (the headings are row 1), and nothing is stored while there
is one. A council not yet invited to the round is invited by the import (and the check says
so). A council whose return was already started online (a draft) or sent is refused unless
`replace` is given: its answers would be overwritten.
"""

import csv
import datetime
import difflib
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F

from powershare.accounts.models import Organisation, OrganisationKind
from powershare.accounts.selectors import organisation_name_key, organisations_by_name_key
from powershare.evaluation.importing import likert_value
from powershare.evaluation.models import (
    LIKERT_LABELS,
    NO,
    NUMBER_MAX,
    NUMBER_MIN,
    YES,
    Question,
    QuestionType,
)
from powershare.evaluation.services import MAX_QUESTIONS

from . import selectors, services
from .models import ReturnStatus, SurveyRound

COUNCIL_COLUMN = "local_area"
SHAREABLE_SUFFIX = "-shareable"
MAX_ROWS = 1000
MAX_COLUMNS = 200
MAX_ERRORS_SHOWN = 100
#: A question code, as the evaluation engine allows it (small letters, numbers, hyphens).
CODE_SHAPE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CODE_LENGTH = 60
YES_WORDS = {"yes", "y", "1", "true"}
NO_WORDS = {"no", "n", "0", "false"}
YES_NO_ALLOWED = "yes, no, y, n, 1, 0, true or false"
#: A new round's dates (see the module's docstring): months and days of its year.
OPENS = (4, 1)
CLOSES = (6, 30)
DEFAULT_NATIONAL_BODY = "Improvement Service"


@dataclass
class RoundToCreate:
    """The round `import_apply` makes first (with --create, when there is none)."""

    year: int
    organisation_id: int
    opens_on: datetime.date
    closes_on: datetime.date


@dataclass
class Checked:
    """What a check found: the plan to store (when there are no errors), every error, and
    notes to tell the person importing (councils invited, questions added)."""

    year: int
    rows: list[services.ReturnRow] = field(default_factory=list)
    new_questions: list[dict] = field(default_factory=list)
    survey_round: SurveyRound | None = None
    round_to_create: RoundToCreate | None = None
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Whether councils that started or sent a return may have it replaced (--replace).
    replace: bool = False
    #: How many errors there were (only the first MAX_ERRORS_SHOWN are kept in `errors`).
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(message)

    def plan(self, survey_round: SurveyRound | None = None) -> services.ImportPlan:
        survey_round = survey_round or self.survey_round
        if survey_round is None:
            raise ValueError("The round must exist (or be made) before the plan is stored.")
        return services.ImportPlan(
            survey_round=survey_round, rows=self.rows, new_questions=self.new_questions
        )


@dataclass
class _Column:
    index: int
    header: str
    code: str
    type: str
    question: Question | None = None
    #: Casefolded option labels and "1", "2"... -> stored values.
    choices: dict[str, int] = field(default_factory=dict)
    #: (stored value, label) of each option, for messages.
    labels: list[tuple[int, str]] = field(default_factory=list)
    #: The column saying whether this text column's words may be quoted.
    shareable_index: int | None = None


# ---------------------------------------------------------------------------------------------
# Reading


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The headings and rows of a CSV file, as text. Raises ValueError, in plain words, for a
    file that can't be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(
            "The file isn't saved as UTF-8 text. In your spreadsheet, choose Save As and pick "
            "'CSV UTF-8', then try again."
        ) from None
    # The separator is the one the headings use most (answers may hold commas or semicolons).
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line.strip() else ","
    table: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            table.append(row[: MAX_COLUMNS + 1])
            if len(table) > MAX_ROWS + 1:
                break
    except csv.Error as error:
        raise ValueError(
            f"Row {len(table) + 1} of the file can't be read as CSV ({error}). Check it in a "
            "spreadsheet and save it again as 'CSV UTF-8'."
        ) from None
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table:
        raise ValueError(
            "The file is empty: it needs a row of headings and then one row per council."
        )
    if len(table) > MAX_ROWS + 1:
        raise ValueError(f"The file has more than {MAX_ROWS} rows: that is too many.")
    if len(table[0]) > MAX_COLUMNS:
        raise ValueError(f"The file has more than {MAX_COLUMNS} columns: that is too many.")
    header = [cell.strip() for cell in table[0]]
    return header, [row + [""] * (len(header) - len(row)) for row in table[1:]]


def yes_no(text: str) -> int | None:
    word = " ".join(text.split()).casefold()
    if word in YES_WORDS:
        return YES
    if word in NO_WORDS:
        return NO
    return None


def readable(header: str) -> str:
    """A heading as a question's wording: "early-signs-partners" -> "Early signs partners"."""
    words = " ".join(re.sub(r"[-_]+", " ", header).split())
    return (words[:1].upper() + words[1:])[:500]


def _is_council_column(header: str) -> bool:
    return "_".join(header.casefold().replace("-", " ").split()) == COUNCIL_COLUMN


# ---------------------------------------------------------------------------------------------
# Checking


def check_file(data: bytes, *, year: int, create: bool = False, replace: bool = False) -> Checked:
    """Read and check a file (see the module's docstring). Stores nothing."""
    try:
        header, rows = read_csv(data)
    except ValueError as error:
        checked = Checked(year=year)
        checked.error(str(error))
        return checked
    return check_table(header=header, rows=rows, year=year, create=create, replace=replace)


def check_table(
    *,
    header: list[str],
    rows: list[list[str]],
    year: int,
    create: bool = False,
    replace: bool = False,
) -> Checked:
    checked = Checked(year=year, replace=replace)
    header, rows = _without_nul(checked, header, rows)
    survey_round = selectors.round_for_year(year=year)
    if survey_round is None:
        if create and not services.EARLIEST_YEAR <= year <= services.LATEST_YEAR:
            checked.error(
                f"A round's year is the year its report is published, between "
                f"{services.EARLIEST_YEAR} and {services.LATEST_YEAR}: round 2025 covers 2024/25."
            )
            return checked
        if not create:
            checked.error(
                f"There is no survey round {year}. Make it first on the national survey "
                "pages, or import with --create to make it from this file."
            )
            return checked
        checked.round_to_create = _round_to_create(year)
        if checked.round_to_create is None:
            checked.error(
                f"There is no survey round {year}, and no national body to run it: add "
                f'the "{DEFAULT_NATIONAL_BODY}" or a national coordinator first.'
            )
            return checked
        opens, closes = checked.round_to_create.opens_on, checked.round_to_create.closes_on
        checked.notes.append(
            f"New round {year}, inviting every council, open from {opens.day} {opens:%B %Y} "
            f"to {closes.day} {closes:%B %Y}."
        )
    checked.survey_round = survey_round

    council_index, columns = _columns(checked, header, rows, survey_round, create)
    if council_index is None:
        return checked
    _rows(checked, rows, council_index, columns, survey_round, replace)
    if not checked.rows and checked.error_count == 0:
        checked.error("The file has a row of headings but no councils under it.")
    if checked.error_count > len(checked.errors):
        checked.errors.append(
            f"… and {checked.error_count - len(checked.errors)} more problems like these."
        )
    return checked


NUL_MESSAGE = "contains a character that can't be stored (NUL); remove it"


def _without_nul(
    checked: Checked, header: list[str], rows: list[list[str]]
) -> tuple[list[str], list[list[str]]]:
    """Report each cell holding a NUL character (no database stores one), and the table
    without them so the other checks go on (nothing is stored while there is an error)."""
    if not any("\x00" in cell for cell in header) and not any(
        "\x00" in cell for row in rows for cell in row
    ):
        return header, rows

    def where(index: int) -> str:
        heading = header[index].replace("\x00", "").strip() if index < len(header) else ""
        if _is_council_column(heading):
            return COUNCIL_COLUMN
        return _heading(heading) if heading else str(index + 1)

    for index, cell in enumerate(header):
        if "\x00" in cell:
            checked.error(f"Row 1, column {index + 1}: {NUL_MESSAGE}")
    for offset, row in enumerate(rows):
        for index, cell in enumerate(row):
            if "\x00" in cell:
                checked.error(f"Row {offset + 2}, column {where(index)}: {NUL_MESSAGE}")
    return (
        [cell.replace("\x00", "") for cell in header],
        [[cell.replace("\x00", "") for cell in row] for row in rows],
    )


def _round_to_create(year: int) -> RoundToCreate | None:
    body = selectors.national_body_for_import(default_name=DEFAULT_NATIONAL_BODY)
    if body is None:
        return None
    return RoundToCreate(
        year=year,
        organisation_id=body.pk,
        opens_on=datetime.date(year, *OPENS),
        closes_on=datetime.date(year, *CLOSES),
    )


def _heading(header: str) -> str:
    return f'"{header}"'


def _columns(
    checked: Checked,
    header: list[str],
    rows: list[list[str]],
    survey_round: SurveyRound | None,
    create: bool,
) -> tuple[int | None, list[_Column]]:
    """The council column's position and the answer columns, checking the headings."""
    council_columns = [i for i, h in enumerate(header) if _is_council_column(h)]
    if not council_columns:
        checked.error(
            f"Row 1: there is no column called {COUNCIL_COLUMN}. Add one naming the council "
            "on each row, like 'Fife Council' or 'Fife'."
        )
        return None, []
    if len(council_columns) > 1:
        checked.error(f"Row 1: there are {len(council_columns)} columns called {COUNCIL_COLUMN}.")
        return None, []
    council_index = council_columns[0]
    seen: dict[str, int] = {}
    for index, heading in enumerate(header):
        key = heading.casefold()
        if heading and key in seen:
            checked.error(
                f"Row 1, column {_heading(heading)}: two columns have this heading; give each "
                "column its own."
            )
        seen.setdefault(key, index)

    questions = {}
    if survey_round is not None:
        questions = {
            q.code: q
            for q in Question.objects.filter(
                questionnaire_id=survey_round.questionnaire_id
            ).prefetch_related("choices")
        }
    answer_headings = {
        index: heading for index, heading in enumerate(header) if index != council_index and heading
    }
    keys = {index: heading.casefold() for index, heading in answer_headings.items()}
    # `<code>-shareable` columns, where `<code>` is a question or another column.
    shareable_of: dict[int, int] = {}
    for index, key in keys.items():
        if key in questions or not key.endswith(SHAREABLE_SUFFIX):
            continue
        base = key.removesuffix(SHAREABLE_SUFFIX)
        base_index = next((i for i, k in keys.items() if k == base and i != index), None)
        if base_index is None:
            checked.error(
                f"Row 1, column {_heading(answer_headings[index])}: there is no column "
                f'"{base}" whose words it could mark as shareable.'
            )
            shareable_of[index] = -1
        else:
            shareable_of[index] = base_index
    shareable_for = {base: index for index, base in shareable_of.items() if base >= 0}

    columns: list[_Column] = []
    new_codes: set[str] = set()
    for index, heading in enumerate(header):
        if index == council_index or index in shareable_of:
            continue
        values = [row[index] for row in rows if index < len(row)]
        if not heading:
            if any(v.strip() for v in values):
                checked.error(
                    f"Row 1, column {index + 1}: this column has answers but no heading; give "
                    "it the code of the question it answers."
                )
            continue
        key = heading.casefold()
        question = questions.get(key)
        if question is not None:
            if question.is_closed:
                checked.error(
                    f"Row 1, column {_heading(heading)}: question {question.code} is closed, "
                    "so it takes no more answers."
                )
                continue
            column = _Column(index=index, header=heading, code=question.code, type=question.type)
            column.question = question
            for choice in question.choices.all():
                column.choices[" ".join(choice.label.split()).casefold()] = choice.value
                column.choices[str(choice.value)] = choice.value
                column.labels.append((choice.value, choice.label))
        elif not create:
            known = ", ".join(sorted(questions)[:40]) or "none yet"
            checked.error(
                f"Row 1, column {_heading(heading)}: round {checked.year} has no question with "
                f"this code. Rename the column to one of its codes ({known}), remove it, or "
                "import with --create to add it as a new question."
            )
            continue
        else:
            if heading != key or not CODE_SHAPE.match(key) or len(key) > CODE_LENGTH:
                checked.error(
                    f"Row 1, column {_heading(heading)}: this heading can't be a question's "
                    "code. Use small letters, numbers and hyphens only (like early-signs-"
                    f"partners), at most {CODE_LENGTH} characters."
                )
                continue
            given = [v for v in values if v.strip()]
            is_yes_no = (
                bool(given)
                and all(yes_no(v) is not None for v in given)
                and index not in shareable_for
            )
            kind = QuestionType.YES_NO if is_yes_no else QuestionType.TEXT
            column = _Column(index=index, header=heading, code=key, type=kind)
            new_codes.add(key)
            checked.new_questions.append({"code": key, "text": readable(heading), "type": kind})
            checked.notes.append(
                f"New question {key} ({'yes or no' if is_yes_no else 'text'}): "
                f"“{readable(heading)}”."
            )
        if index in shareable_for:
            if column.type != QuestionType.TEXT:
                checked.error(
                    f"Row 1, column {_heading(header[shareable_for[index]])}: only a text "
                    f"question's words can be marked shareable, and {column.code} is not one."
                )
            else:
                column.shareable_index = shareable_for[index]
        columns.append(column)
    existing = len(questions)
    if new_codes and existing + len(new_codes) > MAX_QUESTIONS:
        checked.error(
            f"Row 1: the round would have {existing + len(new_codes)} questions; a "
            f"questionnaire can have at most {MAX_QUESTIONS}."
        )
    return council_index, columns


def _councils(every: dict[str, Organisation]) -> tuple[dict[str, Organisation], list]:
    """Councils by name key, and every council in name order."""
    index = {
        key: organisation
        for key, organisation in every.items()
        if organisation.kind == OrganisationKind.LOCAL_AUTHORITY
    }
    councils = sorted({o.pk: o for o in index.values()}.values(), key=lambda o: o.name)
    return index, councils


def _unknown_council(number: int, label: str, index: dict, councils: list) -> str:
    message = f"Row {number}: no council called '{label}'"
    close = difflib.get_close_matches(organisation_name_key(label), list(index), n=1, cutoff=0.75)
    if close:
        message += f" (did you mean '{index[close[0]].name}'?)"
    return (
        message + ". Check the spelling: use a council's name as PowerShare lists it, like "
        "'Fife Council' or 'Fife'; "
        f"the {len(councils)} councils are listed on a survey round's Councils page."
    )


def _rows(
    checked: Checked,
    rows: list[list[str]],
    council_index: int,
    columns: list[_Column],
    survey_round: SurveyRound | None,
    replace: bool,
) -> None:
    every = organisations_by_name_key()
    index, councils = _councils(every)
    returns = {}
    required: list[Question] = []
    if survey_round is not None:
        returns = dict(survey_round.returns.values_list("council_id", "status"))
        # Imported returns are sent: each answers every required question still asked.
        required = list(
            Question.objects.filter(
                questionnaire_id=survey_round.questionnaire_id,
                required=True,
                closed_at__isnull=True,
            ).order_by(F("section__position").asc(nulls_last=True), "position", "pk")
        )
    on_row: dict[int, int] = {}
    for offset, cells in enumerate(rows):
        number = offset + 2
        if not any(cell.strip() for cell in cells):
            continue
        label = " ".join(cells[council_index].split())
        if not label:
            checked.error(
                f"Row {number}, column {COUNCIL_COLUMN}: say which council this row is for."
            )
            continue
        key = organisation_name_key(label)
        council = index.get(key)
        if council is None:
            other = every.get(key)
            if other is not None:
                checked.error(
                    f"Row {number}, column {COUNCIL_COLUMN}: {other.name} is not a council; "
                    "only councils send returns."
                )
            else:
                checked.error(_unknown_council(number, label, index, councils))
            continue
        if council.pk in on_row:
            checked.error(
                f"Row {number}, column {COUNCIL_COLUMN}: {council.name} is already on row "
                f"{on_row[council.pk]}; give each council one row."
            )
            continue
        on_row[council.pk] = number
        status = returns.get(council.pk)
        if survey_round is not None and status is None:
            checked.notes.append(
                f"{council.name} (row {number}) was not invited to round {checked.year}: "
                "the import invites it."
            )
        elif status in (ReturnStatus.SUBMITTED, ReturnStatus.DRAFT) and not replace:
            state = "already sent" if status == ReturnStatus.SUBMITTED else "started (a draft of)"
            checked.error(
                f"Row {number}: {council.name} has {state} its return to round "
                f"{checked.year}. Import with --replace to replace it with this row, or remove "
                "the row."
            )
            continue
        elif status in (ReturnStatus.SUBMITTED, ReturnStatus.DRAFT):
            checked.notes.append(
                f"{council.name} (row {number}): its return to round {checked.year} is "
                "replaced by this row."
            )
        row = services.ReturnRow(council=council, line=number)
        for column in columns:
            _cell(checked, row, column, cells, number)
        if not row.answers and not row.texts:
            checked.error(
                f"Row {number}: there are no answers for {council.name}. Fill in its answers "
                "or remove the row."
            )
            continue
        missing = [q.code for q in required if q.code not in row.answers | row.texts]
        for code in missing:
            checked.error(f"Row {number}: the required question {code} has no answer.")
        if missing:
            continue
        checked.rows.append(row)


def _cell(
    checked: Checked, row: services.ReturnRow, column: _Column, cells: list[str], number: int
) -> None:
    text = cells[column.index].strip() if column.index < len(cells) else ""
    where = f"Row {number}, column {_heading(column.header)}"
    if column.shareable_index is not None:
        flag = cells[column.shareable_index].strip()
        if flag and yes_no(flag) is None:
            checked.error(
                f'Row {number}, column "{column.code}{SHAREABLE_SUFFIX}": "{flag[:60]}" is not '
                f"yes or no. Allowed: {YES_NO_ALLOWED}; or leave it blank (not shareable)."
            )
        elif text and yes_no(flag) == YES:
            row.shareable.add(column.code)
    if not text:
        return
    shown = text[:60] + ("…" if len(text) > 60 else "")
    if column.type == QuestionType.TEXT:
        if len(text) > services.MAX_TEXT:
            checked.error(
                f"{where}: the answer is {len(text):,} characters long; at most "
                f"{services.MAX_TEXT:,} fit."
            )
        else:
            row.texts[column.code] = text
        return
    if column.type == QuestionType.YES_NO:
        value = yes_no(text)
        allowed = YES_NO_ALLOWED
    elif column.type == QuestionType.MULTIPLE:
        parts = [" ".join(p.split()) for p in text.split(";") if p.strip()]
        picked = [column.choices.get(p.casefold()) for p in parts]
        value = sorted(set(picked)) if parts and None not in picked else None
        allowed = _options(column) + ' (several separated by ";")'
        if value is None:
            bad = [p for p, v in zip(parts, picked, strict=True) if v is None]
            shown = "; ".join(bad)[:60] if bad else shown
    elif column.type == QuestionType.SINGLE:
        value = column.choices.get(" ".join(text.split()).casefold())
        allowed = _options(column) + " (one of them)"
    elif column.type == QuestionType.LIKERT:
        value = likert_value(text, allow_prefer_not=column.question.allow_prefer_not)
        allowed = ", ".join(LIKERT_LABELS.values()) + ", or 1 to 5 (1 = Strongly disagree)"
    elif column.type == QuestionType.NUMBER:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is not None and not NUMBER_MIN <= value <= NUMBER_MAX:
            value = None
        allowed = f"a whole number from {NUMBER_MIN} to {NUMBER_MAX}"
    else:  # pragma: no cover - every type is handled above
        value, allowed = None, "nothing"
    if value is None:
        checked.error(
            f'{where}: "{shown}" is not an allowed answer. Allowed: {allowed}; or leave it blank.'
        )
        return
    row.answers[column.code] = value


def _options(column: _Column) -> str:
    return ", ".join(f"{value}. {label}" for value, label in column.labels)


# ---------------------------------------------------------------------------------------------
# Storing


@transaction.atomic
def import_apply(checked: Checked) -> tuple[SurveyRound, int]:
    """Store a clean check in one transaction: make the round (--create) if it is to be made,
    then the returns (services.returns_import, which checks again, on the returns locked,
    that none was started or sent since the check unless it was made with `replace`: a
    ValidationError naming the councils). Returns the round and how many returns."""
    if not checked.ok:
        raise ValueError("Only a check without errors can be imported.")
    survey_round = checked.survey_round
    if survey_round is None:
        spec = checked.round_to_create
        survey_round = services.round_create(
            actor=None,
            year=spec.year,
            opens_on=spec.opens_on,
            closes_on=spec.closes_on,
            organisation_id=spec.organisation_id,
            standard=False,
        )
    count = services.returns_import(plan=checked.plan(survey_round), replace=checked.replace)
    return survey_round, count
