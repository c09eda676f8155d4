"""Every write about people, their tags and their consent.

Rules enforced here (not in views):
* only roles that can MANAGE_PEOPLE in the person's organisation change a record;
* staff never change their own expert-by-experience record through their staff role: that is
  theirs to change in the portal;
* consent records are only ever added, never edited; "online" records are made by the person;
* children under 13 never get a login.
"""

import datetime
from functools import partial

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from powershare.accounts.models import Membership, User
from powershare.accounts.roles import Capability
from powershare.accounts.security import email_link_base
from powershare.accounts.selectors import user_can

from .models import (
    ConsentDecision,
    ConsentGivenBy,
    ConsentMethod,
    ConsentPurpose,
    ConsentRecord,
    LivedExperienceArea,
    Person,
    PersonStatus,
    age_band_for,
)
from .selectors import person_is_own_record

#: What staff can change on a record (the register's create and edit forms).
STAFF_EDITABLE_FIELDS = (
    "full_name",
    "preferred_name",
    "pronouns",
    "email",
    "phone",
    "postal_address",
    "date_of_birth",
    "age_band",
    "credit_as",
    "contact_channel",
    "contact_times",
    "check_with_support_contact",
    "access_needs",
    "support_needs",
    "support_contact_name",
    "support_contact_role",
    "support_contact_phone",
    "support_contact_email",
    "staff_contact",
    "receives_benefits",
    "status",
    "resting_until",
    "left_on",
    "topics_to_avoid",
    "rest_days_between_involvements",
    "wellbeing_check_in",
)

#: What a person can change about themselves in the portal: everything staff can, except their
#: age (it decides whether a guardian must agree too), their staff contact and the date they left.
_STAFF_ONLY_FIELDS = {"date_of_birth", "age_band", "staff_contact", "left_on"}
SELF_EDITABLE_FIELDS = tuple(f for f in STAFF_EDITABLE_FIELDS if f not in _STAFF_ONLY_FIELDS)


class PortalInvitationTokenGenerator(PasswordResetTokenGenerator):
    """Single-use links for a person's first portal sign-in. Like a password reset link, a
    link stops working once used (the password it sets changes the token), but it lasts a
    week: people with lived experience may not read email every day."""

    key_salt = "powershare.people.PortalInvitationTokenGenerator"
    valid_days = 7

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return self._num_seconds(self._now()) - timestamp <= self.valid_days * 24 * 60 * 60


portal_invitation_tokens = PortalInvitationTokenGenerator()


def _check_may_manage(actor: User, person_or_org_id) -> None:
    organisation_id = (
        person_or_org_id.organisation_id
        if isinstance(person_or_org_id, Person)
        else person_or_org_id
    )
    if not user_can(
        user=actor, capability=Capability.MANAGE_PEOPLE, organisation_id=organisation_id
    ):
        raise PermissionDenied("You can't change this organisation's people register.")
    if isinstance(person_or_org_id, Person) and person_is_own_record(
        user=actor, person=person_or_org_id
    ):
        raise PermissionDenied(
            "This is your own record. Change it in your portal, not through your staff role."
        )


def _clean_person(person: Person) -> None:
    """Rules about a record as a whole, as field-by-field messages."""
    errors = {}
    today = timezone.localdate()
    if person.date_of_birth:
        if person.date_of_birth > today:
            errors["date_of_birth"] = "Date of birth must be today or in the past."
        elif person.date_of_birth.year < today.year - 120:
            errors["date_of_birth"] = "Check the year of birth: it is more than 120 years ago."
        else:
            person.age_band = age_band_for(person.age_on(today))
    if person.status == PersonStatus.ACTIVE:
        person.resting_until = None
        person.left_on = None
    elif person.status == PersonStatus.RESTING:
        person.left_on = None
        if person.resting_until and person.resting_until < today:
            errors["resting_until"] = "Enter a date in the future, or leave it empty."
    elif person.status == PersonStatus.LEFT:
        person.resting_until = None
        person.left_on = person.left_on or today
        if person.left_on > today:
            errors["left_on"] = "The date they left must be today or in the past."
    if person.user_id and person.is_under(13):
        errors["date_of_birth" if person.date_of_birth else "age_band"] = (
            "They have a portal login, and children under 13 can't have one. Check the age."
        )
    if person.rest_days_between_involvements is not None and not (
        0 <= person.rest_days_between_involvements <= 365
    ):
        errors["rest_days_between_involvements"] = "Enter a number of days from 0 to 365."
    if (
        person.staff_contact_id
        and not Membership.objects.current()
        .filter(user_id=person.staff_contact_id, organisation_id=person.organisation_id)
        .exists()
    ):
        errors["staff_contact"] = "Choose a current member of staff of this organisation."
    if errors:
        raise ValidationError(errors)


