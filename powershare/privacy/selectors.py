"""Reads of consent statements, subject access requests and erasure requests."""

import datetime

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where, user_can
from powershare.people.models import ConsentPurpose

from .models import ConsentStatement, ErasureRequest, SubjectAccessRequest


def consent_statements_current(*, organisation_id: int) -> dict[str, ConsentStatement]:
    """The statement in force for each purpose in an organisation: its own latest version, or
    PowerShare's default wording where it has published none. One query."""
    statements = ConsentStatement.objects.filter(
        Q(organisation_id=organisation_id) | Q(organisation__isnull=True)
    ).order_by("purpose", "-version", "-pk")
    current: dict[str, ConsentStatement] = {}
    defaults: dict[str, ConsentStatement] = {}
    for statement in statements:
        target = defaults if statement.organisation_id is None else current
        target.setdefault(statement.purpose, statement)
    result = {}
    for purpose in ConsentPurpose.values:
        statement = current.get(purpose) or defaults.get(purpose)
        if statement is not None:
            result[purpose] = statement
    return result


def consent_statement_current(*, organisation_id: int, purpose: str) -> ConsentStatement:
    try:
        return consent_statements_current(organisation_id=organisation_id)[purpose]
    except KeyError:
        raise ConsentStatement.DoesNotExist(f"No statement for {purpose}") from None


def consent_statement_organisations_for(*, user) -> QuerySet:
    """The organisations whose consent wording the user may read (or publish)."""
    from powershare.accounts.models import Organisation

    ids = set(organisation_ids_where(user=user, capability=Capability.VIEW_PEOPLE)) | set(
        organisation_ids_where(user=user, capability=Capability.MANAGE_CONSENT_STATEMENTS)
    )
    return Organisation.objects.filter(pk__in=ids).order_by("name")


#: The subject access list's filters: open (the default), answered, or all.
SUBJECT_ACCESS_FILTERS = {"open": "Open", "answered": "Answered", "all": "All"}


def consent_statement_history(*, organisation_id: int) -> dict[str, list[ConsentStatement]]:
    """Every version of every statement an organisation's people may have agreed to, newest
    first per purpose, each with `records_count`: how many of this organisation's consent
    records refer to it. One query."""
    statements = (
        ConsentStatement.objects.filter(
            Q(organisation_id=organisation_id) | Q(organisation__isnull=True)
        )
        .select_related("published_by")
        .annotate(
            records_count=Count(
                "records", filter=Q(records__person__organisation_id=organisation_id)
            )
        )
        .order_by("purpose", "-version", "-pk")
    )
    history: dict[str, list[ConsentStatement]] = {purpose: [] for purpose in ConsentPurpose.values}
    for statement in statements:
        history.setdefault(statement.purpose, []).append(statement)
    return history


def subject_access_request_list_for(*, user, open_only: bool = False, status: str = "") -> QuerySet:
    """Requests of the organisations where the user handles subject access: open ones first,
    the earliest due (so the overdue) at the top; answered ones after, latest answered first.
    `status` is "open", "answered" or "" for all."""
    ids = organisation_ids_where(user=user, capability=Capability.HANDLE_SUBJECT_ACCESS)
    requests = SubjectAccessRequest.objects.filter(
        organisation_id__in=ids, person__erased_at__isnull=True
    ).select_related("person", "logged_by")
    if open_only or status == "open":
        requests = requests.filter(completed_on__isnull=True)
    elif status == "answered":
        requests = requests.filter(completed_on__isnull=False)
    # NULLs sort differently in SQLite and PostgreSQL: say where open requests (no completed_on)
    # go, so both databases list them first.
    return requests.order_by(F("completed_on").desc(nulls_first=True), "due_on", "pk")


def subject_access_open_for_person(*, person) -> QuerySet:
    return SubjectAccessRequest.objects.filter(person=person, completed_on__isnull=True).order_by(
        "due_on", "pk"
    )


def subject_access_overdue_count(*, user) -> int:
    return (
        subject_access_request_list_for(user=user, open_only=True)
        .filter(due_on__lt=timezone.localdate())
        .count()
    )


def subject_access_request_get_for(*, user, pk) -> SubjectAccessRequest:
    try:
        request = SubjectAccessRequest.objects.select_related("person", "organisation").get(
            pk=pk, person__erased_at__isnull=True
        )
    except (SubjectAccessRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request") from None
    if not user_can(
        user=user,
        capability=Capability.HANDLE_SUBJECT_ACCESS,
        organisation_id=request.organisation_id,
    ):
        raise Http404("No such request")
    return request


def subject_access_request_for_person(*, person, pk) -> SubjectAccessRequest:
    """One of the person's own exports, for the portal."""
    try:
        return SubjectAccessRequest.objects.get(pk=pk, person=person)
    except (SubjectAccessRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such download") from None


def subject_access_latest_for_person(*, person) -> SubjectAccessRequest | None:
    return (
        SubjectAccessRequest.objects.filter(
            person=person, source=SubjectAccessRequest.Source.PORTAL
        )
        .order_by("-logged_at", "-pk")
        .first()
    )


def erasure_request_list_for(*, user, status: str = "") -> QuerySet:
    """Erasure requests of the organisations where the user may ask for or approve them."""
    ids = set(organisation_ids_where(user=user, capability=Capability.APPROVE_ERASURE)) | set(
        organisation_ids_where(user=user, capability=Capability.REQUEST_ERASURE)
    )
    requests = ErasureRequest.objects.filter(organisation_id__in=ids).select_related(
        "person", "requested_by", "decided_by"
    )
    if status in ErasureRequest.Status.values:
        requests = requests.filter(status=status)
    # Waiting for a decision first, then the rest, newest first.
    waiting_first = Case(
        When(status=ErasureRequest.Status.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return requests.order_by(waiting_first, "-requested_at", "-pk")


def erasure_request_get_for(*, user, pk) -> ErasureRequest:
    try:
        return erasure_request_list_for(user=user).get(pk=pk)
    except (ErasureRequest.DoesNotExist, ValueError, TypeError):
        raise Http404("No such request") from None


def erasure_request_pending_for_person(*, person) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(
        person=person, status=ErasureRequest.Status.PENDING
    ).first()


def privacy_attention_for(*, user) -> dict:
    """For the home page, "needs attention first": subject access requests overdue or due
    within a week, and erasure requests waiting for this user's decision."""
    today = timezone.localdate()
    open_requests = subject_access_request_list_for(user=user, open_only=True)
    counts = open_requests.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due_soon=Count(
            "pk", filter=Q(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=7))
        ),
    )
    approvable = organisation_ids_where(user=user, capability=Capability.APPROVE_ERASURE)
    counts["erasure_waiting"] = (
        ErasureRequest.objects.filter(
            organisation_id__in=approvable, status=ErasureRequest.Status.PENDING
        )
        .exclude(requested_by=user)
        .count()
        if approvable
        else 0
    )
    return counts
