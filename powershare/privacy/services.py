"""Writes for consent statements, subject access and erasure.

Rules enforced here:
* a consent statement is never edited: new wording is a new version, and records keep theirs;
* a subject access request is due one calendar month after it was received;
* erasure is asked for by one person and approved by another; it removes identity and the
  person's own words everywhere the registry knows of, and leaves anonymous counts alone.
"""

import datetime
import uuid
from functools import partial

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can
from powershare.audit.models import AccessEvent
from powershare.people.models import ConsentPurpose, Person
from powershare.people.selectors import person_is_own_record

from . import registry
from .models import ConsentStatement, ErasureRequest, SubjectAccessRequest, one_calendar_month_after

ERASED = "[erased]"


# ---------------------------------------------------------------------------------------------
# Consent statements


@transaction.atomic
def consent_statement_publish(
    *, actor: User, organisation_id: int, purpose: str, title: str, text: str
) -> ConsentStatement:
    """Publish new wording for one purpose in one organisation. People who agreed before keep
    the version they agreed to; new decisions use this one."""
    if not user_can(
        user=actor, capability=Capability.MANAGE_CONSENT_STATEMENTS, organisation_id=organisation_id
    ):
        raise PermissionDenied("You can't publish consent statements for this organisation.")
    errors = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = "Choose which consent this wording is for."
    if not title.strip():
        errors["title"] = "Enter a short name, like “Contact me”."
    if len(text.strip()) < 20:
        errors["text"] = "Enter the full statement people agree to, in at least 20 characters."
    if errors:
        raise ValidationError(errors)
    latest = (
        ConsentStatement.objects.filter(
            Q(organisation_id=organisation_id) | Q(organisation__isnull=True), purpose=purpose
        )
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    ) or 0
    try:
        with transaction.atomic():
            return ConsentStatement.objects.create(
                organisation_id=organisation_id,
                purpose=purpose,
                version=latest + 1,
                title=title.strip(),
                text=text.strip(),
                published_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            "Someone else published a new version at the same moment. Check it, then try again."
        ) from None


# ---------------------------------------------------------------------------------------------
# Subject access


def _check_handles_subject_access(actor: User, organisation_id: int) -> None:
    if not user_can(
        user=actor, capability=Capability.HANDLE_SUBJECT_ACCESS, organisation_id=organisation_id
    ):
        raise PermissionDenied("You can't handle subject access requests for this organisation.")


@transaction.atomic
def subject_access_request_create(
    *, actor: User, person: Person, received_on: datetime.date, how_received: str = ""
) -> SubjectAccessRequest:
    """Log a request. The export is prepared in the background straight away."""
    _check_handles_subject_access(actor, person.organisation_id)
    if person.is_erased:
        raise ValidationError("This record has been erased: there is nothing left to export.")
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date received must be today or in the past."})
    request = SubjectAccessRequest.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        source=SubjectAccessRequest.Source.STAFF,
        received_on=received_on,
        due_on=one_calendar_month_after(received_on),
        how_received=how_received.strip(),
        logged_by=actor,
    )
    _queue_export(request)
    return request


@transaction.atomic
def subject_access_request_by_self(*, user: User, person: Person) -> SubjectAccessRequest:
    """A person asks for their own data from the portal: prepared at once, in the background."""
    if person.user_id != user.pk or person.is_erased:
        raise PermissionDenied("You can only download your own data.")
    today = timezone.localdate()
    request = SubjectAccessRequest.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        source=SubjectAccessRequest.Source.PORTAL,
        received_on=today,
        due_on=one_calendar_month_after(today),
        how_received="Asked for in their portal",
        logged_by=user,
    )
    _queue_export(request)
    return request


def _queue_export(request: SubjectAccessRequest) -> None:
    from .tasks import subject_access_export_prepare

    SubjectAccessRequest.objects.filter(pk=request.pk).update(
        export_status=SubjectAccessRequest.ExportStatus.PREPARING,
        export_started_at=timezone.now(),
    )
    request.export_status = SubjectAccessRequest.ExportStatus.PREPARING
    transaction.on_commit(partial(subject_access_export_prepare.enqueue, request_id=request.pk))


