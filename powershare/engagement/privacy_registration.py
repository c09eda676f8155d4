"""What engagement holds about a person, for subject access and erasure."""

from powershare.privacy import registry

from .models import Contribution, Invitation
from .services import contributions_erase_for_person

registry.register(
    Invitation,
    person_lookup="person",
    label="Activities you were invited to",
    # Who was asked and who came stays as a count; what they told us about themselves goes.
    erase=registry.blank_fields("decline_reason", "access_arrangements", "wellbeing_note"),
    export_exclude=("warnings_at_invitation",),
    order=20,
)
registry.register(
    Contribution,
    person_lookup="person",
    label="Things you said or made",
    erase=contributions_erase_for_person,
    order=30,
)
