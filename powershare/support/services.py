"""Writes to the support directory. Only the owning organisation edits its entries."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can

from .models import SupportService

EDITABLE_FIELDS = (
    "name",
    "how_they_help",
    "who_it_is_for",
    "phone",
    "text_number",
    "email",
    "website",
    "opening_times",
    "is_crisis_support",
    "is_active",
)


def _check_may_manage(actor, organisation_id: int) -> None:
    if not user_can(
        user=actor, capability=Capability.MANAGE_SUPPORT_DIRECTORY, organisation_id=organisation_id
    ):
        raise PermissionDenied("You can't change this organisation's support directory.")


@transaction.atomic
def support_service_create(*, actor, organisation_id: int, **fields) -> SupportService:
    _check_may_manage(actor, organisation_id)
    values = {key: fields[key] for key in EDITABLE_FIELDS if key in fields}
    return SupportService.objects.create(
        organisation_id=organisation_id, created_by=actor, **values
    )


@transaction.atomic
def support_service_update(*, actor, service: SupportService, **fields) -> SupportService:
    _check_may_manage(actor, service.organisation_id)
    changed = []
    for key in EDITABLE_FIELDS:
        if key in fields and getattr(service, key) != fields[key]:
            setattr(service, key, fields[key])
            changed.append(key)
    if changed:
        service.save(update_fields=[*changed, "updated_at"])
    return service