def subject_access_exports_refresh(*, person: Person) -> int:
    """Something the person asked us to remove (words of a contribution, a withdrawn
    contribution) may sit in an export already prepared for them: prepare those exports again,
    so no stored file keeps what is gone. Returns how many were queued."""
    ready = list(
        SubjectAccessRequest.objects.filter(
            person=person, export_status=SubjectAccessRequest.ExportStatus.READY
        )
    )
    for request in ready:
        _queue_export(request)
    return len(ready)


@transaction.atomic
def subject_access_export_regenerate(*, actor: User, request: SubjectAccessRequest) -> None:
    _check_handles_subject_access(actor, request.organisation_id)
    _queue_export(request)


def subject_access_export_build(*, request_id: int) -> SubjectAccessRequest | None:
    """Make the zip and store it outside the web root. Called by the background task; safe to
    run again (a repeat replaces the file with a fresh one)."""
    from .export import person_export_zip

    request = (
        SubjectAccessRequest.objects.select_related("person__organisation")
        .filter(pk=request_id, person__erased_at__isnull=True)
        .first()
    )
    if request is None:
        return None
    try:
        content = person_export_zip(request.person)
    except Exception:
        SubjectAccessRequest.objects.filter(pk=request.pk).update(
            export_status=SubjectAccessRequest.ExportStatus.FAILED
        )
        raise
    old_file = request.export_file
    name = default_storage.save(
        f"subject-access/{request.organisation_id}/{uuid.uuid4().hex}.zip", ContentFile(content)
    )
    answered = {}
    if request.source == SubjectAccessRequest.Source.PORTAL and request.completed_on is None:
        # The person downloads it themselves: answered the moment it is ready, so it never
        # waits on the staff list as an open (and then overdue) request.
        answered = {"completed_on": timezone.localdate(), "completed_by_id": request.logged_by_id}
    SubjectAccessRequest.objects.filter(pk=request.pk).update(
        export_status=SubjectAccessRequest.ExportStatus.READY,
        export_file=name,
        export_size=len(content),
        exported_at=timezone.now(),
        **answered,
    )
    if old_file and old_file != name:
        default_storage.delete(old_file)
    request.refresh_from_db()
    return request


@transaction.atomic
def subject_access_request_complete(
    *, actor: User, request: SubjectAccessRequest, completed_on: datetime.date
) -> SubjectAccessRequest:
    """Mark a request answered: the export was sent or handed over."""
    _check_handles_subject_access(actor, request.organisation_id)
    if request.export_status != SubjectAccessRequest.ExportStatus.READY:
        raise ValidationError("Prepare the export before marking the request as answered.")
    if completed_on > timezone.localdate() or completed_on < request.received_on:
        raise ValidationError(
            {"completed_on": "Enter a date between the day it was received and today."}
        )
    request.completed_on = completed_on
    request.completed_by = actor
    request.save(update_fields=["completed_on", "completed_by"])
    return request


# ---------------------------------------------------------------------------------------------
# Erasure


@transaction.atomic
def erasure_request_create(*, actor: User, person: Person, reason: str) -> ErasureRequest:
    if not user_can(
        user=actor, capability=Capability.REQUEST_ERASURE, organisation_id=person.organisation_id
    ):
        raise PermissionDenied("You can't ask for erasure in this organisation.")
    if person_is_own_record(user=actor, person=person):
        raise PermissionDenied("This is your own record. Ask another member of staff.")
    if person.is_erased:
        raise ValidationError("This record has already been erased.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the record should be erased."})
    try:
        with transaction.atomic():
            return ErasureRequest.objects.create(
                organisation_id=person.organisation_id,
                person=person,
                reason=reason.strip(),
                requested_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            "Erasure has already been asked for. An administrator will approve or turn it down."
        ) from None


def _check_may_decide(actor: User, request: ErasureRequest) -> None:
    if not user_can(
        user=actor, capability=Capability.APPROVE_ERASURE, organisation_id=request.organisation_id
    ):
        raise PermissionDenied("You can't approve erasure in this organisation.")
    if request.requested_by_id == actor.pk:
        raise PermissionDenied(
            "You asked for this erasure, so someone else must approve it. Ask another administrator."
        )
    if request.status != ErasureRequest.Status.PENDING:
        raise ValidationError("This request has already been decided.")


