"""Adding people from a CSV file: check every row, preview, then add everyone or nobody."""

import csv
import datetime
import html
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Role
from powershare.people import imports
from powershare.people.models import (
    AgeBand,
    ContactChannel,
    CreditPreference,
    LivedExperienceArea,
    Person,
    PersonStatus,
    WellbeingCheckIn,
)
from powershare.people.services import lived_experience_area_create, people_import

IMPORT = reverse("people:import")
HEADER = ["full_name", "email", "date_of_birth", "lived_experience", "status"]


@pytest.fixture
def areas(personas):
    return {
        name: lived_experience_area_create(
            actor=personas.alice, organisation_id=personas.council_a.pk, name=name
        )
        for name in ("Care experience", "Justice")
    }


def _csv(*rows, header=HEADER, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _upload(client, content: bytes, name="people.csv", **data):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content), **data})


def _body(response) -> str:
    return html.unescape(response.content.decode())


def _confirm(client, preview, form_token=None):
    checked = preview.context["form"].initial["checked_file"]
    return client.post(
        IMPORT, {"checked_file": checked, "form_token": form_token or "one-time-form"}
    )


def _problems(response) -> list[str]:
    return [str(problem) for problem in response.context["problems"]]


def _good_rows(count: int, start: int = 1):
    return [
        [f"Person {n} Example", f"person{n}@example.org", "1990-05-17", "Justice", "active"]
        for n in range(start, start + count)
    ]


# ---------------------------------------------------------------------------------------------
# The acceptance test


def test_a_bad_email_and_an_unknown_area_are_both_named_by_row_and_column_and_nobody_is_added(
    client_for, personas, areas
):
    before = Person.objects.count()
    content = _csv(
        ["Sam Example", "sam@example.org", "", "Care experience", ""],
        ["Kim Example", "sam@@example", "", "", ""],
        ["Lee Example", "lee@example.org", "", "Justice; Fostering", ""],
    )
    response = _upload(client_for("alice"), content)

    assert response.status_code == 200
    assert _problems(response) == [
        "Row 3, column email: “sam@@example” is not an email address. Enter an address like "
        "name@example.org.",
        "Row 4, column lived_experience: “Fostering” is not one of this register's areas. "
        "Allowed: Care experience, Justice.",
    ]
    body = _body(response)
    assert "The file has 2 problems in 2 rows. Nobody has been added." in body
    for problem in _problems(response):
        assert problem in body
    assert "<title>Error: " in body
    assert "Upload the corrected file" in body
    assert Person.objects.count() == before


# ---------------------------------------------------------------------------------------------
# Preview, then add


def test_a_good_file_is_previewed_then_everyone_is_added_with_their_areas(
    client_for, personas, areas
):
    before = Person.objects.count()
    client = client_for("alice")
    content = _csv(
        ["Sam Example", "Sam@Example.org", "17/05/1990", "care experience; JUSTICE", ""],
        ["Kim Example", "", "", "", "resting"],
    )
    preview = _upload(client, content)
    body = _body(preview)
    assert preview.status_code == 200
    assert "2 people will be added to the register." in body
    assert "Add these 2 people" in body
    assert "Sam Example" in body
    assert "Care experience, Justice" in body
    assert Person.objects.count() == before, "the preview writes nothing"

    response = _confirm(client, preview)

    assert response.status_code == 302
    assert response["Location"] == reverse("people:list")
    assert Person.objects.count() == before + 2
    sam = Person.objects.get(full_name="Sam Example")
    assert sam.organisation == personas.council_a
    assert sam.created_by == personas.alice
    assert sam.email == "sam@example.org"
    assert sam.date_of_birth == datetime.date(1990, 5, 17)
    assert set(sam.areas.all()) == set(areas.values())
    assert Person.objects.get(full_name="Kim Example").status == PersonStatus.RESTING
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "2 people added to the register."
    ]


def test_one_person_reads_as_one_person(client_for, personas, areas):
    preview = _upload(client_for("alice"), _csv(["Sam Example", "", "", "", ""]))
    body = _body(preview)
    assert "1 person will be added" in body
    assert "Add this person" in body