def _set_areas(person: Person, areas) -> None:
    if areas is None:
        return
    areas = list(areas)
    foreign = [a for a in areas if a.organisation_id != person.organisation_id]
    if foreign:
        raise ValidationError({"areas": "Choose areas of lived experience from this register."})
    person.areas.set(areas)


@transaction.atomic
def person_create(*, actor: User, organisation_id: int, areas=None, **fields) -> Person:
    """Add someone to the register."""
    _check_may_manage(actor, organisation_id)
    values = {key: fields[key] for key in STAFF_EDITABLE_FIELDS if key in fields}
    if values.get("email"):
        values["email"] = User.normalise_email(values["email"])
    person = Person(organisation_id=organisation_id, created_by=actor, **values)
    _clean_person(person)
    person.save()
    _set_areas(person, areas)
    return person


@transaction.atomic
def person_update(*, actor: User, person: Person, areas=None, **fields) -> list[str]:
    """Change a record as staff. Returns the names of the fields that changed."""
    _check_may_manage(actor, person)
    return _apply_changes(person, fields, STAFF_EDITABLE_FIELDS, areas=areas)


def _apply_changes(person: Person, fields: dict, allowed, *, areas=None) -> list[str]:
    if person.is_erased:
        raise ValidationError("This record has been erased and can't be changed.")
    if fields.get("email"):
        fields["email"] = User.normalise_email(fields["email"])
    before = {key: getattr(person, key) for key in allowed}
    for key in allowed:
        if key in fields:
            setattr(person, key, fields[key])
    _clean_person(person)
    changed = [key for key in allowed if getattr(person, key) != before[key]]
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    if areas is not None:
        old = set(person.areas.values_list("pk", flat=True))
        _set_areas(person, areas)
        if old != {a.pk for a in areas}:
            changed.append("areas")
    return changed


@transaction.atomic
def person_update_by_self(*, user: User, person: Person, **fields) -> list[str]:
    """A person changes their own details in the portal; their staff contact (or, without one,
    the organisation's participation leads) is told which details changed, never the values."""
    if person.user_id != user.pk:
        raise PermissionDenied("You can only change your own details.")
    if fields.get("status") == PersonStatus.LEFT:
        raise ValidationError({"status": "To leave the register, tell your contact."})
    if (
        person.status == PersonStatus.LEFT
        and "status" in fields
        and fields["status"] != PersonStatus.LEFT
    ):
        raise ValidationError({"status": "To come back to the register, tell your contact."})
    changed = _apply_changes(person, fields, SELF_EDITABLE_FIELDS)
    if changed:
        from .tasks import person_changed_by_self_email_send

        labels = [str(Person._meta.get_field(name).verbose_name) for name in changed]
        transaction.on_commit(
            partial(person_changed_by_self_email_send.enqueue, person_id=person.pk, fields=labels)
        )
    return changed


def _unique_area_name(organisation_id: int, name: str, exclude_pk: int | None = None) -> str:
    """The name with its spaces tidied, if no other area of the register has it."""
    name = " ".join(name.split())
    others = LivedExperienceArea.objects.filter(organisation_id=organisation_id, name__iexact=name)
    if others.exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": f"There is already an area called “{name}”."})
    return name


