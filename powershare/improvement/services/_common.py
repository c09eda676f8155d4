"""What every improvement service shares: who may change what, and tidy text."""

from django.core.exceptions import PermissionDenied

from powershare.accounts.models import User
from powershare.accounts.roles import Capability
from powershare.accounts.selectors import user_can


def check_manages(actor: User, organisation_id: int) -> None:
    """Only MANAGE_IMPROVEMENT in the record's own organisation changes it."""
    if not user_can(
        user=actor, capability=Capability.MANAGE_IMPROVEMENT, organisation_id=organisation_id
    ):
        raise PermissionDenied("You can't change this organisation's improvement work.")


def text(value, limit: int) -> str:
    return (value or "").strip()[:limit]
