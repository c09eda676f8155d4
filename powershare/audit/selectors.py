"""Reads of the audit trail, for administrators of the organisation concerned."""

import datetime

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from powershare.accounts.models import ApiToken, Membership, User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where

from .models import AccessEvent


def _day_range(queryset, field, date_from: datetime.date | None, date_to: datetime.date | None):
    if date_from:
        queryset = queryset.filter(**{f"{field}__date__gte": date_from})
    if date_to:
        queryset = queryset.filter(**{f"{field}__date__lte": date_to})
    return queryset


def change_log_for(
    *,
    user,
    search: str = "",
    action: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[LogEntry]:
    """Changes to records of the administrator's organisations, newest first.

    Scoped by the organisation each change belongs to (recorded with it), never by who made
    it: a member's work in another organisation is that organisation's business. Changes to a
    current member's own account and API tokens, which belong to no one organisation, are
    shown to the administrators of each organisation they are a member of."""
    queryset = LogEntry.objects.select_related("actor", "content_type")
    if not user.is_superuser:
        org_ids = organisation_ids_where(user=user, capability=Capability.VIEW_AUDIT)
        if not org_ids:
            return LogEntry.objects.none()
        members = Membership.objects.current().filter(organisation_id__in=org_ids).values("user_id")
        their_tokens = ApiToken.objects.filter(user_id__in=members).values("pk")
        queryset = queryset.filter(
            Q(additional_data__organisation_id__in=org_ids)
            | Q(content_type=ContentType.objects.get_for_model(User), object_id__in=members)
            | Q(
                content_type=ContentType.objects.get_for_model(ApiToken), object_id__in=their_tokens
            )
        )
    if search:
        queryset = queryset.filter(
            Q(object_repr__icontains=search)
            | Q(actor__email__icontains=search)
            | Q(actor__full_name__icontains=search)
        )
    if action is not None:
        queryset = queryset.filter(action=action)
    return _day_range(queryset, "timestamp", date_from, date_to).order_by("-timestamp", "-pk")


def access_log_for(
    *,
    user,
    search: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AccessEvent]:
    """Reads of personal data held by the administrator's organisations, newest first."""
    queryset = AccessEvent.objects.select_related("user", "organisation")
    if not user.is_superuser:
        org_ids = organisation_ids_where(user=user, capability=Capability.VIEW_AUDIT)
        queryset = queryset.filter(organisation_id__in=org_ids)
    if search:
        queryset = queryset.filter(
            Q(description__icontains=search)
            | Q(user__email__icontains=search)
            | Q(user__full_name__icontains=search)
        )
    return _day_range(queryset, "occurred_at", date_from, date_to)


def history_for_record(*, record) -> QuerySet[LogEntry]:
    """The change timeline shown at the foot of a detail page."""
    return LogEntry.objects.get_for_object(record).select_related("actor").order_by("-timestamp")