@transaction.atomic
def lived_experience_area_create(
    *, actor: User, organisation_id: int, name: str, description: str = ""
) -> LivedExperienceArea:
    _check_may_manage(actor, organisation_id)
    name = _unique_area_name(organisation_id, name)
    return LivedExperienceArea.objects.create(
        organisation_id=organisation_id, created_by=actor, name=name, description=description
    )


@transaction.atomic
def lived_experience_area_update(
    *, actor: User, area: LivedExperienceArea, name: str, description: str, is_active: bool
) -> LivedExperienceArea:
    _check_may_manage(actor, area.organisation_id)
    name = _unique_area_name(area.organisation_id, name, exclude_pk=area.pk)
    area.name, area.description, area.is_active = name, description, is_active
    area.save()
    return area


def _statement_for(person: Person, purpose: str):
    from powershare.privacy.selectors import consent_statement_current

    return consent_statement_current(organisation_id=person.organisation_id, purpose=purpose)


@transaction.atomic
def consent_record_create(
    *,
    actor: User,
    person: Person,
    purpose: str,
    decision: str,
    method: str,
    given_by: str = ConsentGivenBy.PERSON,
    guardian_name: str = "",
    note: str = "",
    recorded_at: datetime.datetime | None = None,
) -> ConsentRecord:
    """Staff record a decision made on a written form or out loud. The record keeps the
    statement version in force now and who recorded it."""
    _check_may_manage(actor, person)
    if person.is_erased:
        raise ValidationError("This record has been erased.")
    errors = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = "Choose what the decision is about."
    if decision not in ConsentDecision.values:
        errors["decision"] = "Choose whether they agreed or withdrew."
    if method not in (ConsentMethod.WRITTEN, ConsentMethod.VERBAL):
        errors["method"] = (
            "Choose a written form or said out loud. Online decisions are made by the person in "
            "their portal."
        )
    if given_by not in ConsentGivenBy.values:
        errors["given_by"] = "Choose who made the decision."
    if given_by == ConsentGivenBy.GUARDIAN and not guardian_name.strip():
        errors["guardian_name"] = "Enter the name of the parent or guardian."
    if recorded_at and recorded_at > timezone.now():
        errors["recorded_at"] = "The decision can't be in the future."
    elif recorded_at and recorded_at.year < 1900:
        errors["recorded_at"] = "Enter a date from 1900 onwards."
    if errors:
        raise ValidationError(errors)
    return ConsentRecord.objects.create(
        person=person,
        purpose=purpose,
        statement=_statement_for(person, purpose),
        decision=decision,
        given_by=given_by,
        guardian_name=guardian_name.strip() if given_by == ConsentGivenBy.GUARDIAN else "",
        method=method,
        recorded_by=actor,
        recorded_at=recorded_at or timezone.now(),
        note=note.strip(),
    )


@transaction.atomic
def consent_change_by_self(
    *, user: User, person: Person, purpose: str, decision: str
) -> ConsentRecord:
    """The person agrees or withdraws online, in one step. It counts everywhere at once."""
    if person.user_id != user.pk or person.is_erased:
        raise PermissionDenied("You can only change your own choices.")
    if purpose not in ConsentPurpose.values or decision not in ConsentDecision.values:
        raise ValidationError("Choose one of the listed choices.")
    return ConsentRecord.objects.create(
        person=person,
        purpose=purpose,
        statement=_statement_for(person, purpose),
        decision=decision,
        given_by=ConsentGivenBy.PERSON,
        method=ConsentMethod.ONLINE,
        recorded_by=user,
    )


