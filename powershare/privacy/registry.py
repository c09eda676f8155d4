"""The one list of everything PowerShare holds about a person, app by app.

Each app registers every model that refers to a person, with how to find that person's rows and
how to erase them. The subject access export and erasure walk this registry, so a capability
added later only has to register its models here (usually in its `privacy_registration.py`).
A test fails when a model with a foreign key to Person is missing.

Places that hold a person's identity without a foreign key (sign-in attempts, which record the
email address typed) register a *sweep*: a function called with the person's identity strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class PersonalDataEntry:
    model: type[Model]
    #: The lookup from this model to the Person: "pk" for Person itself, "person" for most.
    person_lookup: str
    #: A heading for the person's export, in plain words ("Consent records").
    label: str
    #: Removes or replaces identity and free text in the person's rows. Called with the person
    #: and a queryset of their rows; anonymous counts must stay correct (update, don't delete,
    #: unless the rows themselves are personal and counted nowhere).
    erase: Callable[[Model, QuerySet], None]
    #: Fields left out of the export because they hold secrets, not personal data.
    export_exclude: tuple[str, ...] = field(default_factory=tuple)
    #: The order sections appear in the export.
    order: int = 100
    #: Changes one exported row (a dict of field values) before it is written, for rows whose
    #: stored values must not leave as they are (the words of a withdrawn contribution).
    export_clean: Callable[[Model, dict], dict] | None = None

    def rows_for(self, person) -> QuerySet:
        return self.model._default_manager.filter(**{self.person_lookup: person.pk}).order_by("pk")


_ENTRIES: dict[type[Model], PersonalDataEntry] = {}
_SWEEPS: list[Callable[[Model, Iterable[str]], None]] = []


def register(
    model: type[Model],
    *,
    person_lookup: str,
    label: str,
    erase: Callable[[Model, QuerySet], None],
    export_exclude: Iterable[str] = (),
    order: int = 100,
    export_clean: Callable[[Model, dict], dict] | None = None,
) -> None:
    _ENTRIES[model] = PersonalDataEntry(
        model=model,
        person_lookup=person_lookup,
        label=label,
        erase=erase,
        export_exclude=tuple(export_exclude),
        order=order,
        export_clean=export_clean,
    )


def register_sweep(sweep: Callable[[Model, Iterable[str]], None]) -> None:
    """A function called at erasure with (person, identity strings) for places that keep a
    person's identity without a foreign key to them."""
    if sweep not in _SWEEPS:
        _SWEEPS.append(sweep)


def entries() -> list[PersonalDataEntry]:
    return sorted(_ENTRIES.values(), key=lambda entry: (entry.order, entry.label))


def entry_for(model: type[Model]) -> PersonalDataEntry | None:
    return _ENTRIES.get(model)


def sweeps() -> list[Callable[[Model, Iterable[str]], None]]:
    return list(_SWEEPS)


def blank_fields(*field_names: str, replacement: str = "") -> Callable[[Model, QuerySet], None]:
    """An eraser that blanks the named text fields in every one of the person's rows."""

    def erase(person, rows: QuerySet) -> None:
        rows.update(**dict.fromkeys(field_names, replacement))

    return erase


def keep_rows(person, rows: QuerySet) -> None:
    """An eraser for rows that hold nothing identifying once the person themselves is erased
    (a link and a date, say): they stay, so counts stay right."""
