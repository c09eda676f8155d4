"""What engagement holds about a person, for subject access and erasure."""

from powershare.privacy import registry

from .models import Contribution, Invitation
from .services import contributions_erase_for_person


def _erase_invitations(person, rows) -> None:
    """Who was asked and who came stays as a count; what they told us about themselves, and
    the warnings drawn from their safe-involvement profile, go."""
    rows.update(
        decline_reason="", access_arrangements="", wellbeing_note="", warnings_at_invitation=[]
    )


registry.register(
    Invitation,
    person_lookup="person",
    label="Activities you were invited to",
    erase=_erase_invitations,
    order=20,
)


def _export_contribution(contribution, row: dict) -> dict:
    """A withdrawn contribution leaves without its words (they are erased after the grace
    period, and the person asked for them to go)."""
    if contribution.withdrawn_at is not None:
        row["text"] = ""
    return row


registry.register(
    Contribution,
    person_lookup="person",
    label="Things you said or made",
    erase=contributions_erase_for_person,
    order=30,
    export_clean=_export_contribution,
)