def test_a_mistake_late_in_the_file_means_nobody_is_added(client_for, personas, areas):
    before = Person.objects.count()
    rows = _good_rows(30) + [["Late Example", "late@example.org", "2999-01-01", "", ""]]
    response = _upload(client_for("alice"), _csv(*rows))
    assert _problems(response) == [
        "Row 32, column date_of_birth (“2999-01-01”): Date of birth must be today or in the past."
    ]
    assert "Add these" not in _body(response)
    assert Person.objects.count() == before


def test_the_service_adds_everyone_or_nobody(personas, areas):
    before = Person.objects.count()
    rows = [{"full_name": "Sam Example", "areas": [areas["Justice"]], "row_number": 2}]
    rows.append(
        {
            "full_name": "Kim Example",
            "status": "left",
            "left_on": datetime.date(2999, 1, 1),
            "row_number": 3,
        }
    )
    with pytest.raises(ValidationError, match="Row 3: The date they left"):
        people_import(actor=personas.alice, organisation_id=personas.council_a.pk, rows=rows)
    assert Person.objects.count() == before


def test_what_the_areas_were_when_checked_is_checked_again_when_adding(client_for, personas, areas):
    before = Person.objects.count()
    client = client_for("alice")
    preview = _upload(client, _csv(*_good_rows(3)))
    LivedExperienceArea.objects.filter(name="Justice").update(is_active=False)

    response = _confirm(client, preview)

    body = _body(response)
    assert response.status_code == 200
    assert "Something on the register changed after you checked the file." in body
    assert "Row 2, column lived_experience: “Justice” is no longer used on this register." in body
    assert Person.objects.count() == before


def test_pressing_add_twice_adds_everyone_once(client_for, personas, areas):
    before = Person.objects.count()
    client = client_for("alice")
    preview = _upload(client, _csv(*_good_rows(3)))

    first = _confirm(client, preview, form_token="same-form")
    second = _confirm(client, preview, form_token="same-form")

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Person.objects.count() == before + 3
    assert "You had already sent this form, so nothing new was saved." in [
        str(m) for m in get_messages(second.wsgi_request)
    ]


# ---------------------------------------------------------------------------------------------
# The checked file travels signed


def test_a_changed_checked_file_is_refused_kindly(client_for, personas, areas):
    before = Person.objects.count()
    client = client_for("alice")
    preview = _upload(client, _csv(*_good_rows(2)))
    checked = preview.context["form"].initial["checked_file"]
    tampered = checked[:-3] + ("AAA" if not checked.endswith("AAA") else "BBB")
    forged = signing.dumps(
        {"u": personas.alice.pk, "o": personas.council_a.pk, "h": ["full_name"], "c": [["X"]]},
        salt="another salt",
        compress=True,
    )

    for value in (tampered, forged, "", "not even close", "\x00" * 10):
        response = client.post(IMPORT, {"checked_file": value, "form_token": value[:10]})
        assert response.status_code == 200
        assert "We couldn't confirm this is the file you checked, so nothing has been added." in (
            _body(response)
        )
    assert Person.objects.count() == before


def test_a_checked_file_lasts_an_hour(client_for, personas, areas, monkeypatch):
    client = client_for("alice")
    preview = _upload(client, _csv(*_good_rows(2)))
    before = Person.objects.count()
    later = datetime.datetime.now().timestamp() + 61 * 60
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = _confirm(client, preview)

    assert "More than an hour has passed since the file was checked" in _body(response)
    assert Person.objects.count() == before


def test_nobody_else_can_use_a_checked_file(client_for, personas, areas):
    lead = Membership.objects.create(
        user=User.objects.create_user(
            email="second.lead@a.example", password="x", full_name="Second Lead"
        ),
        organisation=personas.council_a,
        role=Role.PARTICIPATION_LEAD,
    )
    preview = _upload(client_for("alice"), _csv(*_good_rows(2)))
    before = Person.objects.count()
    client = client_for(None)
    client.force_login(lead.user)

    response = _confirm(client, preview)

    assert "We couldn't confirm this is the file you checked" in _body(response)
    assert Person.objects.count() == before


# ---------------------------------------------------------------------------------------------
# Who may


@pytest.mark.parametrize("persona", ["bob", "erin", "admin", "nina", "dora"])
def test_only_participation_leads_add_people_from_a_file(client_for, personas, persona):
    client = client_for(persona)
    assert client.get(IMPORT).status_code == 404
    assert client.get(reverse("people:import_template")).status_code == 404
    assert _upload(client, _csv(*_good_rows(1))).status_code == 404


