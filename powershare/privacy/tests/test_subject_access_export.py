"""THE subject access test: the export holds every field of every registered model, with the
person's own values, as data and as a page they can read."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import escape

from powershare.privacy import registry
from powershare.privacy.export import person_export_zip
from powershare.privacy.services import subject_access_request_create

from .builders import ensure_a_row_in_every_registered_model, make_rich_person


def _exportable_fields(entry) -> list:
    model = entry.model
    return [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.name not in entry.export_exclude
    ]


def _as_json(value):
    """A database value as the export's JSON holds it."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | Decimal):
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    return value


def _assert_row_matches(obj, exported: dict, entry) -> None:
    label = entry.model._meta.label
    for field in _exportable_fields(entry):
        assert field.name in exported, f"{label}.{field.name} is missing from the export"
        got = exported[field.name]
        if field.many_to_many:
            expected = sorted(str(item) for item in getattr(obj, field.name).all())
            assert sorted(got) == expected, f"{label}.{field.name}"
            continue
        value = field.value_from_object(obj)
        if field.is_relation:
            assert (got or {}).get("id") == value, f"{label}.{field.name}"
        elif field.choices and value not in (None, ""):
            assert got["value"] == value, f"{label}.{field.name}"
            assert got["label"], f"{label}.{field.name} has no readable label"
        else:
            assert got == _as_json(value), f"{label}.{field.name}: {got!r} != {value!r}"


def test_the_export_holds_every_field_of_every_registered_model(
    personas, samples, django_capture_on_commit_callbacks
):
    person = make_rich_person(personas)
    with django_capture_on_commit_callbacks(execute=True):
        subject_access_request_create(
            actor=personas.alice,
            person=person,
            received_on=datetime.date.today(),
            how_received="By letter",
        )
    ensure_a_row_in_every_registered_model(person, personas.alice)
    other = samples["person"]  # someone else: nothing of theirs may appear

    archive = zipfile.ZipFile(io.BytesIO(person_export_zip(person)))
    assert sorted(archive.namelist()) == ["your-data.html", "your-data.json"]
    data = json.loads(archive.read("your-data.json"))
    html = archive.read("your-data.html").decode()

    sections = {section["model"]: section for section in data["sections"]}
    assert data["about"]["person"] == person.reference
    for entry in registry.entries():
        label = entry.model._meta.label
        assert label in sections, f"{label} has no section in the export"
        section = sections[label]
        rows = list(entry.rows_for(person))
        assert rows, f"{label}: the test should have given the person a row"
        assert len(section["rows"]) == len(rows), label
        expected_names = {field.name for field in _exportable_fields(entry)}
        assert set(section["fields"]) == expected_names, label
        for obj, exported in zip(rows, section["rows"], strict=True):
            assert set(exported) == expected_names, label
            _assert_row_matches(obj, exported, entry)
        for secret in entry.export_exclude:
            assert all(secret not in row for row in section["rows"]), f"{label}.{secret}"
        assert f"<h2>{escape(entry.label)}</h2>" in html, f"the page has no heading for {label}"

    assert person.full_name in html
    assert person.email in html
    assert other.full_name not in html
    assert other.full_name not in json.dumps(data)
    assert "Who changed your records" in html
    assert "Who looked at your records" in html


def test_the_export_lists_who_changed_and_who_looked(personas, samples, client_for):
    from django.urls import reverse

    person = samples["person"]
    request = samples["subject_access_request"]
    client_for("alice").get(reverse("privacy:subject_access_detail", args=[request.pk]))
    data = json.loads(zipfile.ZipFile(io.BytesIO(person_export_zip(person))).read("your-data.json"))
    assert any(view["what"].startswith(person.reference) for view in data["views"])
    assert all(person.full_name not in view["what"] for view in data["views"])
