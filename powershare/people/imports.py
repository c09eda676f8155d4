"""Reading and checking a CSV file of people before they are added to a register.

Nothing here writes to the database. `people_import_check` reads the file, checks every row
and returns every problem at once (each naming the row as a spreadsheet numbers it, the column,
the value given and what is allowed), or, when there are none, the rows ready for
`services.people_import` with any warnings (probable duplicates) to show in the preview.

Between the preview and the confirmation the file's cells travel in the page, signed
(`checked_file_sign` / `checked_file_unsign`), so nothing personal is kept on the server if the
person walks away. The confirmation checks the cells again: areas may have changed meanwhile.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower

from .models import (
    AgeBand,
    ContactChannel,
    CreditPreference,
    LivedExperienceArea,
    Person,
    PersonStatus,
    WellbeingCheckIn,
)
from .services import _clean_person

MAX_FILE_BYTES = 2 * 1024 * 1024
# Each person is added through the same service as the form (checks, change log): about 4 ms
# each, so 1,000 people take a few seconds, well inside a web request.
MAX_ROWS = 1000
#: How long a checked file may wait for its confirmation.
CHECKED_FILE_MAX_AGE = 60 * 60
_SALT = "powershare.people.imports.checked_file"
#: A signed file bigger than this would not fit in the confirmation's form data.
_MAX_SIGNED_CHARS = 2_000_000
#: How many areas to name in a message before "and N more".
_AREAS_LISTED = 20


class ImportFileError(Exception):
    """The file as a whole can't be used (empty, not text, too big…). The message says why
    and what to do, in words for the person who uploaded it."""


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with one cell (or, for row 1, with the header)."""

    row: int
    column: str
    value: str
    problem: str
    allowed: str = ""

    @property
    def value_shown(self) -> str:
        return self.value if len(self.value) <= 60 else self.value[:57] + "…"

    @property
    def explanation(self) -> str:
        return f"{self.problem} {self.allowed}".strip()

    @property
    def explanation_sentence(self) -> str:
        """The explanation on its own, as in a table beside the value: "This is not…"."""
        return f"This {self.explanation}" if self.problem[:1].islower() else self.explanation

    def __str__(self):
        where = f"Row {self.row}, column {self.column}" if self.column else f"Row {self.row}"
        if not self.value:
            return f"{where}: {self.explanation}"
        if self.problem[:1].islower():  # "is not an email address." reads on from the value
            return f"{where}: “{self.value_shown}” {self.explanation}"
        return f"{where} (“{self.value_shown}”): {self.explanation}"


@dataclass
class ImportRow:
    """One person as the file describes them, checked and ready to add."""

    number: int
    fields: dict
    areas: list[LivedExperienceArea]
    warnings: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return self.fields["full_name"]

    @property
    def email(self) -> str:
        return self.fields.get("email", "")

    @property
    def status_label(self) -> str:
        return PersonStatus(self.fields.get("status") or PersonStatus.ACTIVE).label

    @property
    def area_names(self) -> str:
        return ", ".join(area.name for area in self.areas)

    def as_service_row(self) -> dict:
        return {**self.fields, "areas": self.areas, "row_number": self.number}


@dataclass
class ImportCheck:
    """What checking a file found: problems (nothing may be added) or rows to add."""

    header: list[str]
    cells: list[list[str]]
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def rows_with_warnings(self) -> int:
        return sum(1 for row in self.rows if row.warnings)

    def service_rows(self) -> list[dict]:
        return [row.as_service_row() for row in self.rows]