def test_participation_leads_see_the_upload_page(client_for, personas):
    response = client_for("alice").get(IMPORT)
    body = _body(response)
    assert response.status_code == 200
    assert "Download the template (CSV file)" in body
    assert 'accept=".csv,text/csv"' in body
    assert 'enctype="multipart/form-data"' in body
    assert "organisation" not in response.context["form"].fields


def test_charlie_adds_people_to_council_b_only(client_for, personas, areas):
    client = client_for("charlie")
    preview = _upload(
        client, _csv(["Cal Example", "", "", "", ""]), organisation=personas.council_a.pk
    )
    _confirm(client, preview)
    assert Person.objects.get(full_name="Cal Example").organisation == personas.council_b

    # Nor can he reach council A with a checked file made for council A, signed or not.
    alices = _upload(client_for("alice"), _csv(["Ali Example", "", "", "", ""]))
    forged = signing.dumps(
        {"u": personas.charlie.pk, "o": personas.council_a.pk, "h": HEADER, "c": [["A"]]},
        salt=imports._SALT,
        compress=True,
    )
    client = client_for("charlie")
    for checked in (alices.context["form"].initial["checked_file"], forged):
        response = client.post(IMPORT, {"checked_file": checked})
        assert "nothing has been added" in _body(response)
    assert not Person.objects.filter(full_name__in=["Ali Example", "A"]).exists()


def test_council_a_areas_are_not_council_bs(client_for, personas, areas):
    response = _upload(client_for("charlie"), _csv(["Cal Example", "", "", "Justice", ""]))
    assert _problems(response) == [
        "Row 2, column lived_experience: “Justice” is not one of this register's areas. This "
        "register has no areas of lived experience yet. Add them under Areas of lived experience "
        "first, or leave this column empty."
    ]


def test_someone_who_runs_two_registers_chooses_which(client_for, personas, areas):
    Membership.objects.create(
        user=personas.alice, organisation=personas.council_b, role=Role.PARTICIPATION_LEAD
    )
    client = client_for("alice")
    assert "organisation" in client.get(IMPORT).context["form"].fields
    missing = _upload(client, _csv(["Bea Example", "", "", "", ""]))
    assert "Choose an organisation" in _body(missing)

    preview = _upload(
        client, _csv(["Bea Example", "", "", "", ""]), organisation=personas.council_b.pk
    )
    assert "will be added to Angus Council's register" in _body(preview)
    _confirm(client, preview)
    assert Person.objects.get(full_name="Bea Example").organisation == personas.council_b


# ---------------------------------------------------------------------------------------------
# Files as people really have them


def test_a_semicolon_file_with_a_byte_order_mark_works(client_for, personas, areas):
    content = b"\xef\xbb\xbf" + _csv(
        ["Zoë Example", "zoe@example.org", "17/05/1990", "Care experience; Justice", "active"],
        delimiter=";",
    )
    preview = _upload(client_for("alice"), content)
    assert preview.context["check"].ok
    row = preview.context["check"].rows[0]
    assert row.full_name == "Zoë Example"
    assert row.area_names == "Care experience, Justice"


def test_a_windows_1252_file_works(client_for, personas, areas):
    content = _csv(["Zoë O’Neill", "", "", "", ""], encoding="cp1252")
    preview = _upload(client_for("alice"), content)
    assert preview.context["check"].rows[0].full_name == "Zoë O’Neill"


def test_headers_are_matched_whatever_their_case_and_spacing(client_for, personas, areas):
    content = _csv(
        ["Sam Example", "17/05/1990", "yes"],
        header=["Full Name", " DATE OF BIRTH", "receives-benefits"],
    )
    preview = _upload(client_for("alice"), content)
    row = preview.context["check"].rows[0]
    assert row.fields["date_of_birth"] == datetime.date(1990, 5, 17)
    assert row.fields["receives_benefits"] is True


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(client_for, personas):
    content = _csv(
        ["Sam Example", "", "", "", ""], ["", "", "", "", ""], ["Kim", "bad", "", "", ""]
    )
    response = _upload(client_for("alice"), content)
    assert _problems(response)[0].startswith("Row 4, column email: “bad”")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\r\n\r\n", "The file is empty."),
        (b"full_name,email\r\n", "The file has a header row but no people."),
        (bytes(range(256)) * 20, "We couldn't read this file as text."),
        (b"\x00\x01\x02\x03binary", "We couldn't read this file as text."),
        (b"PK\x03\x04 zipped spreadsheet", "This looks like an Excel file, not a CSV file."),
        (b'full_name\r\n"Sam Example\r\n' + b"x" * 200_000, "We couldn't read row"),
    ],
    ids=["empty", "blank", "header-only", "binary", "control", "excel", "open-quote"],
)
def test_files_that_cant_be_used_get_a_kind_message(client_for, personas, content, message):
    before = Person.objects.count()
    response = _upload(client_for("alice"), content)
    assert response.status_code == 200
    assert message in _body(response)
    assert "ds_file-upload__input--error" in response.content.decode()
    assert Person.objects.count() == before


