"""One explicit, audited way to let partner organisations see a record.

A record's owner (its `organisation`) can share it with named partners. Members of a partner
organisation then see the record, and what hangs under it, as their role allows; editing stays
with the owner. Selectors build their scope with `visible_to`, so a share takes effect (and
stops) everywhere at once.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from .models import Share
from .roles import Capability
from .selectors import organisation_ids_where


def visible_to(queryset: QuerySet, *, user, capability: Capability) -> QuerySet:
    """Limit a queryset of organisation-owned records to those the user may see."""
    org_ids = organisation_ids_where(user=user, capability=capability)
    if not org_ids:
        return queryset.none()
    scope = Q(organisation_id__in=org_ids)
    if getattr(queryset.model, "shareable", False):
        shared_ids = Share.objects.active().filter(
            content_type=ContentType.objects.get_for_model(queryset.model),
            partner_id__in=org_ids,
        )
        scope |= Q(pk__in=shared_ids.values("object_id"))
    return queryset.filter(scope)


def share_list_for_record(*, record: Model) -> QuerySet[Share]:
    return (
        Share.objects.active()
        .filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
        .select_related("partner", "shared_by")
        .order_by("partner__name")
    )
