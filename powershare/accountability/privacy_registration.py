"""What accountability holds about a person, for subject access and erasure: the feedback
letters and updates they were sent (the letters themselves hold nobody's words)."""

from powershare.privacy import registry

from .models import ChangeNotice, FeedbackRecipient


def _delete_rows(person, rows) -> None:
    rows.delete()


registry.register(
    FeedbackRecipient,
    person_lookup="person",
    label="Feedback letters we sent you",
    erase=_delete_rows,
    export_exclude=("group_label", "group_consent_held_by"),
    order=40,
)
registry.register(
    ChangeNotice,
    person_lookup="person",
    label="Updates we sent you about what changed",
    erase=_delete_rows,
    order=41,
)