def test_no_file_chosen_is_explained(client_for, personas):
    response = client_for("alice").post(IMPORT, {})
    assert "Choose a CSV file to upload" in _body(response)


def test_a_file_over_2_mb_is_refused(client_for, personas):
    content = _csv(*(["Sam Example " + "x" * 150, "", "", "", ""] for _ in range(14_000)))
    assert len(content) > imports.MAX_FILE_BYTES
    response = _upload(client_for("alice"), content)
    assert "It must be 2 MB or smaller" in _body(response)


def test_more_than_1000_people_are_refused(client_for, personas):
    response = _upload(
        client_for("alice"), _csv(*([f"P{n}"] for n in range(1001)), header=["full_name"])
    )
    assert "The file has more than 1,000 people." in _body(response)


def test_the_wrong_delimiter_names_the_unknown_column(client_for, personas):
    content = b"full_name|email\r\nSam Example|sam@example.org\r\n"
    problems = _problems(_upload(client_for("alice"), content))
    assert problems[0].startswith(
        "Row 1, column 1: “full_name|email” is not a column we know. Allowed columns: full_name, "
        "preferred_name, pronouns, email,"
    )
    assert problems[1].startswith("Row 1, column full_name: There is no full_name column.")


def test_unknown_and_repeated_columns_are_named(client_for, personas):
    content = _csv(["Sam", "blue", "Sam"], header=["full_name", "Favourite colour", "Full name"])
    problems = _problems(_upload(client_for("alice"), content))
    assert problems[0].startswith("Row 1, column 2: “Favourite colour” is not a column we know.")
    assert "wellbeing_check_in." in problems[0]
    assert (
        problems[1]
        == "Row 1, column 3: “Full name” appears twice (columns 1 and 3). Keep one of them."
    )


def test_values_outside_the_columns_are_explained(client_for, personas):
    content = b"full_name,,email\r\nSam Example,oops,sam@example.org\r\nKim,a,b,c,d\r\n"
    problems = _problems(_upload(client_for("alice"), content))
    assert problems[0] == (
        "Row 2, column 2 (no name): “oops” is in a column with no name in the header row. Name "
        "the column in row 1, or remove the value."
    )
    assert problems[1].startswith("Row 3: This row has 5 values but the header has 3 columns.")


def test_a_missing_full_name_is_explained(client_for, personas):
    problems = _problems(_upload(client_for("alice"), _csv(["", "sam@example.org", "", "", ""])))
    assert problems == ["Row 2, column full_name: This is empty. Enter the person's full name."]


# ---------------------------------------------------------------------------------------------
# Values


@pytest.mark.parametrize("written", ["1990-05-17", "17/05/1990", "17/5/1990"])
def test_dates_in_either_format(client_for, personas, written):
    preview = _upload(client_for("alice"), _csv(["Sam", "", written, "", ""]))
    assert preview.context["check"].rows[0].fields["date_of_birth"] == datetime.date(1990, 5, 17)


@pytest.mark.parametrize("written", ["1990/05/17", "31/02/1990", "17 May 1990", "05-17-1990"])
def test_dates_we_cant_read_are_explained(client_for, personas, written):
    problems = _problems(_upload(client_for("alice"), _csv(["Sam", "", written, "", ""])))
    assert problems == [
        f"Row 2, column date_of_birth: “{written}” is not a date we can read. Use YYYY-MM-DD, "
        "like 1990-05-17, or DD/MM/YYYY, like 17/05/1990."
    ]