@transaction.atomic
def portal_invitation_send(*, actor: User, person: Person, request=None) -> User:
    """Invite a person to their portal: an email with a single-use link to set a password,
    valid for a week. Someone who already signs in as staff gets the portal on their login."""
    _check_may_manage(actor, person)
    if person.is_erased:
        raise ValidationError("This record has been erased.")
    if person.is_under(13) is not False:
        raise ValidationError(
            "Children under 13 can't have a login. Record their date of birth or age band first "
            "if they are 13 or over."
            if person.is_under(13) is None
            else "Children under 13 can't have a login."
        )
    if not person.email:
        raise ValidationError({"email": "Add their email address first: the link goes there."})
    user = person.user
    if user is None:
        user = User.objects.filter(email=User.normalise_email(person.email)).first()
        if user is not None and (user.is_superuser or hasattr(user, "person_record")):
            raise ValidationError(
                {"email": "This email address already has a portal. Use another address."}
            )
        if (
            user is not None
            and Membership.objects.current()
            .filter(user=user)
            .exclude(organisation_id=person.organisation_id)
            .exists()
        ):
            # Linking a login lets this register see when it signs in, and erasure touches
            # it: never for someone who works for another organisation.
            raise ValidationError(
                {
                    "email": "This email address belongs to a member of staff of another "
                    "organisation. Use another address, or ask them which one to use."
                }
            )
        if user is None:
            user = User.objects.create_user(
                email=person.email, password=None, full_name=person.full_name
            )
        person.user = user
    person.portal_invited_at = timezone.now()
    person.save(update_fields=["user", "portal_invited_at", "updated_at"])
    from .tasks import portal_invitation_email_send

    domain, use_https = email_link_base(request)
    transaction.on_commit(
        partial(
            portal_invitation_email_send.enqueue,
            person_id=person.pk,
            domain=domain,
            use_https=use_https,
        )
    )
    return user


def person_read_record(
    *, user: User, person: Person, what: str, path: str = "", action: str = "viewed"
):
    """Record that someone read a person's details, by the person's reference (never their
    name: the access log outlives erasure)."""
    from powershare.audit.services import access_event_record

    return access_event_record(
        user=user,
        organisation_id=person.organisation_id,
        subject=person,
        description=f"{person.reference}: {what}",
        path=path,
        action=action,
    )


def register_read_record(*, user: User, description: str, path: str = "") -> list:
    """A list of people was read: one access event per register the user can see (never the
    names, nor a search typed, which may be one). Returns those organisations."""
    from powershare.accounts.selectors import organisation_list_where
    from powershare.audit.services import access_event_record

    organisations = list(organisation_list_where(user=user, capability=Capability.VIEW_PEOPLE))
    for organisation in organisations:
        access_event_record(
            user=user,
            organisation_id=organisation.pk,
            subject=organisation,
            description=description,
            path=path,
        )
    return organisations


@transaction.atomic
def people_import(*, actor: User, organisation_id: int, rows: list[dict]) -> list[Person]:
    """Add many people at once, all or nothing: any error and nobody is added. Each row is a
    dict of person fields (already checked by people.imports) plus "areas" and, optionally,
    "row_number" (the row as the file's spreadsheet shows it, for error messages)."""
    _check_may_manage(actor, organisation_id)
    created = []
    for number, row in enumerate(rows, start=1):
        fields = dict(row)
        areas = fields.pop("areas", None)
        number = fields.pop("row_number", number)
        try:
            created.append(
                person_create(actor=actor, organisation_id=organisation_id, areas=areas, **fields)
            )
        except ValidationError as error:
            raise ValidationError(f"Row {number}: {'; '.join(error.messages)}") from error
    return created


def person_identity_erase(person: Person, rows) -> None:
    """The Person eraser for the privacy registry: identity and the person's own words go;
    the row, its organisation, status, age band and tags stay so counts stay right."""
    replacement = dict.fromkeys(Person.identity_fields + Person.free_text_fields, "")
    replacement.update(
        full_name=f"Erased person {person.reference}",
        date_of_birth=None,
        receives_benefits=False,
        staff_contact=None,
        erased_at=timezone.now(),
        user=None,
    )
    user = person.user
    rows.update(**replacement)
    if user is not None:
        if Membership.objects.current().filter(user=user).exists():
            return  # also staff: their staff login stays, without the link to this record
        user.email = f"erased-{user.pk}@erased.invalid"
        user.full_name = "Erased person"
        user.is_active = False
        user.set_unusable_password()
        user.save()