@transaction.atomic
def erasure_request_reject(*, actor: User, request: ErasureRequest, note: str) -> ErasureRequest:
    _check_may_decide(actor, request)
    if not note.strip():
        raise ValidationError({"decision_note": "Say why, so the person who asked knows."})
    request.status = ErasureRequest.Status.REJECTED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return request


@transaction.atomic
def erasure_request_approve(
    *, actor: User, request: ErasureRequest, note: str = ""
) -> ErasureRequest:
    """Approve and erase at once, in one transaction: all of it happens or none of it."""
    _check_may_decide(actor, request)
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=request.person_id)
    )
    needles = identity_strings(person)
    person_erase(person=person)
    request.refresh_from_db()
    request.status = ErasureRequest.Status.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = redact(note.strip(), needles)
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return request


def identity_strings(person: Person) -> list[str]:
    """The strings that say who the person is, longest first, for replacing inside text."""
    values = {
        person.full_name,
        person.preferred_name,
        person.email,
        person.phone,
        person.postal_address,
        person.support_contact_name,
        person.support_contact_email,
        person.support_contact_phone,
    }
    if person.user is not None:
        if _login_is_kept(person.user):
            # Their staff login stays: its address is not the person record's to erase.
            values.discard(person.user.email)
        else:
            values.add(person.user.email)
    return sorted((v.strip() for v in values if v and len(v.strip()) >= 3), key=len, reverse=True)


def _login_is_kept(user) -> bool:
    """A login that is also a member of staff stays after its person record is erased (see
    people.services.person_identity_erase): its staff identity and history are not the
    person record's to erase."""
    from powershare.accounts.models import Membership

    return Membership.objects.current().filter(user=user).exists()


def redact(text: str, needles: list[str]) -> str:
    """Replace each identity string in free text, whatever its case."""
    import re

    for needle in needles:
        text = re.sub(re.escape(needle), ERASED, text, flags=re.IGNORECASE)
    return text


def person_erase(*, person: Person) -> None:
    """Erase a person everywhere the registry knows of, then scrub the audit trail of the
    values it kept. Runs inside the caller's transaction."""
    needles = identity_strings(person)
    kept_login = person.user is not None and _login_is_kept(person.user)
    records = []
    for entry in registry.entries():
        rows = entry.rows_for(person)
        records.extend((entry.model, pk) for pk in rows.values_list("pk", flat=True))
        if entry.model is not Person:
            entry.erase(person, rows)
    for sweep in registry.sweeps():
        sweep(person, needles)
    user_id = None if kept_login else person.user_id
    person_entry = registry.entry_for(Person)
    person_entry.erase(person, person_entry.rows_for(person))
    _scrub_audit_trail(records, user_id=user_id, needles=needles)


def _scrub_audit_trail(records, *, user_id, needles) -> None:
    """The change log keeps what changed; for an erased person the values go, and so does any
    identity string in the descriptions of what was viewed."""
    by_type: dict = {}
    for model, pk in records:
        by_type.setdefault(ContentType.objects.get_for_model(model), []).append(pk)
    match = Q(pk__in=[])
    for content_type, pks in by_type.items():
        match |= Q(content_type=content_type, object_id__in=pks)
    if user_id is not None:
        match |= Q(content_type=ContentType.objects.get_for_model(User), object_id=user_id)
    for entry in LogEntry.objects.filter(match):
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        entry.changes = {name: [ERASED, ERASED] for name in changes}
        entry.changes_text = ""
        entry.serialized_data = None
        entry.object_repr = redact(entry.object_repr, needles)
        entry.save(update_fields=["changes", "changes_text", "serialized_data", "object_repr"])
    if user_id is not None:
        LogEntry.objects.filter(actor_id=user_id).update(actor_email=ERASED)
    access_match = Q(pk__in=[])
    for model, pk in records:
        access_match |= Q(subject_type=model._meta.verbose_name, subject_id=str(pk))
    for event in AccessEvent.objects.filter(access_match):
        description = redact(event.description, needles)
        if description != event.description:
            event.description = description
            event.save(update_fields=["description"])