@pytest.mark.parametrize(
    ("written", "meaning"),
    [("yes", True), ("Yes", True), ("Y", True), ("TRUE", True), ("no", False), ("", False)],
)
def test_yes_and_no(client_for, personas, written, meaning):
    content = _csv(
        ["Sam", written, written],
        header=["full_name", "receives_benefits", "check_with_support_contact"],
    )
    fields = _upload(client_for("alice"), content).context["check"].rows[0].fields
    assert fields["receives_benefits"] is meaning
    assert fields["check_with_support_contact"] is meaning


def test_neither_yes_nor_no_is_explained(client_for, personas):
    content = _csv(["Sam", "maybe"], header=["full_name", "receives_benefits"])
    assert _problems(_upload(client_for("alice"), content)) == [
        "Row 2, column receives_benefits: “maybe” is not yes or no. Enter “yes” or “no”, or "
        "leave it empty for no."
    ]


def test_choices_by_label_or_value(client_for, personas):
    header = ["full_name", "age_band", "credit_as", "contact_channel", "wellbeing_check_in"]
    content = _csv(
        ["A", "16 or 17", "full name", "Text message", "Before and after"],
        ["B", "16_17", "Anonymous", "support_contact", "none"],
        ["C", "65 OR OVER", "first name only", "letter", "after"],
        header=header,
    )
    rows = _upload(client_for("alice"), content).context["check"].rows
    assert [row.fields for row in rows] == [
        {
            "full_name": "A",
            "age_band": AgeBand.AGED_16_TO_17,
            "credit_as": CreditPreference.FULL_NAME,
            "contact_channel": ContactChannel.TEXT,
            "wellbeing_check_in": WellbeingCheckIn.BEFORE_AND_AFTER,
        },
        {
            "full_name": "B",
            "age_band": AgeBand.AGED_16_TO_17,
            "credit_as": CreditPreference.ANONYMOUS,
            "contact_channel": ContactChannel.SUPPORT_CONTACT,
            "wellbeing_check_in": WellbeingCheckIn.NONE,
        },
        {
            "full_name": "C",
            "age_band": AgeBand.AGED_65_AND_OVER,
            "credit_as": CreditPreference.FIRST_NAME,
            "contact_channel": ContactChannel.POST,
            "wellbeing_check_in": WellbeingCheckIn.AFTER,
        },
    ]


def test_a_choice_we_dont_know_lists_the_allowed_ones(client_for, personas):
    content = _csv(
        ["Sam", "pigeon", "sometimes"], header=["full_name", "contact_channel", "status"]
    )
    assert _problems(_upload(client_for("alice"), content)) == [
        "Row 2, column contact_channel: “pigeon” is not one of the choices. Allowed: “Email”, "
        "“Phone call”, “Text message”, “Letter” or “Through my support contact”.",
        "Row 2, column status: “sometimes” is not one of the choices. Allowed: “Active”, "
        "“Resting” or “Left”.",
    ]


def test_the_registers_own_rules_apply(client_for, personas):
    content = _csv(
        ["Sam", "resting", "2000-01-01", "", "400"],
        ["Kim", "left", "", "2999-01-01", "-1"],
        ["Lee", "active", "", "", "seven"],
        header=[
            "full_name",
            "status",
            "resting_until",
            "left_on",
            "rest_days_between_involvements",
        ],
    )
    assert _problems(_upload(client_for("alice"), content)) == [
        "Row 2, column resting_until (“2000-01-01”): Enter a date in the future, or leave it empty.",
        "Row 2, column rest_days_between_involvements (“400”): Enter a number of days from 0 to 365.",
        "Row 3, column left_on (“2999-01-01”): The date they left must be today or in the past.",
        "Row 3, column rest_days_between_involvements (“-1”): Enter a number of days from 0 to 365.",
        "Row 4, column rest_days_between_involvements: “seven” is not a whole number. Enter a "
        "number of days, like 14.",
    ]


def test_text_longer_than_the_register_keeps_is_explained(client_for, personas):
    content = _csv(["Sam", "x" * 41], header=["full_name", "pronouns"])
    assert _problems(_upload(client_for("alice"), content)) == [
        "Row 2, column pronouns (“" + "x" * 41 + "”): This is 41 characters long. Use at most 40."
    ]


# ---------------------------------------------------------------------------------------------
# Probable duplicates are warnings, not errors