# ---------------------------------------------------------------------------------------------
# Reading the file


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SAVE_AS_CSV = (
    "In your spreadsheet, choose Save as (or Download) and pick CSV, then upload that file."
)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte order mark), UTF-16 with a byte order
    mark (Excel's "Unicode text"), or else Windows-1252 / Latin-1 (older Excel on Windows)."""
    if not data:
        raise ImportFileError(
            "The file is empty. Fill in one row per person under the header row of the "
            "template, and upload it again."
        )
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportFileError(f"This looks like an Excel file, not a CSV file. {_SAVE_AS_CSV}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "cp1252", "latin-1"]
    text = None
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None or _CONTROL_CHARACTERS.search(text):
        raise ImportFileError(f"We couldn't read this file as text. {_SAVE_AS_CSV}")
    return text.lstrip("\ufeff")


def _delimiter(text: str) -> str:
    """Comma, semicolon (spreadsheets set to use a decimal comma) or tab, from the header."""
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_cells(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and the data rows (each a list of cells, trimmed), blank rows kept so the
    row numbers stay as a spreadsheet shows them."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows = []
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            if len(rows) > MAX_ROWS + 1 + 1000:  # far too many, even allowing for blank rows
                break
    except csv.Error:
        raise ImportFileError(
            f"We couldn't read row {reader.line_num} of the file. Check for a double quote "
            f'(") that is opened but never closed. {_SAVE_AS_CSV}'
        ) from None
    while rows and not any(rows[0]):
        rows.pop(0)  # blank lines above the header
    if not rows:
        raise ImportFileError(
            "The file is empty. Fill in one row per person under the header row of the "
            "template, and upload it again."
        )
    header, body = rows[0], rows[1:]
    people = sum(1 for row in body if any(row))
    if not people:
        raise ImportFileError(
            "The file has a header row but no people. Add one row per person under the header "
            "row, and upload it again."
        )
    if people > MAX_ROWS:
        raise ImportFileError(
            f"The file has more than {MAX_ROWS:,} people. Add at most {MAX_ROWS:,} at a time: "
            "split the file into smaller files."
        )
    return header, body


# ---------------------------------------------------------------------------------------------
# The columns


class CellError(Exception):
    def __init__(self, problem: str, allowed: str = ""):
        super().__init__(problem)
        self.problem, self.allowed = problem, allowed


def _choices(cls, *extra: tuple[str, str]) -> dict[str, str]:
    """Accepted spellings (values, labels, extras), folded, to the stored value."""
    accepted = {}
    for value, label in cls.choices:
        accepted[_fold(value)] = value
        accepted[_fold(value.replace("_", " "))] = value
        accepted[_fold(label)] = value
    for spelling, value in extra:
        accepted[_fold(spelling)] = value
    return accepted


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def _list(labels) -> str:
    labels = [f"“{label}”" for label in labels]
    return ", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]


def _text(max_length: int | None = None, required: str = "") -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value and required:
            raise CellError("This is empty.", required)
        if max_length and len(value) > max_length:
            raise CellError(
                f"This is {len(value):,} characters long.", f"Use at most {max_length}."
            )
        return value

    return parse


def _email(value: str) -> str:
    if not value:
        return ""
    if len(value) > 254:
        raise CellError("is too long for an email address.", "Use at most 254 characters.")
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(
            "is not an email address.", "Enter an address like name@example.org."
        ) from None
    return value


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _date(value: str) -> datetime.date | None:
    if not value:
        return None
    for date_format in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise CellError(
        "is not a date we can read.",
        "Use YYYY-MM-DD, like 1990-05-17, or DD/MM/YYYY, like 17/05/1990.",
    )


_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


def _yes_no(value: str) -> bool:
    folded = _fold(value)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise CellError("is not yes or no.", "Enter “yes” or “no”, or leave it empty for no.")


def _choice(cls, *extra: tuple[str, str], shown=None, default=None):
    accepted = _choices(cls, *extra)
    allowed = f"Allowed: {_list(shown or cls.labels)}."

    def parse(value: str):
        if not value:
            return default
        try:
            return accepted[_fold(value)]
        except KeyError:
            raise CellError("is not one of the choices.", allowed) from None

    return parse


def _whole_number(value: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise CellError("is not a whole number.", "Enter a number of days, like 14.") from None


def _max(name: str) -> int:
    return Person._meta.get_field(name).max_length


#: The columns a file may have, in the template's order: (column, Person field, reader).
#: A reader returns the field's value from the cell (None: leave the field to its default).
COLUMNS: dict[str, Callable[[str], object]] = {
    "full_name": _text(_max("full_name"), required="Enter the person's full name."),
    "preferred_name": _text(_max("preferred_name")),
    "pronouns": _text(_max("pronouns")),
    "email": _email,
    "phone": _text(_max("phone")),
    "postal_address": _text(),
    "date_of_birth": _date,
    "age_band": _choice(AgeBand),
    "credit_as": _choice(
        CreditPreference,
        ("full name", CreditPreference.FULL_NAME),
        ("first name only", CreditPreference.FIRST_NAME),
        ("first name", CreditPreference.FIRST_NAME),
        ("anonymous", CreditPreference.ANONYMOUS),
        ("anon", CreditPreference.ANONYMOUS),
        ("do not name me", CreditPreference.ANONYMOUS),
    ),
    "contact_channel": _choice(
        ContactChannel,
        ("text", ContactChannel.TEXT),
        ("sms", ContactChannel.TEXT),
        ("letter", ContactChannel.POST),
        ("support contact", ContactChannel.SUPPORT_CONTACT),
    ),
    "contact_times": _text(_max("contact_times")),
    "check_with_support_contact": _yes_no,
    "access_needs": _text(),
    "support_needs": _text(),
    "support_contact_name": _text(_max("support_contact_name")),
    "support_contact_role": _text(_max("support_contact_role")),
    "support_contact_phone": _text(_max("support_contact_phone")),
    "support_contact_email": _email,
    "lived_experience": None,  # matched against the register's areas, below
    "receives_benefits": _yes_no,
    "status": _choice(PersonStatus),
    "resting_until": _date,
    "left_on": _date,
    "topics_to_avoid": _text(),
    "rest_days_between_involvements": _whole_number,
    "wellbeing_check_in": _choice(
        WellbeingCheckIn,
        ("none", WellbeingCheckIn.NONE),
        ("no", WellbeingCheckIn.NONE),
        ("before and after", WellbeingCheckIn.BEFORE_AND_AFTER),
        ("both", WellbeingCheckIn.BEFORE_AND_AFTER),
    ),
}

#: What each column accepts, for the page and the guide.
COLUMN_HELP = {
    "full_name": "Required. Their full name.",
    "preferred_name": "What they like to be called.",
    "pronouns": "For example she/her, he/him, they/them.",
    "email": "An email address, like name@example.org.",
    "phone": "A phone number.",
    "postal_address": "Their address for letters.",
    "date_of_birth": "YYYY-MM-DD (1990-05-17) or DD/MM/YYYY (17/05/1990).",
    "age_band": f"If you don't have their date of birth: {_list(AgeBand.labels)}.",
    "credit_as": "How to credit them: “full name”, “first name only” or “anonymous”. "
    "Empty means first name only.",
    "contact_channel": f"How they like to be contacted: {_list(ContactChannel.labels)}. "
    "Empty means email.",
    "contact_times": "When it's good to contact them.",
    "check_with_support_contact": "“yes” if we must check with their support contact before "
    "contacting them. Empty means no.",
    "access_needs": "Access needs, in their words.",
    "support_needs": "Support needs, in their words.",
    "support_contact_name": "Their support contact's name.",
    "support_contact_role": "Their support contact's role, like “Support worker”.",
    "support_contact_phone": "Their support contact's phone number.",
    "support_contact_email": "Their support contact's email address.",
    "lived_experience": "Areas of lived experience, separated by semicolons, like "
    "“Care experience; Justice”. Each must be one of this register's areas.",
    "receives_benefits": "“yes” if they receive benefits that payments might affect. Empty "
    "means no.",
    "status": "“active”, “resting” or “left”. Empty means active.",
    "resting_until": "If resting: until when (a date, as for date_of_birth).",
    "left_on": "If they have left: when (a date). Empty means today.",
    "topics_to_avoid": "Topics to avoid, in their words.",
    "rest_days_between_involvements": "Days of rest they want between involvements, 0 to 365.",
    "wellbeing_check_in": f"{_list(WellbeingCheckIn.labels)}. Empty means no check-in.",
}

#: The one fictional example row of the template.
EXAMPLE_ROW = {
    "full_name": "Sam Example",
    "preferred_name": "Sam",
    "pronouns": "they/them",
    "email": "sam@example.org",
    "phone": "07700 900123",
    "postal_address": "1 Example Street, Anytown",
    "date_of_birth": "1994-05-17",
    "age_band": "",
    "credit_as": "first name only",
    "contact_channel": "Email",
    "contact_times": "Weekday mornings",
    "check_with_support_contact": "no",
    "access_needs": "Step-free access",
    "support_needs": "",
    "support_contact_name": "Alex Sample",
    "support_contact_role": "Support worker",
    "support_contact_phone": "01632 960123",
    "support_contact_email": "alex@example.org",
    "lived_experience": "",
    "receives_benefits": "no",
    "status": "active",
    "resting_until": "",
    "left_on": "",
    "topics_to_avoid": "",
    "rest_days_between_involvements": "14",
    "wellbeing_check_in": "Before and after",
}


def _column_key(heading: str) -> str:
    return re.sub(r"[\s_-]+", "_", heading.strip().lstrip("\ufeff").casefold()).strip("_")


def _allowed_columns() -> str:
    return "Allowed columns: " + ", ".join(COLUMNS) + "."


def template_rows(*, area_names: list[str]) -> list[list[str]]:
    """The template file: the header and one fictional row (tagged with up to two of the
    register's own areas, so the example imports as it is)."""
    example = dict(EXAMPLE_ROW, lived_experience="; ".join(area_names[:2]))
    return [list(COLUMNS), [example[column] for column in COLUMNS]]


# ---------------------------------------------------------------------------------------------
# Checking


def people_import_check(*, organisation_id: int, data: bytes) -> ImportCheck:
    """Read and check a file for an organisation's register. Raises ImportFileError when the
    file as a whole can't be used; otherwise every problem is in the result."""
    header, cells = read_cells(data)
    return people_import_check_cells(organisation_id=organisation_id, header=header, cells=cells)


def people_import_check_cells(
    *, organisation_id: int, header: list[str], cells: list[list[str]]
) -> ImportCheck:
    """Check cells already read from a file (again, at confirmation): every row, every column."""
    check = ImportCheck(header=header, cells=cells)
    columns = _check_header(header, check.problems)
    unnamed = [position for position, heading in enumerate(header) if not _column_key(heading)]
    areas = _AreaMatcher(organisation_id)
    for index, row in enumerate(cells):
        number = index + 2  # as a spreadsheet shows it: the header is row 1
        if not any(row):
            continue
        if len(row) > len(header) and any(row[len(header) :]):
            check.problems.append(
                ImportProblem(
                    number,
                    "",
                    "",
                    f"This row has {len(row)} values but the header has {len(header)} columns.",
                    "Check for a comma or semicolon inside a value: put that value in double "
                    "quotes.",
                )
            )
            continue
        for position in unnamed:
            if position < len(row) and row[position]:
                check.problems.append(
                    ImportProblem(
                        number,
                        f"{position + 1} (no name)",
                        row[position],
                        "is in a column with no name in the header row.",
                        "Name the column in row 1, or remove the value.",
                    )
                )
        person_row = _check_row(number, row, columns, areas, organisation_id, check.problems)
        if person_row is not None:
            check.rows.append(person_row)
    if check.problems:
        check.rows = []
    else:
        _flag_duplicates(organisation_id, check.rows)
    return check


def _check_header(header: list[str], problems: list[ImportProblem]) -> dict[int, str]:
    """{position: column} for the columns we know; problems for the rest."""
    columns: dict[int, str] = {}
    seen: dict[str, int] = {}
    for position, heading in enumerate(header):
        key = _column_key(heading)
        if not key:
            continue  # an unnamed column: allowed only if every cell in it is empty (below)
        if key not in COLUMNS:
            problems.append(
                ImportProblem(
                    1, str(position + 1), heading, "is not a column we know.", _allowed_columns()
                )
            )
        elif key in seen:
            problems.append(
                ImportProblem(
                    1,
                    str(position + 1),
                    heading,
                    f"appears twice (columns {seen[key] + 1} and {position + 1}).",
                    "Keep one of them.",
                )
            )
        else:
            seen[key] = position
            columns[position] = key
    if "full_name" not in seen:
        problems.append(
            ImportProblem(
                1,
                "full_name",
                "",
                "There is no full_name column.",
                "Every file needs one: add it to the header row. " + _allowed_columns(),
            )
        )
    return columns


class _AreaMatcher:
    """The register's areas of lived experience, matched by name whatever the case."""

    def __init__(self, organisation_id: int):
        areas = list(LivedExperienceArea.objects.filter(organisation_id=organisation_id))
        self.by_name = {_fold(area.name): area for area in areas}
        self.active = sorted((a.name for a in areas if a.is_active), key=str.casefold)

    def allowed(self) -> str:
        if not self.active:
            return (
                "This register has no areas of lived experience yet. Add them under Areas of "
                "lived experience first, or leave this column empty."
            )
        listed = ", ".join(self.active[:_AREAS_LISTED])
        more = len(self.active) - _AREAS_LISTED
        return f"Allowed: {listed}{f' and {more} more' if more > 0 else ''}."

    def match(self, value: str, number: int, problems) -> list[LivedExperienceArea]:
        found = []
        for name in value.split(";"):
            if not name.strip():
                continue
            area = self.by_name.get(_fold(name))
            if area is None or not area.is_active:
                why = (
                    "is no longer used on this register."
                    if area is not None
                    else "is not one of this register's areas."
                )
                problems.append(
                    ImportProblem(number, "lived_experience", name.strip(), why, self.allowed())
                )
            elif area not in found:
                found.append(area)
        return found


def _check_row(number, row, columns, areas, organisation_id, problems) -> ImportRow | None:
    before = len(problems)
    fields: dict = {}
    given: dict[str, str] = {}
    row_areas: list[LivedExperienceArea] = []
    for position, column in columns.items():
        value = row[position] if position < len(row) else ""
        given[column] = value
        if column == "lived_experience":
            row_areas = areas.match(value, number, problems)
            continue
        try:
            parsed = COLUMNS[column](value)
        except CellError as error:
            problems.append(ImportProblem(number, column, value, error.problem, error.allowed))
            continue
        if parsed is not None:
            fields[column] = parsed
    if len(problems) > before:
        return None
    warnings = _ignored_values(fields)
    person = Person(organisation_id=organisation_id, **fields)
    try:
        _clean_person(person)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            problems.extend(
                ImportProblem(number, name, given.get(name, ""), message) for message in messages
            )
        return None
    return ImportRow(number=number, fields=fields, areas=row_areas, warnings=warnings)


def _ignored_values(fields: dict) -> list[str]:
    """Values the register will not keep, so the preview can say so."""
    warnings = []
    status = fields.get("status") or PersonStatus.ACTIVE
    if fields.get("resting_until") and status != PersonStatus.RESTING:
        warnings.append("resting_until is only kept for people who are resting: it is left out.")
    if fields.get("left_on") and status != PersonStatus.LEFT:
        warnings.append("left_on is only kept for people who have left: it is left out.")
    if fields.get("date_of_birth") and fields.get("age_band"):
        warnings.append(
            "age_band is worked out from date_of_birth: the age band given is not used."
        )
    return warnings


def _flag_duplicates(organisation_id: int, rows: list[ImportRow]) -> None:
    """Probable duplicates, as warnings: the rule of selectors.person_probable_duplicates (the
    same email, or the same name and date of birth), against the register in one query and
    within the file."""
    emails = {row.email.casefold() for row in rows if row.email}
    names = {row.full_name.casefold() for row in rows if row.fields.get("date_of_birth")}
    existing = (
        Person.objects.not_erased()
        .filter(organisation_id=organisation_id)
        .annotate(email_folded=Lower("email"), name_folded=Lower("full_name"))
        .filter(Q(email_folded__in=emails) | Q(name_folded__in=names, date_of_birth__isnull=False))
        .order_by("pk")
        .values_list("pk", "email_folded", "name_folded", "date_of_birth")
        if emails or names
        else []
    )
    by_email: dict[str, list[str]] = {}
    by_name: dict[tuple, list[str]] = {}
    for pk, email, name, born in existing:
        reference = Person(pk=pk).reference
        if email:
            by_email.setdefault(email, []).append(reference)
        if born:
            by_name.setdefault((name, born), []).append(reference)
    first_email: dict[str, int] = {}
    first_name: dict[tuple, int] = {}
    for row in rows:
        email = row.email.casefold()
        born = row.fields.get("date_of_birth")
        name_key = (row.full_name.casefold(), born)
        if email and email in by_email:
            row.warnings.append(
                f"Probably already on the register: {', '.join(by_email[email])} has the same "
                "email address."
            )
        if born and name_key in by_name:
            row.warnings.append(
                f"Probably already on the register: {', '.join(by_name[name_key])} has the same "
                "name and date of birth."
            )
        if email:
            if email in first_email:
                row.warnings.append(f"Same email address as row {first_email[email]}.")
            else:
                first_email[email] = row.number
        if born:
            if name_key in first_name:
                row.warnings.append(f"Same name and date of birth as row {first_name[name_key]}.")
            else:
                first_name[name_key] = row.number


# ---------------------------------------------------------------------------------------------
# Between the preview and the confirmation


class CheckedFileInvalid(Exception):
    """The signed file from the preview can't be used; the message says what to do."""


def checked_file_sign(*, user_id: int, organisation_id: int, check: ImportCheck) -> str:
    signed = signing.dumps(
        {"u": user_id, "o": organisation_id, "h": check.header, "c": check.cells},
        salt=_SALT,
        compress=True,
    )
    if len(signed) > _MAX_SIGNED_CHARS:
        raise ImportFileError(
            "This file is too big to add in one go. Split it into two smaller files."
        )
    return signed


def checked_file_unsign(signed: str, *, user_id: int) -> tuple[int, list[str], list[list[str]]]:
    """(organisation id, header, cells) of a file checked in the last hour by this user."""
    try:
        data = signing.loads(signed, salt=_SALT, max_age=CHECKED_FILE_MAX_AGE)
    except signing.SignatureExpired:
        raise CheckedFileInvalid(
            "More than an hour has passed since the file was checked, so nothing has been "
            "added. To keep people's information safe we don't keep the file. Upload it again."
        ) from None
    except (signing.BadSignature, ValueError, TypeError, UnicodeError, OverflowError):
        raise CheckedFileInvalid(NOT_AS_CHECKED) from None
    try:
        if data["u"] != user_id:
            raise CheckedFileInvalid(NOT_AS_CHECKED)
        organisation_id = int(data["o"])
        header = [str(cell) for cell in data["h"]]
        cells = [[str(cell) for cell in row] for row in data["c"]]
    except (KeyError, TypeError, ValueError):
        raise CheckedFileInvalid(NOT_AS_CHECKED) from None
    return organisation_id, header, cells


NOT_AS_CHECKED = (
    "We couldn't confirm this is the file you checked, so nothing has been added. Upload the "
    "file again."
)
