"""Privacy's own records about a person, and the sweep of sign-in attempts."""

from django.core.files.storage import default_storage

from . import registry
from .models import ErasureRequest, SubjectAccessRequest


def _erase_subject_access(person, rows) -> None:
    # The exports are the person's data in full: delete the files, keep the dated requests.
    for name in rows.exclude(export_file="").values_list("export_file", flat=True):
        default_storage.delete(name)
    rows.update(export_file="", how_received="")


def _erase_erasure_requests(person, rows) -> None:
    from .services import identity_strings, redact

    needles = identity_strings(person)
    for request in rows:
        request.reason = redact(request.reason, needles)
        request.decision_note = redact(request.decision_note, needles)
        request.save(update_fields=["reason", "decision_note"])


def _sweep_sign_in_attempts(person, needles) -> None:
    """django-axes keeps the email typed at each failed sign-in."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.db.models import Q

    emails = [n for n in needles if "@" in n]
    if not emails:
        return
    match = Q(pk__in=[])
    for email in emails:
        match |= Q(username__iexact=email)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(match).delete()


def _sweep_task_errors(person, needles) -> None:
    """A failed background task (an email the mail server refused) keeps its error text, which
    may name the address. Tasks themselves carry record ids only."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    match = Q(pk__in=[])
    for needle in needles:
        match |= Q(traceback__icontains=needle) | Q(exception_class_path__icontains=needle)
    DBTaskResult.objects.filter(match).update(traceback="[erased]")


registry.register(
    SubjectAccessRequest,
    person_lookup="person",
    label="Requests for a copy of your data",
    erase=_erase_subject_access,
    export_exclude=("export_file",),
    order=90,
)
registry.register(
    ErasureRequest,
    person_lookup="person",
    label="Requests to erase your record",
    erase=_erase_erasure_requests,
    order=91,
)
registry.register_sweep(_sweep_sign_in_attempts)
registry.register_sweep(_sweep_task_errors)