def test_probable_duplicates_are_flagged_but_still_added(client_for, personas, samples):
    existing = samples["person"]
    erin = personas.erin_person
    content = _csv(
        ["Someone", existing.email.upper(), "", "", ""],
        ["Erin Edwards", "", "1990-05-17", "", ""],
        ["Twin One", "twin@example.org", "", "", ""],
        ["Twin Two", "TWIN@example.org", "", "", ""],
        ["Nobody Else", "", "", "", ""],
    )
    client = client_for("alice")
    preview = _upload(client, content)
    rows = preview.context["check"].rows
    assert rows[0].warnings == [
        f"Probably already on the register: {existing.reference} has the same email address."
    ]
    assert rows[1].warnings == [
        f"Probably already on the register: {erin.reference} has the same name and date of birth."
    ]
    assert rows[2].warnings == []
    assert rows[3].warnings == ["Same email address as row 4."]
    assert rows[4].warnings == []
    assert "3 of 5 (60%) rows have warnings" in _body(preview)

    before = Person.objects.count()
    _confirm(client, preview)
    assert Person.objects.count() == before + 5


def test_values_the_register_wont_keep_are_warned_about(client_for, personas):
    content = _csv(
        ["Sam", "active", "2999-01-01", "1990-01-01", "16 or 17"],
        header=["full_name", "status", "resting_until", "date_of_birth", "age_band"],
    )
    assert _upload(client_for("alice"), content).context["check"].rows[0].warnings == [
        "resting_until is only kept for people who are resting: it is left out.",
        "age_band is worked out from date_of_birth: the age band given is not used.",
    ]


def test_checking_takes_the_same_number_of_queries_for_few_or_many_rows(
    client_for, personas, areas, django_assert_max_num_queries
):
    client = client_for("alice")
    client.get(IMPORT)
    with CaptureQueriesContext(connection) as few:
        _upload(client, _csv(*_good_rows(2)))
    with django_assert_max_num_queries(len(few.captured_queries)):
        _upload(client, _csv(*_good_rows(200), ["Sam", "person1@example.org", "", "", ""]))


# ---------------------------------------------------------------------------------------------
# The template


def test_the_template_is_a_csv_download_that_imports_as_it_is(client_for, personas, areas):
    client = client_for("alice")
    response = client.get(reverse("people:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people-import-template.csv"'
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == list(imports.COLUMNS)
    assert dict(zip(header, example, strict=True))["lived_experience"] == "Care experience; Justice"

    preview = _upload(client, response.content)
    assert preview.context["check"].ok
    assert preview.context["check"].rows[0].full_name == "Sam Example"


def test_every_column_is_explained(client_for, personas):
    body = _body(client_for("alice").get(IMPORT))
    for column, help_text in imports.COLUMN_HELP.items():
        assert column in body
        assert help_text in body
    assert set(imports.COLUMN_HELP) == set(imports.COLUMNS) == set(imports.EXAMPLE_ROW)


# ---------------------------------------------------------------------------------------------
# No file, however odd, is ever a server error


_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_SETTINGS
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(str.encode),
        st.lists(
            st.lists(st.text(max_size=20), min_size=1, max_size=6), min_size=1, max_size=6
        ).map(
            lambda rows: (
                "full_name,email,date_of_birth,status,lived_experience\n"
                + "\n".join(",".join(row) for row in rows)
            ).encode()
        ),
    )
)
def test_checking_any_file_never_fails(personas, data):
    try:
        check = imports.people_import_check(organisation_id=personas.council_a.pk, data=data)
    except imports.ImportFileError as error:
        message = str(error)
    else:
        message = ""
        assert check.problems or check.rows
        for problem in check.problems:
            assert str(problem).startswith(f"Row {problem.row}")
    assert message or check


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.text(max_size=300))
def test_uploading_any_text_file_never_fails(client_for, personas, text):
    response = _upload(client_for("alice"), text.encode())
    assert response.status_code == 200
    assert re.search(r"There is a problem|problem|will be added", response.content.decode())


def test_a_file_full_of_mistakes_lists_the_first_500(client_for, personas):
    content = _csv(*([f"P{n}", "bad"] for n in range(600)), header=["full_name", "email"])
    body = _body(_upload(client_for("alice"), content))
    assert "The file has 600 problems in 600 rows. Nobody has been added." in body
    assert 'id="problem-500"' in body
    assert 'id="problem-501"' not in body
    assert "The first 500 problems are listed here." in body
    assert "to see the other 100." in body
