"""Reads of the support directory, scoped to the user's organisations and shares."""

from django.db.models import Q, QuerySet
from django.http import Http404

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import organisation_ids_where
from powershare.accounts.sharing import visible_to

from .models import SupportService


def support_service_list_for(
    *, user, search: str = "", source: str = "", include_inactive: bool = False
) -> QuerySet[SupportService]:
    """Services owned by the user's organisations plus those partners share with them.

    source: "ours" for our own entries, "shared" for entries partners share with us, "hidden"
    for our own entries hidden from the directory.
    """
    queryset = visible_to(
        SupportService.objects.select_related("organisation"),
        user=user,
        capability=Capability.VIEW_SUPPORT_DIRECTORY,
    )
    own = organisation_ids_where(user=user, capability=Capability.VIEW_SUPPORT_DIRECTORY)
    if source == "ours":
        queryset = queryset.filter(organisation_id__in=own)
    elif source == "shared":
        queryset = queryset.exclude(organisation_id__in=own)
    elif source == "hidden":
        return _search(queryset.filter(organisation_id__in=own, is_active=False), search)
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return _search(queryset, search)


def _search(queryset, search: str):
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search)
            | Q(how_they_help__icontains=search)
            | Q(who_it_is_for__icontains=search)
        )
    return queryset.order_by("-is_crisis_support", "name", "pk")


def support_service_get_for(*, user, pk, owner_may: Capability | None = None) -> SupportService:
    """One service the user may see; anything else answers 404, never 403. With `owner_may`,
    only a service of the user's own organisations where their role has that capability (a
    partner it is shared with may read it, never change or re-share it)."""
    try:
        service = support_service_list_for(user=user, include_inactive=True).get(pk=pk)
    except (SupportService.DoesNotExist, ValueError, TypeError):
        raise Http404("No such support service") from None
    if owner_may is not None and not support_service_is_ours(
        user=user, service=service, capability=owner_may
    ):
        raise Http404("No such support service")
    return service


def support_service_is_ours(*, user, service: SupportService, capability: Capability) -> bool:
    return service.organisation_id in organisation_ids_where(user=user, capability=capability)
