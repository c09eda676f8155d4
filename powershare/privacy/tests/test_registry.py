"""THE registry completeness test: every model that points at a person is in the personal data
registry, so subject access exports it and erasure erases it."""

from django.apps import apps
from django.db import models

from powershare.people.models import Person
from powershare.privacy import registry


def _models_pointing_at_person() -> list[tuple[type[models.Model], str]]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.ForeignKey | models.OneToOneField)
                and field.related_model is Person
            ):
                found.append((model, field.name))
    return found


def _is_part_of_person(model) -> bool:
    """Many-to-many tables Django makes for Person's own fields (Person.areas) are part of
    the person's record, exported and kept with it."""
    return model._meta.auto_created and any(
        field.remote_field.through is model
        for field in Person._meta.many_to_many
        if field.remote_field is not None
    )


def test_every_model_that_points_at_a_person_is_registered():
    missing = [
        f"{model._meta.label} (its field “{field_name}” points at people.Person)"
        for model, field_name in _models_pointing_at_person()
        if not _is_part_of_person(model) and registry.entry_for(model) is None
    ]
    assert not missing, (
        "These models hold data about a person but are not in the personal data registry, so a "
        "subject access export would leave them out and erasure would leave them behind. "
        "Register each in its app's privacy_registration.py (see docs/data-protection.md): "
        + "; ".join(missing)
    )


def test_the_check_would_notice_a_model_it_does_not_know():
    """The check itself works: Person's own many-to-many table is found, and counted as part
    of Person."""
    pointing = {model for model, _ in _models_pointing_at_person()}
    through = Person.areas.through
    assert through in pointing
    assert _is_part_of_person(through)
    assert not _is_part_of_person(registry.entry_for(Person).model)


def test_every_registered_entry_finds_the_persons_rows(personas):
    person = personas.erin_person
    for entry in registry.entries():
        # A lookup that does not reach Person would raise here, not at erasure time.
        list(entry.rows_for(person)[:1])
        assert callable(entry.erase), entry.model._meta.label
        assert entry.label, entry.model._meta.label
        for name in entry.export_exclude:
            entry.model._meta.get_field(name)  # a typo would leave a secret in the export


def test_the_persons_own_record_comes_first_in_the_export():
    entries = registry.entries()
    assert entries[0].model is Person
