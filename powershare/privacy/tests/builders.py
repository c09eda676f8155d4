"""Test helpers for privacy: a person with something in every field, and a row in every model
of the personal data registry."""

import datetime
import decimal

from django.db import models
from django.utils import timezone

from powershare.people.models import LivedExperienceArea, Person
from powershare.people.services import consent_record_create, person_create
from powershare.privacy import registry

#: Distinctive values, so a search of the whole database finds nothing else by chance.
RICH_PERSON = {
    "full_name": "Quentin Zephyrine-Marlowe",
    "preferred_name": "Quenzie",
    "pronouns": "they/them",
    "email": "quentin.zephyrine@people.example",
    "phone": "07700 900 987",
    "postal_address": "17 Thistlewhistle Lane, Aberdeen AB10 9ZZ",
    "date_of_birth": datetime.date(1988, 2, 3),
    "credit_as": "full_name",
    "contact_channel": "text",
    "contact_times": "Weekday mornings after the Thistlewhistle school run",
    "check_with_support_contact": True,
    "access_needs": "Quentin Zephyrine-Marlowe needs a hearing loop and step-free access",
    "support_needs": "Likes to bring Morag Thistlewood to meetings",
    "support_contact_name": "Morag Thistlewood",
    "support_contact_role": "Advocate, Grampian Zephyr Advocacy",
    "support_contact_phone": "01632 960 432",
    "support_contact_email": "morag.thistlewood@advocacy.example",
    "receives_benefits": True,
    "topics_to_avoid": "Anything about Zephyrine Street children's home",
    "rest_days_between_involvements": 14,
    "wellbeing_check_in": "before_and_after",
}


def make_rich_person(personas, **overrides) -> Person:
    """A person on council A's register with every identity field filled, free text, two areas
    and consent records, one of them from a guardian."""
    a = personas.council_a
    areas = [
        LivedExperienceArea.objects.get_or_create(organisation=a, name=name)[0]
        for name in ("Care experience", "Homelessness")
    ]
    fields = {**RICH_PERSON, **overrides}
    person = person_create(
        actor=personas.alice,
        organisation_id=a.pk,
        areas=areas,
        staff_contact=personas.alice,
        **fields,
    )
    consent_record_create(
        actor=personas.alice,
        person=person,
        purpose="contact",
        decision="given",
        method="written",
        note=f"Signed form; {fields['full_name']} prefers texts",
    )
    consent_record_create(
        actor=personas.alice,
        person=person,
        purpose="take_part",
        decision="given",
        method="verbal",
        given_by="guardian",
        guardian_name="Isobel Quillfeather-Marlowe",
        note="Guardian agreed by phone on 07700 900 987",
    )
    consent_record_create(
        actor=personas.alice,
        person=person,
        purpose="photos_video",
        decision="withdrawn",
        method="verbal",
        note="Said no to photos at the Thistlewhistle group",
    )
    return person


# ---------------------------------------------------------------------------------------------
# A row in every registered model


def _value_for(field: models.Field, person: Person, alice):
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.ForeignKey | models.OneToOneField):
        related = field.related_model
        if related is Person:
            return person
        if related._meta.label == "accounts.Organisation":
            return person.organisation
        if related._meta.label == "accounts.User":
            return alice
        existing = related._default_manager.first()
        return existing if existing is not None else make_row(related, None, person, alice)
    if isinstance(field, models.FileField):
        return f"sample/{field.model._meta.model_name}-{field.name}"
    if isinstance(field, models.EmailField):
        return "someone@example.org"
    if isinstance(field, models.URLField):
        return "https://www.example.org"
    if isinstance(field, models.CharField | models.TextField):
        return f"Sample {field.name}"[: field.max_length or 200]
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return timezone.localdate()
    if isinstance(field, models.BooleanField):
        return True
    if isinstance(field, models.DecimalField):
        return decimal.Decimal("1.00")
    if isinstance(field, models.IntegerField | models.FloatField):
        return 1
    if isinstance(field, models.JSONField):
        return {"sample": True}
    raise AssertionError(
        f"Don't know how to fill {field.model._meta.label}.{field.name} ({type(field).__name__}): "
        "add a case to powershare/privacy/tests/builders.py"
    )


def make_row(model, person_lookup: str | None, person: Person, alice):
    """A saved row of `model` that belongs to `person` through `person_lookup`, with every
    required field filled with a plausible value."""
    values = {}
    if person_lookup:
        first, _, rest = person_lookup.partition("__")
        field = model._meta.get_field(first)
        values[field.name] = (
            person if not rest else make_row(field.related_model, rest, person, alice)
        )
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in values or field.auto_created:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if field.has_default() or field.null:
            continue
        values[field.name] = _value_for(field, person, alice)
    return model._default_manager.create(**values)


def ensure_a_row_in_every_registered_model(person: Person, alice) -> None:
    for entry in registry.entries():
        if not entry.rows_for(person).exists():
            make_row(entry.model, entry.person_lookup, person, alice)
